"""The "Where" chapter: the headline police.uk indicators by neighbourhood, with hotspot maps, the busiest
neighbourhoods and street locations, and the neighbourhoods rising significantly faster than their district (also
in the key points).

Figures come from ``Results.neighbourhoods`` and ``Results.streets`` (``analysis.neighbourhoods``), where the
small counts of sensitive indicators are already withheld: here they read "fewer than 5". Each neighbourhood is
named by its House of Commons Library name beside its ONS name ("Loughborough Storer & Queen's Park (Charnwood
003)"). With ONS's small-area population (params' ``small_area_population``) each neighbourhood's rate per 10,000
residents is shown beside its count. In a quarter whose 24 months are not all in the police.uk files nothing is
compared, and the chapter says why.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from IPython.display import HTML
from markupsafe import Markup

from ..analysis.places import headline_ids, labelled, main_town
from ..analysis.results import Results
from ..analysis.validation import normalise_confidence
from ..analysis.vocabulary import Direction
from . import hotspots
from .fragments import render

TITLE = "Where in the district"
TOP, STREETS_SHOWN, RISES_SHOWN = 5, 3, 5


def small_area_file(results: Results) -> str | None:
    """The name of the small-area population file the neighbourhood rates come from, or None (counts only)."""
    given = results.settings.small_area_population
    return Path(given).name if given else None


def rate_text(value) -> str:
    """A rate per 10,000 as shown: '12.3', or '—' (no rate: the count withheld, or no population)."""
    return "—" if pd.isna(value) else f"{value:,.1f}"


def count_text(value, threshold: int, reason: str = "") -> str:
    """A count as shown: '1,234', 'fewer than 5' when it was withheld, or '—' when its year lacks months
    (``reason``)."""
    if pd.isna(value):
        return "—" if reason else f"fewer than {threshold}"
    return f"{int(value):,}"


def percent(value) -> str:
    """'+12%', '−8%' (a true minus sign)."""
    return f"{value:+.0f}%".replace("-", "−")


def change_cell(row: dict) -> str:
    """'+12%', '−8%', 'new' (none last year), or '—' (not computed: withheld, a year lacking months, or none
    either year)."""
    if row["suppressed"] or row["reason"]:
        return "—"
    if pd.isna(row["change_pct"]):
        return "new" if row["numerator"] else "—"
    return percent(row["change_pct"])


def mark(row: dict) -> tuple[str, str]:
    """The mark against the district and its words: ▲ the neighbourhood's share of its district's crimes rose
    significantly (it rose faster, or fell less, than its district), ▼ its share fell significantly; none otherwise."""
    if row["suppressed"] or not row["significant"]:
        return "", ""
    if row["share_pct"] > row["previous_share_pct"]:
        return Direction.HIGHER.arrow, "significantly above its district's change"
    return Direction.LOWER.arrow, "significantly below its district's change"


def _year(results: Results) -> str:
    return f"the 12 months to {results.quarter.end_month.strftime('%B %Y')}"


def _short_years(results: Results) -> tuple[str, str]:
    """Column headings of the two years compared: ('12 months to Sep 2022', '12 months to Sep 2021')."""
    end = results.quarter.end_month
    return f"12 months to {end.strftime('%b %Y')}", f"12 months to {(end - 12).strftime('%b %Y')}"


def not_compared(results: Results) -> str:
    """Why the neighbourhoods are not compared with last year (a year lacking months), or ''."""
    reasons = results.neighbourhoods["reason"] if len(results.neighbourhoods) else pd.Series(dtype=str)
    return next((r for r in reasons if r), "")


def _leading(results: Results, rows: pd.DataFrame) -> str:
    """The indicator that picks a neighbourhood to name: the first headline indicator ``rows`` hold (total crime),
    or their first."""
    held = set(rows["indicator_id"])
    return next((i for i in headline_ids(results.catalogue) if i in held), rows["indicator_id"].iloc[0])


def example(results: Results) -> dict:
    """An LSOA and its neighbourhood from the pack's own data, to explain MSOAs: the first district's busiest
    neighbourhood for the leading indicator (``_leading``) and its first LSOA."""
    rows = results.neighbourhoods
    if not len(rows):
        return {}
    first = _leading(results, rows)
    chosen = rows[rows["indicator_id"] == first]
    areas = chosen[chosen["level"] == "neighbourhood"].sort_values(["district", "numerator"], ascending=[True, False])
    top = areas.iloc[0]
    lsoas = chosen[(chosen["level"] == "lsoa") & (chosen["neighbourhood"] == top["neighbourhood"])]["lsoa"]
    return {
        "lsoa": lsoas.min(),
        "neighbourhood": top["neighbourhood"],
        "name": top["name"],
        "lsoa_count": int(top["lsoa_count"]),
    }


def _neighbourhoods(results: Results, indicator_id: str) -> pd.DataFrame:
    """The indicator's neighbourhoods, busiest first in each district (withheld counts last)."""
    rows = results.neighbourhoods
    rows = rows[(rows["level"] == "neighbourhood") & (rows["indicator_id"] == indicator_id)]
    return rows.sort_values(
        ["district", "numerator", "neighbourhood"], ascending=[True, False, True], na_position="last"
    )


