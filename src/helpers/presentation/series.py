"""``series.csv``: the long monthly history of every indicator and area of a pack, for Tableau and Power BI.

One row per indicator, area and month the data holds up to the quarter's end: the month's own count (and denominator), the rolling
12 months ending that month on the indicator's scale (blank until 12 months are held), and the SPC chart's
reading of the month (its centre line, limits and the signals it is part of).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..analysis.results import Results
from ..analysis.spc import RULES
from ..analysis.vocabulary import Rule
from .excel import write_csv

COLUMNS = [
    "area",
    "area_code",
    "area_type",
    "indicator_id",
    "indicator",
    "month",
    "numerator",
    "denominator",
    "numerator_12m",
    "denominator_12m",
    "rate_12m",
    "spc_mean",
    "spc_lower",
    "spc_upper",
    "spc_signals",
]


def series_table(results: Results) -> pd.DataFrame:
    """The rows of ``series.csv``, in catalogue, area and month order."""
    areas = {area.name: area for area in results.partnership.areas}
    last = str(results.quarter.end_month)
    monthly = results.monthly[results.monthly["area"].isin(areas) & (results.monthly["month"] <= last)]
    rolling = results.series.rename(
        columns={
            "period_end": "month",
            "numerator": "numerator_12m",
            "denominator": "denominator_12m",
            "value": "rate_12m",
        }
    )
    rows = monthly.merge(
        rolling[["indicator_id", "area", "month", "numerator_12m", "denominator_12m", "rate_12m"]],
        on=["indicator_id", "area", "month"],
        how="left",
    )
    spc = results.spc.rename(columns={"mean": "spc_mean", "lower": "spc_lower", "upper": "spc_upper"})
    if len(spc):
        spc = spc.assign(spc_signals=spc.apply(_signals, axis=1))
        rows = rows.merge(
            spc[["indicator_id", "area", "month", "spc_mean", "spc_lower", "spc_upper", "spc_signals"]],
            on=["indicator_id", "area", "month"],
            how="left",
        )
    rows["area_code"] = rows["area"].map(lambda name: areas[name].code)
    rows["area_type"] = rows["area"].map(lambda name: areas[name].type)
    rows["indicator"] = rows["indicator_id"].map(lambda i: results.catalogue[i].title)
    order = {i: n for n, i in enumerate(results.catalogue)}
    area_order = {name: n for n, name in enumerate(areas)}
    rows = rows.sort_values(
        ["indicator_id", "area", "month"],
        key=lambda c: c.map(order) if c.name == "indicator_id" else c.map(area_order) if c.name == "area" else c,
    )
    return rows.reindex(columns=COLUMNS).reset_index(drop=True)


def _signals(point: pd.Series) -> str:
    """The SPC signals a month is part of, in words ("an unusually high month; a run above the usual level")."""
    return "; ".join(Rule.read(rule).signal_name(point[f"{rule}_side"]) for rule in RULES if point[rule])


def write_series_csv(results: Results, path: str | Path) -> None:
    write_csv(series_table(results), path)
