"""Tests for helpers.stats against published values and independent routes."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.optimize import brentq
from scipy.stats import binom, binomtest, chi2, chi2_contingency, poisson

from helpers.stats import (
    FUNNEL_LABELS,
    byars_ci,
    funnel_limits,
    funnel_significance,
    laney_dispersion,
    normalise_confidence,
    overdispersion,
    poisson_rate_test,
    quasi_poisson_rate_test,
    rate_ci,
    two_proportion_test,
    versus_rest,
    versus_rest_limits,
    wilson_ci,
)

Z95 = 1.959963985  # qnorm(0.975) to 10 significant figures
REL = 1e-6

# Published output of PHEindicatormethods v1.0.0 (R), from its introductory vignette
# "Introduction to PHEindicatormethods", 2018-04-25, in the package repository
# ukhsa-collaboration/PHEindicatormethods, inst/doc/PHEindicatormethodsIntroVignette.html
# (commit b0fa919dc65e4ae212253b0566095b158f55bcd1). Columns: obs, pop, then limits.
PHE_OBS = [87, 1, 44, 13, 83, 7, 43, 5]
PHE_POP = [131, 164, 134, 109, 131, 139, 137, 163]
# phe_rate(df, obs, pop): 95%, per 100,000
PHE_RATE_95 = [
    (53191.89721, 81920.133),
    (15.43769, 3397.344),
    (23856.24577, 44081.622),
    (6344.25775, 20396.080),
    (50463.30549, 78543.665),
    (2024.72162, 10376.025),
    (22712.53344, 42278.943),
    (996.00392, 7158.486),
]
# phe_rate(df, obs, pop, confidence = 99.8, multiplier = 100)
PHE_RATE_998 = [
    (4.654873e01, 91.51034),
    (6.100612e-04, 5.63013),
    (1.961417e01, 51.21896),
    (4.192660e00, 26.14598),
    (4.400613e01, 87.94878),
    (1.093767e00, 14.11955),
    (1.862510e01, 49.19876),
    (4.536023e-01, 10.09494),
]
# phe_proportion(df, obs, pop): 95%
PHE_PROP_95 = [
    (0.579592491, 0.73930053),
    (0.001077181, 0.03372625),
    (0.254598570, 0.41168471),
    (0.071039739, 0.19341500),
    (0.548367919, 0.71119617),
    (0.024605552, 0.10029837),
    (0.242136529, 0.39575419),
    (0.013172190, 0.06978956),
]
# phe_proportion(df, obs, pop, confidence = 99.8)
PHE_PROP_998 = [
    (0.5293576135, 0.77658434),
    (0.0005322047, 0.06601672),
    (0.2181147658, 0.46143836),
    (0.0529712429, 0.24689949),
    (0.4985908973, 0.75043163),
    (0.0167360401, 0.14179381),
    (0.2069168113, 0.44507799),
    (0.0084801369, 0.10481797),
]


def exact_ci(x, level=0.95):
    """Exact Poisson interval from the chi-square quantiles (Garwood 1936)."""
    a = 1 - level
    lower = chi2.ppf(a / 2, 2 * x) / 2 if x > 0 else 0.0
    return lower, chi2.ppf(1 - a / 2, 2 * x + 2) / 2


# --------------------------------------------------------------------------- confidence


@pytest.mark.parametrize("given_, expected", [(0.95, 0.95), (95, 0.95), (0.998, 0.998), (99.8, 0.998), (90, 0.9)])
def test_normalise_confidence(given_, expected):
    assert normalise_confidence(given_) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("bad", [0, 1, 100, -5, 150, float("nan"), float("inf"), "95", None, True])
def test_normalise_confidence_rejects(bad):
    with pytest.raises(ValueError):
        normalise_confidence(bad)


def test_percentage_and_fraction_give_identical_intervals():
    assert byars_ci(25, 95) == byars_ci(25, 0.95)
    assert byars_ci(25, 99.8) == byars_ci(25, 0.998)
    assert wilson_ci(3, 40, 99.8) == wilson_ci(3, 40, 0.998)


# --------------------------------------------------------------------------- Poisson counts


@pytest.mark.parametrize("level, published", [(0.95, PHE_RATE_95), (99.8, PHE_RATE_998)])
def test_rate_ci_matches_phe_published_output(level, published):
    per = 100_000 if level == 0.95 else 100
    for x, n, (low, high) in zip(PHE_OBS, PHE_POP, published):
        lower, upper = rate_ci(x, n, per=per, confidence=level)
        assert lower == pytest.approx(low, rel=REL)
        assert upper == pytest.approx(high, rel=REL)


def test_byars_ci_10_by_hand():
    # Byar's formula with z = 1.959963985, worked directly.
    lower = 10 * (1 - 1 / 90 - Z95 / (3 * math.sqrt(10))) ** 3
    upper = 11 * (1 - 1 / 99 + Z95 / (3 * math.sqrt(11))) ** 3
    assert byars_ci(10) == pytest.approx((lower, upper), rel=1e-9)
    assert byars_ci(10) == pytest.approx((4.787450, 18.391459), rel=REL)


def test_boundary_10_uses_byars_and_9_uses_exact():
    assert byars_ci(9) == pytest.approx(exact_ci(9), rel=1e-12)
    # At 10 Byar's differs from the exact limits (4.7954, 18.3904) by far more than 1e-6.
    for ours, exact in zip(byars_ci(10), exact_ci(10)):
        assert abs(ours / exact - 1) > 5e-5


def test_exact_limits_against_published_tables():
    # Exact 95% Poisson limits as tabulated (e.g. Documenta Geigy / Armitage & Berry).
    assert byars_ci(0) == (0.0, pytest.approx(3.6889, abs=5e-5))
    assert byars_ci(1) == pytest.approx((0.0253, 5.5716), abs=5e-5)
    assert byars_ci(9) == pytest.approx((4.1154, 17.0848), abs=5e-5)


def test_exact_limits_closed_forms():
    # x = 0: P(X = 0) = e^-U = 0.025; x = 1: P(X >= 1) = 1 - e^-L = 0.025.
    assert byars_ci(0)[1] == pytest.approx(-math.log(0.025), rel=1e-12)
    assert byars_ci(1)[0] == pytest.approx(-math.log(0.975), rel=1e-12)


@pytest.mark.parametrize("x", range(10))
def test_exact_limits_solve_the_poisson_tail_equations(x):
    # Independent route: root-find on the Poisson cdf instead of chi-square quantiles.
    lower, upper = byars_ci(x)
    assert upper == pytest.approx(brentq(lambda m: poisson.cdf(x, m) - 0.025, 1e-9, 100, xtol=1e-14), rel=1e-9)
    if x:
        assert lower == pytest.approx(brentq(lambda m: poisson.sf(x - 1, m) - 0.025, 1e-12, 100, xtol=1e-14), rel=1e-9)


def test_byars_converges_to_exact_for_large_counts():
    differences = []
    for x in (10, 100, 1_000, 10_000, 10_000_000):
        approx, exact = np.array(byars_ci(x)), np.array(exact_ci(x))
        differences.append(np.max(np.abs(approx / exact - 1)))
    assert differences[0] < 5e-3
    assert differences[-1] < 1e-9
    assert differences == sorted(differences, reverse=True)


def test_large_count_rate():
    lower, upper = rate_ci(1e7, 5e7, per=1_000)
    assert lower < 200 < upper
    assert (upper - lower) / 2 == pytest.approx(Z95 * math.sqrt(1e7) / 5e7 * 1_000, rel=1e-3)


def test_rate_ci_scales_count_interval():
    lower, upper = byars_ci(37)
    assert rate_ci(37, 52_000) == pytest.approx((lower / 52_000 * 10_000, upper / 52_000 * 10_000), rel=1e-15)


def test_byars_ci_vectorised_and_keeps_series_index():
    counts = [0, 1, 9, 10, 250]
    lower, upper = byars_ci(np.array(counts))
    assert isinstance(lower, np.ndarray) and lower.shape == (5,)
    for i, x in enumerate(counts):
        assert (lower[i], upper[i]) == byars_ci(x)
    series = pd.Series(counts, index=list("abcde"))
    s_lower, s_upper = byars_ci(series)
    assert list(s_lower.index) == list("abcde")
    np.testing.assert_array_equal(s_upper.to_numpy(), upper)
    assert isinstance(byars_ci(5)[0], float)


def test_rate_ci_series_against_scalar_population():
    counts = pd.Series([3, 40], index=["Ward A", "Ward B"])
    lower, upper = rate_ci(counts, 8_000)
    assert list(lower.index) == ["Ward A", "Ward B"]
    assert upper["Ward B"] == rate_ci(40, 8_000)[1]


@pytest.mark.parametrize("count", [-1, float("nan"), float("inf"), [3, -2]])
def test_byars_ci_rejects_bad_counts(count):
    with pytest.raises(ValueError):
        byars_ci(count)


@pytest.mark.parametrize("population", [0, -100, float("nan"), [100, 0]])
def test_rate_ci_rejects_bad_population(population):
    with pytest.raises(ValueError):
        rate_ci([5, 6], population)


@given(st.integers(min_value=0, max_value=10**7))
def test_byars_interval_contains_count(x):
    lower, upper = byars_ci(x)
    assert 0 <= lower <= x < upper


# --------------------------------------------------------------------------- proportions


@pytest.mark.parametrize("level, published", [(0.95, PHE_PROP_95), (99.8, PHE_PROP_998)])
def test_wilson_ci_matches_phe_published_output(level, published):
    lower, upper = wilson_ci(PHE_OBS, PHE_POP, level)
    np.testing.assert_allclose(lower, [low for low, _ in published], rtol=REL)
    np.testing.assert_allclose(upper, [high for _, high in published], rtol=REL)


def test_wilson_known_values():
    assert wilson_ci(5, 10) == pytest.approx((0.2366, 0.7634), abs=5e-5)
    assert wilson_ci(0, 10) == (0.0, pytest.approx(0.2775, abs=5e-5))
    assert wilson_ci(10, 10) == (pytest.approx(0.7225, abs=5e-5), 1.0)


def test_wilson_exact_bounds_at_0_and_100_percent():
    lower, upper = wilson_ci(np.array([0, 0, 7, 7]), np.array([1, 1234567, 7, 1234567]))
    assert lower[0] == 0.0 and lower[1] == 0.0
    assert upper[2] == 1.0
    assert 0 < lower[3] < upper[3] < 1


def wilson_centre_form(x, n, z=Z95):
    """Wilson interval in its centre +/- half-width form (Newcombe 1998, method 3)."""
    p = x / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return centre - half, centre + half


@pytest.mark.parametrize("x, n", [(1, 2), (3, 40), (65, 100), (1045, 5000), (2, 1_000_000)])
def test_wilson_against_independent_routes(x, n):
    ours = wilson_ci(x, n)
    assert ours == pytest.approx(wilson_centre_form(x, n), rel=1e-8)
    scipy_ci = binomtest(x, n).proportion_ci(confidence_level=0.95, method="wilson")
    assert ours == pytest.approx((scipy_ci.low, scipy_ci.high), rel=1e-9)


def test_wilson_series_keeps_index():
    numerators = pd.Series([0, 4, 9], index=[2021, 2022, 2023])
    lower, upper = wilson_ci(numerators, 9)
    assert list(lower.index) == [2021, 2022, 2023]
    assert lower[2021] == 0.0 and upper[2023] == 1.0


@pytest.mark.parametrize(
    "numerator, denominator",
    [(11, 10), (-1, 10), (1, 0), (0, 0), (1, -5), (float("nan"), 10), ([1, 12], [10, 10])],
)
def test_wilson_rejects_bad_input(numerator, denominator):
    with pytest.raises(ValueError):
        wilson_ci(numerator, denominator)


@given(st.integers(min_value=1, max_value=10**6), st.data())
def test_wilson_interval_contains_proportion(n, data):
    x = data.draw(st.integers(min_value=0, max_value=n))
    lower, upper = wilson_ci(x, n, 99.8)
    assert 0 <= lower <= x / n <= upper <= 1


# --------------------------------------------------------------------------- tests


def r_binom_test_p(k, n, p):
    """Two-sided p of R's binom.test: sum of outcomes no more likely than k."""
    pmf = binom.pmf(np.arange(n + 1), n, p)
    return min(1.0, pmf[pmf <= binom.pmf(k, n, p) * (1 + 1e-7)].sum())


