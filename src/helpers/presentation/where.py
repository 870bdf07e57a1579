"""The "Where" chapter: the headline police.uk indicators by neighbourhood, with hotspot maps, the busiest
neighbourhoods and street locations, and the neighbourhoods with a significant rise (also in the key points).

Figures come from ``Results.neighbourhoods`` and ``Results.streets`` (``analysis.neighbourhoods``), where the
small counts of sensitive indicators are already withheld: here they read "fewer than 5". With ONS's small-area
population (params' ``small_area_population``) each neighbourhood's rate per 10,000 residents is shown beside its count.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from IPython.display import HTML
from markupsafe import Markup

from ..analysis.neighbourhoods import headline_ids
from ..analysis.results import Results
from . import hotspots
from .fragments import render

TITLE = "Where in the district"
MAPPED = ["total_crime", "burglary_total"]  # drawn as hotspot maps in the report (the rest as tables)
TOP, STREETS_SHOWN, RISES_SHOWN = 5, 3, 5


def small_area_file(results: Results) -> str | None:
    """The name of the small-area population file the neighbourhood rates come from, or None (counts only)."""
    given = results.params.get("small_area_population")
    return Path(given).name if given else None


def rate_text(value) -> str:
    """A rate per 10,000 as shown: '12.3', or '—' (no rate: the count withheld, or no population)."""
    return "—" if pd.isna(value) else f"{value:,.1f}"


def count_text(value, threshold: int) -> str:
    """A count as shown: '1,234', or 'fewer than 5' when it was withheld."""
    return f"fewer than {threshold}" if pd.isna(value) else f"{int(value):,}"


def change_cell(row: dict) -> str:
    """'+12%', '−8%', 'new' (none last year), or '—' (not computed: withheld, or none either year)."""
    if row["suppressed"]:
        return "—"
    if pd.isna(row["change_pct"]):
        return "new" if row["numerator"] else "—"
    return f"{row['change_pct']:+.0f}%".replace("-", "−")


def mark(row: dict) -> tuple[str, str]:
    """The significance mark and its words: ▲ a significant rise, ▼ a significant fall, none otherwise."""
    if row["suppressed"] or not row["significant"]:
        return "", ""
    return ("▲", "significant rise") if row["numerator"] > row["previous_numerator"] else ("▼", "significant fall")


def _year(results: Results) -> str:
    return f"the 12 months to {results.quarter.end_month.strftime('%B %Y')}"


def _neighbourhoods(results: Results, indicator_id: str) -> pd.DataFrame:
    """The indicator's neighbourhoods, busiest first in each district (withheld counts last)."""
    rows = results.neighbourhoods
    rows = rows[(rows["level"] == "neighbourhood") & (rows["indicator_id"] == indicator_id)]
    return rows.sort_values(["district", "numerator", "neighbourhood"], ascending=[True, False, True], na_position="last")


def _line(row: dict, rank: int, threshold: int) -> dict:
    symbol, words = mark(row)
    return {"rank": rank, "district": row["district"], "neighbourhood": row["neighbourhood"],
            "count": count_text(row["numerator"], threshold), "previous": count_text(row["previous_numerator"], threshold),
            "rate": rate_text(row["rate"]), "previous_rate": rate_text(row["previous_rate"]),
            "change": change_cell(row), "mark": symbol, "mark_words": words}


def _one_district(results: Results) -> bool:
    """A district's own pack: one larger map, every neighbourhood and the top ten streets."""
    return len(results.partnership.districts) == 1


def top_table(results: Results, indicator_id: str) -> Markup:
    """Each district's busiest neighbourhoods (a district's own pack: all of them), numbered as on the map,
    with last year and the change."""
    threshold, every = results.params["suppress_below"], _one_district(results)
    lines = []
    for _, rows in _neighbourhoods(results, indicator_id).groupby("district", sort=True):
        shown = rows if every else rows.head(TOP)
        lines += [_line(row, rank, threshold) for rank, row in enumerate(shown.to_dict("records"), start=1)]
    title = results.catalogue[indicator_id].title
    which = f"{results.partnership.name}'s neighbourhoods by crimes" if every else \
        f"the {TOP} neighbourhoods with most crimes in each district"
    figures = "rates per 10,000 residents and counts" if small_area_file(results) else "counts"
    return render("where_table", caption=f"{title}: {which}, {_year(results)}, against the 12 months before ({figures})",
                  rows=lines, rates=bool(small_area_file(results)))


