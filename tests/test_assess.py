"""helpers.analysis.assess: funnel comparisons, over-dispersed changes, SPC from params, data breaks.

Hand-made police.uk counts for one indicator (per 10,000) over 24 months (October 2020 to September
2022); every district has 10,000 residents in both years, so the partnership has 80,000.
"""

import math
from statistics import NormalDist

import pandas as pd
import pytest
from scipy.stats import binomtest

import board
from helpers.analysis.assess import (
    assess,
    compare_districts,
    describe_comparison,
    describe_rule,
    describe_spc,
    spc_charts,
    spc_points,
)
from helpers.analysis.funnels import overdispersion
from helpers.analysis.indicators import monthly_numerators, quarter_table, rolling_values
from helpers.inputs.catalogue import Indicator
from helpers.inputs.params import Settings, SpcSettings
from helpers.inputs.partnerships import Area
from helpers.quarters import Quarter, window

Q2 = Quarter(2022, 2)
MONTHS = [str(m) for m in pd.period_range("2020-10", "2022-09", freq="M")]
CATALOGUE = {
    "crime": Indicator(
        "crime",
        "Crime",
        "reduce_crime",
        "rate",
        "lower_is_better",
        "police_uk",
        "definition",
        per=10000,
        crime_types=("Burglary",),
    )
}
DISTRICTS = list(board.DISTRICTS)


def judged(counts: dict[str, list[float]], settings: Settings | None = None, breaks=None) -> pd.DataFrame:
    """The assessed table for monthly counts per district (24 values each; districts not given have none)."""
    rows = [
        (month, district, "Burglary", count)
        for district, values in counts.items()
        for month, count in zip(MONTHS, values)
        if count
    ]
    police = pd.DataFrame(rows, columns=["month", "district", "crime_type", "count"])
    local = pd.DataFrame(columns=["indicator_id", "area", "month", "numerator", "denominator"])
    monthly = monthly_numerators(police, local, CATALOGUE, MONTHS, board.BOARD.areas)
    population = pd.DataFrame(
        [(year, code, 10000) for year in (2021, 2022) for code in board.DISTRICTS.values()],
        columns=["year", "area_code", "population"],
    )
    rolling = rolling_values(monthly, CATALOGUE, population, list(window(Q2.end_month, 24)), board.BOARD.areas)
    table = quarter_table(rolling, monthly, CATALOGUE, Q2, {}, False, board.BOARD.areas)
    return assess(table, monthly, CATALOGUE, settings or Settings(), Q2, breaks=breaks).set_index("area")


def flat(totals: list[int]) -> dict[str, list[float]]:
    """Each district's 12-month total spread evenly over every month of both years."""
    return {district: [total / 12] * 24 for district, total in zip(DISTRICTS, totals)}


# --------------------------------------------------------------------------- districts against the rest of the group


def quadratic_limits(n: float, x_rest: float, n_rest: float, phi: float = 1.0) -> tuple[float, float]:
    """The counts at which z = (x - m s) / sqrt(phi m s (1 - s)), m = x + x_rest, s = n / (n + n_rest), is -/+1.96:
    the roots of (1 - s)^2 x^2 - (2 s (1 - s) x_rest + k) x + s^2 x_rest^2 - k x_rest = 0, k = 1.96^2 phi s (1 - s)."""
    s = n / (n + n_rest)
    k = 1.959964**2 * phi * s * (1 - s)
    a, b, c = (1 - s) ** 2, 2 * s * (1 - s) * x_rest + k, s**2 * x_rest**2 - k * x_rest
    root = math.sqrt(b * b - 4 * a * c)
    return max(0.0, (b - root) / (2 * a)), (b + root) / (2 * a)


def test_each_district_against_the_rest_of_its_group():
    # 960 in 80,000. The district of 156 against the other seven's 804 in 70,000 (114.86 per 10,000): s = 1/8,
    # m = 960, z = (156 - 120) / sqrt(960 x 1/8 x 7/8) = 36 / 10.247 = 3.513 (p = 0.00044) and 36% above: above.
    # 84 against 876 in 70,000 (125.14): z = -3.513, below. 120 against 840 in 70,000 (120): in line.
    table = judged(flat([120, 120, 120, 120, 120, 156, 84, 120]))
    districts = table.loc[DISTRICTS]
    assert districts["vs_partnership"].tolist() == ["in line"] * 5 + ["above", "below", "in line"]
    assert districts["group_method"].tolist() == ["rest of group"] * 8
    assert districts["group_reference"].tolist() == pytest.approx([120.0] * 5 + [804 / 7, 876 / 7, 120.0])
    assert districts["group_p_value"].iloc[5] == pytest.approx(
        2 * (1 - NormalDist().cdf(36 / math.sqrt(105))), rel=1e-6
    )
    assert (districts["group_dispersion"] == 1).all()  # no adjustment asked for: chance alone
    # the range in line with the rest: the test's limits (wider here than the 5% band), per 10,000 of 10,000: counts
    low, high = quadratic_limits(10000, 840, 70000)
    assert (districts["group_low"].iloc[0], districts["group_high"].iloc[0]) == (
        pytest.approx(low, rel=1e-6),
        pytest.approx(high, rel=1e-6),
    )
    assert (table.loc[[board.COUNTY, board.PARTNERSHIP], "vs_partnership"] == "not compared").all()
    assert (table.loc[[board.COUNTY, board.PARTNERSHIP], "group_method"] == "").all()