def test_poisson_rate_test_r_documentation_example():
    # R ?poisson.test: poisson.test(c(11, 6+8+7), c(800, 1083+1050+878)) gives p-value = 0.07967.
    assert poisson_rate_test(11, 800, 21, 1083 + 1050 + 878) == pytest.approx(0.07967, abs=5e-6)


@pytest.mark.parametrize("c1, t1, c2, t2", [(11, 800, 21, 3011), (45, 12_000, 30, 12_500), (3, 1.5, 0, 2.5)])
def test_poisson_rate_test_against_binomial_sum(c1, t1, c2, t2):
    expected = r_binom_test_p(c1, c1 + c2, t1 / (t1 + t2))
    assert poisson_rate_test(c1, t1, c2, t2) == pytest.approx(expected, rel=1e-9)
    assert poisson_rate_test(c2, t2, c1, t1) == pytest.approx(expected, rel=1e-9)


@given(st.integers(min_value=1, max_value=20_000), st.data(), st.floats(min_value=0.01, max_value=0.99))
def test_poisson_rate_test_matches_the_binomial_definition(n, data, share):
    # The bisection for the far tail gives the brute-force sum over every outcome and scipy's binomtest
    # (p-values below 1e-100 may differ in their last digits).
    k = data.draw(st.integers(min_value=0, max_value=n))
    exposure1, exposure2 = share * 1000, (1 - share) * 1000
    got = poisson_rate_test(k, exposure1, n - k, exposure2)
    expected = r_binom_test_p(k, n, exposure1 / (exposure1 + exposure2))
    assert got == pytest.approx(expected, rel=1e-8, abs=1e-100)
    assert got == pytest.approx(binomtest(k, n, exposure1 / (exposure1 + exposure2)).pvalue, rel=1e-8, abs=1e-100)


