"""HTML fragments of the report: dashboard tables, indicator blocks, district breakdown.

Section notebooks display these; every text from data or params is escaped here.
"""
from __future__ import annotations

import pandas as pd
from IPython.display import HTML

from .. import config
from ..analysis.gaps import cause_lines, last_quarter_lines, section_line, sentence, short_cause
from ..analysis.results import Results
from . import charts
from .narrative import (anchor, change_text, change_words, direction_label, escape, figure, key_point, markdown, no_change,
                        table_block)

JUDGEMENT_CLASS = {"improving": "good", "deteriorating": "bad", "stable": "neutral", "no judgement": "none",
                   "not compared": "none", "not available": "na"}
SAMPLE_TAG = '<span class="tag">Illustrative sample</span>'


def _not_available(reason: str) -> str:
    return reason if reason.lower().startswith("not available") else f"Not available: {reason}"


def _judgement_cell(row: dict) -> str:
    word = row["judgement"] or "not available"
    return f'<td class="judgement {JUDGEMENT_CLASS.get(word, "none")}">{escape(word.capitalize())}</td>'


def _interval(row: dict) -> str:
    if pd.isna(row["ci_low"]):
        return "—"
    return f"{figure(row['ci_low'], row['measure'])} – {figure(row['ci_high'], row['measure'])}"


def dashboard_table(results: Results, section: str | None = None) -> str:
    """The dashboard rows for the partnership: value, previous, change, arrow and word, judgement."""
    rows = results.rows(config.PARTNERSHIP, section)
    end, previous = rows["period_end"].iloc[0], rows["previous_period_end"].iloc[0]
    head = (
        "<thead><tr><th scope='col'>Indicator</th><th scope='col'>Unit</th>"
        f"<th scope='col' class='num'>12 months to {pd.Period(end, 'M').strftime('%b %Y')}</th>"
        f"<th scope='col' class='num'>12 months to {pd.Period(previous, 'M').strftime('%b %Y')}</th>"
        "<th scope='col' class='num'>Change</th><th scope='col'>Direction</th><th scope='col'>Judgement</th>"
        "<th scope='col' class='num'>95% confidence interval</th><th scope='col'>Monthly SPC signal</th></tr></thead>"
    )
    body = []
    gaps = set(results.gaps()["indicator_id"])
    current_section = None
    for row in rows.to_dict("records"):
        if section is None and row["section"] != current_section:
            current_section = row["section"]
            body.append(f"<tr class='group'><th scope='rowgroup' colspan='9'>{escape(config.SECTIONS[current_section])}</th></tr>")
        tag = f" {SAMPLE_TAG}" if row["illustrative"] else ""
        name = f"<a href='#{anchor(row['indicator_id'])}'>{escape(row['title'])}</a>{tag}"
        if row["status"] != "available":
            why = (f"Not available: {short_cause(row['source'])} (see <a href='#data-quality'>data quality</a>)"
                   if row["indicator_id"] in gaps else escape(_not_available(row["reason"])))
            body.append(f"<tr class='unavailable'><th scope='row'>{name}</th><td>{escape(row['unit'])}</td>"
                        f"<td colspan='7'>{why}</td></tr>")
            continue
        target = results.catalogue[row["indicator_id"]].target
        judgement = _judgement_cell(row)
        if target:
            judgement = (f"<td class='judgement {'good' if row['target_status'] == 'within' else 'bad'}'>"
                         f"{escape(row['target_status'].capitalize())} {target['low']:g}–{target['high']:g}% range</td>")
        spc = row["spc_signal"] if row["spc_signal"] not in ("", "none") else ("None" if row["spc_signal"] == "none" else "—")
        reading = f" ({row['spc_reading']})" if row["spc_reading"] else ""
        body.append(
            f"<tr><th scope='row'>{name}</th><td>{escape(row['unit'])}</td>"
            f"<td class='num'>{figure(row['value'], row['measure'])}</td>"
            f"<td class='num'>{figure(row['previous_value'], row['measure'])}</td>"
            f"<td class='num'>{change_text(row)}</td>"
            f"<td class='direction {row['direction']}'>{direction_label(row['direction'])}</td>{judgement}"
            f"<td class='num'>{_interval(row)}</td><td class='spc'>{escape(spc)}{escape(reading)}</td></tr>"
        )
    scope = config.SECTIONS[section] if section else "All priorities"
    caption = f"{scope}, {config.PARTNERSHIP}: {rows['period'].iloc[0]} compared with the previous 12 months"
    return table_block(caption, f"<table class='dashboard'><caption>{escape(caption)}</caption>{head}"
                                f"<tbody>{''.join(body)}</tbody></table>")