def test_a_district_against_the_rest_allows_for_the_variation_of_its_own_months():
    # Blaby: 50 and 150 in turn, then 60 and 160 (1,320 this year, Laney's phi 74.977681: see the change test); the
    # other seven steady at 100 a month (1,200; phi 0). Chance alone: m = 9,720, m s = 1,215,
    # z = 105 / sqrt(9,720 x 7/64) = 3.220, and 10% above the rest: above. Allowing for it:
    # phi = 7/8 x 74.977681 + 1/8 x 0 = 65.6055 and z = 3.220 / sqrt(65.6055) = 0.398: in line.
    counts = {"Blaby": [50, 150] * 6 + [60, 160] * 6, **{d: [100] * 24 for d in DISTRICTS[1:]}}
    plain = judged(counts).loc["Blaby"]
    assert plain["vs_partnership"] == "above" and plain["group_reference"] == pytest.approx(1200)
    wide = judged(counts, Settings(overdispersion=True)).loc["Blaby"]
    assert wide["group_dispersion"] == pytest.approx(7 / 8 * 74.977681, rel=1e-6)
    z = 105 / math.sqrt(9720 * 7 / 64 * 7 / 8 * 74.977681)
    assert wide["group_p_value"] == pytest.approx(2 * (1 - NormalDist().cdf(z)), rel=1e-5)
    assert wide["vs_partnership"] == "in line"
    low, high = quadratic_limits(10000, 8400, 70000, 7 / 8 * 74.977681)
    assert (wide["group_low"], wide["group_high"]) == (pytest.approx(low, rel=1e-6), pytest.approx(high, rel=1e-6))


def group_table(counts: dict[str, tuple[int, int]]) -> pd.DataFrame:
    """A quarter's assessed rows for one rate indicator: area -> (12-month count, population)."""
    return pd.DataFrame(
        [
            {
                "indicator_id": "crime",
                "area": area,
                "area_type": "district",
                "status": "available",
                "numerator": x,
                "denominator": n,
                "value": x / n * 10000,
                "data_break": "",
            }
            for area, (x, n) in counts.items()
        ]
    )


def compared(counts: dict[str, tuple[int, int]], **settings) -> pd.DataFrame:
    monthly = pd.DataFrame(columns=["indicator_id", "area", "month", "numerator", "denominator"])
    return compare_districts(group_table(counts), monthly, CATALOGUE, Settings(**settings), Q2).set_index("area")


def test_a_city_among_eight_districts_reads_higher_and_a_district_within_two_percent_similar():
    # Seven districts of 100,000 with 6,000 crimes (600 per 10,000), one of 100,000 with 8,451 (845.1) and a city of
    # 350,000 with 45,000 (1,285.7). The city against the other eight, 50,451 in 800,000 (630.6): s = 350/1,150,
    # m = 95,451, z = (45,000 - 29,050.3) / sqrt(95,451 x 0.30435 x 0.69565) = 15,949.7 / 142.10 = 112.2: above.
    # The district of 8,451 against the rest, 87,000 in 1,050,000 (828.6): 2.0% above, inside the 5% band and
    # z = (8,451 - 8,300.1) / sqrt(95,451 x 0.08696 x 0.91304) = 150.9 / 87.05 = 1.73: in line either way.
    counts = {**{f"D{i}": (6000, 100000) for i in range(7)}, "Near": (8451, 100000), "City": (45000, 350000)}
    both, significance = compared(counts), compared(counts, change_rule="significance")
    for table in (both, significance):
        assert table.at["City", "vs_partnership"] == "above" and table.at["Near", "vs_partnership"] == "in line"
        assert (table.loc[[f"D{i}" for i in range(7)], "vs_partnership"] == "below").all()
    assert both.at["City", "group_reference"] == pytest.approx(50451 / 800000 * 10000)
    assert both.at["Near", "group_reference"] == pytest.approx(87000 / 1050000 * 10000)
    z = (8451 - 95451 / 11.5) / math.sqrt(95451 / 11.5 * (1 - 1 / 11.5))
    assert both.at["Near", "group_p_value"] == pytest.approx(2 * (1 - NormalDist().cdf(z)), rel=1e-6)
    # "both": in line anywhere within 5% of the rest, even beyond the test's limits
    low, high = quadratic_limits(100000, 87000, 1050000)
    rest = 87000 / 1050000 * 10000
    assert both.at["Near", "group_low"] == pytest.approx(min(low / 10, rest * 0.95), rel=1e-6)
    assert both.at["Near", "group_high"] == pytest.approx(max(high / 10, rest * 1.05), rel=1e-6)
    # The funnel with Spiegelhalter's adjustment, estimated from these nine, finds the city within its limits: the
    # between-area spread it adds is the city's own distance (why it is used only for 20 areas or more).
    spread = overdispersion([x for x, _ in counts.values()], [n for _, n in counts.values()])
    assert abs(spread.z_adjusted[-1]) < 1.96


