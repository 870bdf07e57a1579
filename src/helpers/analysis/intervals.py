"""Confidence intervals for counts, rates and proportions, as OHID's (formerly PHE's) PHEindicatormethods.

The methods behind Fingertips: exact Poisson limits for counts under 10 and Byar's approximation from 10
upwards (``phe_rate``), and the Wilson score interval for proportions (``phe_proportion``), using the same
formulas and the same "x < 10 is exact" boundary; tests check them against the package's published output to
1e-6 relative error. Inputs and results take the forms ``validation`` describes.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy import special

from .validation import Shaped, normalise_confidence, number, numbers, shaped

__all__ = ["EXACT_BELOW", "two_sided_z", "byars_ci", "rate_ci", "wilson_ci"]

EXACT_BELOW = 10
"""Counts below this use the exact interval; from 10 up, Byar's (as in phe_rate)."""


def two_sided_z(level: float) -> float:
    """Two-sided normal quantile at ``level`` (1.959964 at 0.95), written as PHEindicatormethods writes it."""
    return float(special.ndtri(level + (1 - level) / 2))


def byars_ci(count: ArrayLike, confidence: object = 0.95) -> tuple[Shaped, Shaped]:
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
    x = numbers("count", count)
    if np.any(x < 0):
        raise ValueError("count must be zero or more")
    flat = np.atleast_1d(x).ravel()
    lower = np.zeros_like(flat)
    upper = np.empty_like(flat)

    exact = flat < EXACT_BELOW
    positive = exact & (flat > 0)
    # chi2(q, 2x)/2 is the gamma quantile of shape x: scipy's chi2.ppf is 2 * gammaincinv(df/2, q), the same bits.
    lower[positive] = special.gammaincinv(flat[positive], (1 - level) / 2)
    upper[exact] = special.gammaincinv(flat[exact] + 1, level + (1 - level) / 2)

    z = two_sided_z(level)
    big = flat[~exact]
    lower[~exact] = big * (1 - 1 / (9 * big) - z / (3 * np.sqrt(big))) ** 3
    upper[~exact] = (big + 1) * (1 - 1 / (9 * (big + 1)) + z / (3 * np.sqrt(big + 1))) ** 3
    return (
        shaped(lower.reshape(x.shape), "lower", count),
        shaped(upper.reshape(x.shape), "upper", count),
    )


def rate_ci(
    count: ArrayLike, population: ArrayLike, per: float = 10_000, confidence: object = 0.95
) -> tuple[Shaped, Shaped]:
    """Confidence interval for a crude rate per ``per`` people: ``(lower, upper)``.

    The count's interval from :func:`byars_ci` divided by the population and
    multiplied by ``per`` (PHEindicatormethods ``phe_rate``).
    """
    pop = numbers("population", population)
    if np.any(pop <= 0):
        raise ValueError("population must be greater than zero")
    multiplier = number("per", per)
    if multiplier <= 0:
        raise ValueError("per must be greater than zero")
    lower, upper = byars_ci(np.asarray(count, dtype=float), confidence)
    return (
        shaped(np.asarray(lower / pop * multiplier), "lower", count, population),
        shaped(np.asarray(upper / pop * multiplier), "upper", count, population),
    )


def wilson_ci(numerator: ArrayLike, denominator: ArrayLike, confidence: object = 0.95) -> tuple[Shaped, Shaped]:
    """Wilson score interval for a proportion, as fractions in [0, 1]: ``(lower, upper)``.

    (2x + z^2 -/+ z sqrt(z^2 + 4x(1 - x/n))) / (2(n + z^2)), without continuity
    correction (Wilson, JASA 1927; Newcombe & Altman in Statistics with
    Confidence, 2nd edn, 2000), as PHEindicatormethods' ``wilson_lower`` and
    ``wilson_upper``. The lower limit is exactly 0 when x = 0 and the upper
    limit exactly 1 when x = n.
    """
    level = normalise_confidence(confidence)
    x = numbers("numerator", numerator)
    n = numbers("denominator", denominator)
    if np.any(x < 0):
        raise ValueError("numerator must be zero or more")
    if np.any(n <= 0):
        raise ValueError("denominator must be greater than zero")
    if np.any(x > n):
        raise ValueError("numerator must not be greater than denominator")
    z = two_sided_z(level)
    root = z * np.sqrt(z**2 + 4 * x * (1 - (x / n)))
    lower = np.where(x == 0, 0.0, np.clip((2 * x + z**2 - root) / 2 / (n + z**2), 0, 1))
    upper = np.where(x == n, 1.0, np.clip((2 * x + z**2 + root) / 2 / (n + z**2), 0, 1))
    return (
        shaped(lower, "lower", numerator, denominator),
        shaped(upper, "upper", numerator, denominator),
    )