def test_poisson_rate_test_equal_rates_and_no_events():
    assert poisson_rate_test(20, 2_000, 10, 1_000) == pytest.approx(1.0)
    assert poisson_rate_test(0, 100, 0, 300) == 1.0
    assert poisson_rate_test(120, 10_000, 60, 10_000) < 1e-4


@pytest.mark.parametrize(
    "args", [(-1, 10, 2, 10), (1.5, 10, 2, 10), (1, 0, 2, 10), (1, 10, 2, -3), ([1, 2], 10, 2, 10)]
)
def test_poisson_rate_test_rejects_bad_input(args):
    with pytest.raises(ValueError):
        poisson_rate_test(*args)


@pytest.mark.parametrize("x1, n1, x2, n2", [(15, 50, 25, 50), (120, 400, 90, 410), (1, 30, 9, 31)])
def test_two_proportion_test_matches_uncorrected_chi_square(x1, n1, x2, n2):
    table = [[x1, n1 - x1], [x2, n2 - x2]]
    expected = chi2_contingency(table, correction=False)[1]
    assert two_proportion_test(x1, n1, x2, n2) == pytest.approx(expected, rel=1e-9)


def test_two_proportion_test_by_hand():
    # 30% of 50 against 50% of 50: pooled 0.4, z = -0.2 / sqrt(0.4 * 0.6 * 0.04) = -2.0412.
    z = 0.2 / math.sqrt(0.4 * 0.6 * (1 / 50 + 1 / 50))
    assert two_proportion_test(15, 50, 25, 50) == pytest.approx(math.erfc(z / math.sqrt(2)), rel=1e-12)
    assert two_proportion_test(15, 50, 25, 50) == pytest.approx(0.04123, abs=5e-6)