def hotspot_maps(results: Results, indicator_id: str) -> Markup:
    """Small multiples: one hotspot map per district, its busiest neighbourhoods numbered."""
    indicator = results.catalogue[indicator_id]
    types = indicator.counted_types(results.points["crime_type"].unique())
    points = results.points[results.points["crime_type"].isin(types)]
    tops = {d: list(rows["neighbourhood"].head(hotspots.LABELLED))
            for d, rows in _neighbourhoods(results, indicator_id).groupby("district", sort=True)}
    if _one_district(results):
        (district, top), = tops.items()
        html, _ = hotspots.district_hotspot(points, top, results.boundaries, district, indicator.title, _year(results))
    else:
        html, _ = hotspots.small_multiples(points, tops, results.boundaries, indicator.title, _year(results))
    return html


def busiest_table(results: Results, ids: list[str]) -> Markup:
    """For each district, its busiest neighbourhood for each indicator of ``ids`` (count and change)."""
    threshold = results.params["suppress_below"]
    cells: dict[str, list[dict]] = {}
    for indicator_id in ids:
        for district, rows in _neighbourhoods(results, indicator_id).groupby("district", sort=True):
            line = _line(rows.iloc[0].to_dict(), 1, threshold)
            cells.setdefault(district, []).append(line)
    rates = bool(small_area_file(results))
    figures = "crimes, rate per 10,000 residents" if rates else "count"
    return render("where_busiest", caption=f"The neighbourhood with most crimes of each type in each district, {_year(results)} "
                  f"({figures}; change on the 12 months before)", titles=[results.catalogue[i].title for i in ids],
                  rows=[{"district": d, "cells": c} for d, c in cells.items()], rates=rates)


def streets_table(results: Results, indicator_id: str) -> Markup:
    """Each district's street locations with most crimes of the indicator this year (a district's own pack: ten)."""
    shown = 10 if _one_district(results) else STREETS_SHOWN
    streets = results.streets[results.streets["indicator_id"] == indicator_id]
    lines = [{"district": r["district"], "location": r["location"], "neighbourhood": r["neighbourhood"],
              "count": f"{r['count']:,}"} for r in streets.groupby("district", sort=True).head(shown).to_dict("records")]
    title = results.catalogue[indicator_id].title
    return render("where_streets", caption=f"{title}: the {shown} street locations with most crimes in each district, "
                  f"{_year(results)}", rows=lines)


def significant_rises(results: Results) -> list[str]:
    """``Charnwood 012: Burglary (all) up from 41 to 78, significant`` for each neighbourhood with a significant rise
    in a headline indicator, the largest rises first; with its rates ``(5.1 to 9.8 per 10,000 residents)`` where
    it has them."""
    rows = results.neighbourhoods
    rows = rows[(rows["level"] == "neighbourhood") & rows["indicator_id"].isin(headline_ids(results.catalogue))
                & (rows["significant"] == True) & ~rows["suppressed"]]  # noqa: E712 (None where withheld)
    rows = rows[rows["numerator"] > rows["previous_numerator"]]
    rows = rows.assign(rise=rows["numerator"] - rows["previous_numerator"]).sort_values("rise", ascending=False)
    return [f"{r['neighbourhood']}: {results.catalogue[r['indicator_id']].title} up from {r['previous_numerator']:,} "
            f"to {r['numerator']:,}{_rates_said(r)}, significant" for r in rows.to_dict("records")]


def _rates_said(row: dict) -> str:
    """' (5.1 to 9.8 per 10,000 residents)', or nothing without rates."""
    if pd.isna(row["rate"]):
        return ""
    return f" ({rate_text(row['previous_rate'])} to {rate_text(row['rate'])} per 10,000 residents)"


def unrated(results: Results) -> int:
    """How many of the pack's neighbourhoods have no rate for want of an LSOA's population (0 without rates)."""
    if not small_area_file(results):
        return 0
    areas = results.neighbourhoods[results.neighbourhoods["level"] == "neighbourhood"].drop_duplicates(
        ["district", "neighbourhood"])
    return int(areas["population"].isna().sum())


def chapter(results: Results) -> HTML:
    """The chapter for the report: what the figures are, the maps and tables of the mapped indicators, the
    busiest neighbourhood for the other headline indicators, the busiest street locations."""
    ids = headline_ids(results.catalogue)
    mapped = [i for i in MAPPED if i in ids]
    blocks = [{"title": results.catalogue[i].title, "maps": hotspot_maps(results, i), "table": top_table(results, i)}
              for i in mapped]
    others = [i for i in ids if i not in mapped]
    rises = significant_rises(results)
    sensitive = [results.catalogue[i].title for i in ids if results.catalogue[i].sensitive]
    return HTML(render("where_chapter", title=TITLE, year=_year(results), threshold=results.params["suppress_below"],
                       small_area_file=small_area_file(results), unrated=unrated(results),
                       sensitive=sensitive, blocks=blocks, busiest=busiest_table(results, others) if others else "",
                       streets=streets_table(results, ids[0]) if ids else "", rises=rises[:RISES_SHOWN],
                       more=max(0, len(rises) - RISES_SHOWN)))
