"""Judge each indicator: intervals, significance, direction of travel, comparisons, SPC, data breaks.

Every arrow and word in the report and workbook comes from the columns added here, and the
methods section states the rules in force with ``describe_rule``, ``describe_comparison`` and
``describe_spc``:

* 95% intervals: Byar's method (exact below 10) for counts and rates, Wilson score for
  percentages (``stats``).
* Change against the previous year: exact conditional test for two Poisson rates for rates;
  pooled two-proportion z-test for percentages; at the set confidence. With ``overdispersion``
  in params, when the 24 monthly (8 quarterly) figures vary from one to the next more than
  chance would make them (Laney's dispersion phi > 1), the test's variance is multiplied by
  phi (quasi-Poisson / quasi-binomial).
* The rule in params (``change_rule``): ``significance``, ``percent_band`` (the change
  is beyond ±``percent_band``%) or ``both``.
* Districts against their group: each district against the rest of its group (the group without
  it), by the change rule, with extra-Poisson variation from each side's own monthly series
  (``stats.versus_rest``); Spiegelhalter's funnel only for groups of BETWEEN_AREAS_FROM or more
  (``compare_districts``). The county is not compared: it is seven of the eight districts.
* SPC: Making Data Count XmR charts of the monthly counts (``spc``), limits from the baseline
  and periods in params (``spc: {steps, baseline}``).
* Data breaks in the 24 months (``breaks``) are named on every police.uk row they affect.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import special

from ..quarters import Quarter, window
from . import wording
from .breaks import break_note
from .funnels import (
    funnel_limits,
    funnel_significance,
    group_dispersion,
    laney_dispersion,
    overdispersion,
    versus_rest,
    versus_rest_limits,
)
from .intervals import rate_ci, wilson_ci
from .significance import poisson_rate_test, quasi_poisson_rate_test, two_proportion_test
from .spc import (
    BASELINE_POINTS,
    MIN_POINTS,
    RUN_LENGTH,
    TREND_LENGTH,
    XmR,
    latest_signal,
    read_signal,
    variation_icon,
    xmr_charts,
)
from .validation import normalise_confidence
from .vocabulary import Direction, GroupPlace, Judgement, TargetStatus
from .wording import month_ranges

if TYPE_CHECKING:
    from ..inputs.catalogue import Indicator
    from ..inputs.params import Settings
    from ..inputs.partnerships import Area, Partnership

JUDGEMENT = {  # (polarity, direction) -> judgement; any other direction is stable
    ("lower_is_better", Direction.HIGHER): Judgement.DETERIORATING,
    ("lower_is_better", Direction.LOWER): Judgement.IMPROVING,
    ("higher_is_better", Direction.HIGHER): Judgement.IMPROVING,
    ("higher_is_better", Direction.LOWER): Judgement.DETERIORATING,
}


def describe_rule(settings: Settings) -> str:
    """The direction-of-travel rule in force, in words, for the methods section (``wording.change_rule``)."""
    rule = settings.change_rule
    confidence = normalise_confidence(settings.confidence) * 100
    widened = settings.overdispersion and rule != "percent_band"
    return wording.change_rule(rule, confidence, settings.percent_band, widened)


def describe_comparison(settings: Settings, partnership: Partnership) -> str:
    """How districts are compared with the group around them, in sentences, for the methods section
    (``wording.comparison``)."""
    group = partnership.compared_with
    return wording.comparison(
        group.name,
        len(group.districts),
        settings.change_rule,
        normalise_confidence(settings.confidence) * 100,
        settings.percent_band,
        settings.overdispersion,
        BETWEEN_AREAS_FROM,
        [(a.name, len(a.districts)) for a in partnership.areas if a.type != "district" and a.name != group.name],
    )


def describe_spc(settings: Settings) -> str:
    """How the SPC limits are set and what counts as a signal, in sentences, for the methods section
    (``wording.spc_method``)."""
    steps, baseline = dict(settings.spc.steps), settings.spc.baseline
    return wording.spc_method(
        [f"{pd.Period(m, 'M').strftime('%B %Y')} ({why})" for m, why in sorted(steps.items())],
        month_ranges(pd.period_range(*baseline, freq="M")) if baseline else "",
        BASELINE_POINTS,
        RUN_LENGTH,
        TREND_LENGTH,
        MIN_POINTS,
    )


def spc_charts(
    monthly: pd.DataFrame, catalogue: dict[str, Indicator], settings: Settings, quarter: Quarter
) -> dict[tuple[str, str], XmR]:
    """The XmR chart of every monthly indicator and area whose 24 months to the quarter end are whole.

    Each series runs from the start of the period holding the first of the 24 months (the data's
    first month, or the latest step before it), or from after the last missing month before the
    24 if later: so the baseline can lie before the 24 months, and limits are held across quarters.
    """
    steps, baseline = dict(settings.spc.steps), settings.spc.baseline
    end = str(quarter.end_month)
    shown = [str(m) for m in window(quarter.end_month, 24)]
    held = monthly[monthly["month"] <= end]
    months = [str(m) for m in pd.period_range(min(held["month"].min(), shown[0]), end, freq="M")]
    wide = held.pivot(index=["indicator_id", "area"], columns="month", values="numerator").reindex(columns=months)
    values = wide.to_numpy(dtype=float)
    monthly_series = wide.index.get_level_values("indicator_id").map(lambda i: catalogue[i].frequency == "monthly")
    charted = np.flatnonzero(np.asarray(monthly_series, dtype=bool) & ~np.isnan(values[:, -24:]).any(axis=1))
    # each series starts after its last missing month before the 24, if later than the period's start
    lead = len(months) - 24
    last_missing = np.where(np.isnan(values[charted, :lead]), np.arange(lead), -1).max(axis=1, initial=-1)
    firsts = np.maximum(months.index(max([months[0], *[m for m in steps if m <= shown[0]]])), last_missing + 1)
    charts: dict[int, XmR] = {}
    for first in np.unique(firsts):  # the series starting together are charted together
        rows = charted[firsts == first].tolist()
        index = pd.Index(months[first:], dtype=object)
        charts.update(zip(rows, xmr_charts(values[rows, first:], index, list(steps), baseline)))
    return {wide.index[row]: charts[row] for row in charted.tolist()}


def spc_points(charts: dict[tuple[str, str], XmR]) -> pd.DataFrame:
    """Every chart's points in one table for the charts: indicator_id, area, month, then ``XmR.points``'
    columns (value, period, baseline, mean, upper, lower, near limits, each rule's flag and side)."""
    if not charts:
        return pd.DataFrame(columns=["indicator_id", "area", "month"])
    lengths = [len(chart.index) for chart in charts.values()]
    table = {
        "indicator_id": np.repeat([key[0] for key in charts], lengths),
        "area": np.repeat([key[1] for key in charts], lengths),
        "month": np.concatenate([np.asarray(chart.index, dtype=object) for chart in charts.values()]),
    }
    for name in next(iter(charts.values())).columns:
        table[name] = np.concatenate([chart.columns[name] for chart in charts.values()])
    return pd.DataFrame(table)


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


def _dispersions(
    table: pd.DataFrame, monthly: pd.DataFrame, catalogue: dict[str, Indicator], quarter: Quarter
) -> list[float]:
    """Each row's dispersion (``laney_dispersion``) of its 24 monthly (8 quarterly) figures around each year's level."""
    series = _monthly_series(monthly, quarter)
    result = []
    for key in zip(table["indicator_id"], table["area"]):
        indicator = catalogue[key[0]]
        x, n = series.get(key, (None, None))
        result.append(np.nan if x is None else _phi(x, n if indicator.measure != "rate" else None, indicator))
    return result


def _p_value(row, dispersion: float | None) -> float:
    """The change's p-value; ``dispersion`` (phi above 1, or None) widens the test for over-dispersed figures."""
    args = (row["numerator"], row["denominator"], row["previous_numerator"], row["previous_denominator"])
    if row["measure"] == "rate":
        return quasi_poisson_rate_test(*args, dispersion) if dispersion else poisson_rate_test(*args)
    return two_proportion_test(*args, dispersion=dispersion or 1.0)


def assess(
    table: pd.DataFrame,
    monthly: pd.DataFrame,
    catalogue: dict[str, Indicator],
    settings: Settings,
    quarter: Quarter,
    charts: dict[tuple[str, str], XmR] | None = None,
    breaks: pd.DataFrame | None = None,
    compare: bool = True,
) -> pd.DataFrame:
    """Add ci_low … data_break to the quarter table (one row per indicator and area), and with ``compare`` the
    districts' comparison with their group (``compare_districts``).

    ``charts``: the quarter's SPC charts (``spc_charts``; computed here if not given);
    ``breaks``: the data breaks in its 24 months (``breaks.data_breaks``; none if not given).
    """
    confidence = normalise_confidence(settings.confidence)
    rule, band = settings.change_rule, float(settings.percent_band)
    overdispersed = settings.overdispersion
    charts = spc_charts(monthly, catalogue, settings, quarter) if charts is None else charts
    out = table.copy()
    new: dict[str, list] = {
        k: []
        for k in (
            "p_value",
            "significant",
            "direction",
            "judgement",
            "target_status",
            "spc_signal",
            "spc_reading",
            "spc_icon",
            "spc_baseline",
            "data_break",
        )
    }
    per = out["indicator_id"].map(lambda i: catalogue[i].per).to_numpy(dtype=float)
    out["ci_low"], out["ci_high"] = _intervals(out, "numerator", "denominator", per)
    out["previous_ci_low"], out["previous_ci_high"] = _intervals(out, "previous_numerator", "previous_denominator", per)
    out["dispersion"] = np.where(out["status"] == "available", _dispersions(out, monthly, catalogue, quarter), np.nan)
    break_words = break_note(breaks) if breaks is not None else ""
    baselines: dict[tuple[str, str], str] = {}  # (first, last month) -> in words: most charts share a few baselines
    for row in out.to_dict("records"):
        indicator = catalogue[row["indicator_id"]]
        available = row["status"] == "available"
        if available and pd.isna(row["previous_value"]):  # this year only: nothing to compare with
            p, significant, direction, judgement = np.nan, None, "", Judgement.NOT_COMPARED
        elif available:
            widen = row["dispersion"] if overdispersed and row["dispersion"] > 1 else None
            p = _p_value(row, widen)
            significant = bool(p < 1 - confidence)
            beyond = abs(row["change_pct"]) > band if np.isfinite(row["change_pct"]) else row["change_abs"] != 0
            changed = {"significance": significant, "percent_band": beyond, "both": significant and beyond}[rule]
            direction = (
                (Direction.HIGHER if row["change_abs"] > 0 else Direction.LOWER) if changed else Direction.SIMILAR
            )
            judgement = (
                Judgement.NO_JUDGEMENT
                if indicator.polarity == "no_polarity"
                else JUDGEMENT.get((indicator.polarity, direction), Judgement.STABLE)
            )
        else:
            p, significant, direction, judgement = np.nan, None, "", Judgement.NOT_AVAILABLE
        new["p_value"].append(p)
        new["significant"].append(significant)
        new["direction"].append(direction)
        new["judgement"].append(judgement)
        target = indicator.target
        status = ""
        if target and available:
            status = (
                TargetStatus.BELOW
                if row["value"] < target["low"]
                else (TargetStatus.ABOVE if row["value"] > target["high"] else TargetStatus.WITHIN)
            )
        new["target_status"].append(status)
        signal, reading, icon, baseline = "", "", "", ""
        chart = charts.get((indicator.id, row["area"])) if available else None
        if chart is not None and chart.periods[-1].judged:
            found = latest_signal(chart)
            signal, reading = (
                (found.description, read_signal(found.side, indicator.polarity)) if found else ("none", "")
            )
            first, last = chart.periods[-1].baseline
            if (first, last) not in baselines:
                baselines[first, last] = month_ranges(pd.period_range(first, last, freq="M"))
            icon, baseline = variation_icon(found, indicator.polarity), baselines[first, last]
        new["spc_signal"].append(signal)
        new["spc_reading"].append(reading)
        new["spc_icon"].append(icon)
        new["spc_baseline"].append(baseline)
        new["data_break"].append(break_words if available and indicator.source == "police_uk" else "")
    for key, values in new.items():
        out[key] = values
    return compare_districts(out, monthly, catalogue, settings, quarter) if compare else out


def compare_districts(
    table: pd.DataFrame,
    monthly: pd.DataFrame,
    catalogue: dict[str, Indicator],
    settings: Settings,
    quarter: Quarter,
    group: Area | None = None,
) -> pd.DataFrame:
    """The assessed table with GROUP_COLUMNS: each district against its group, placed after assess's columns.

    Without ``group`` every district row of ``table`` is compared with the others. With ``group`` (a comparison
    group, which ``table`` holds with its districts, among any other areas), only its districts are, and an
    indicator for which the group has no figure is not compared: the districts would be compared with a value the
    report does not show. So every pack compared with the same group takes its rows from one call."""
    judged = table.drop(columns=[c for c in GROUP_COLUMNS if c in table.columns])
    if group is None:
        districts, without = None, set()
    else:
        districts = list(group.districts)
        group_rows = judged["area"] == group.name
        without = set(judged.loc[group_rows & (judged["status"] != "available"), "indicator_id"])
    joined = judged.join(_versus_group(judged, monthly, catalogue, settings, quarter, without, districts))
    columns = list(judged.columns)
    at = columns.index("data_break") + 1  # after assess's own columns, as assess(compare=True) places them
    return joined[columns[:at] + GROUP_COLUMNS + columns[at:]]


GROUP_COLUMNS = [
    "vs_partnership",
    "group_method",
    "group_reference",
    "group_p_value",
    "group_dispersion",
    "group_low",
    "group_high",
]
BETWEEN_AREAS_FROM = 20
"""Spiegelhalter's between-area adjustment needs this many areas in a group (see describe_comparison)."""
REST, FUNNEL = "rest of group", "funnel"  # group_method: against the rest of the group, or Spiegelhalter's funnel


def _versus_group(
    table: pd.DataFrame,
    monthly: pd.DataFrame,
    catalogue: dict[str, Indicator],
    settings: Settings,
    quarter: Quarter,
    without: frozenset[str] | set[str] = frozenset(),
    districts: list[str] | None = None,
) -> pd.DataFrame:
    """Each district (of ``districts``; None: every district row) against the other districts of its group, by the
    rule ``describe_comparison`` states.

    Fewer than BETWEEN_AREAS_FROM districts: the district against the rest of the group (``stats.versus_rest``),
    the extra-Poisson variation of each side from its own 24 monthly figures (Laney's phi, as the change test),
    with overdispersion on. From BETWEEN_AREAS_FROM: OHID's funnel around the group's pooled value, widened by
    Spiegelhalter's between-area variance with overdispersion on. Either way a district is above or below only
    when the difference also meets params' change_rule (significance and/or the percent band), as a change on
    last year must. Columns: vs_partnership ("above" / "below" / "in line" / "not compared"), group_method,
    group_reference (the value it is compared with), group_p_value, group_dispersion (phi or tau^2) and
    group_low / group_high, the range of the district's value that reads "in line", in the value's unit.
    Rows that are not districts or lack data, and indicators in ``without``, are "not compared"."""
    size = len(table)
    words, methods = np.full(size, GroupPlace.NOT_COMPARED, object), np.full(size, "", object)
    numbers = {name: np.full(size, np.nan) for name in GROUP_COLUMNS[2:]}
    usable = (
        (table["area_type"] == "district")
        & (table["status"] == "available")
        & table["numerator"].notna()
        & (table["denominator"] > 0)
        & ~table["indicator_id"].isin(without)
    ).to_numpy()
    if districts is not None:
        usable = usable & table["area"].isin(districts).to_numpy()
    overdispersed = settings.overdispersion
    rule, band = settings.change_rule, float(settings.percent_band) / 100
    confidence = normalise_confidence(settings.confidence)
    ids, areas = table["indicator_id"].to_numpy(), table["area"].to_numpy()
    series = None  # every area's monthly figures, read once when a district's dispersion is first needed
    for indicator_id in dict.fromkeys(ids[usable]):
        at = np.flatnonzero(usable & (ids == indicator_id))
        indicator = catalogue[indicator_id]
        statistic = "rate" if indicator.measure == "rate" else "proportion"
        scale = indicator.scale
        x, n = table["numerator"].to_numpy(float)[at], table["denominator"].to_numpy(float)[at]
        if len(at) < 2 or x.sum() == 0 or (statistic == "proportion" and x.sum() == n.sum()):
            continue  # fewer than two districts, or no variation possible: nothing to compare
        if len(at) >= BETWEEN_AREAS_FROM:
            method, found = FUNNEL, _on_the_funnel(x, n, statistic, overdispersed, confidence)
        else:
            members = [areas[i] for i in at]
            phis, rest_phis = np.ones(len(at)), np.ones(len(at))
            if overdispersed:
                series = series if series is not None else _monthly_series(monthly, quarter)
                phis = np.array([_dispersion(series, indicator, [a]) for a in members])
                rest_phis = np.array([_dispersion(series, indicator, [a for a in members if a != m]) for m in members])
            method, found = REST, _against_rest(x, n, statistic, phis, rest_phis, confidence)
        for k, (reference, p, spread, low, high, significant) in zip(at, found):
            value = table.at[table.index[k], "numerator"] / table.at[table.index[k], "denominator"]
            beyond = abs(value / reference - 1) > band if reference else value > 0
            changed = {"significance": significant, "percent_band": beyond, "both": significant and beyond}[rule]
            words[k] = (GroupPlace.ABOVE if value > reference else GroupPlace.BELOW) if changed else GroupPlace.IN_LINE
            if rule != "significance":  # the band widens the range that reads "in line"
                banded = (reference * (1 - band), reference * (1 + band))
                low, high = banded if rule == "percent_band" else (min(low, banded[0]), max(high, banded[1]))
            methods[k] = method
            for name, number in (
                ("group_reference", reference * scale),
                ("group_p_value", p),
                ("group_dispersion", spread),
                ("group_low", low * scale),
                ("group_high", high * scale),
            ):
                numbers[name][k] = number
    return pd.DataFrame({"vs_partnership": words, "group_method": methods, **numbers}, index=table.index)


def _against_rest(
    x: np.ndarray, n: np.ndarray, statistic: str, phis: np.ndarray, rest_phis: np.ndarray, confidence: float
) -> list[tuple[float, float, float, float, float, bool]]:
    """(reference, p, phi used, low, high, significant) for each district of a group (``x``, ``n``) against the rest
    of it (``funnels.versus_rest``; low and high are where p reaches 1 - confidence, every district's found at once)."""
    x_rest, n_rest = x.sum() - x, n.sum() - n
    lows, highs = versus_rest_limits(n, x_rest, n_rest, statistic, phis, rest_phis, confidence)
    used = group_dispersion(n, n_rest, phis, rest_phis)
    found = []
    for k in range(len(x)):
        _, p = versus_rest(x[k], n[k], x_rest[k], n_rest[k], statistic, phis[k], rest_phis[k])
        found.append((x_rest[k] / n_rest[k], p, float(used[k]), lows[k], highs[k], bool(p < 1 - confidence)))
    return found


def _on_the_funnel(
    x: np.ndarray, n: np.ndarray, statistic: str, overdispersed: bool, confidence: float
) -> list[tuple[float, float, float, float, float, bool]]:
    """(reference, p, tau^2, low, high, significant) per area on the funnel around the pooled value: significant
    beyond the limits at ``confidence`` (``stats.funnel_significance``: 0.025 each side at 95%, 0.001 at 99.8%); p
    from the z-score on Spiegelhalter's scale (``stats.overdispersion``), adjusted when the limits are widened."""
    spread = overdispersion(x, n, statistic)
    tau2 = spread.tau2 if overdispersed else 0.0
    z = spread.z_adjusted if overdispersed else spread.z
    low, high = funnel_limits(n, spread.average, statistic, confidence, tau2)
    beyond = ("(0.001)",) if confidence > 0.95 else ("(0.001)", "(0.025)")
    labels = funnel_significance(x, n, statistic, overdispersed=overdispersed)
    return [
        (spread.average, float(2 * special.ndtr(-abs(v))), tau2, lo, hi, label.endswith(beyond))
        for v, lo, hi, label in zip(z, low, high, labels)
    ]


def _monthly_series(monthly: pd.DataFrame, quarter: Quarter) -> dict[tuple[str, str], tuple[np.ndarray, np.ndarray]]:
    """(indicator_id, area) -> its 24 monthly numerators and denominators to the quarter's end (NaN where missing)."""
    months = [str(m) for m in window(quarter.end_month, 24)]
    chosen = monthly[monthly["month"].isin(months)]
    wide = {
        name: chosen.pivot(index=["indicator_id", "area"], columns="month", values=name).reindex(columns=months)
        for name in ("numerator", "denominator")
    }
    return {
        key: (x, n)
        for key, x, n in zip(
            wide["numerator"].index, wide["numerator"].to_numpy(dtype=float), wide["denominator"].to_numpy(dtype=float)
        )
    }


def _dispersion(series: dict, indicator: Indicator, areas: list[str]) -> float:
    """Laney's phi of the summed monthly (or quarterly) figures of ``areas`` (1 when a figure is missing)."""
    if not all((indicator.id, a) in series for a in areas):
        return 1.0
    x = sum(series[(indicator.id, a)][0] for a in areas)
    n = sum(series[(indicator.id, a)][1] for a in areas) if indicator.measure != "rate" else None
    phi = _phi(x, n, indicator)
    return 1.0 if np.isnan(phi) else phi


def _phi(x: np.ndarray, n: np.ndarray | None, indicator: Indicator) -> float:
    """Laney's phi of 24 monthly figures (a quarterly indicator's 8 quarter ends) around each year's level;
    NaN when a figure or a denominator is missing."""
    if indicator.frequency != "monthly":  # the 24 months start a quarter: every third month ends one
        x, n = x[2::3], (n[2::3] if n is not None else None)
    if np.isnan(x).any() or (n is not None and (np.isnan(n).any() or (n <= 0).any())):
        return np.nan
    return laney_dispersion(x, [0] * (len(x) // 2) + [1] * (len(x) // 2), n)
