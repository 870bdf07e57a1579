"""helpers.analysis.assess: funnel comparisons, over-dispersed changes, SPC from params, data breaks.

Hand-made police.uk counts for one indicator (per 10,000) over 24 months (October 2020 to September
2022); every district has 10,000 residents in both years, so the partnership has 80,000.
"""
import math

import pandas as pd
import pytest
from scipy.stats import binomtest

import board
from helpers import config
from helpers.analysis.assess import assess, describe_comparison, describe_rule, describe_spc, spc_charts, spc_points
from helpers.analysis.indicators import monthly_numerators, quarter_table, rolling_values
from helpers.inputs.catalogue import Indicator
from helpers.quarters import Quarter, window

Q2 = Quarter(2022, 2)
MONTHS = [str(m) for m in pd.period_range("2020-10", "2022-09", freq="M")]
CATALOGUE = {"crime": Indicator("crime", "Crime", "reduce_crime", "rate", "lower_is_better", "police_uk", "definition",
                                per=10000, crime_types=("Burglary",))}
DISTRICTS = list(board.DISTRICTS)


def judged(counts: dict[str, list[float]], params: dict | None = None, breaks=None) -> pd.DataFrame:
    """The assessed table for monthly counts per district (24 values each; districts not given have none)."""
    rows = [(month, district, "Burglary", count) for district, values in counts.items()
            for month, count in zip(MONTHS, values) if count]
    police = pd.DataFrame(rows, columns=["month", "district", "crime_type", "count"])
    local = pd.DataFrame(columns=["indicator_id", "area", "month", "numerator", "denominator"])
    monthly = monthly_numerators(police, local, CATALOGUE, MONTHS, board.BOARD.areas)
    population = pd.DataFrame([(year, code, 10000) for year in (2021, 2022) for code in board.DISTRICTS.values()],
                              columns=["year", "area_code", "population"])
    rolling = rolling_values(monthly, CATALOGUE, population, list(window(Q2.end_month, 24)), board.BOARD.areas)
    table = quarter_table(rolling, monthly, CATALOGUE, Q2, {}, False, board.BOARD.areas)
    return assess(table, monthly, CATALOGUE, {"change_rule": "both", "percent_band": 5, **(params or {})}, Q2,
                  breaks=breaks).set_index("area")


def flat(totals: list[int]) -> dict[str, list[float]]:
    """Each district's 12-month total spread evenly over every month of both years."""
    return {district: [total / 12] * 24 for district, total in zip(DISTRICTS, totals)}


# --------------------------------------------------------------------------- districts on the funnel

def test_districts_on_the_funnel_plot():
    # 960 in 80,000: 120 expected in each district. Byar's limits of 156: lower 132.48 (95%), 120.22 (99.8%), both
    # above 120: High (0.001). Of 84: upper 104.00 (95%), 116.38 (99.8%), both below 120: Low (0.001). 120: similar.
    table = judged(flat([120, 120, 120, 120, 120, 156, 84, 120]))
    districts = table.loc[DISTRICTS]
    assert districts["funnel_significance"].tolist() == ["Not significant"] * 5 + ["High (0.001)", "Low (0.001)",
                                                                                  "Not significant"]
    assert districts["vs_partnership"].tolist() == ["similar"] * 5 + ["significantly higher", "significantly lower",
                                                                      "similar"]
    assert districts["funnel_average"].tolist() == pytest.approx([120.0] * 8)  # 960 / 80,000 x 10,000
    assert (districts["funnel_tau2"] == 0).all()
    # the limits are in the value's unit: the 95% upper limit is the count whose Byar's lower limit is 120, per 10,000
    upper = districts["funnel_high_95"].iloc[0]  # per 10,000 of 10,000 residents: a count
    assert upper * (1 - 1 / (9 * upper) - 1.959964 / (3 * math.sqrt(upper))) ** 3 == pytest.approx(120, rel=1e-6)
    assert (table.loc[[board.COUNTY, board.PARTNERSHIP], "vs_partnership"] == "not compared").all()
    assert (table.loc[[board.COUNTY, board.PARTNERSHIP], "funnel_significance"] == "").all()


