"""Tests for helpers.analysis.funnels: funnel plots, over-dispersion and one area against the rest, by hand."""

import math

import numpy as np
import pytest
from scipy.stats import chi2

from helpers.analysis.funnels import (
    FUNNEL_LABELS,
    funnel_limits,
    funnel_significance,
    laney_dispersion,
    overdispersion,
    versus_rest,
    versus_rest_limits,
)
from helpers.analysis.intervals import byars_ci, wilson_ci
from helpers.analysis.significance import quasi_poisson_rate_test, two_proportion_test


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
# helpers.analysis.funnels: the expected limits below come from those formulas evaluated with a calculator.


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


def test_versus_rest_limits_of_many_areas_at_once_are_each_areas_own():
    n, x_rest, n_rest = [10000, 50, 20000], [840, 7, 1500], [70000, 700, 60000]
    phi, rest_phi = [3.75, 1.0, 0.5], [1.0, 1.0, 2.0]
    lows, highs = versus_rest_limits(n, x_rest, n_rest, "rate", phi, rest_phi, 0.998)
    for k in range(3):
        assert (lows[k], highs[k]) == versus_rest_limits(n[k], x_rest[k], n_rest[k], "rate", phi[k], rest_phi[k], 0.998)
    assert lows[1] == 0 and 0 < lows[0] < 840 / 70000 < highs[0]


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
