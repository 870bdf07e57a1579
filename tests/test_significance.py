"""Tests for helpers.analysis.significance against R's documented results, scipy and hand-worked values."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import binom, binomtest, chi2_contingency

from helpers.analysis.significance import (
    benjamini_hochberg,
    poisson_rate_test,
    poisson_rate_tests,
    quasi_poisson_rate_test,
    two_proportion_test,
)

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


def test_poisson_rate_tests_gives_each_pair_its_own_test():
    # both tails (count1 below and above its expected share), the mean itself (p = 1) and two zero counts (p = 1)
    count1 = np.array([11, 45, 3, 20, 0, 2])
    exposure1 = np.array([800, 12_000, 1.5, 2_000, 100, 5])
    count2 = np.array([21, 30, 0, 10, 0, 40])
    exposure2 = np.array([3011, 12_500, 2.5, 1_000, 300, 5])
    got = poisson_rate_tests(count1, exposure1, count2, exposure2)
    for k, t1, c2, t2, p in zip(count1, exposure1, count2, exposure2, got):
        assert p == poisson_rate_test(k, t1, c2, t2)
        assert p == pytest.approx(r_binom_test_p(k, k + c2, t1 / (t1 + t2)) if k + c2 else 1.0, rel=1e-9)
    assert got[3] == got[4] == 1.0


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


def test_benjamini_hochberg_against_hand_worked_values():
    # m = 4 tests (the NaN is no test): sorted 0.01, 0.03, 0.04, 0.5 give 0.04, 0.06, 0.0533, 0.5; each then takes
    # the smallest of itself and those after it, so 0.03 and 0.04 both get 0.0533 (R's p.adjust(..., "BH"))
    q = benjamini_hochberg([0.01, 0.04, 0.03, np.nan, 0.5])
    assert q[[0, 1, 2, 4]] == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.5])
    assert np.isnan(q[3])
    assert benjamini_hochberg([0.9, 0.8]).tolist() == [0.9, 0.9]  # capped by the larger p-value's, never above 1
    assert np.isnan(benjamini_hochberg([np.nan])).all()
