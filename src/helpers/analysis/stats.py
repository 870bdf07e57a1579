"""Confidence intervals and significance tests for counts, rates and proportions.

The intervals follow OHID's (formerly PHE's) PHEindicatormethods R package, the
methods behind Fingertips: exact Poisson limits for counts under 10 and Byar's
approximation from 10 upwards (``phe_rate``), and the Wilson score interval for
proportions (``phe_proportion``), using the same formulas and the same
"x < 10 is exact" boundary; tests check them against the package's published
output to 1e-6 relative error. The comparison tests come after the intervals.

Every function accepts scalars, numpy arrays or pandas Series. Scalar input gives
python floats, array input gives arrays and Series input gives Series that keep
the index. Invalid input raises ``ValueError``.

Distribution functions come from ``scipy.special`` (the same routines
``scipy.stats`` calls), which loads in a third of the time.
"""
from __future__ import annotations

from numbers import Real

import numpy as np
import pandas as pd
from scipy import special

__all__ = [
    "normalise_confidence",
    "byars_ci",
    "rate_ci",
    "wilson_ci",
    "poisson_rate_test",
    "two_proportion_test",
]

EXACT_BELOW = 10
"""Counts below this use the exact interval; from 10 up, Byar's (as in phe_rate)."""


# --------------------------------------------------------------------------- helpers

def normalise_confidence(confidence) -> float:
    """Return the confidence level as a fraction: 95 and 0.95 both give 0.95.

    Values above 1 are read as percentages (as PHEindicatormethods does for
    values of 90 or more). Anything not strictly between 0 and 1 after that
    conversion raises ``ValueError``.
    """
    if isinstance(confidence, bool) or not isinstance(confidence, Real) or not np.isfinite(confidence):
        raise ValueError(f"confidence must be a finite number, got {confidence!r}")
    level = float(confidence)
    if level > 1:
        level /= 100
    if not 0 < level < 1:
        raise ValueError(
            f"confidence must be between 0 and 1 (e.g. 0.95) or a percentage (e.g. 95), got {confidence!r}"
        )
    return level


def _z(level: float) -> float:
    """Two-sided normal quantile, written as PHEindicatormethods writes it."""
    return special.ndtri(level + (1 - level) / 2)


def _values(name: str, value) -> np.ndarray:
    """``value`` as a float array, refusing non-numeric and non-finite entries."""
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numeric, got {value!r}") from None
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite numbers (no NaN or infinity)")
    return array


def _scalar(name: str, value) -> float:
    array = _values(name, value)
    if array.ndim:
        raise ValueError(f"{name} must be a single number")
    return float(array)


def _shaped(result: np.ndarray, name: str, *inputs):
    """Return ``result`` in the form of the inputs: float, array or Series."""
    for item in inputs:
        if isinstance(item, pd.Series):
            return pd.Series(np.broadcast_to(result, item.shape), index=item.index, name=name)
    if result.ndim == 0:
        return float(result)
    return result


# --------------------------------------------------------------------------- intervals