def test_with_a_group_only_its_districts_are_compared_and_only_where_it_has_a_figure():
    # Every pack compared with one group takes its rows from one call on a table of more areas: the eight districts
    # of the group read as they do alone, the city outside it is not compared (not even on its own numbers).
    eight = {**{f"D{i}": (6000, 100000) for i in range(7)}, "Near": (8451, 100000)}
    group = Area("Eight", "E10000099", "county", {name: f"E0700000{i}" for i, name in enumerate(eight)})
    whole = sum(x for x, _ in eight.values()), sum(n for _, n in eight.values())
    table = group_table({**eight, "City": (45000, 350000), group.name: whole})
    table.loc[table["area"] == group.name, "area_type"] = "county"
    monthly = pd.DataFrame(columns=["indicator_id", "area", "month", "numerator", "denominator"])
    result = compare_districts(table, monthly, CATALOGUE, Settings(), Q2, group).set_index("area")
    pd.testing.assert_frame_equal(result.loc[list(eight)], compared(eight), check_exact=True)
    assert result.loc[["City", group.name], "vs_partnership"].tolist() == ["not compared"] * 2
    assert result.loc[["City", group.name], "group_p_value"].isna().all()
    # without a figure for the group there is nothing its districts could be shown against
    table.loc[table["area"] == group.name, "status"] = "not available"
    unknown = compare_districts(table, monthly, CATALOGUE, Settings(), Q2, group)
    assert (unknown["vs_partnership"] == "not compared").all() and (unknown["group_method"] == "").all()


def test_a_group_of_twenty_is_compared_on_spiegelhalters_funnel():
    # 19 areas of 10,000 with 120 and one with 200: average 2,480 / 200,000 = 124 per 10,000. On the square-root scale
    # z = 2 (sqrt(x) - sqrt(124)): -0.3622 nineteen times and 6.0132; Winsorised at the 90th percentile (-0.3622) the
    # far area is pulled in, phi = 0.1312 and 20 phi < 19: tau^2 = 0, the exact limits. The far one is above them.
    counts = {**{f"A{i}": (120, 10000) for i in range(19)}, "Far": (200, 10000)}
    table = compared(counts, overdispersion=True)
    assert (table["group_method"] == "funnel").all()
    assert table.at["Far", "vs_partnership"] == "above" and (table.drop("Far")["vs_partnership"] == "in line").all()
    assert table["group_reference"].tolist() == pytest.approx([124.0] * 20)
    assert (table["group_dispersion"] == 0).all()  # tau^2
    assert table.at["Far", "group_p_value"] == pytest.approx(
        2 * (1 - NormalDist().cdf(2 * (math.sqrt(200) - math.sqrt(124))))
    )
    upper = table.at["A0", "group_high"]  # per 10,000 of 10,000: the count whose Byar's lower 95% limit is 124
    assert upper * (1 - 1 / (9 * upper) - 1.959964 / (3 * math.sqrt(upper))) ** 3 == pytest.approx(124, rel=1e-6)


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
    wide = judged(counts, Settings(overdispersion=True)).loc["Blaby"]
    assert wide["p_value"] == pytest.approx(0.782496, abs=1e-5)
    assert (wide["direction"], wide["judgement"]) == ("similar", "stable")


