"""Significance tests of a change between two periods, and the false discovery rate over a family of tests.

The exact conditional test of two Poisson rates, its quasi-Poisson (over-dispersed) score form and the pooled
two-proportion z-test, each giving a two-sided p-value as R's ``poisson.test`` and ``prop.test`` do, and the
Benjamini-Hochberg adjustment of R's ``p.adjust``. The dispersion the over-dispersed forms take comes from
``funnels.laney_dispersion``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy import special

from .validation import number, numbers, positive, whole_count

__all__ = [
    "poisson_rate_test",
    "poisson_rate_tests",
    "quasi_poisson_rate_test",
    "two_proportion_test",
    "benjamini_hochberg",
]


def poisson_rate_test(count1: ArrayLike, exposure1: ArrayLike, count2: ArrayLike, exposure2: ArrayLike) -> float:
    """Two-sided p-value for equal Poisson rates count1/exposure1 and count2/exposure2.

    The exact conditional test (Przyborski & Wilenski, 1940): given
    n = count1 + count2, count1 ~ Binomial(n, exposure1/(exposure1 + exposure2))
    under the null, with the two-sided binomial p-value of :func:`poisson_rate_tests`;
    the same as R's ``poisson.test(c(count1, count2), c(exposure1, exposure2))``.
    Two zero counts give p = 1.
    """
    k1, k2 = whole_count("count1", count1), whole_count("count2", count2)
    t1, t2 = positive("exposure1", exposure1), positive("exposure2", exposure2)
    return float(poisson_rate_tests(np.array([k1]), np.array([t1]), np.array([k2]), np.array([t2]))[0])


def poisson_rate_tests(
    count1: np.ndarray, exposure1: np.ndarray, count2: np.ndarray, exposure2: np.ndarray
) -> np.ndarray:
    """:func:`poisson_rate_test` over arrays of whole counts and positive exposures at once (one p per element).

    The two-sided binomial p-value is R's ``binom.test`` rule (as ``scipy.stats.binomtest``): the probability of
    every outcome no likelier than count1, outcomes within a relative 1e-7 of P(X = count1) counting as equally
    likely. The tail on count1's side is the binomial distribution function (``scipy.special.bdtr``, ``bdtrc``);
    the far tail starts at the first outcome beyond the mode no likelier than count1, found by counting the
    likelier ones (the pmf is monotone on each side of the mode). ``scipy.stats.binomtest`` takes one count at a
    time and sums its tails with Boost's binomial distribution: its p-values differ from these by about 1e-13
    relative (Boost's are the nearer to exact arithmetic), which would change every published p-value's last digits.
    """
    k1, k2 = numbers("count1", count1), numbers("count2", count2)
    t1, t2 = numbers("exposure1", exposure1), numbers("exposure2", exposure2)
    n = k1 + k2
    p = t1 / (t1 + t2)
    result = np.ones(n.shape)
    tested = (n > 0) & (k1 != p * n)
    result[tested] = _binomial_two_sided(k1[tested], n[tested], p[tested])
    return result


def _binomial_pmf(k: np.ndarray, n: np.ndarray, p: np.ndarray) -> np.ndarray:
    """P(X = k) for X ~ Binomial(n, p), from log-gamma (relative error ~1e-10 at n = 10^6)."""
    log_pmf = (
        special.gammaln(n + 1)
        - special.gammaln(k + 1)
        - special.gammaln(n - k + 1)
        + special.xlogy(k, p)
        + special.xlog1py(n - k, -p)
    )
    return np.exp(log_pmf)


def _binomial_two_sided(k: np.ndarray, n: np.ndarray, p: np.ndarray) -> np.ndarray:
    """The two-sided p-value of :func:`poisson_rate_tests` for whole k and n, where k is not the mean n p."""
    k, n = k.astype(np.int64), n.astype(np.int64)
    likeliness = _binomial_pmf(k, n, p) * (1 + 1e-7)
    below = k < p * n  # the far tail is above the mode, else below it
    start = np.where(below, np.ceil(p * n), 0).astype(np.int64)
    length = np.where(below, n, np.floor(p * n)).astype(np.int64) - start + 1
    row = np.repeat(np.arange(len(k)), length)
    outcome = start[row] + np.arange(len(row)) - np.repeat(np.cumsum(length) - length, length)
    likelier = np.bincount(
        row, weights=_binomial_pmf(outcome.astype(float), n[row], p[row]) > likeliness[row], minlength=len(k)
    ).astype(np.int64)
    first = start + likelier  # above the mode: the first outcome no likelier than k (none if likelier = length)
    last = length - likelier - 1  # below the mode: the last outcome no likelier than k (none if -1)
    far = np.where(
        below,
        np.where(likelier < length, special.bdtrc(first - 1, n, p), 0.0),
        np.where(last >= 0, special.bdtr(np.maximum(last, 0), n, p), 0.0),
    )
    near = np.where(below, special.bdtr(k, n, p), special.bdtrc(np.maximum(k - 1, 0), n, p))
    return np.minimum(1.0, near + far)


def quasi_poisson_rate_test(
    count1: ArrayLike, exposure1: ArrayLike, count2: ArrayLike, exposure2: ArrayLike, dispersion: ArrayLike
) -> float:
    """Two-sided p-value for equal rates when counts vary ``dispersion`` times more than Poisson chance.

    The conditional test of :func:`poisson_rate_test` in its normal (score) form, its variance
    multiplied by the dispersion phi (quasi-Poisson; McCullagh & Nelder, Generalized Linear
    Models, 2nd edn, 1989, ch. 9): with n = count1 + count2 and p0 = exposure1/(exposure1 + exposure2),
    z = (count1 - n p0) / sqrt(phi n p0 (1 - p0)). phi comes from :func:`laney_dispersion`.
    Two zero counts give p = 1.
    """
    k1, k2 = whole_count("count1", count1), whole_count("count2", count2)
    t1, t2 = positive("exposure1", exposure1), positive("exposure2", exposure2)
    phi = positive("dispersion", dispersion)
    n, p0 = k1 + k2, t1 / (t1 + t2)
    if n == 0:
        return 1.0
    z = (k1 - n * p0) / np.sqrt(phi * n * p0 * (1 - p0))
    return float(2 * special.ndtr(-abs(z)))


def two_proportion_test(
    x1: ArrayLike, n1: ArrayLike, x2: ArrayLike, n2: ArrayLike, dispersion: ArrayLike = 1.0
) -> float:
    """Two-sided p-value of the pooled two-proportion z-test for x1/n1 against x2/n2.

    z = (p1 - p2) / sqrt(phi p(1 - p)(1/n1 + 1/n2)) with pooled p = (x1 + x2)/(n1 + n2)
    (Altman, Practical Statistics for Medical Research, 1991); with the default phi = 1
    equal to the chi-square test on the 2x2 table without continuity correction,
    R's ``prop.test(c(x1, x2), c(n1, n2), correct = FALSE)``. A ``dispersion`` phi above 1
    widens the variance for proportions that vary more than binomial chance (quasi-binomial;
    phi from :func:`laney_dispersion`). A pooled proportion of 0 or 1 (no variation at all)
    gives p = 1.
    """
    a, m, b, n = (number(name, v) for name, v in (("x1", x1), ("n1", n1), ("x2", x2), ("n2", n2)))
    phi = positive("dispersion", dispersion)
    if m <= 0 or n <= 0:
        raise ValueError("n1 and n2 must be greater than zero")
    if a < 0 or b < 0:
        raise ValueError("x1 and x2 must be zero or more")
    if a > m or b > n:
        raise ValueError("x1 and x2 must not be greater than n1 and n2")
    pooled = (a + b) / (m + n)
    if pooled in (0.0, 1.0):
        return 1.0
    z = (a / m - b / n) / np.sqrt(phi * pooled * (1 - pooled) * (1 / m + 1 / n))
    return float(2 * special.ndtr(-abs(z)))


def benjamini_hochberg(p_values: ArrayLike) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values) of a family of tests (Benjamini and Hochberg, 1995):
    q(i) = min over j >= i of p(j) * m / j, p sorted ascending, capped at 1; NaN (no test) stays NaN and is
    not counted in m. Flagging q < alpha keeps the expected share of false discoveries among the flagged at
    alpha or less; the same as R's ``p.adjust(p, "BH")``."""
    p = np.asarray(p_values, dtype=float)
    q = np.full(p.shape, np.nan)
    tested = np.flatnonzero(~np.isnan(p))
    if not len(tested):
        return q
    order = tested[np.argsort(p[tested], kind="stable")]
    m = len(order)
    scaled = p[order] * m / np.arange(1, m + 1)
    q[order] = np.minimum(np.minimum.accumulate(scaled[::-1])[::-1], 1.0)
    return q