def test_two_proportion_test_degenerate():
    assert two_proportion_test(0, 50, 0, 70) == 1.0
    assert two_proportion_test(50, 50, 70, 70) == 1.0
    assert two_proportion_test(10, 50, 20, 100) == pytest.approx(1.0)


@pytest.mark.parametrize("args", [(11, 10, 1, 10), (-1, 10, 1, 10), (1, 0, 1, 10), (1, 10, 1, float("nan"))])
def test_two_proportion_test_rejects_bad_input(args):
    with pytest.raises(ValueError):
        two_proportion_test(*args)


def test_two_proportion_test_with_dispersion_by_hand():
    # 60/100 against 45/100: pooled 0.525, z = 0.15 / sqrt(0.525 x 0.475 x 0.02) = 2.1239; with phi = 2, z / sqrt(2) = 1.5018
    assert two_proportion_test(60, 100, 45, 100, dispersion=2) == pytest.approx(2 * (1 - 0.933436), abs=2e-6)
    assert two_proportion_test(60, 100, 45, 100, dispersion=1) == two_proportion_test(60, 100, 45, 100)


# --------------------------------------------------------------------------- over-dispersed changes


def test_quasi_poisson_rate_test_by_hand():
    # n = 440, p0 = 1/2: z = (240 - 220) / sqrt(2 x 440 x 1/4) = 20 / sqrt(220) = 1.34840; p = 2(1 - Phi(1.34840))
    assert quasi_poisson_rate_test(240, 1, 200, 1, 2.0) == pytest.approx(0.177530, abs=2e-6)
    assert quasi_poisson_rate_test(0, 1, 0, 2, 3.0) == 1.0