def _figures_table(series: pd.DataFrame, monthly: pd.Series | None, row: dict) -> str:
    """The numbers behind a trajectory chart, in two blocks of 12 months."""
    values = series.set_index("period_end")["value"]
    months = list(values.index)
    blocks = []
    for start in range(0, len(months), 12):
        chunk = months[start:start + 12]
        head = "".join(f"<th scope='col'>{pd.Period(m, 'M').strftime('%b %y')}</th>" for m in chunk)
        rolling = "".join(f"<td>{figure(values[m], row['measure'])}</td>" for m in chunk)
        lines = [f"<tr><th scope='col'>12 months to</th>{head}</tr>",
                 f"<tr><th scope='row'>Rolling 12-month value</th>{rolling}</tr>"]
        if monthly is not None:
            counts = "".join(f"<td>{monthly.get(m, float('nan')):,.0f}</td>" if pd.notna(monthly.get(m)) else "<td>—</td>" for m in chunk)
            lines.append(f"<tr><th scope='row'>Count in the month</th>{counts}</tr>")
        blocks.append("".join(lines))
    caption = f"Figures behind the chart: {row['title']} ({row['unit']})"
    return f"<table class='figures'><caption>{escape(caption)}</caption><tbody>{''.join(blocks)}</tbody></table>"


def indicator_block(results: Results, indicator_id: str) -> str:
    """Heading, key point, commentary, trajectory and SPC chart, and the figures behind it (partnership)."""
    area = config.PARTNERSHIP
    indicator = results.catalogue[indicator_id]
    row = results.table[(results.table["indicator_id"] == indicator_id) & (results.table["area"] == area)].iloc[0].to_dict()
    tag = f" {SAMPLE_TAG}" if row["illustrative"] else ""
    uncompared = f" {sentence(row['reason'])}" if row["status"] == "available" and row["reason"] else ""  # the cause
    parts = [f"<section class='indicator' id='{anchor(indicator_id)}'><h3>{escape(indicator.title)}{tag}</h3>",
             f"<p class='keypoint'>{escape(key_point(row, indicator) + uncompared)}</p>"]
    comment = results.params.get("commentary", {}).get("indicators", {}).get(indicator_id)
    if comment:
        parts.append(f"<div class='commentary'><p class='label'>Analyst's commentary</p>{markdown(comment)}</div>")
    if row["status"] == "available":
        # Every month of the window, missing ones as NaN: charts break there, and SPC is drawn as the table reads it.
        series = results.series[(results.series["indicator_id"] == indicator_id) & (results.series["area"] == area)]
        monthly, spc = None, None
        if indicator.frequency == "monthly":
            counts = results.monthly[(results.monthly["indicator_id"] == indicator_id) & (results.monthly["area"] == area)]
            monthly = counts.set_index("month")["numerator"].reindex(list(series["period_end"]))
            points = results.spc[(results.spc["indicator_id"] == indicator_id) & (results.spc["area"] == area)]
            spc = points.set_index("month").reindex(monthly.index) if len(points) else None
        chart, _ = charts.trajectory(series, monthly, indicator.title, indicator.unit, indicator.measure, indicator.target, spc)
        parts += [chart, _figures_table(series, monthly, row)]
    parts.append(f"<p class='definition'><strong>Definition:</strong> {escape(indicator.definition)}"
                 f"{' ' + escape(indicator.notes) if indicator.notes else ''}</p></section>")
    return "".join(parts)


def district_table(results: Results, section: str) -> str:
    """Every indicator of the section by area, with the comparison to the partnership in words."""
    rows = results.table[results.table["section"] == section]
    head = "".join(f"<th scope='col' class='num'>{escape(area)}</th>" for area in config.AREAS)
    body = []
    marks = {"significantly higher": "▲", "significantly lower": "▼", "similar": "►"}
    for indicator_id, group in rows.groupby("indicator_id", sort=False):
        group = group.set_index("area")
        first = group.iloc[0]
        cells = []
        for area in config.AREAS:
            item = group.loc[area]
            if item["status"] != "available":
                cells.append("<td class='num na'>n/a</td>")
                continue
            mark = marks.get(item["vs_partnership"], "")
            label = f"<span class='mark' title='{escape(item['vs_partnership'])}'>{mark}</span>" if mark else ""
            cells.append(f"<td class='num {item['vs_partnership'].replace(' ', '-')}'>{figure(item['value'], item['measure'])} {label}</td>")
        body.append(f"<tr><th scope='row'>{escape(first['title'])} <span class='unit'>({escape(first['unit'])})</span></th>{''.join(cells)}</tr>")
    return table_block(f"{config.SECTIONS[section]} by area", f"<table class='districts'><caption>{escape(config.SECTIONS[section])}: "
            f"{escape(rows['period'].iloc[0])} by area. ▲ significantly higher than {escape(config.PARTNERSHIP)}, "
            f"▼ significantly lower, ► similar, on a funnel plot around the {escape(config.PARTNERSHIP)} value (see Methods).</caption>"
            f"<thead><tr><th scope='col'>Indicator</th>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")