def byars_ci(count, confidence=0.95):
    """Confidence interval for a Poisson count: ``(lower, upper)``.

    Counts under 10 use the exact interval from the chi-square distribution
    (Armitage & Berry, Statistical Methods in Medical Research, 4th edn, 2002):
    lower = chi2(alpha/2, 2x)/2 (0 when x = 0), upper = chi2(1-alpha/2, 2x+2)/2.
    Counts of 10 or more use Byar's approximation (Breslow & Day, Statistical
    Methods in Cancer Research vol. II, IARC 1987):
    lower = x(1 - 1/(9x) - z/(3 sqrt x))^3,
    upper = (x+1)(1 - 1/(9(x+1)) + z/(3 sqrt(x+1)))^3.
    This is PHEindicatormethods' ``phe_rate`` rule (``if_else(x < 10, exact, byars)``).
    """
    level = normalise_confidence(confidence)
    x = _values("count", count)
    if np.any(x < 0):
        raise ValueError("count must be zero or more")
    flat = np.atleast_1d(x).ravel()
    lower = np.zeros_like(flat)
    upper = np.empty_like(flat)

    exact = flat < EXACT_BELOW
    positive = exact & (flat > 0)
    # chi2.ppf(q, 2x) / 2 is the inverse regularised incomplete gamma function of q at x.
    lower[positive] = special.gammaincinv(flat[positive], (1 - level) / 2)
    upper[exact] = special.gammaincinv(flat[exact] + 1, level + (1 - level) / 2)

    z = _z(level)
    big = flat[~exact]
    lower[~exact] = big * (1 - 1 / (9 * big) - z / (3 * np.sqrt(big))) ** 3
    upper[~exact] = (big + 1) * (1 - 1 / (9 * (big + 1)) + z / (3 * np.sqrt(big + 1))) ** 3
    return (
        _shaped(lower.reshape(x.shape), "lower", count),
        _shaped(upper.reshape(x.shape), "upper", count),
    )


def rate_ci(count, population, per=10_000, confidence=0.95):
    """Confidence interval for a crude rate per ``per`` people: ``(lower, upper)``.

    The count's interval from :func:`byars_ci` divided by the population and
    multiplied by ``per`` (PHEindicatormethods ``phe_rate``).
    """
    pop = _values("population", population)
    if np.any(pop <= 0):
        raise ValueError("population must be greater than zero")
    multiplier = _scalar("per", per)
    if multiplier <= 0:
        raise ValueError("per must be greater than zero")
    lower, upper = byars_ci(np.asarray(count, dtype=float), confidence)
    return (
        _shaped(np.asarray(lower / pop * multiplier), "lower", count, population),
        _shaped(np.asarray(upper / pop * multiplier), "upper", count, population),
    )


def wilson_ci(numerator, denominator, confidence=0.95):
    """Wilson score interval for a proportion, as fractions in [0, 1]: ``(lower, upper)``.

    (2x + z^2 -/+ z sqrt(z^2 + 4x(1 - x/n))) / (2(n + z^2)), without continuity
    correction (Wilson, JASA 1927; Newcombe & Altman in Statistics with
    Confidence, 2nd edn, 2000), as PHEindicatormethods' ``wilson_lower`` and
    ``wilson_upper``. The lower limit is exactly 0 when x = 0 and the upper
    limit exactly 1 when x = n.
    """
    level = normalise_confidence(confidence)
    x = _values("numerator", numerator)
    n = _values("denominator", denominator)
    if np.any(x < 0):
        raise ValueError("numerator must be zero or more")
    if np.any(n <= 0):
        raise ValueError("denominator must be greater than zero")
    if np.any(x > n):
        raise ValueError("numerator must not be greater than denominator")
    z = _z(level)
    root = z * np.sqrt(z**2 + 4 * x * (1 - (x / n)))
    lower = np.where(x == 0, 0.0, np.clip((2 * x + z**2 - root) / 2 / (n + z**2), 0, 1))
    upper = np.where(x == n, 1.0, np.clip((2 * x + z**2 + root) / 2 / (n + z**2), 0, 1))
    return (
        _shaped(lower, "lower", numerator, denominator),
        _shaped(upper, "upper", numerator, denominator),
    )


# --------------------------------------------------------------------------- tests

def _count(name: str, value) -> int:
    number = _scalar(name, value)
    if number < 0 or number != int(number):
        raise ValueError(f"{name} must be a whole number, zero or more, got {value!r}")
    return int(number)


def _positive(name: str, value) -> float:
    number = _scalar(name, value)
    if number <= 0:
        raise ValueError(f"{name} must be greater than zero, got {value!r}")
    return number