@pytest.mark.parametrize("args", [(5, 1, 5, 1, 0), (5, 1, 5, 1, -1), (1.5, 1, 5, 1, 2), (5, 0, 5, 1, 2)])
def test_quasi_poisson_rate_test_rejects_bad_input(args):
    with pytest.raises(ValueError):
        quasi_poisson_rate_test(*args)


def test_laney_dispersion_poisson_by_hand():
    # group means 11 and 61/3; residuals (x - mean) / sqrt(mean): -0.301511, 0.301511, 0, -0.073922, 0.369611, -0.295689;
    # moving ranges 0.603023, 0.301511, 0.073922, 0.443533, 0.665299, mean 0.417458; phi = (0.417458 / 1.128)^2
    assert laney_dispersion([10, 12, 11, 20, 22, 19], ["a", "a", "a", "b", "b", "b"]) == pytest.approx(
        0.1369640, rel=1e-6
    )


def test_laney_dispersion_binomial_by_hand():
    # group 0: p = 7/20, variance 10 x 0.35 x 0.65 = 2.275; group 1: p = 11/20, variance 2.475. Residuals -0.994490,
    # 0.994490, -1.589104, 1.589104; moving ranges 1.988981, 2.583595, 3.178209, mean 2.583595; phi = (2.583595/1.128)^2
    assert laney_dispersion([2, 5, 3, 8], [0, 0, 1, 1], trials=[10, 10, 10, 10]) == pytest.approx(5.246027, rel=1e-6)


def test_laney_dispersion_ignores_a_slow_trend_that_counts_around_a_mean_would_not():
    # 100, 110, ..., 210: around the mean 155 they vary far beyond chance (Pearson chi-square / df = 14,300 / 155 / 11
    # = 8.39), but each month is just 10 on from the last: residual moving ranges 10 / sqrt(155)
    counts = list(range(100, 220, 10))
    assert laney_dispersion(counts, [0] * 12) == pytest.approx((10 / math.sqrt(155) / 1.128) ** 2)  # 0.507


def test_laney_dispersion_rejects_bad_input():
    with pytest.raises(ValueError, match="at least 2"):
        laney_dispersion([1], [0])
    with pytest.raises(ValueError, match="same length"):
        laney_dispersion([1, 2, 3], [0, 1])
    with pytest.raises(ValueError, match="trials"):
        laney_dispersion([5, 2, 3], [0, 0, 1], trials=[4, 4, 4])


# --------------------------------------------------------------------------- funnel plots
# Hand-worked from PHEindicatormethods' published formulas (R/Funnels.R, phe_funnel_significance,
# sigma_adjustment and funnel_ratio_significance, ukhsa-collaboration/PHEindicatormethods), not from
# helpers.stats: the expected limits below come from those formulas evaluated with a calculator.


