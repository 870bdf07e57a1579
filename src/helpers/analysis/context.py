"""Context beside last year: a longer baseline, the latest quarter against the same quarter a
year earlier, and whether this year's value is the highest or lowest the data holds.

Rules (``describe`` and the report's methods state them):

* Baseline: an indicator's average monthly level over the baseline months the data holds, on
  its 12-month scale: for a rate the mean monthly count x 12 / population x per, for a
  percentage the pooled percentage (all numerators over all denominators). The period is
  params' ``baseline`` (start, end), or by default up to the 36 months before the previous
  year's 12 months. A quarterly indicator uses the quarters lying wholly inside it. The
  population is the estimate for the middle of the months held (``population_year``).
* ``vs_baseline`` (this year) and ``previous_vs_baseline`` (last year): by the direction-of-travel
  rule in params (``change_rule``), with the test the change on last year uses (the exact Poisson
  test of the two rates, counts over person-months, or the two-proportion test for percentages;
  with ``overdispersion``, widened by the row's own dispersion), and/or the percent band: above or
  below when the rule is met; else level (within the percent band of it) or similar (beyond the
  band, but within normal variation). ``baseline_gap_pct``: this year's value against the
  baseline, in %. A baseline of fewer than 12 months (``baseline_months``) holds only some
  seasons: the main messages leave it out and the key points say so.
* The latest quarter: the three months' count (a quarterly indicator's return for the quarter)
  and its value, not annualised: a rate is that count per ``per`` residents over the three
  months, with the population of the 12 months the quarter ends. It is compared with the same
  quarter a year earlier by the same tests (``quarter_p_value``, ``quarter_significant``).
* ``series_extreme``: this 12-month value is the highest or lowest of the unbroken run of
  12-month values up to it (from ``series_start``: no month missing since), when that run covers
  at least EXTREME_YEARS years; a shorter series says nothing (a high after a lockdown low is not news).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..quarters import Quarter
from . import wording
from .indicators import population_table, population_year
from .significance import poisson_rate_test, quasi_poisson_rate_test, two_proportion_test
from .validation import normalise_confidence
from .vocabulary import BaselinePlace
from .wording import month_ranges

if TYPE_CHECKING:
    from ..inputs.catalogue import Indicator
    from ..inputs.params import Settings
    from ..inputs.partnerships import Area

DEFAULT_MONTHS = 36  # the default baseline: up to this many months before the previous year's 12
DEFAULT_LABEL = "longer-term"
EXTREME_YEARS = 3  # "the highest since ..." needs an unbroken run of 12-month values this many years long

CONTEXT_COLUMNS = [
    "baseline_label",
    "baseline_period",
    "baseline_months",
    "baseline_numerator",
    "baseline_denominator",
    "baseline_value",
    "vs_baseline",
    "previous_vs_baseline",
    "baseline_gap_pct",
    "baseline_reason",
    "series_extreme",
    "series_start",
    "quarter_period",
    "quarter_numerator",
    "quarter_denominator",
    "quarter_value",
    "previous_quarter_numerator",
    "previous_quarter_denominator",
    "previous_quarter_value",
    "quarter_change_abs",
    "quarter_change_pct",
    "quarter_p_value",
    "quarter_significant",
]


@dataclass(frozen=True)
class Baseline:
    """The baseline period asked for, what of it the data holds, and its population estimate."""

    first: pd.Period
    last: pd.Period
    label: str  # in sentences: "above its pre-pandemic level"
    note: str  # params' note on it ("" when none)
    declared: bool  # set in params, not the default rule
    held: tuple[pd.Period, pd.Period] | None  # first and last month of the period the data holds
    population_year: int | None
    population_why: str  # population_year's reason when another estimate stood in

    def describe(self) -> str:
        """The baseline in words, for the methods (``wording.baseline_method``)."""
        held = month_ranges(pd.period_range(*self.held, freq="M")) if self.held else None
        return wording.baseline_method(
            self.label,
            month_ranges(pd.period_range(self.first, self.last, freq="M")),
            self.declared,
            DEFAULT_MONTHS,
            held,
            len(pd.period_range(*self.held, freq="M")) if self.held else 0,
            EXTREME_YEARS,
            self.note,
        )


def find_baseline(
    settings: Settings, quarter: Quarter, months: list[str], years: list[int], published_by: dt.date | None
) -> Baseline:
    """The baseline for ``quarter``: the settings' ``baseline``, else the default rule; ``months`` are those the data
    holds."""
    declared = settings.baseline
    if declared:
        first, last = pd.Period(declared.start, "M"), pd.Period(declared.end, "M")
        label, note = declared.label or DEFAULT_LABEL, declared.note or ""
    else:
        last = quarter.end_month - 24
        first, label, note = last - (DEFAULT_MONTHS - 1), DEFAULT_LABEL, ""
    inside = sorted(pd.Period(m, "M") for m in months if first <= pd.Period(m, "M") <= last)
    if not inside:
        return Baseline(first, last, label, note, bool(declared), None, None, "")
    year, why = population_year(inside[-1], years, len(pd.period_range(inside[0], inside[-1], freq="M")), published_by)
    return Baseline(first, last, label, note, bool(declared), (inside[0], inside[-1]), year, why)


def baseline_values(
    monthly: pd.DataFrame,
    catalogue: dict[str, Indicator],
    population: pd.DataFrame,
    baseline: Baseline,
    areas: list[Area],
) -> pd.DataFrame:
    """Per indicator and area: the baseline months held, their count and the baseline value (module docstring).

    The months held and their sums come from one grouping of every indicator's and area's rows at once."""
    pop = population_table(population, areas)
    asked = month_ranges(pd.period_range(baseline.first, baseline.last, freq="M"))
    quarterly = {i.id: i.frequency == "quarterly" for i in catalogue.values()}
    # a quarter (its end month) lies inside when all three of its months do
    starts = monthly["indicator_id"].map(
        {i: str(baseline.first + 2 if q else baseline.first) for i, q in quarterly.items()}
    )
    held = monthly[
        (monthly["month"] >= starts) & (monthly["month"] <= str(baseline.last)) & monthly["numerator"].notna()
    ]
    grouped = held.groupby(["indicator_id", "area"], sort=False)
    sums = grouped[["numerator", "denominator"]].sum()
    ends = grouped["month"].agg(tuple)
    periods: dict[tuple[tuple[str, ...], bool], str] = {}  # in words, once per set of months (most share one)
    rows = []
    for indicator in catalogue.values():
        three = quarterly[indicator.id]
        for area in (a.name for a in areas):
            row: dict[str, object] = {"indicator_id": indicator.id, "area": area, "baseline_label": baseline.label}
            key = (indicator.id, area)
            if key not in ends.index:
                missing = "no whole quarter of figures" if three else "no figures"
                rows.append({**row, "baseline_period": "", "baseline_reason": f"{missing} for {asked}"})
                continue
            held_ends = ends[key]
            months = len(held_ends) * (3 if three else 1)
            if (held_ends, three) not in periods:
                periods[held_ends, three] = month_ranges(
                    pd.Period(end, "M") - back for end in held_ends for back in ((2, 1, 0) if three else (0,))
                )
            numerator = sums.at[key, "numerator"]
            if indicator.measure == "rate":
                denominator = float(pop.at[baseline.population_year, area])
                value = numerator / months * 12 / denominator * indicator.per
            else:
                denominator = sums.at[key, "denominator"]
                value = numerator / denominator * 100 if denominator > 0 else np.nan
            rows.append(
                {
                    **row,
                    "baseline_period": periods[held_ends, three],
                    "baseline_months": months,
                    "baseline_numerator": numerator,
                    "baseline_denominator": denominator,
                    "baseline_value": value,
                    "baseline_reason": "",
                }
            )
    return pd.DataFrame(
        rows,
        columns=[
            "indicator_id",
            "area",
            "baseline_label",
            "baseline_period",
            "baseline_months",
            "baseline_numerator",
            "baseline_denominator",
            "baseline_value",
            "baseline_reason",
        ],
    )


def quarter_values(monthly: pd.DataFrame, catalogue: dict[str, Indicator], end: pd.Period) -> pd.DataFrame:
    """Per indicator and area: the count (and denominator) of the three months ending ``end``, when all are held."""
    wanted = {str(end - back) for back in (2, 1, 0)}
    chosen = monthly[monthly["month"].isin(wanted) & monthly["numerator"].notna()]
    grouped = chosen.groupby(["indicator_id", "area"])
    sums = grouped[["numerator", "denominator"]].sum(min_count=1)
    held = grouped["month"].nunique()
    needed = held.index.get_level_values("indicator_id").map(
        lambda i: 1 if catalogue[i].frequency == "quarterly" else 3
    )
    return sums[held.to_numpy() == needed.to_numpy()].reset_index()


def series_extremes(rolling: pd.DataFrame, end: pd.Period) -> pd.DataFrame:
    """Per indicator and area: whether the 12-month value ending ``end`` is the highest or lowest held up to it.

    Every indicator's and area's series at once: each row's run is counted by the missing values before it, and
    the unbroken run up to ``end`` is the one after the last missing value."""
    held = rolling.loc[rolling["period_end"] <= str(end), ["indicator_id", "area", "period_end", "value"]]
    if held.empty:
        return pd.DataFrame(columns=["indicator_id", "area", "series_extreme", "series_start"])
    series, keys = pd.factorize(pd.MultiIndex.from_frame(held[["indicator_id", "area"]]))  # in order of appearance
    held = held.assign(series=series).sort_values(["series", "period_end"], kind="stable")
    missing = held["value"].isna()
    run = missing.groupby(held["series"]).cumsum()
    last_run = held[(run == run.groupby(held["series"]).transform("max")) & ~missing]
    by_series = last_run.groupby("series")
    first, last, points = by_series["period_end"].first(), by_series["period_end"].last(), by_series.size()
    earlier = last_run[by_series.cumcount(ascending=False) > 0].groupby("series")["value"]
    now = by_series["value"].last()
    judged = (points > 1) & (last == str(end)) & (first <= str(end - 12 * EXTREME_YEARS))
    highest, lowest = now > earlier.max().reindex(now.index), now < earlier.min().reindex(now.index)
    extreme = pd.Series(np.where(highest, "highest", np.where(lowest, "lowest", "")), index=now.index).where(judged, "")
    extreme = extreme.reindex(range(len(keys)), fill_value="")
    return pd.DataFrame(
        {
            "indicator_id": keys.get_level_values(0),
            "area": keys.get_level_values(1),
            "series_extreme": extreme.to_numpy(),
            "series_start": first.reindex(extreme.index).where(extreme != "", "").to_numpy(),
        }
    )


def add_context(
    table: pd.DataFrame,
    monthly: pd.DataFrame,
    catalogue: dict[str, Indicator],
    population: pd.DataFrame,
    quarter: Quarter,
    settings: Settings,
    published_by: dt.date | None,
    areas: list[Area],
    baselines: pd.DataFrame,
    extremes: pd.DataFrame,
) -> pd.DataFrame:
    """The quarter table with CONTEXT_COLUMNS added (module docstring); rows not available get no figures for this year.

    ``baselines`` and ``extremes`` are ``baseline_values`` and ``series_extremes`` of (at least) the table's areas:
    computed once for every pack of a run."""
    keys = ["indicator_id", "area"]
    out = table.merge(baselines, on=keys, how="left")
    out = out.merge(extremes, on=keys, how="left")
    pop = population_table(population, areas)
    rate = (out["measure"] == "rate").to_numpy()
    per = out["indicator_id"].map(lambda i: catalogue[i].per or 100).astype(float)  # a percentage: x 100
    for prefix, end in (("quarter_", quarter.end_month), ("previous_quarter_", quarter.end_month - 12)):
        counts = quarter_values(monthly, catalogue, end).rename(
            columns={"numerator": f"{prefix}numerator", "denominator": f"{prefix}denominator"}
        )
        out = out.merge(counts, on=keys, how="left")
        year = population_year(end, list(pop.index), published_by=published_by)[0]  # as for the 12 months it ends
        out.loc[rate, f"{prefix}denominator"] = out.loc[rate, "area"].map(pop.loc[year]).astype(float)
        out[f"{prefix}value"] = out[f"{prefix}numerator"] / out[f"{prefix}denominator"] * per
    out["quarter_period"] = month_ranges(quarter.months)
    out["quarter_change_abs"] = out["quarter_value"] - out["previous_quarter_value"]
    out["quarter_change_pct"] = (out["quarter_change_abs"] / out["previous_quarter_value"] * 100).where(
        out["previous_quarter_value"] != 0
    )
    absent = out["status"] != "available"
    out.loc[
        absent,
        [c for c in CONTEXT_COLUMNS if c.startswith(("quarter_", "previous_quarter_")) and c != "quarter_period"],
    ] = np.nan
    out.loc[absent, ["series_extreme", "series_start"]] = ""

    rule, band = settings.change_rule, float(settings.percent_band)
    confidence = normalise_confidence(settings.confidence)
    months = np.where(rate, 12, 1)  # a rate's count is over person-months: population x months
    reference = (
        out["baseline_numerator"],
        out["baseline_denominator"] * np.where(rate, out["baseline_months"], 1),
        out["baseline_value"],
    )
    # the change test's widening (assess's ``dispersion``, phi above 1, with overdispersion on); NaN: the exact tests
    phi = out["dispersion"] if "dispersion" in out.columns and settings.overdispersion else pd.Series(np.nan, out.index)
    widen = phi.where(phi > 1)
    for column, prefix in (("vs_baseline", ""), ("previous_vs_baseline", "previous_")):
        now = (out[f"{prefix}numerator"], out[f"{prefix}denominator"] * months, out[f"{prefix}value"])
        out[column] = _compare(out["measure"], now, reference, widen, rule, band, confidence)
    out["baseline_gap_pct"] = ((out["value"] - out["baseline_value"]) / out["baseline_value"] * 100).where(
        out["baseline_value"] > 0
    )
    out["quarter_p_value"] = [
        _p_value(*values)
        for values in zip(
            out["measure"],
            out["quarter_numerator"],
            out["quarter_denominator"],
            out["previous_quarter_numerator"],
            out["previous_quarter_denominator"],
        )
    ]
    out["quarter_significant"] = [None if pd.isna(p) else bool(p < 1 - confidence) for p in out["quarter_p_value"]]
    for column in (
        "vs_baseline",
        "previous_vs_baseline",
        "baseline_period",
        "baseline_reason",
        "series_extreme",
        "series_start",
    ):
        out[column] = out[column].fillna("")
    return out[list(table.columns) + CONTEXT_COLUMNS]


def _p_value(
    measure: str, count: float, exposure: float, reference: float, reference_exposure: float, dispersion: float = np.nan
) -> float:
    """The two-sided p-value of ``count``/``exposure`` against the reference: the tests of ``assess``, widened by
    ``dispersion`` (phi above 1; NaN: the exact tests)."""
    if (
        any(pd.isna(v) for v in (count, exposure, reference, reference_exposure))
        or not exposure
        or not reference_exposure
    ):
        return np.nan
    if measure == "rate":
        if pd.notna(dispersion):
            return quasi_poisson_rate_test(count, exposure, reference, reference_exposure, dispersion)
        return poisson_rate_test(count, exposure, reference, reference_exposure)
    return two_proportion_test(
        count, exposure, reference, reference_exposure, dispersion=dispersion if pd.notna(dispersion) else 1.0
    )


def _compare(
    measures: pd.Series, now: tuple, reference: tuple, dispersions: pd.Series, rule: str, band: float, confidence: float
) -> list[str]:
    """above / below when the rule is met, else level (within the band) or similar, for each row (``now`` and
    ``reference`` are count, exposure, value); "" without both."""
    result = []
    for measure, count, exposure, value, ref_count, ref_exposure, ref_value, phi in zip(
        measures, *now, *reference, dispersions
    ):
        p = _p_value(measure, count, exposure, ref_count, ref_exposure, phi)
        if pd.isna(p) or pd.isna(value) or pd.isna(ref_value):
            result.append("")
            continue
        significant = p < 1 - confidence
        beyond = abs(value - ref_value) / ref_value * 100 > band if ref_value else value != ref_value
        changed = {"significance": significant, "percent_band": beyond, "both": significant and beyond}[rule]
        side = BaselinePlace.ABOVE if value > ref_value else BaselinePlace.BELOW
        result.append(side if changed else (BaselinePlace.SIMILAR if beyond else BaselinePlace.LEVEL))
    return result