def _line(row: dict, rank: int, threshold: int) -> dict:
    symbol, words = mark(row)
    district_change = "" if pd.isna(row["district_change_pct"]) else percent(row["district_change_pct"])
    return {
        "rank": rank,
        "district": row["district"],
        "neighbourhood": labelled(row["name"], row["neighbourhood"]),
        "count": count_text(row["numerator"], threshold, row["reason"]),
        "previous": count_text(row["previous_numerator"], threshold, row["reason"]),
        "rate": rate_text(row["rate"]),
        "previous_rate": rate_text(row["previous_rate"]),
        "change": change_cell(row),
        "district_change": district_change,
        "mark": symbol,
        "mark_words": words,
    }


def _one_district(results: Results) -> bool:
    """A district's own pack: one larger map, every neighbourhood and the top ten streets."""
    return len(results.partnership.districts) == 1


def top_table(results: Results, indicator_id: str) -> Markup:
    """Each district's busiest neighbourhoods (a district's own pack: all of them), numbered as on the map,
    with last year and the change."""
    threshold, every = results.settings.suppress_below, _one_district(results)
    lines = []
    for _, rows in _neighbourhoods(results, indicator_id).groupby("district", sort=True):
        shown = rows if every else rows.head(TOP)
        lines += [_line(row, rank, threshold) for rank, row in enumerate(shown.to_dict("records"), start=1)]
    title = results.catalogue[indicator_id].title
    which = (
        f"{results.partnership.name}'s neighbourhoods by crimes"
        if every
        else f"the {TOP} neighbourhoods with most crimes in each district"
    )
    figures = "rates per 10,000 residents and counts" if small_area_file(results) else "counts"
    compared = (
        "not compared with the 12 months before: see above"
        if not_compared(results)
        else "against the 12 months before and against the district's own change"
    )
    return render(
        "where_table",
        caption=f"{title}: {which}, {_year(results)}, {compared} ({figures})",
        rows=lines,
        rates=bool(small_area_file(results)),
        years=_short_years(results),
    )


def hotspot_maps(results: Results, indicator_id: str) -> Markup:
    """Small multiples: one hotspot map per district, its busiest neighbourhoods numbered."""
    indicator = results.catalogue[indicator_id]
    types = indicator.counted_types(results.points["crime_type"].unique())
    points = results.points[results.points["crime_type"].isin(types)]
    named = _neighbourhoods(results, indicator_id)
    labels = {r["neighbourhood"]: labelled(r["name"], r["neighbourhood"]) for r in named.to_dict("records")}
    points = points.assign(neighbourhood=points["neighbourhood"].astype(str).map(labels))
    tops = {
        d: [labels[n] for n in rows["neighbourhood"].head(hotspots.LABELLED)]
        for d, rows in named.groupby("district", sort=True)
    }
    if _one_district(results):
        ((district, top),) = tops.items()
        html, _ = hotspots.district_hotspot(
            points, top, results.boundaries, district, indicator.title, _year(results), towns(results).get(district)
        )
    else:
        html, _ = hotspots.small_multiples(
            points, tops, results.boundaries, indicator.title, _year(results), towns(results)
        )
    return html


def towns(results: Results) -> dict[str, hotspots.Town]:
    """Each district's main town (``analysis.places.main_town``, weighed by the leading
    indicator) and where to write it: just north of this year's crimes in its neighbourhoods (their median
    longitude, the latitude 95% of them lie south of), clear of the numbers in the town."""
    rows = results.neighbourhoods[results.neighbourhoods["level"] == "neighbourhood"]
    if not len(rows):
        return {}
    weighed = _leading(results, rows)
    rows = rows[rows["indicator_id"] == weighed]
    found = {}
    for district, areas in rows.groupby("district", sort=True):
        named = areas[areas["name"] != ""]
        town, members = main_town(
            named.set_index("neighbourhood")["name"], named.set_index("neighbourhood")["numerator"].astype(float)
        )
        places = results.points[results.points["neighbourhood"].isin(members)]
        if town and len(places):
            found[district] = hotspots.Town(
                town, float(places["longitude"].median()), float(places["latitude"].quantile(0.95))
            )
    return found


def busiest_table(results: Results, ids: list[str]) -> Markup:
    """For each district, its busiest neighbourhood for each indicator of ``ids`` (count and change)."""
    threshold = results.settings.suppress_below
    cells: dict[str, list[dict]] = {}
    for indicator_id in ids:
        for district, rows in _neighbourhoods(results, indicator_id).groupby("district", sort=True):
            line = _line(rows.iloc[0].to_dict(), 1, threshold)
            cells.setdefault(district, []).append(line)
    rates = bool(small_area_file(results))
    figures = "crimes, rate per 10,000 residents" if rates else "count"
    change = "not compared: see above" if not_compared(results) else "change on the 12 months before"
    return render(
        "where_busiest",
        caption=f"The neighbourhood with most crimes of each type in each district, {_year(results)} "
        f"({figures}; {change})",
        titles=[results.catalogue[i].title for i in ids],
        rows=[{"district": d, "cells": c} for d, c in cells.items()],
        rates=rates,
    )