def test_funnel_significance_proportions_every_label():
    # 6 areas of 1,000, 3,000 / 6,000 in all: average 0.5. sigma_adjustment at n = 1,000, average 0.5:
    # 95% (p = 0.975) 0.469010 to 0.530990; 99.8% (p = 0.999) 0.451139 to 0.548861.
    x = [500, 545, 455, 600, 400, 500]
    assert funnel_significance(x, [1000] * 6) == [
        "Not significant",
        "High (0.025)",
        "Low (0.025)",
        "High (0.001)",
        "Low (0.001)",
        "Not significant",
    ]
    low, high = funnel_limits([1000], 0.5, "proportion", 0.95)
    assert (low[0], high[0]) == pytest.approx((0.4690102484, 0.5309897516), abs=1e-9)
    low, high = funnel_limits([1000], 0.5, "proportion", 0.998)
    assert (low[0], high[0]) == pytest.approx((0.4511391371, 0.5488608629), abs=1e-9)


def test_funnel_significance_package_example():
    # phe_funnel_significance's own example: average 50,889 / 67,762 = 0.750996; the 99.8% limits for each
    # denominator (0.740168-0.761824, 0.740472-0.761520, 0.741017-0.760975, 0.741165-0.760828) hold none of
    # 0.671744, 0.764188, 0.843353, 0.715183.
    labels = funnel_significance([10232, 12321, 15123, 13213], [15232, 16123, 17932, 18475], "proportion")
    assert labels == ["Low (0.001)", "High (0.001)", "High (0.001)", "Low (0.001)"]


def test_funnel_significance_crude_rates_every_label():
    # 615 events in 60,000: average 0.01025, 102.5 expected in each area of 10,000. Byar's limits by hand
    # (95%; 99.8%): 100: 81.36-121.63; 130: lower 108.61, 97.58; 75: upper 94.01, 105.83; 160: lower 123.73;
    # 50: upper 75.97.
    x = [100, 130, 75, 160, 50, 100]
    assert funnel_significance(x, [10000] * 6, "rate", 10000) == [
        "Not significant",
        "High (0.025)",
        "Low (0.025)",
        "High (0.001)",
        "Low (0.001)",
        "Not significant",
    ]
    assert set(FUNNEL_LABELS) == {"High (0.001)", "High (0.025)", "Low (0.025)", "Low (0.001)", "Not significant"}


def test_funnel_significance_small_counts_use_the_exact_interval():
    # 42 in 3,000: 14 expected in each. 3: exact upper 99.8% = chi2(0.999, 8)/2 = 13.06 < 14; 9: exact 95%
    # 4.12-17.08 holds 14; 30: Byar's lower 99.8% = 15.84 > 14.
    assert chi2.ppf(0.999, 8) / 2 < 14 < chi2.ppf(0.975, 20) / 2
    assert funnel_significance([3, 9, 30], [1000] * 3, "rate") == ["Low (0.001)", "Not significant", "High (0.001)"]


def test_funnel_limits_are_where_the_label_changes():
    # A rate limit is the count whose own interval just reaches the average (independent route: byars_ci);
    # a proportion limit the one whose Wilson interval does (sigma_adjustment inverts Wilson's interval).
    n = np.array([50.0, 1000.0, 40000.0])
    for level in (0.95, 0.998):
        low, high = funnel_limits(n, 0.3, "proportion", level)
        assert wilson_ci(high * n, n, level)[0] == pytest.approx(0.3, rel=1e-9)
        assert wilson_ci(low * n, n, level)[1] == pytest.approx(0.3, rel=1e-9)
        low, high = funnel_limits(n, 0.01, "rate", level)  # 0.5, 10 and 400 expected
        assert byars_ci(high * n, level)[0] / n == pytest.approx(0.01, rel=1e-9)
        assert byars_ci(low[1:] * n[1:], level)[1] / n[1:] == pytest.approx(0.01, rel=1e-9)
        # with 0.5 expected no count is significantly low: even 0 has an upper limit of 3.69 (95%)
        assert low[0] == 0