def test_overdispersion_widens_the_funnel():
    # 60, 96, 120, 144, 168, 192, 120, 60 (120 expected): exact limits put 6 of 8 districts outside. On the square-root
    # scale z = 2(sqrt(x) - sqrt(120)): -6.417, -2.313, 0, 2.091, 4.014, 5.804, 0, -6.417; Winsorised at the 10th and
    # 90th percentiles (-6.417 and 4.014 + 0.3 x 1.790 = 4.551), phi = 16.1127; w = 480 each: tau^2 = (8 phi - 7) /
    # (3840 - 480) = 0.036280. Adjusted, the largest |z| is 1.495: every district is similar.
    totals = [60, 96, 120, 144, 168, 192, 120, 60]
    exact = judged(flat(totals)).loc[DISTRICTS, "vs_partnership"].tolist()
    assert exact == ["significantly lower"] * 2 + ["similar"] + ["significantly higher"] * 3 + ["similar",
                                                                                               "significantly lower"]
    wide = judged(flat(totals), {"overdispersion": True}).loc[DISTRICTS]
    assert (wide["vs_partnership"] == "similar").all()
    assert wide["funnel_tau2"].iloc[0] == pytest.approx(0.036280354, rel=1e-6)
    # 95% limits per 10,000 (average 120): 120 (1 -/+ 1.96 sqrt(1/480 + tau^2))^2 = 45.55 and 275.78
    half = 1.959964 * math.sqrt(1 / 480 + 0.036280354)
    assert wide["funnel_low_95"].iloc[0] == pytest.approx(120 * (1 - half) ** 2, rel=1e-5)
    assert wide["funnel_high_95"].iloc[0] == pytest.approx(120 * (1 + half) ** 2, rel=1e-5)


# --------------------------------------------------------------------------- the change on last year

def test_overdispersion_tests_the_change_against_the_months_own_variation():
    # Blaby alone: 50 and 150 in turn in the earlier year (1,200), 60 and 160 in the later (1,320): +10%.
    # Exact test of 1,320 against 1,200 (equal populations; binomial, 1,320 of 2,520 at 1/2): p = 0.0177, so "higher".
    # Laney's dispersion: residuals around each year's mean are +/-5 (50/sqrt(100)) and then +/-4.767 (50/sqrt(110));
    # moving ranges 11 x 10, 9.767 across the years, 11 x 9.535: mean 9.7675, phi = (9.7675/1.128)^2 = 74.98.
    # Scaled: z = 60 / sqrt(74.98 x 2520 / 4) = 0.2761, p = 0.782: similar.
    counts = {"Blaby": [50, 150] * 6 + [60, 160] * 6}
    plain = judged(counts).loc["Blaby"]
    assert plain["p_value"] == pytest.approx(binomtest(1320, 2520, 0.5).pvalue, rel=1e-9)
    assert (plain["direction"], plain["judgement"]) == ("higher", "deteriorating")
    assert plain["dispersion"] == pytest.approx(74.977681, rel=1e-6)
    wide = judged(counts, {"overdispersion": True}).loc["Blaby"]
    assert wide["p_value"] == pytest.approx(0.782496, abs=1e-5)
    assert (wide["direction"], wide["judgement"]) == ("similar", "stable")


def test_steady_months_keep_the_exact_test():
    # constant months vary less than chance (phi = 0): the exact test stands even with the adjustment on
    counts = {"Blaby": [100] * 12 + [110] * 12}
    plain, wide = judged(counts).loc["Blaby"], judged(counts, {"overdispersion": True}).loc["Blaby"]
    assert wide["dispersion"] == 0 and wide["p_value"] == plain["p_value"]


# --------------------------------------------------------------------------- SPC from params

