"""HTML fragments of the report: dashboard tables, indicator blocks, district breakdown.

Section notebooks display these. Each function gathers the words and figures; its template in
``templates/fragments`` writes the markup and escapes them (``fragments.render``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from IPython.display import HTML
from markupsafe import Markup

from .. import config
from ..analysis.results import Results
from ..analysis.vocabulary import GroupPlace, Judgement
from ..analysis.wording import cause_lines, join_words, last_quarter_lines, section_line, sentence, short_cause
from . import charts
from .fragments import render
from .messages import RULE_NOTE, baseline_line, opening
from .narrative import (
    anchor,
    change_text,
    change_words,
    direction_label,
    figure,
    judgement_words,
    key_point,
    markdown,
    no_change,
    variation,
)
from .where import RISES_SHOWN, significant_rises


def _not_available(reason: str) -> str:
    return reason if reason.lower().startswith("not available") else f"Not available: {reason}"


def _interval(row: dict) -> str:
    if pd.isna(row["ci_low"]):
        return "—"
    return f"{figure(row['ci_low'], row['measure'])} – {figure(row['ci_high'], row['measure'])}"


def _month_label(month: str, style: str = "%b %Y") -> str:
    return pd.Period(month, "M").strftime(style)


def _dashboard_row(results: Results, row: dict, gaps: set) -> dict:
    """One indicator's cells, as words and formatted figures."""
    cells = {
        "anchor": anchor(row["indicator_id"]),
        "title": row["title"],
        "illustrative": row["illustrative"],
        "unit": row["unit"],
        "available": row["status"] == "available",
    }
    if not cells["available"]:
        missing = row["indicator_id"] in gaps  # said once in the data quality notes
        return {
            **cells,
            "cause": short_cause(row["source"]) if missing else "",
            "reason": _not_available(row["reason"]),
        }
    judgement, judgement_class = judgement_words(row, results.catalogue[row["indicator_id"]].target)
    return {
        **cells,
        "value": figure(row["value"], row["measure"]),
        "previous": figure(row["previous_value"], row["measure"]),
        "change": change_text(row),
        "direction": row["direction"],
        "direction_label": direction_label(row["direction"]),
        "judgement": judgement,
        "judgement_class": judgement_class,
        "interval": _interval(row),
        "spc": "—",
        **_spc_cells(row),
    }


def _spc_cells(row: dict) -> dict:
    """The variation icon (``charts.variation``) and the signal in words; none without an SPC chart."""
    if not row["spc_icon"]:
        return {"icon": None, "signal": ""}
    return {"icon": variation(row["spc_icon"]), "signal": "" if row["spc_signal"] == "none" else row["spc_signal"]}


def dashboard_table(results: Results, section: str | None = None) -> Markup:
    """The dashboard rows for the partnership: value, previous, change, arrow and word, judgement."""
    rows = results.rows(section=section)
    gaps = set(results.gaps()["indicator_id"])
    lines, current_section = [], None
    for row in rows.to_dict("records"):
        group = ""
        if section is None and row["section"] != current_section:  # the whole dashboard: a heading per priority
            current_section = row["section"]
            group = config.SECTIONS[current_section]
        lines.append({"group": group, **_dashboard_row(results, row, gaps)})
    scope = config.SECTIONS[section] if section else "All priorities"
    return render(
        "dashboard_table",
        rows=lines,
        caption=f"{scope}, {results.partnership.name}: {rows['period'].iloc[0]} compared with the previous 12 months",
        end=_month_label(rows["period_end"].iloc[0]),
        previous=_month_label(rows["previous_period_end"].iloc[0]),
    )


def _figures(series: pd.DataFrame, monthly: pd.Series | None, row: dict) -> dict:
    """The numbers behind a trajectory chart, in blocks of 12 months."""
    values = series.set_index("period_end")["value"]
    months = list(values.index)
    blocks = []
    for start in range(0, len(months), 12):
        chunk = months[start : start + 12]
        counts = [] if monthly is None else [f"{monthly[m]:,.0f}" if pd.notna(monthly.get(m)) else "—" for m in chunk]
        blocks.append(
            {
                "months": [_month_label(m, "%b %y") for m in chunk],
                "rolling": [figure(values[m], row["measure"]) for m in chunk],
                "counts": counts,
            }
        )
    return {"caption": f"Figures behind the chart: {row['title']} ({row['unit']})", "blocks": blocks}