def test_overdispersion_by_hand():
    # The rates above, 102.5 expected each. z = 2(sqrt(x) - sqrt(102.5)) (square-root scale):
    # -0.2485, 2.5551, -2.9279, 5.0498, -6.1063, -0.2485. Winsorised at the 10th and 90th percentiles
    # (R's default quantile: -6.1063 + (-2.9279 + 6.1063)/2 = -4.5171 and 2.5551 + (5.0498 - 2.5551)/2 = 3.8024),
    # phi = mean of squares = 8.347908. w = 4 x 102.5 = 410 each: tau^2 = (6 phi - 5) / (2460 - 410) = 0.0219939.
    spread = overdispersion([100, 130, 75, 160, 50, 100], [10000] * 6, "rate")
    assert spread.average == pytest.approx(0.01025)
    assert spread.z == pytest.approx([-0.2484567, 2.5550518, -2.9279487, 5.0497646, -6.1063211, -0.2484567], abs=1e-6)
    assert spread.phi == pytest.approx(8.347908, rel=1e-6)
    assert spread.tau2 == pytest.approx(0.02199388, rel=1e-6)
    # adjusted z = (sqrt(x / 102.5) - 1) / sqrt(1/410 + tau^2): 160 gives 1.5955, 50 gives -1.9293
    assert spread.z_adjusted[[3, 4]] == pytest.approx([1.5954811, -1.9293019], abs=1e-6)
    assert (
        funnel_significance([100, 130, 75, 160, 50, 100], [10000] * 6, "rate", overdispersed=True)
        == ["Not significant"] * 6
    )
    # limits 0.01025 (1 -/+ 1.96 sqrt(1/410 + tau^2))^2, per 10,000: 49.316 to 174.925
    low, high = funnel_limits([10000], 0.01025, "rate", 0.95, spread.tau2)
    assert (low[0] * 10000, high[0] * 10000) == pytest.approx((49.316129, 174.924759), rel=1e-6)


def test_overdispersion_proportions_by_hand():
    # 4 areas of 100 with 10, 20, 30, 40 (average 0.25): arcsine scale y = asin(sqrt(x/n)), target asin(0.5) = pi/6,
    # s = 1/20, z = 20 (y - pi/6): -5.6262, -1.8270, 1.0912, 3.6131.
    spread = overdispersion([10, 20, 30, 40], [100] * 4, "proportion")
    expected = [20 * (math.asin(math.sqrt(p)) - math.pi / 6) for p in (0.1, 0.2, 0.3, 0.4)]
    assert spread.z == pytest.approx(expected, rel=1e-12)
    # percentiles: -5.6262 + 0.3 (-1.8270 + 5.6262) = -4.4865 and 1.0912 + 0.7 (3.6131 - 1.0912) = 2.8566
    low = expected[0] + 0.3 * (expected[1] - expected[0])
    high = expected[2] + 0.7 * (expected[3] - expected[2])
    phi = (low**2 + expected[1] ** 2 + expected[2] ** 2 + high**2) / 4
    assert spread.phi == pytest.approx(phi, rel=1e-12)
    assert spread.tau2 == pytest.approx((4 * phi - 3) / (1600 - 400), rel=1e-12)


def test_winsorising_keeps_one_outlier_from_widening_the_funnel():
    # 100, 102, 98, 101, 99 and 140 in areas of 10,000 (106.67 expected): the outlier's z (3.008) is cut to the
    # 90th percentile (1.276), phi = 0.633: 6 x 0.633 < 5, so tau^2 = 0 and the exact labels stand: 140 has
    # Byar's lower limits 117.77 (95%) and 106.25 (99.8%) against 106.67.
    x = [100, 102, 98, 101, 99, 140]
    assert overdispersion(x, [10000] * 6).tau2 == 0
    assert funnel_significance(x, [10000] * 6, "rate", overdispersed=True) == ["Not significant"] * 5 + ["High (0.025)"]


@pytest.mark.parametrize(
    "args, message",
    [
        (([1, 2], [10, 10], "ratio"), "statistic"),
        (([-1, 2], [10, 10]), "numerators must be greater than or equal to zero"),
        (([1, 2], [10, 0]), "denominators must be greater than zero"),
        (([11, 2], [10, 10]), "less than or equal to denominator"),
        (([1, 2], [10]), "same length"),
        (([1, 2], [10, 10], "rate", 0), "multiplier"),
    ],
)
def test_funnel_significance_rejects_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        funnel_significance(*args)


