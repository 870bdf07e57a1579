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
from .gaps import month_ranges
from .indicators import population_table, population_year
from .stats import normalise_confidence, poisson_rate_test, quasi_poisson_rate_test, two_proportion_test

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
        """The baseline in words, for the methods."""
        asked = month_ranges(pd.period_range(self.first, self.last, freq="M"))
        if self.declared:
            text = f"The {self.label} baseline is {asked} (set in the parameters)"
        else:
            text = f"The {self.label} baseline is the {DEFAULT_MONTHS} months before the previous year's 12 months, {asked}"
        if self.held is None:
            return f"{text}, but the data hold none of those months, so no indicator has a baseline."
        held = month_ranges(pd.period_range(*self.held, freq="M"))
        text += "." if held == asked else f", as far as the data go: {held}."
        text += (
            " Each indicator's baseline is its average monthly level over those months, on its 12-month scale; "
            "this year's value is called above or below it only by the direction-of-travel rule (the same test, "
            "allowing for the indicator's own variation, and the same percent band), and back to it only when "
            "within that band; otherwise the sentence gives the gap in %."
        )
        months = len(pd.period_range(*self.held, freq="M"))
        if months < 12:
            text += (
                f" With only {months} months it holds only some seasons, so its level is biased by their "
                "seasonal highs or lows; it is left out of the main messages."
            )
        text += (
            " A value is called the highest or lowest 12-month figure since a month only when the unbroken run of "
            f"12-month figures behind it covers at least {EXTREME_YEARS} years."
        )
        return f"{text} {self.note}".strip()


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
    """Per indicator and area: the baseline months held, their count and the baseline value (module docstring)."""
    pop = population_table(population, areas)
    near = monthly["month"].between(str(baseline.first - 2), str(baseline.last))  # no row outside can be inside
    groups = dict(list(monthly[near].groupby(["indicator_id", "area"], sort=False)))
    asked = month_ranges(pd.period_range(baseline.first, baseline.last, freq="M"))
    rows = []
    for indicator in catalogue.values():
        quarterly = indicator.frequency == "quarterly"
        for area in (a.name for a in areas):
            row = {"indicator_id": indicator.id, "area": area, "baseline_label": baseline.label}
            group = groups.get((indicator.id, area), monthly.iloc[:0])
            # a quarter (its end month) lies inside when all three of its months do
            start = str(baseline.first + 2 if quarterly else baseline.first)
            held = group[group["month"].between(start, str(baseline.last)) & group["numerator"].notna()]
            if held.empty:
                missing = "no whole quarter of figures" if quarterly else "no figures"
                rows.append({**row, "baseline_period": "", "baseline_reason": f"{missing} for {asked}"})
                continue
            months = [
                pd.Period(end, "M") - back for end in held["month"] for back in ((2, 1, 0) if quarterly else (0,))
            ]
            numerator = held["numerator"].sum()
            if indicator.measure == "rate":
                denominator = float(pop.at[baseline.population_year, area])
                value = numerator / len(months) * 12 / denominator * indicator.per
            else:
                denominator = held["denominator"].sum()
                value = numerator / denominator * 100 if denominator > 0 else np.nan
            rows.append(
                {
                    **row,
                    "baseline_period": month_ranges(months),
                    "baseline_months": len(months),
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
    """Per indicator and area: whether the 12-month value ending ``end`` is the highest or lowest held up to it."""
    held = rolling[rolling["period_end"] <= str(end)]
    rows = []
    for (indicator_id, area), group in held.groupby(["indicator_id", "area"], sort=False):
        group = group.sort_values("period_end")
        gaps = np.flatnonzero(group["value"].isna().to_numpy())
        group = group.iloc[gaps[-1] + 1 :] if len(gaps) else group  # the unbroken run up to ``end``
        extreme = ""
        if (
            len(group) > 1
            and group["period_end"].iloc[-1] == str(end)
            and group["period_end"].iloc[0] <= str(end - 12 * EXTREME_YEARS)
        ):
            now, earlier = group["value"].iloc[-1], group["value"].iloc[:-1]
            extreme = "highest" if now > earlier.max() else ("lowest" if now < earlier.min() else "")
        rows.append(
            {
                "indicator_id": indicator_id,
                "area": area,
                "series_extreme": extreme,
                "series_start": group["period_end"].iloc[0] if extreme else "",
            }
        )
    return pd.DataFrame(rows, columns=["indicator_id", "area", "series_extreme", "series_start"])


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
    for column, year in (("vs_baseline", ""), ("previous_vs_baseline", "previous_")):
        now = (out[f"{year}numerator"], out[f"{year}denominator"] * months, out[f"{year}value"])
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
        result.append(("above" if value > ref_value else "below") if changed else ("similar" if beyond else "level"))
    return result