def indicator_block(results: Results, indicator_id: str) -> Markup:
    """Heading, key point, trajectory and SPC chart, and the figures behind it (partnership); the analyst's
    commentary on the indicator is in the chapter's key points."""
    area = results.partnership.total.name
    indicator = results.catalogue[indicator_id]
    row = (
        results.table[(results.table["indicator_id"] == indicator_id) & (results.table["area"] == area)]
        .iloc[0]
        .to_dict()
    )
    uncompared = f" {sentence(row['reason'])}" if row["status"] == "available" and row["reason"] else ""  # the cause
    chart = figures = None
    if row["status"] == "available":
        # Every month of the window, missing ones as NaN: charts break there, and SPC is drawn as the table reads it.
        series = results.series[(results.series["indicator_id"] == indicator_id) & (results.series["area"] == area)]
        monthly, spc = None, None
        if indicator.frequency == "monthly":
            counts = results.monthly[
                (results.monthly["indicator_id"] == indicator_id) & (results.monthly["area"] == area)
            ]
            monthly = counts.set_index("month")["numerator"].reindex(list(series["period_end"]))
            points = results.spc[(results.spc["indicator_id"] == indicator_id) & (results.spc["area"] == area)]
            spc = points.set_index("month") if len(points) else None
        chart, _ = charts.trajectory(
            series,
            monthly,
            indicator.title,
            indicator.unit,
            indicator.measure,
            indicator.target,
            spc,
            indicator.polarity,
        )
        figures = _figures(series, monthly, row)
    return render(
        "indicator_block",
        id=anchor(indicator_id),
        title=indicator.title,
        illustrative=row["illustrative"],
        key_point=key_point(row, indicator) + uncompared,
        explanation=indicator.explanation,
        chart=chart,
        figures=figures,
        **(_spc_cells(row) if row["status"] == "available" else {"icon": None}),
        definition=indicator.definition + (f" {indicator.notes}" if indicator.notes else ""),
    )


TABLE_COLUMNS = 10  # the most areas side by side that fit an A4 page's width (a district's name wraps in its heading)