def poisson_rate_test(count1, exposure1, count2, exposure2) -> float:
    """Two-sided p-value for equal Poisson rates count1/exposure1 and count2/exposure2.

    The exact conditional test (Przyborski & Wilenski, 1940): given
    n = count1 + count2, count1 ~ Binomial(n, exposure1/(exposure1 + exposure2))
    under the null, with the two-sided binomial p-value of :func:`_binomial_two_sided`;
    the same as R's ``poisson.test(c(count1, count2), c(exposure1, exposure2))``.
    Two zero counts give p = 1.
    """
    k1, k2 = _count("count1", count1), _count("count2", count2)
    t1, t2 = _positive("exposure1", exposure1), _positive("exposure2", exposure2)
    if k1 + k2 == 0:
        return 1.0
    return _binomial_two_sided(k1, k1 + k2, t1 / (t1 + t2))


def _binomial_pmf(k, n: int, p: float):
    """P(X = k) for X ~ Binomial(n, p), from log-gamma (relative error ~1e-10 at n = 10^6)."""
    k = np.asarray(k, dtype=float)
    log_pmf = (special.gammaln(n + 1) - special.gammaln(k + 1) - special.gammaln(n - k + 1)
               + special.xlogy(k, p) + special.xlog1py(n - k, -p))
    return np.exp(log_pmf)


def _binomial_two_sided(k: int, n: int, p: float) -> float:
    """Two-sided exact binomial p-value: the probability of every outcome no likelier than ``k``.

    The rule of R's ``binom.test`` and ``scipy.stats.binomtest`` (outcomes within a relative
    1e-7 of P(X = k) count as equally likely); the outcome on the far side of the mode where
    that tail starts is found by bisection, the pmf being monotone on each side of the mode.
    """
    d = float(_binomial_pmf(k, n, p)) * (1 + 1e-7)
    if k == p * n:
        return 1.0
    if k < p * n:  # the far tail is above the mode: the first y there with pmf(y) <= d
        lo, hi = int(np.ceil(p * n)), n
        while lo < hi:
            mid = (lo + hi) // 2
            lo, hi = (mid + 1, hi) if _binomial_pmf(mid, n, p) > d else (lo, mid)
        far = special.bdtrc(lo - 1, n, p) if _binomial_pmf(lo, n, p) <= d else 0.0
        near = special.bdtr(k, n, p)
    else:  # the far tail is below the mode: the last y there with pmf(y) <= d
        lo, hi = -1, int(np.floor(p * n))
        while lo < hi:
            mid = (lo + hi + 1) // 2
            lo, hi = (mid, hi) if _binomial_pmf(mid, n, p) <= d else (lo, mid - 1)
        far = special.bdtr(lo, n, p) if lo >= 0 else 0.0
        near = special.bdtrc(k - 1, n, p)
    return float(min(1.0, near + far))


def two_proportion_test(x1, n1, x2, n2) -> float:
    """Two-sided p-value of the pooled two-proportion z-test for x1/n1 against x2/n2.

    z = (p1 - p2) / sqrt(p(1 - p)(1/n1 + 1/n2)) with pooled p = (x1 + x2)/(n1 + n2)
    (Altman, Practical Statistics for Medical Research, 1991);
    equal to the chi-square test on the 2x2 table without continuity correction,
    R's ``prop.test(c(x1, x2), c(n1, n2), correct = FALSE)``. A pooled
    proportion of 0 or 1 (no variation at all) gives p = 1.
    """
    a, m, b, n = (_scalar(name, v) for name, v in (("x1", x1), ("n1", n1), ("x2", x2), ("n2", n2)))
    if m <= 0 or n <= 0:
        raise ValueError("n1 and n2 must be greater than zero")
    if a < 0 or b < 0:
        raise ValueError("x1 and x2 must be zero or more")
    if a > m or b > n:
        raise ValueError("x1 and x2 must not be greater than n1 and n2")
    pooled = (a + b) / (m + n)
    if pooled in (0.0, 1.0):
        return 1.0
    z = (a / m - b / n) / np.sqrt(pooled * (1 - pooled) * (1 / m + 1 / n))
    return float(2 * special.ndtr(-abs(z)))
