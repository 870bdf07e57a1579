"""Judge each indicator: intervals, significance, direction of travel, comparisons, SPC.

Every arrow and word in the report and workbook comes from the columns added here.
Methods (stated again in the report's methods section):

* 95% intervals: Byar's method (exact below 10) for counts and rates, Wilson score for
  percentages (``stats``).
* Change against the previous year: exact conditional test for two Poisson rates for
  rates; pooled two-proportion z-test for percentages; at the set confidence.
* The rule in params (``change_rule``): ``significance``, ``percent_band`` (the change
  is beyond ±``percent_band``%) or ``both``.
* Districts against the partnership: the partnership value outside the district's
  95% interval is significantly higher / lower, inside is similar.
* SPC: XmR chart on the monthly counts of the 24 months to the quarter end (``spc``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .. import config
from .spc import chartable, latest_signal, read_signal
from .stats import normalise_confidence, poisson_rate_test, rate_ci, two_proportion_test, wilson_ci
from ..quarters import Quarter, window

if TYPE_CHECKING:
    from ..inputs.catalogue import Indicator

JUDGEMENT = {  # (polarity, direction) -> judgement
    ("lower_is_better", "higher"): "deteriorating", ("lower_is_better", "lower"): "improving",
    ("higher_is_better", "higher"): "improving", ("higher_is_better", "lower"): "deteriorating",
}
RULE_WORDS = {
    "significance": "a change is called higher or lower when it is statistically significant at the {conf}% level, whatever its size",
    "percent_band": "a change is called higher or lower when it is more than {band}% up or down, whether or not it is statistically significant",
    "both": "a change is called higher or lower only when it is both statistically significant at the {conf}% level and more than {band}% up or down",
}


def describe_rule(params: dict) -> str:
    """The direction-of-travel rule in force, in words, for the methods section."""
    conf = normalise_confidence(params.get("confidence", 95)) * 100
    return RULE_WORDS[params.get("change_rule", "both")].format(conf=f"{conf:g}", band=f"{params.get('percent_band', 5):g}")


def _intervals(table: pd.DataFrame, numerator: str, denominator: str, per: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """95% intervals of every row's value (NaN where it has no data), in the value's unit."""
    low, high = np.full(len(table), np.nan), np.full(len(table), np.nan)
    x, n = table[numerator].to_numpy(dtype=float), table[denominator].to_numpy(dtype=float)
    known = ~np.isnan(x) & ~np.isnan(n) & (n > 0)
    rate, share = known & (table["measure"] == "rate").to_numpy(), known & (table["measure"] != "rate").to_numpy()
    if rate.any():
        low[rate], high[rate] = rate_ci(x[rate], n[rate], per=1)
        low[rate], high[rate] = low[rate] * per[rate], high[rate] * per[rate]
    if share.any():
        low[share], high[share] = wilson_ci(x[share], n[share])
        low[share], high[share] = low[share] * 100, high[share] * 100
    return low, high


def _p_value(row) -> float:
    if row["measure"] == "rate":
        return poisson_rate_test(row["numerator"], row["denominator"], row["previous_numerator"], row["previous_denominator"])
    return two_proportion_test(row["numerator"], row["denominator"], row["previous_numerator"], row["previous_denominator"])


def assess(table: pd.DataFrame, monthly: pd.DataFrame, catalogue: dict[str, Indicator], params: dict,
           quarter: Quarter) -> pd.DataFrame:
    """Add ci_low … spc_signal to the quarter table (one row per indicator and area)."""
    confidence = normalise_confidence(params.get("confidence", 95))
    rule, band = params.get("change_rule", "both"), float(params.get("percent_band", 5))
    out = table.copy()
    new = {k: [] for k in ("p_value", "significant", "direction", "judgement", "target_status", "spc_signal", "spc_reading")}
    spc_months = [str(m) for m in window(quarter.end_month, 24)]
    counts = monthly[monthly["month"].isin(spc_months)].pivot_table(
        index=["indicator_id", "area"], columns="month", values="numerator", aggfunc="sum").reindex(columns=spc_months)
    series = {key: row for key, row in zip(counts.index, counts.to_numpy())}
    per = out["indicator_id"].map(lambda i: catalogue[i].per).to_numpy(dtype=float)
    out["ci_low"], out["ci_high"] = _intervals(out, "numerator", "denominator", per)
    out["previous_ci_low"], out["previous_ci_high"] = _intervals(out, "previous_numerator", "previous_denominator", per)
    for row in out.to_dict("records"):
        indicator = catalogue[row["indicator_id"]]
        available = row["status"] == "available"
        if available and pd.isna(row["previous_value"]):  # this year only: nothing to compare with
            p, significant, direction, judgement = np.nan, None, "", "not compared"
        elif available:
            p = _p_value(row)
            significant = bool(p < 1 - confidence)
            beyond = abs(row["change_pct"]) > band if np.isfinite(row["change_pct"]) else row["change_abs"] != 0
            changed = {"significance": significant, "percent_band": beyond, "both": significant and beyond}[rule]
            direction = ("higher" if row["change_abs"] > 0 else "lower") if changed else "similar"
            judgement = "no judgement" if indicator.polarity == "no_polarity" else JUDGEMENT.get((indicator.polarity, direction), "stable")
        else:
            p, significant, direction, judgement = np.nan, None, "", "not available"
        new["p_value"].append(p); new["significant"].append(significant)
        new["direction"].append(direction); new["judgement"].append(judgement)
        target = indicator.target
        status = ""
        if target and available:
            status = "below" if row["value"] < target["low"] else ("above" if row["value"] > target["high"] else "within")
        new["target_status"].append(status)
        signal, reading = "", ""
        if available and indicator.frequency == "monthly":
            values = series.get((indicator.id, row["area"]))
            if values is not None and chartable(values):
                found = latest_signal(values)
                signal, reading = (found.description, read_signal(found.side, indicator.polarity)) if found else ("none", "")
        new["spc_signal"].append(signal); new["spc_reading"].append(reading)
    for key, values in new.items():
        out[key] = values
    out["vs_partnership"] = _versus_partnership(out)
    return out


def _versus_partnership(table: pd.DataFrame) -> list[str]:
    """Each area's value against the partnership's: outside the area's 95% interval or not."""
    partnership = table[table["area"] == config.PARTNERSHIP].set_index("indicator_id")["value"]
    result = []
    for row in table.to_dict("records"):
        reference = partnership.get(row["indicator_id"], np.nan)
        if row["area"] == config.PARTNERSHIP or row["status"] != "available" or pd.isna(reference) or pd.isna(row["ci_low"]):
            result.append("not compared")
        elif row["ci_low"] > reference:
            result.append("significantly higher")
        elif row["ci_high"] < reference:
            result.append("significantly lower")
        else:
            result.append("similar")
    return result