def district_breakdown(results: Results, section: str) -> HTML:
    """District table, then a map and bar chart of the section's first available rate."""
    parts = [f"<h3 id='{anchor(section, 'districts')}'>District breakdown</h3>", district_table(results, section)]
    rows = results.table[(results.table["section"] == section) & (results.table["status"] == "available")
                         & (results.table["measure"] == "rate")]
    if len(rows):
        headline = rows["indicator_id"].iloc[0]
        indicator = results.catalogue[headline]
        chosen = results.table[results.table["indicator_id"] == headline]
        parts += [charts.district_map(chosen, indicator.title, indicator.unit, results.boundaries),
                  charts.district_bars(chosen, indicator.title, indicator.unit)]
    return HTML("".join(parts))


def chapter_intro(results: Results, section: str) -> HTML:
    """Chapter heading, the analyst's commentary and the section's dashboard table."""
    commentary = results.params.get("commentary", {}).get("sections", {}).get(section)
    parts = [f"<h2 class='chapter' id='{anchor(section)}'>{escape(config.SECTIONS[section])}</h2>"]
    if commentary:
        parts.append(f"<div class='commentary'><p class='label'>Analyst's commentary</p>{markdown(commentary)}</div>")
    parts.append(dashboard_table(results, section))
    return HTML("".join(parts))


def indicators(results: Results, section: str) -> HTML:
    """Every indicator of the section: key point, trajectory and SPC chart, figures."""
    ids = list(results.rows(config.PARTNERSHIP, section)["indicator_id"])
    return HTML("".join(indicator_block(results, i) for i in ids))


def key_points(results: Results) -> HTML:
    """Key points per priority, generated from the numbers, then the analyst's summary.

    Missing data is stated once per cause, first; a section names its indicators it leaves
    not available in one line.
    """
    parts = ["<h2 id='key-points'>Key points</h2>",
             f"<p class='lede'>{escape(config.PARTNERSHIP)}, {escape(results.rows()['period'].iloc[0])} compared with the "
             "previous 12 months. Rates are per 10,000 residents unless stated.</p>"]
    gaps = results.gaps()
    causes = cause_lines(gaps)
    if causes:
        lines = [escape(line) for line in causes]
        body = f"<ul><li>{'</li><li>'.join(lines)}</li></ul>" if len(lines) > 1 else f"<p>{lines[0]}</p>"
        parts.append(f"<div class='notice'><p><strong>Missing data</strong></p>{body}</div>")
    missing = set(gaps.loc[gaps["status"] != "available", "indicator_id"])
    for section, title in config.SECTIONS.items():
        rows = results.rows(config.PARTNERSHIP, section)
        items = "".join(f"<li class='{JUDGEMENT_CLASS.get(r['judgement'], 'none')}'>"
                        f"{escape(key_point(r, results.catalogue[r['indicator_id']]))}</li>"
                        for r in rows.to_dict("records") if r["indicator_id"] not in missing)
        absent = rows.loc[rows["indicator_id"].isin(missing), "title"]
        if len(absent):
            items += f"<li class='na'>{escape(section_line(list(absent), 'see above'))}</li>"
        parts.append(f"<h3>{escape(title)}</h3><ul class='keypoints'>{items}</ul>")
    summary = results.params.get("commentary", {}).get("summary")
    if summary:
        parts.append(f"<div class='commentary'><p class='label'>Analyst's commentary</p>{markdown(summary)}</div>")
    return HTML("".join(parts))


def dashboard_overview(results: Results) -> HTML:
    """The whole dashboard on one table, grouped by priority."""
    return HTML("<h2 id='dashboard'>Dashboard</h2>" + dashboard_table(results))


def what_changed(results: Results) -> HTML:
    """Indicators whose judgement or SPC reading changed since the previous quarter."""
    previous = results.quarter.previous()
    parts = [f"<h2 id='what-changed'>What changed since last quarter</h2>"
             f"<p>Compared with the report for {escape(previous.title)}:</p>"]
    parts += [f"<p>{escape(line)}</p>" for line in last_quarter_lines(results.last_quarter_gaps)]
    if len(results.changes):
        items = "".join(f"<li><strong>{escape(c['title'])}</strong>: {escape(change_words(c))}.</li>"
                        for c in results.changes.to_dict("records"))
        parts.append(f"<ul>{items}</ul>")
    else:
        parts.append(f"<p>{escape(no_change(results))}</p>")
    return HTML("".join(parts))