def test_spc_signal_baseline_and_icon():
    # Charnwood: 10 and 12 in turn for a year, then 20 and 22: the first 12 months set the limits (11 +/- 5.32), and
    # the latest month, 22, is above them.
    counts = {"Charnwood": [10, 12] * 6 + [20, 22] * 6}
    row = judged(counts).loc["Charnwood"]
    assert row["spc_signal"] == "the latest month was unusually high, above the usual range"
    assert (row["spc_reading"], row["spc_icon"]) == ("concern", "concern_high")
    assert row["spc_baseline"] == "October 2020 to September 2021"
    # a step in October 2021 starts a period whose own first year sets its limits (21 +/- 5.32): no signal
    stepped = judged(counts, {"spc": {"steps": {"2021-10": "a new recording system"}}}).loc["Charnwood"]
    assert (stepped["spc_signal"], stepped["spc_reading"], stepped["spc_icon"]) == ("none", "", "common_cause")
    assert stepped["spc_baseline"] == "October 2021 to September 2022"
    # a district with no crimes at all: a flat line at 0, with nothing unusual in it
    assert judged(counts).loc["Blaby", "spc_signal"] == "none"


def test_declared_baseline_and_a_short_period():
    counts = {"Charnwood": [10, 12] * 6 + [20, 22] * 6}
    params = {"spc": {"baseline": {"start": "2022-04", "end": "2022-09"}}}
    row = judged(counts, params).loc["Charnwood"]
    assert row["spc_baseline"] == "" and row["spc_signal"] == ""  # six baseline months: too few to judge
    charts = spc_charts(*_inputs(counts), {"spc": {"baseline": {"start": "2021-04", "end": "2022-03"}}}, Q2)
    chart = charts[("crime", "Charnwood")]
    assert chart.periods[0].baseline == ("2021-04", "2022-03") and chart.mean == 16  # six at 11, six at 21


def _inputs(counts):
    rows = [(month, district, "Burglary", count) for district, values in counts.items() for month, count in zip(MONTHS, values)]
    police = pd.DataFrame(rows, columns=["month", "district", "crime_type", "count"])
    local = pd.DataFrame(columns=["indicator_id", "area", "month", "numerator", "denominator"])
    return monthly_numerators(police, local, CATALOGUE, MONTHS, board.BOARD.areas), CATALOGUE


def test_spc_points_for_the_charts():
    counts = {"Charnwood": [10, 12] * 6 + [20, 22] * 6}
    points = spc_points(spc_charts(*_inputs(counts), {"spc": {"steps": {"2021-10": "change"}}}, Q2))
    one = points[(points["area"] == "Charnwood")]
    assert one["month"].tolist() == MONTHS
    assert one["period"].tolist() == [0] * 12 + [1] * 12 and one["baseline"].all()
    assert one["mean"].tolist() == [11] * 12 + [21] * 12
    assert set(points["area"]) == set(board.AREAS)  # every area's counts are whole (zero where none)


# --------------------------------------------------------------------------- breaks

def test_a_data_break_is_named_on_police_rows():
    breaks = pd.DataFrame([{"month": "2022-03", "kind": "no_location", "before": 0.005, "after": 0.035,
                            "words": "From March 2022 ...", "short": "more records without a location from March 2022"}])
    table = judged(flat([120] * 8), breaks=breaks)
    assert table.loc["Blaby", "data_break"] == ("The figures span a break in the police.uk data (more records without a "
                                                "location from March 2022); see the data-quality section.")
    assert (judged(flat([120] * 8))["data_break"] == "").all()


# --------------------------------------------------------------------------- the rules in words

def test_rules_in_words():
    assert "quasi-Poisson" in describe_rule({"change_rule": "both", "overdispersion": True})
    assert "quasi-Poisson" not in describe_rule({"change_rule": "both"})
    assert "quasi-Poisson" not in describe_rule({"change_rule": "percent_band", "overdispersion": True})
    assert "Spiegelhalter" in describe_comparison({"overdispersion": True}, board.BOARD)
    assert "Spiegelhalter" not in describe_comparison({}, board.BOARD)
    assert describe_comparison({}, board.BOARD).endswith(f"{board.COUNTY} is not compared: it is 7 of the 8 districts, so it can "
                                            "hardly differ from their total.")
    words = describe_spc({"spc": {"steps": {"2021-04": "the end of lockdown", "2020-03": "the first lockdown"},
                                  "baseline": {"start": "2021-04", "end": "2022-03"}}})
    assert words.startswith("A new period, with its own limits, starts in March 2020 (the first lockdown) and April "
                            "2021 (the end of lockdown). Each period's limits come from its first 12 months, except the "
                            "period holding April 2021 to March 2022, whose limits come from those months:")
    assert "sigma" not in words
