"""Tests for helpers.analysis.intervals against PHEindicatormethods' published values and independent routes."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.optimize import brentq
from scipy.stats import binomtest, chi2, poisson

from helpers.analysis.intervals import byars_ci, rate_ci, wilson_ci

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