def column_parts(count: int, most: int = TABLE_COLUMNS) -> list[range]:
    """``count`` columns split into as few tables as keep each to ``most``, their sizes as even as can be."""
    tables = -(-count // most)
    size = -(-count // tables)
    return [range(start, min(start + size, count)) for start in range(0, count, size)]


def district_table(results: Results, section: str) -> Markup:
    """Every indicator of the section by area, each district marked against the rest of its group (``GroupPlace``);
    a partnership with more areas than fit the page's width has them in tables one after the other (``column_parts``)."""
    rows = results.table[results.table["section"] == section]
    lines = []
    for _, group in rows.groupby("indicator_id", sort=False):
        group = group.set_index("area")
        cells = []
        for area in results.partnership.area_names:
            item = group.loc[area]
            available = item["status"] == "available"
            cells.append(
                {
                    "available": available,
                    "value": figure(item["value"], item["measure"]) if available else "",
                    "comparison": item["vs_partnership"],
                    "mark": GroupPlace.mark_of(item["vs_partnership"]),
                }
            )
        lines.append({"title": group.iloc[0]["title"], "unit": group.iloc[0]["unit"], "cells": cells})
    areas = results.partnership.area_names
    parts = [
        {
            "areas": [areas[i] for i in part],
            "rows": [{**line, "cells": [line["cells"][i] for i in part]} for line in lines],
        }
        for part in column_parts(len(areas))
    ]
    return render(
        "district_table",
        section=config.SECTIONS[section],
        period=rows["period"].iloc[0],
        key=GroupPlace.key(results.partnership.compared_with.name),
        parts=parts,
    )


def district_breakdown(results: Results, section: str) -> HTML:
    """District table, then the comparison chart and a map of the section's first rate whose districts were compared (no
    map, and a note saying so, when the boundaries file lacks a district)."""
    figures, note = [], ""
    rows = results.table[
        (results.table["section"] == section)
        & (results.table["status"] == "available")
        & (results.table["measure"] == "rate")
        & (results.table["vs_partnership"] != "not compared")
    ]
    if len(rows):
        headline = rows["indicator_id"].iloc[0]
        indicator = results.catalogue[headline]
        chosen = results.table[results.table["indicator_id"] == headline]
        figures = [
            charts.district_comparison(chosen, indicator.title, indicator.unit, results.partnership.compared_with.name)
        ]
        drawn = {f["properties"]["LAD23CD"] for f in results.boundaries["features"]}
        unmapped = [name for name, code in results.partnership.shown_districts.items() if code not in drawn]
        if unmapped:
            note = (
                f"No map: the boundaries file has no boundary for {join_words(unmapped)}. Add it to "
                f"{Path(results.partnership.boundaries).name} (ONS district boundaries) to draw the map."
            )
        else:
            figures.append(
                charts.district_map(chosen, indicator.title, indicator.unit, results.boundaries, results.partnership)
            )
    return HTML(
        render(
            "district_breakdown",
            id=anchor(section, "districts"),
            table=district_table(results, section),
            charts=figures,
            note=note,
        )
    )


def _key_points(results: Results, section: str, period_stated: str = "") -> list[dict]:
    """The key point of every indicator of ``section`` with data (missing data is said once, elsewhere), with the
    analyst's commentary on it."""
    gaps = results.gaps()
    missing = set(gaps.loc[gaps["status"] != "available", "indicator_id"])
    comments = results.settings.commentary.indicators
    return [
        {
            "text": key_point(r, results.catalogue[r["indicator_id"]], False, period_stated),
            "judgement_class": Judgement.style_of(r["judgement"]),
            "commentary": markdown(comments.get(r["indicator_id"])),
        }
        for r in results.rows(section=section).to_dict("records")
        if r["indicator_id"] not in missing
    ]


def chapter_intro(results: Results, section: str) -> HTML:
    """Chapter heading, the analyst's commentary and a key point per indicator (a section names the indicators
    it lacks in one line)."""
    commentary = results.settings.commentary.sections.get(section)
    gaps = results.gaps()
    rows = results.rows(section=section)
    absent = list(rows.loc[rows["indicator_id"].isin(gaps.loc[gaps["status"] != "available", "indicator_id"]), "title"])
    baseline, period = baseline_line(results.rows())  # said once under the points, so each leaves its period out
    return HTML(
        render(
            "chapter_intro",
            id=anchor(section),
            title=config.SECTIONS[section],
            commentary=markdown(commentary),
            points=_key_points(results, section, period),
            absent=section_line(absent, "see the data quality notes") if absent else "",
            baseline=baseline,
        )
    )


def trajectories(results: Results, section: str) -> HTML:
    """The section's rolling 12-month trajectories, one small chart per available indicator, in one figure."""
    area = results.partnership.total.name
    panels = []
    for row in results.rows(section=section).to_dict("records"):
        if row["status"] != "available":
            continue
        indicator = results.catalogue[row["indicator_id"]]
        series = results.series[(results.series["indicator_id"] == indicator.id) & (results.series["area"] == area)]
        panels.append(
            {
                "title": indicator.title,
                "unit": indicator.unit,
                "measure": indicator.measure,
                "period_end": list(series["period_end"]),
                "values": list(series["value"]),
                "target": indicator.target,
                "judgement": judgement_words(row, indicator.target)[1],
            }
        )
    if not panels:
        return HTML("")
    return HTML(charts.small_multiples(panels, config.SECTIONS[section], columns=min(4, max(2, len(panels)))))


def indicator_details(results: Results, section: str) -> HTML:
    """The section's dashboard, then every indicator's key point, SPC chart and figures, folded (on screen only)."""
    ids = list(results.rows(section=section)["indicator_id"])
    return HTML(
        render(
            "indicator_details",
            title=config.SECTIONS[section],
            table=dashboard_table(results, section),
            blocks=[indicator_block(results, i) for i in ids],
        )
    )


def key_points(results: Results) -> HTML:
    """Exceptions first (``messages.opening``), the wider picture, missing data (once per cause), neighbourhoods
    with a significant rise, then the analyst's summary. Every indicator's own key point is in its chapter."""
    first = opening(results.rows(), results.catalogue, results.breaks)
    rises = significant_rises(results)
    messages = [{"text": text, "judgement_class": Judgement.style_of(judgement)} for judgement, text in first.messages]
    return HTML(
        render(
            "key_points",
            partnership=results.partnership.name,
            period=results.rows()["period"].iloc[0],
            glance=first.glance,
            baseline=first.baseline,
            messages=messages,
            rule_note=RULE_NOTE,
            together=first.together,
            break_note=first.break_note,
            causes=cause_lines(results.gaps()),
            chapters=[(anchor(s), t) for s, t in config.SECTIONS.items()],
            summary=markdown(results.settings.commentary.summary),
            rises=rises[:RISES_SHOWN],
            more_rises=max(0, len(rises) - RISES_SHOWN),
        )
    )


def dashboard_overview(results: Results) -> HTML:
    """The whole dashboard on one table, grouped by priority."""
    return HTML(render("dashboard_overview", table=dashboard_table(results)))


def what_changed(results: Results) -> HTML:
    """Indicators whose judgement or SPC reading changed since the previous quarter."""
    changes = [{"title": c["title"], "words": change_words(c)} for c in results.changes.to_dict("records")]
    return HTML(
        render(
            "what_changed",
            previous=results.quarter.previous().title,
            gap_lines=last_quarter_lines(results.last_quarter_gaps),
            changes=changes,
            no_change=no_change(results) if not changes else "",
        )
    )