def test_steady_months_keep_the_exact_test():
    # constant months vary less than chance (phi = 0): the exact test stands even with the adjustment on
    counts = {"Blaby": [100] * 12 + [110] * 12}
    plain, wide = judged(counts).loc["Blaby"], judged(counts, Settings(overdispersion=True)).loc["Blaby"]
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
    stepped = judged(counts, Settings(spc=SpcSettings((("2021-10", "a new recording system"),)))).loc["Charnwood"]
    assert (stepped["spc_signal"], stepped["spc_reading"], stepped["spc_icon"]) == ("none", "", "common_cause")
    assert stepped["spc_baseline"] == "October 2021 to September 2022"
    # a district with no crimes at all: a flat line at 0, with nothing unusual in it
    assert judged(counts).loc["Blaby", "spc_signal"] == "none"


def test_declared_baseline_and_a_short_period():
    counts = {"Charnwood": [10, 12] * 6 + [20, 22] * 6}
    row = judged(counts, Settings(spc=SpcSettings(baseline=("2022-04", "2022-09")))).loc["Charnwood"]
    assert row["spc_baseline"] == "" and row["spc_signal"] == ""  # six baseline months: too few to judge
    charts = spc_charts(*_inputs(counts), Settings(spc=SpcSettings(baseline=("2021-04", "2022-03"))), Q2)
    chart = charts[("crime", "Charnwood")]
    assert chart.periods[0].baseline == ("2021-04", "2022-03") and chart.mean == 16  # six at 11, six at 21


def _inputs(counts):
    rows = [
        (month, district, "Burglary", count)
        for district, values in counts.items()
        for month, count in zip(MONTHS, values)
    ]
    police = pd.DataFrame(rows, columns=["month", "district", "crime_type", "count"])
    local = pd.DataFrame(columns=["indicator_id", "area", "month", "numerator", "denominator"])
    return monthly_numerators(police, local, CATALOGUE, MONTHS, board.BOARD.areas), CATALOGUE


def test_spc_points_for_the_charts():
    counts = {"Charnwood": [10, 12] * 6 + [20, 22] * 6}
    points = spc_points(spc_charts(*_inputs(counts), Settings(spc=SpcSettings((("2021-10", "change"),))), Q2))
    one = points[(points["area"] == "Charnwood")]
    assert one["month"].tolist() == MONTHS
    assert one["period"].tolist() == [0] * 12 + [1] * 12 and one["baseline"].all()
    assert one["mean"].tolist() == [11] * 12 + [21] * 12
    assert set(points["area"]) == set(board.AREAS)  # every area's counts are whole (zero where none)


# --------------------------------------------------------------------------- breaks


def test_a_data_break_is_named_on_police_rows():
    breaks = pd.DataFrame(
        [
            {
                "month": "2022-03",
                "kind": "no_location",
                "before": 0.005,
                "after": 0.035,
                "words": "From March 2022 ...",
                "short": "more records without a location from March 2022",
            }
        ]
    )
    table = judged(flat([120] * 8), breaks=breaks)
    assert table.loc["Blaby", "data_break"] == (
        "The figures span a break in the police.uk data (more records without a "
        "location from March 2022); see the data-quality section."
    )
    assert (judged(flat([120] * 8))["data_break"] == "").all()


# --------------------------------------------------------------------------- the rules in words


def test_rules_in_words():
    assert "quasi-Poisson" in describe_rule(Settings(change_rule="both", overdispersion=True))
    assert "quasi-Poisson" not in describe_rule(Settings(change_rule="both"))
    assert "quasi-Poisson" not in describe_rule(Settings(change_rule="percent_band", overdispersion=True))
    assert "Spiegelhalter" in describe_comparison(Settings(overdispersion=True), board.BOARD)
    words = describe_comparison(Settings(overdispersion=True, change_rule="both", percent_band=5), board.BOARD)
    assert words.startswith(
        f"Each district is compared with the rest of {board.PARTNERSHIP}: the other 7 districts together"
    )
    assert (
        "above (+) or below (−) only when the difference is both statistically significant at the 95% level and "
        "more than 5%"
    ) in words and "only for a group of 20 or more districts" in words
    assert "Spiegelhalter" not in describe_comparison(Settings(), board.BOARD)
    assert describe_comparison(Settings(), board.BOARD).endswith(
        f"{board.COUNTY} is not compared: it is 7 of the 8 districts, so it can hardly differ from their total."
    )
    words = describe_spc(
        Settings(
            spc=SpcSettings(
                (("2021-04", "the end of lockdown"), ("2020-03", "the first lockdown")), ("2021-04", "2022-03")
            )
        )
    )
    assert words.startswith(
        "A new period, with its own limits, starts in March 2020 (the first lockdown) and April "
        "2021 (the end of lockdown). Each period's limits come from its first 12 months, except the "
        "period holding April 2021 to March 2022, whose limits come from those months:"
    )
    assert "sigma" not in words
