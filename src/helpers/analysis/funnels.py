"""Comparing areas beyond chance: funnel plots, over-dispersion and one area against the rest of its group.

The funnel-plot comparison of areas around their pooled average follows PHEindicatormethods'
``phe_funnel_significance``; over-dispersion is Spiegelhalter's additive random-effects adjustment (2005) across
areas and Laney's phi (2002) within a series, the phi the over-dispersed tests of ``significance`` take; a
group too small for a funnel compares each area with the rest of it (``versus_rest``). Inputs take the forms
``validation`` describes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import special

from .intervals import byars_ci
from .validation import normalise_confidence, number, numbers

__all__ = [
    "FUNNEL_LABELS",
    "STATISTICS",
    "Overdispersion",
    "overdispersion",
    "funnel_significance",
    "funnel_limits",
    "laney_dispersion",
    "versus_rest",
    "versus_rest_limits",
]

D2 = 1.128
"""The mean moving range of normal data in standard deviations (Wheeler's d2 for ranges of 2)."""

FUNNEL_LABELS = ("High (0.001)", "High (0.025)", "Low (0.025)", "Low (0.001)", "Not significant")
"""PHEindicatormethods' significance levels: beyond the 99.8% or the 95% funnel, above or below."""
STATISTICS = ("proportion", "rate")
_TRIM = 0.1  # Winsorised in each tail before phi is estimated (Spiegelhalter, 2005)


def _funnel_inputs(numerators: ArrayLike, denominators: ArrayLike, statistic: str) -> tuple[np.ndarray, np.ndarray]:
    if statistic not in STATISTICS:
        raise ValueError(f"statistic must be one of {', '.join(STATISTICS)}, got {statistic!r}")
    x = np.atleast_1d(numbers("numerators", numerators))
    n = np.atleast_1d(numbers("denominators", denominators))
    if x.ndim != 1 or x.shape != n.shape or not len(x):
        raise ValueError("numerators and denominators must be lists of the same length, one value per area")
    if np.any(x < 0):
        raise ValueError("numerators must be greater than or equal to zero")
    if np.any(n <= 0):
        raise ValueError("denominators must be greater than zero")
    if statistic == "proportion" and np.any(x > n):
        raise ValueError("numerators must be less than or equal to denominator for a proportion statistic")
    return x, n


def _proportion_limit(level: float, n: np.ndarray, average: float, side: str) -> np.ndarray:
    """PHEindicatormethods' ``sigma_adjustment``: the proportion at which the Wilson score interval
    of a denominator ``n`` just reaches ``average`` (its limit at two-sided ``level``)."""
    z2 = special.ndtri(0.5 + level / 2) ** 2
    first = average * (n / z2 + 1)
    root = np.sqrt(
        (-8 * average * (n / z2 + 1)) ** 2
        - 64 * (1 / z2 + 1 / n) * average * (n * (average * (n / z2 + 2) - 1) + z2 * (average - 1))
    )
    last = 1 / z2 + 1 / n
    return ((first - root / 8) if side == "low" else (first + root / 8)) / last / n


def _transformed(x: np.ndarray, n: np.ndarray, average: float, statistic: str) -> tuple[np.ndarray, float, np.ndarray]:
    """Spiegelhalter's variance-stabilised scale: (y, target, standard error) per area.

    Rates: y = sqrt(observed / expected) with expected = average x n, target 1, s = 1 / (2 sqrt(expected));
    proportions: y = arcsin(sqrt(x / n)), target arcsin(sqrt(average)), s = 1 / (2 sqrt(n)).
    """
    if statistic == "rate":
        expected = average * n
        return np.sqrt(x / expected), 1.0, 1 / (2 * np.sqrt(expected))
    return np.arcsin(np.sqrt(x / n)), float(np.arcsin(np.sqrt(average))), 1 / (2 * np.sqrt(n))


@dataclass(frozen=True)
class Overdispersion:
    """Spiegelhalter's over-dispersion estimates for a set of areas (see :func:`overdispersion`)."""

    average: float  # the pooled average: sum of numerators / sum of denominators
    z: np.ndarray  # each area's z-score without adjustment
    phi: float  # the Winsorised over-dispersion factor
    tau2: float  # the additive between-area variance (0: no more variation than chance)
    z_adjusted: np.ndarray  # z-scores with tau2 added to each area's variance


def overdispersion(numerators: ArrayLike, denominators: ArrayLike, statistic: str = "rate") -> Overdispersion:
    """How far areas vary beyond chance, by Spiegelhalter's additive random-effects method.

    Spiegelhalter DJ, "Handling over-dispersion of performance indicators", Qual Saf Health
    Care 2005;14:347-351 (as in NHS-R's FunnelPlotR and the CQC's method):

    * z-scores on a variance-stabilised scale around the pooled average (``_transformed``):
      z = (y - target) / s, s the standard error under chance alone;
    * phi = mean of the squared z-scores after Winsorising 10% in each tail (z-scores beyond the
      10th and 90th percentiles, linearly interpolated, are set to those percentiles);
    * tau^2 = (I phi - (I - 1)) / (sum w - sum w^2 / sum w), w = 1/s^2, I areas; 0 when I phi <= I - 1;
    * adjusted z = (y - target) / sqrt(s^2 + tau^2).
    A pooled average of 0 (or, for proportions, 1) leaves nothing to compare: every z is 0.
    """
    x, n = _funnel_inputs(numerators, denominators, statistic)
    average = float(x.sum() / n.sum())
    if average == 0 or (statistic == "proportion" and average == 1):
        zeros = np.zeros_like(x)
        return Overdispersion(average, zeros, 0.0, 0.0, zeros)
    y, target, s = _transformed(x, n, average, statistic)
    z = (y - target) / s
    low, high = np.percentile(z, [100 * _TRIM, 100 * (1 - _TRIM)])
    phi = float(np.mean(np.clip(z, low, high) ** 2))
    areas, w = len(z), 1 / s**2
    tau2 = 0.0 if areas * phi <= areas - 1 else float((areas * phi - (areas - 1)) / (w.sum() - (w**2).sum() / w.sum()))
    return Overdispersion(average, z, phi, tau2, (y - target) / np.sqrt(s**2 + tau2))


def funnel_significance(
    numerators: ArrayLike,
    denominators: ArrayLike,
    statistic: str = "proportion",
    multiplier: float | None = None,
    overdispersed: bool = False,
) -> list[str]:
    """Each area's place on a funnel plot around the pooled average: one of ``FUNNEL_LABELS``.

    As PHEindicatormethods' ``phe_funnel_significance`` (OHID's Fingertips method), with the
    average = sum of numerators / sum of denominators:

    * proportions: the area's proportion against the 99.8% and 95% limits for its denominator
      (``_proportion_limit``, the package's ``sigma_adjustment``): below the 99.8% lower limit is
      "Low (0.001)", else below the 95% one "Low (0.025)"; likewise above, "High ...";
    * crude rates: the area's own interval (:func:`byars_ci`, exact below 10 events) against the
      average: a 99.8% interval wholly above it is "High (0.001)", else a 95% one "High (0.025)";
      likewise below.

    ``multiplier`` is the rate's base, as phe_funnel_significance takes it; the labels do not
    depend on it (it only turns rates back into denominators there), so it is only checked.
    With ``overdispersed`` the labels come instead from the adjusted z-scores of
    :func:`overdispersion` when it finds variation beyond chance (tau^2 > 0): beyond +/-3.09 is
    the 0.001 level, beyond +/-1.96 the 0.025 level. Returns a list in the input order.
    """
    x, n = _funnel_inputs(numerators, denominators, statistic)
    if multiplier is not None and number("multiplier", multiplier) <= 0:
        raise ValueError("multiplier must be greater than zero")
    spread = overdispersion(x, n, statistic) if overdispersed else None
    if spread is not None and spread.tau2 > 0:
        z = spread.z_adjusted
        return [
            _label(
                high=[v > special.ndtri(0.999), v > special.ndtri(0.975)],
                low=[v < -special.ndtri(0.999), v < -special.ndtri(0.975)],
            )
            for v in z
        ]
    average = x.sum() / n.sum()
    if statistic == "proportion":
        value = x / n
        high = [value > _proportion_limit(level, n, average, "high") for level in (0.998, 0.95)]
        low = [value < _proportion_limit(level, n, average, "low") for level in (0.998, 0.95)]
    else:
        bounds = {level: byars_ci(x, level) for level in (0.998, 0.95)}
        high = [average < bounds[level][0] / n for level in (0.998, 0.95)]
        low = [average > bounds[level][1] / n for level in (0.998, 0.95)]
    return [_label(high=[h[i] for h in high], low=[v[i] for v in low]) for i in range(len(x))]


def _label(high: list[bool], low: list[bool]) -> str:
    """The label from (99.8%, 95%) flags above and below."""
    if high[0]:
        return "High (0.001)"
    if high[1]:
        return "High (0.025)"
    if low[0]:
        return "Low (0.001)"
    if low[1]:
        return "Low (0.025)"
    return "Not significant"


def funnel_limits(
    denominators: ArrayLike, average: float, statistic: str = "rate", confidence: object = 0.95, tau2: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """The funnel's ``(lower, upper)`` limits at each denominator, as proportions or rates per 1.

    Without over-dispersion (``tau2`` 0) the limits are where :func:`funnel_significance`'s label
    changes, so a point outside a limit carries its label: for proportions PHEindicatormethods'
    ``sigma_adjustment`` (the inverted Wilson interval); for rates the count at which the area's
    own interval (:func:`byars_ci`) just reaches average x denominator, divided by the denominator
    (found by bisection; phe_funnels draws its rate curves from exact Poisson probabilities instead,
    which differ slightly). With ``tau2`` > 0 (from :func:`overdispersion`), Spiegelhalter's limits
    target +/- z sqrt(s^2 + tau^2) on the transformed scale, turned back: rate = average (1 +/- ...)^2,
    proportion = sin^2(...); lower limits stop at 0.
    """
    level = normalise_confidence(confidence)
    n = np.atleast_1d(numbers("denominators", denominators))
    if np.any(n <= 0):
        raise ValueError("denominators must be greater than zero")
    if statistic not in STATISTICS:
        raise ValueError(f"statistic must be one of {', '.join(STATISTICS)}, got {statistic!r}")
    average = number("average", average)
    if not (0 < average < 1 if statistic == "proportion" else average > 0):
        raise ValueError("average must be above 0 (and below 1 for a proportion)")
    if number("tau2", tau2) < 0:
        raise ValueError("tau2 must be zero or more")
    if tau2 > 0:
        _, target, s = _transformed(np.zeros_like(n), n, average, statistic)
        half = special.ndtri(0.5 + level / 2) * np.sqrt(s**2 + tau2)
        if statistic == "rate":
            return average * np.maximum(1 - half, 0) ** 2, average * (1 + half) ** 2
        return np.sin(np.clip(target - half, 0, np.pi / 2)) ** 2, np.sin(np.clip(target + half, 0, np.pi / 2)) ** 2
    if statistic == "proportion":
        return (
            np.maximum(_proportion_limit(level, n, average, "low"), 0),
            np.minimum(_proportion_limit(level, n, average, "high"), 1),
        )
    expected = average * n
    upper = _solve(lambda count: byars_ci(count, level)[0], expected, expected + 10 * np.sqrt(expected) + 20)
    lower = _solve(lambda count: byars_ci(count, level)[1], expected, expected)
    return lower / n, upper / n


def _solve(increasing: Callable[[np.ndarray], ArrayLike], target: np.ndarray, high: ArrayLike) -> np.ndarray:
    """The count in [0, high] at which the increasing function reaches target (0 if it starts above), for every
    target at once. Bisection to the last bit of the float nearest the root: ``scipy.optimize.brentq`` (one root at a
    time) stops within a relative 4 eps of it, which would change the published limits' last digits."""
    low, high = np.zeros_like(target), np.array(high, dtype=float)
    for _ in range(60):  # the bracket shrinks to 2^-60 of its width: float precision
        middle = (low + high) / 2
        below = np.asarray(increasing(middle)) < target
        low, high = np.where(below, middle, low), np.where(below, high, middle)
    return np.where(np.asarray(increasing(np.zeros_like(target))) >= target, 0.0, (low + high) / 2)


def laney_dispersion(counts: ArrayLike, groups: ArrayLike, trials: ArrayLike | None = None) -> float:
    """How many times more than chance counts vary from one period to the next: phi = sigma_z^2.

    Laney's method (Laney, "Improved control charts for attributes", Quality Engineering
    2002;14:531-537; for health data Mohammed & Laney, Qual Saf Health Care 2006;15:383-384):
    each count becomes a standardised (Pearson) residual z = (x - expected) / sqrt(variance)
    around its group's level, and sigma_z = mean |z[i] - z[i-1]| / 1.128, the moving-range
    estimate an XmR chart uses (Wheeler, 1993), so trends and seasons that move slowly add little.
    Poisson (``trials`` None): expected = variance = the group's mean count, as when every period
    of a group has the same exposure (months of one year at one population). Binomial (``trials``
    given): x out of n, expected n p, variance n p (1 - p), p the group's pooled proportion.
    About 1 when counts vary as chance alone would make them; not floored. Counts whose variance
    is 0 (a group of zeros) count as residuals of 0.
    """
    x = np.atleast_1d(numbers("counts", counts))
    labels = np.asarray(groups)
    if labels.shape != x.shape:
        raise ValueError("counts and groups must have the same length")
    if len(x) < 2:
        raise ValueError("the dispersion needs at least 2 counts")
    if np.any(x < 0):
        raise ValueError("counts must be zero or more")
    n = None if trials is None else np.atleast_1d(numbers("trials", trials))
    if n is not None and (n.shape != x.shape or np.any(n <= 0) or np.any(x > n)):
        raise ValueError("trials must match counts, be greater than zero and not below the counts")
    expected, variance = np.empty_like(x), np.empty_like(x)
    for key in dict.fromkeys(labels.tolist()):
        chosen = labels == key
        if n is None:
            expected[chosen] = variance[chosen] = x[chosen].mean()
        else:
            share = x[chosen].sum() / n[chosen].sum()
            expected[chosen], variance[chosen] = n[chosen] * share, n[chosen] * share * (1 - share)
    z = np.divide(x - expected, np.sqrt(variance), out=np.zeros_like(x), where=variance > 0)
    return float((np.abs(np.diff(z)).mean() / D2) ** 2)


def _versus_z(
    x: ArrayLike,
    n: float | np.ndarray,
    x_rest: float | np.ndarray,
    n_rest: float | np.ndarray,
    statistic: str,
    dispersion: float | np.ndarray,
) -> np.ndarray:
    """The z-score of ``versus_rest`` (``x`` may be an array of counts, and the others arrays of as many areas)."""
    x = np.asarray(x, dtype=float)
    if statistic == "rate":
        share, total = n / (n + n_rest), x + x_rest
        variance = dispersion * total * share * (1 - share)
        return np.divide(x - total * share, np.sqrt(variance), out=np.zeros_like(x), where=variance > 0)
    pooled = (x + x_rest) / (n + n_rest)
    variance = dispersion * pooled * (1 - pooled) * (1 / n + 1 / n_rest)
    return np.divide(x / n - x_rest / n_rest, np.sqrt(variance), out=np.zeros_like(x), where=variance > 0)


def group_dispersion(n: ArrayLike, n_rest: ArrayLike, dispersion: ArrayLike, rest_dispersion: ArrayLike) -> np.ndarray:
    """phi for the difference of an area and the rest (``versus_rest``): the area's and the rest's, weighted by the
    other's share, never below 1. Numbers, or arrays with one element per area."""
    n, n_rest = np.asarray(n, dtype=float), np.asarray(n_rest, dtype=float)
    share = n / (n + n_rest)
    return np.maximum(
        1.0, (1 - share) * np.asarray(dispersion, dtype=float) + share * np.asarray(rest_dispersion, dtype=float)
    )


def versus_rest(
    x: float,
    n: float,
    x_rest: float,
    n_rest: float,
    statistic: str = "rate",
    dispersion: float = 1.0,
    rest_dispersion: float = 1.0,
) -> tuple[float, float]:
    """``(z, p)``: one area's rate (or proportion) ``x``/``n`` against the rest of its group's ``x_rest``/``n_rest``.

    The score test of two Poisson rates conditional on their total (as :func:`quasi_poisson_rate_test`:
    z = (x - m s) / sqrt(phi m s (1 - s)), m = x + x_rest, s = n / (n + n_rest)) or the pooled two-proportion
    z-test (as :func:`two_proportion_test`), the area not in its own comparator. Extra-Poisson (-binomial)
    variation comes from each side's own series (``dispersion``, ``rest_dispersion``: Laney's phi of the
    area's and of the rest's monthly figures): the difference's variance is phi m s (1 - s) with
    phi = (1 - s) phi_area + s phi_rest (each count's variance phi times its expectation; McCullagh & Nelder
    1989, ch. 9), floored at 1 so that no area is judged more sharply than chance allows.
    """
    if statistic not in STATISTICS:
        raise ValueError(f"statistic must be one of {', '.join(STATISTICS)}, got {statistic!r}")
    x, n, x_rest, n_rest = (number(name, v) for name, v in (("x", x), ("n", n), ("x_rest", x_rest), ("n_rest", n_rest)))
    if min(x, x_rest) < 0 or min(n, n_rest) <= 0:
        raise ValueError("counts must be zero or more and denominators greater than zero")
    if statistic == "proportion" and (x > n or x_rest > n_rest):
        raise ValueError("numerators must not be greater than their denominators for a proportion")
    for name, value in (("dispersion", dispersion), ("rest_dispersion", rest_dispersion)):
        if number(name, value) < 0:
            raise ValueError(f"{name} must be zero or more, got {value!r}")
    phi = group_dispersion(n, n_rest, dispersion, rest_dispersion)
    z = float(_versus_z(x, n, x_rest, n_rest, statistic, phi))
    return z, float(2 * special.ndtr(-abs(z)))


def versus_rest_limits(
    n: ArrayLike,
    x_rest: ArrayLike,
    n_rest: ArrayLike,
    statistic: str = "rate",
    dispersion: ArrayLike = 1.0,
    rest_dispersion: ArrayLike = 1.0,
    confidence: object = 0.95,
) -> tuple[np.ndarray, np.ndarray]:
    """Each area's ``(lower, upper)`` value (a rate or proportion per 1) at which :func:`versus_rest` just reaches
    two-sided significance at ``confidence``: between them it is in line with the rest. The arguments are numbers or
    arrays, one element per area, and every area's limits are found at once, by bisection on the area's count, z
    rising with it; a limit no count reaches is 0 (lower) or, for a proportion, 1 (upper)."""
    level = normalise_confidence(confidence)
    n, x_rest, n_rest, dispersion, rest_dispersion = np.broadcast_arrays(
        *(np.asarray(v, dtype=float) for v in (n, x_rest, n_rest, dispersion, rest_dispersion))
    )
    if np.any(dispersion < 0) or np.any(rest_dispersion < 0):
        raise ValueError("dispersion and rest_dispersion must be zero or more")
    phi = group_dispersion(n, n_rest, dispersion, rest_dispersion)
    critical = special.ndtri(0.5 + level / 2)
    z = lambda count: _versus_z(count, n, x_rest, n_rest, statistic, phi)  # noqa: E731
    top = n if statistic == "proportion" else 10 * (x_rest / n_rest * n + critical**2 * phi) + 10
    lower, upper = (_solve(z, np.full(n.shape, target), top) / n for target in (-critical, critical))
    return lower, np.minimum(upper, 1.0) if statistic == "proportion" else upper