def test_benjamini_hochberg_against_hand_worked_values():
    from helpers.analysis.stats import benjamini_hochberg

    # m = 4 tests (the NaN is no test): sorted 0.01, 0.03, 0.04, 0.5 give 0.04, 0.06, 0.0533, 0.5; each then takes
    # the smallest of itself and those after it, so 0.03 and 0.04 both get 0.0533 (R's p.adjust(..., "BH"))
    q = benjamini_hochberg([0.01, 0.04, 0.03, np.nan, 0.5])
    assert q[[0, 1, 2, 4]] == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.5])
    assert np.isnan(q[3])
    assert benjamini_hochberg([0.9, 0.8]).tolist() == [0.9, 0.9]  # capped by the larger p-value's, never above 1
    assert np.isnan(benjamini_hochberg([np.nan])).all()


# --------------------------------------------------------------------------- one area against the rest of its group


def test_versus_rest_rates_by_hand():
    # 156 in 10,000 against 804 in 70,000: s = 1/8, m = 960, z = (156 - 120) / sqrt(960 x 1/8 x 7/8) = 36 / sqrt(105)
    z, p = versus_rest(156, 10000, 804, 70000)
    assert z == pytest.approx(36 / math.sqrt(105), rel=1e-12)
    assert p == pytest.approx(math.erfc(z / math.sqrt(2)), rel=1e-12)
    # phi 4 for the area and 2 for the rest: 7/8 x 4 + 1/8 x 2 = 3.75, the score test of quasi_poisson_rate_test
    z, p = versus_rest(156, 10000, 804, 70000, dispersion=4, rest_dispersion=2)
    assert z == pytest.approx(36 / math.sqrt(105 * 3.75), rel=1e-12)
    assert p == pytest.approx(quasi_poisson_rate_test(156, 10000, 804, 70000, 3.75), rel=1e-12)
    # figures steadier than chance never make the test sharper than chance alone
    assert versus_rest(156, 10000, 804, 70000, dispersion=0, rest_dispersion=0.5)[0] == pytest.approx(
        36 / math.sqrt(105)
    )


def test_versus_rest_proportions_by_hand():
    # 30 of 100 against 60 of 300: pooled 0.225, z = 0.1 / sqrt(0.225 x 0.775 x (1/100 + 1/300)) = 2.0739
    z, p = versus_rest(30, 100, 60, 300, "proportion")
    assert z == pytest.approx(0.1 / math.sqrt(0.225 * 0.775 * (1 / 100 + 1 / 300)), rel=1e-12)
    assert p == pytest.approx(two_proportion_test(30, 100, 60, 300), rel=1e-12)


def test_versus_rest_limits_are_where_the_test_turns():
    # rates: the roots of (1 - s)^2 x^2 - (2 s (1 - s) x_rest + k) x + s^2 x_rest^2 - k x_rest, k = 1.96^2 phi s (1 - s)
    for phi in (1.0, 3.75):
        s, k = 0.125, 1.959964**2 * phi * 0.125 * 0.875
        a, b, c = 0.875**2, 2 * s * 0.875 * 840 + k, s**2 * 840**2 - k * 840
        roots = sorted((b + sign * math.sqrt(b * b - 4 * a * c)) / (2 * a) for sign in (-1, 1))
        low, high = versus_rest_limits(10000, 840, 70000, dispersion=phi, rest_dispersion=phi)
        assert (low * 10000, high * 10000) == pytest.approx(roots, rel=1e-6)
    # proportions: the area's count at each limit gives |z| = 1.96
    low, high = versus_rest_limits(100, 60, 300, "proportion")
    for limit, sign in ((low, -1), (high, 1)):
        assert versus_rest(limit * 100, 100, 60, 300, "proportion")[0] == pytest.approx(sign * 1.959964, rel=1e-5)
    # with 0.5 expected no count reads low: the lower limit is 0
    assert versus_rest_limits(50, 7, 700)[0] == 0


@pytest.mark.parametrize(
    "args, message",
    [
        ((1, 10, 2, 10, "ratio"), "statistic"),
        ((-1, 10, 2, 10), "zero or more"),
        ((1, 0, 2, 10), "greater than zero"),
        ((11, 10, 2, 10, "proportion"), "not be greater"),
        ((1, 10, 2, 10, "rate", -1), "dispersion must be zero or more"),
    ],
)
def test_versus_rest_rejects_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        versus_rest(*args)