def streets_table(results: Results, indicator_id: str) -> Markup:
    """Each district's street locations with most crimes of the indicator this year (a district's own pack: ten)."""
    shown = 10 if _one_district(results) else STREETS_SHOWN
    streets = results.streets[results.streets["indicator_id"] == indicator_id]
    names = results.neighbourhoods.drop_duplicates("neighbourhood").set_index("neighbourhood")["name"]
    lines = [
        {
            "district": r["district"],
            "location": r["location"],
            "neighbourhood": labelled(names.get(r["neighbourhood"], ""), r["neighbourhood"]),
            "count": f"{r['count']:,}",
        }
        for r in streets.groupby("district", sort=True).head(shown).to_dict("records")
    ]
    title = results.catalogue[indicator_id].title
    return render(
        "where_streets",
        caption=f"{title}: the {shown} street locations with most crimes in each district, {_year(results)}",
        rows=lines,
    )


def significant_rises(results: Results) -> list[str]:
    """For each neighbourhood whose share of its district's crimes rose significantly in a headline indicator,
    ``Loughborough - University (Charnwood 007): Burglary (all) up from 42 to 95 (+126%; Charnwood +23%),
    significantly above its district's change``, with its rates ``(5.1 to 9.8 per 10,000 residents)`` where it
    has them; those furthest above what the district's change would give first."""
    rows = results.neighbourhoods
    rows = rows[
        (rows["level"] == "neighbourhood")
        & rows["indicator_id"].isin(headline_ids(results.catalogue))
        & rows["significant"].eq(True)
        & ~rows["suppressed"]
    ]
    rows = rows[rows["share_pct"] > rows["previous_share_pct"]]
    expected = rows["previous_numerator"] * (1 + rows["district_change_pct"] / 100)
    rows = rows.assign(excess=rows["numerator"] - expected).sort_values("excess", ascending=False)
    return [
        f"{labelled(r['name'], r['neighbourhood'])}: {results.catalogue[r['indicator_id']].title} "
        f"{'up' if r['numerator'] > r['previous_numerator'] else 'down'} from {r['previous_numerator']:,} to "
        f"{r['numerator']:,} ({_change_said(r)}; {r['district']} {percent(r['district_change_pct'])}{_rates_said(r)}), "
        "significantly above its district's change"
        for r in rows.to_dict("records")
    ]


def _change_said(row: dict) -> str:
    """'+126%', or 'none last year'."""
    return "none last year" if pd.isna(row["change_pct"]) else percent(row["change_pct"])


def _rates_said(row: dict) -> str:
    """'; 5.1 to 9.8 per 10,000 residents', or nothing without rates."""
    if pd.isna(row["rate"]):
        return ""
    return f"; {rate_text(row['previous_rate'])} to {rate_text(row['rate'])} per 10,000 residents"


def unrated(results: Results) -> int:
    """How many of the pack's neighbourhoods have no rate for want of an LSOA's population (0 without rates)."""
    if not small_area_file(results):
        return 0
    areas = results.neighbourhoods[results.neighbourhoods["level"] == "neighbourhood"].drop_duplicates(
        ["district", "neighbourhood"]
    )
    return int(areas["population"].isna().sum())


def chapter(results: Results) -> HTML:
    """The chapter for the report: what the figures are, the maps and tables of the mapped indicators, the
    busiest neighbourhood for the other headline indicators, the busiest street locations."""
    ids = headline_ids(results.catalogue)
    mapped = [i for i in ids if results.catalogue[i].map]
    blocks = [
        {"title": results.catalogue[i].title, "maps": hotspot_maps(results, i), "table": top_table(results, i)}
        for i in mapped
    ]
    others = [i for i in ids if i not in mapped]
    rises = significant_rises(results)
    sensitive = [results.catalogue[i].title for i in ids if results.catalogue[i].sensitive]
    return HTML(
        render(
            "where_chapter",
            title=TITLE,
            year=_year(results),
            threshold=results.settings.suppress_below,
            example=example(results),
            not_compared=not_compared(results),
            level=round(normalise_confidence(results.settings.confidence) * 100),
            small_area_file=small_area_file(results),
            unrated=unrated(results),
            sensitive=sensitive,
            blocks=blocks,
            busiest=busiest_table(results, others) if others else "",
            streets=streets_table(results, ids[0]) if ids else "",
            rises=rises[:RISES_SHOWN],
            more=max(0, len(rises) - RISES_SHOWN),
        )
    )
