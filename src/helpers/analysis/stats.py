"""Confidence intervals and significance tests for counts, rates and proportions.

The intervals follow OHID's (formerly PHE's) PHEindicatormethods R package, the
methods behind Fingertips: exact Poisson limits for counts under 10 and Byar's
approximation from 10 upwards (``phe_rate``), and the Wilson score interval for
proportions (``phe_proportion``), using the same formulas and the same
"x < 10 is exact" boundary; tests check them against the package's published
output to 1e-6 relative error. The comparison tests come after the intervals, then
the funnel-plot comparison of areas (``phe_funnel_significance``) and the
over-dispersion adjustments (Spiegelhalter, 2005; quasi-likelihood), and the comparison of one
area with the rest of its group (``versus_rest``).

Every function accepts scalars, numpy arrays or pandas Series. Scalar input gives
python floats, array input gives arrays and Series input gives Series that keep
the index. Invalid input raises ``ValueError``.

Distribution functions come from ``scipy.special`` (the same routines
``scipy.stats`` calls), which loads in a third of the time.
"""

from __future__ import annotations

from dataclasses import dataclass
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
    "quasi_poisson_rate_test",
    "two_proportion_test",
    "laney_dispersion",
    "FUNNEL_LABELS",
    "Overdispersion",
    "overdispersion",
    "funnel_significance",
    "funnel_limits",
    "versus_rest",
    "versus_rest_limits",
]

EXACT_BELOW = 10
"""Counts below this use the exact interval; from 10 up, Byar's (as in phe_rate)."""
D2 = 1.128
"""The mean moving range of normal data in standard deviations (Wheeler's d2 for ranges of 2)."""


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


def benjamini_hochberg(p_values) -> np.ndarray:
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


def _binomial_pmf(k, n: int, p: float):
    """P(X = k) for X ~ Binomial(n, p), from log-gamma (relative error ~1e-10 at n = 10^6)."""
    k = np.asarray(k, dtype=float)
    log_pmf = (
        special.gammaln(n + 1)
        - special.gammaln(k + 1)
        - special.gammaln(n - k + 1)
        + special.xlogy(k, p)
        + special.xlog1py(n - k, -p)
    )
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


def quasi_poisson_rate_test(count1, exposure1, count2, exposure2, dispersion) -> float:
    """Two-sided p-value for equal rates when counts vary ``dispersion`` times more than Poisson chance.

    The conditional test of :func:`poisson_rate_test` in its normal (score) form, its variance
    multiplied by the dispersion phi (quasi-Poisson; McCullagh & Nelder, Generalized Linear
    Models, 2nd edn, 1989, ch. 9): with n = count1 + count2 and p0 = exposure1/(exposure1 + exposure2),
    z = (count1 - n p0) / sqrt(phi n p0 (1 - p0)). phi comes from :func:`laney_dispersion`.
    Two zero counts give p = 1.
    """
    k1, k2 = _count("count1", count1), _count("count2", count2)
    t1, t2 = _positive("exposure1", exposure1), _positive("exposure2", exposure2)
    phi = _positive("dispersion", dispersion)
    n, p0 = k1 + k2, t1 / (t1 + t2)
    if n == 0:
        return 1.0
    z = (k1 - n * p0) / np.sqrt(phi * n * p0 * (1 - p0))
    return float(2 * special.ndtr(-abs(z)))


def two_proportion_test(x1, n1, x2, n2, dispersion=1.0) -> float:
    """Two-sided p-value of the pooled two-proportion z-test for x1/n1 against x2/n2.

    z = (p1 - p2) / sqrt(phi p(1 - p)(1/n1 + 1/n2)) with pooled p = (x1 + x2)/(n1 + n2)
    (Altman, Practical Statistics for Medical Research, 1991); with the default phi = 1
    equal to the chi-square test on the 2x2 table without continuity correction,
    R's ``prop.test(c(x1, x2), c(n1, n2), correct = FALSE)``. A ``dispersion`` phi above 1
    widens the variance for proportions that vary more than binomial chance (quasi-binomial;
    phi from :func:`laney_dispersion`). A pooled proportion of 0 or 1 (no variation at all)
    gives p = 1.
    """
    a, m, b, n = (_scalar(name, v) for name, v in (("x1", x1), ("n1", n1), ("x2", x2), ("n2", n2)))
    phi = _positive("dispersion", dispersion)
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


def laney_dispersion(counts, groups, trials=None) -> float:
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
    x = np.atleast_1d(_values("counts", counts))
    labels = np.asarray(groups)
    if labels.shape != x.shape:
        raise ValueError("counts and groups must have the same length")
    if len(x) < 2:
        raise ValueError("the dispersion needs at least 2 counts")
    if np.any(x < 0):
        raise ValueError("counts must be zero or more")
    n = None if trials is None else np.atleast_1d(_values("trials", trials))
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


# --------------------------------------------------------------------------- funnel plots

FUNNEL_LABELS = ("High (0.001)", "High (0.025)", "Low (0.025)", "Low (0.001)", "Not significant")
"""PHEindicatormethods' significance levels: beyond the 99.8% or the 95% funnel, above or below."""
STATISTICS = ("proportion", "rate")
_TRIM = 0.1  # Winsorised in each tail before phi is estimated (Spiegelhalter, 2005)


def _funnel_inputs(numerators, denominators, statistic: str) -> tuple[np.ndarray, np.ndarray]:
    if statistic not in STATISTICS:
        raise ValueError(f"statistic must be one of {', '.join(STATISTICS)}, got {statistic!r}")
    x = np.atleast_1d(_values("numerators", numerators))
    n = np.atleast_1d(_values("denominators", denominators))
    if x.ndim != 1 or x.shape != n.shape or not len(x):
        raise ValueError("numerators and denominators must be lists of the same length, one value per area")
    if np.any(x < 0):
        raise ValueError("numerators must be greater than or equal to zero")
    if np.any(n <= 0):
        raise ValueError("denominators must be greater than zero")
    if statistic == "proportion" and np.any(x > n):
        raise ValueError("numerators must be less than or equal to denominator for a proportion statistic")
    return x, n


def _proportion_limit(level: float, n, average: float, side: str):
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


def _transformed(x: np.ndarray, n: np.ndarray, average: float, statistic: str):
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


def overdispersion(numerators, denominators, statistic: str = "rate") -> Overdispersion:
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
    numerators, denominators, statistic: str = "proportion", multiplier=None, overdispersed: bool = False
):
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
    if multiplier is not None and _scalar("multiplier", multiplier) <= 0:
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


def _label(high: list, low: list) -> str:
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


def funnel_limits(denominators, average: float, statistic: str = "rate", confidence=0.95, tau2: float = 0.0):
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
    n = np.atleast_1d(_values("denominators", denominators))
    if np.any(n <= 0):
        raise ValueError("denominators must be greater than zero")
    if statistic not in STATISTICS:
        raise ValueError(f"statistic must be one of {', '.join(STATISTICS)}, got {statistic!r}")
    average = _scalar("average", average)
    if not (0 < average < 1 if statistic == "proportion" else average > 0):
        raise ValueError("average must be above 0 (and below 1 for a proportion)")
    if _scalar("tau2", tau2) < 0:
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


def _solve(increasing, target: np.ndarray, high: np.ndarray) -> np.ndarray:
    """The count in [0, high] at which the increasing function reaches target (0 if it starts above)."""
    low, high = np.zeros_like(target), np.array(high, dtype=float)
    for _ in range(60):  # the bracket shrinks to 2^-60 of its width: float precision
        middle = (low + high) / 2
        below = np.asarray(increasing(middle)) < target
        low, high = np.where(below, middle, low), np.where(below, high, middle)
    return np.where(np.asarray(increasing(np.zeros_like(target))) >= target, 0.0, (low + high) / 2)


# --------------------------------------------------------------------------- one area against the rest of its group


def _versus_z(x, n, x_rest, n_rest, statistic: str, dispersion: float):
    """The z-score of ``versus_rest`` (``x`` may be an array of counts)."""
    x = np.asarray(x, dtype=float)
    if statistic == "rate":
        share, total = n / (n + n_rest), x + x_rest
        variance = dispersion * total * share * (1 - share)
        return np.divide(x - total * share, np.sqrt(variance), out=np.zeros_like(x), where=variance > 0)
    pooled = (x + x_rest) / (n + n_rest)
    variance = dispersion * pooled * (1 - pooled) * (1 / n + 1 / n_rest)
    return np.divide(x / n - x_rest / n_rest, np.sqrt(variance), out=np.zeros_like(x), where=variance > 0)


def _group_dispersion(n, n_rest, dispersion, rest_dispersion) -> float:
    """phi for the difference: the area's and the rest's, weighted by the other's share, never below 1."""
    for name, value in (("dispersion", dispersion), ("rest_dispersion", rest_dispersion)):
        if _scalar(name, value) < 0:
            raise ValueError(f"{name} must be zero or more, got {value!r}")
    share = n / (n + n_rest)
    return max(1.0, (1 - share) * dispersion + share * rest_dispersion)


def versus_rest(
    x, n, x_rest, n_rest, statistic: str = "rate", dispersion=1.0, rest_dispersion=1.0
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
    x, n, x_rest, n_rest = (
        _scalar(name, v) for name, v in (("x", x), ("n", n), ("x_rest", x_rest), ("n_rest", n_rest))
    )
    if min(x, x_rest) < 0 or min(n, n_rest) <= 0:
        raise ValueError("counts must be zero or more and denominators greater than zero")
    if statistic == "proportion" and (x > n or x_rest > n_rest):
        raise ValueError("numerators must not be greater than their denominators for a proportion")
    phi = _group_dispersion(n, n_rest, dispersion, rest_dispersion)
    z = float(_versus_z(x, n, x_rest, n_rest, statistic, phi))
    return z, float(2 * special.ndtr(-abs(z)))


def versus_rest_limits(
    n, x_rest, n_rest, statistic: str = "rate", dispersion=1.0, rest_dispersion=1.0, confidence=0.95
) -> tuple[float, float]:
    """The area's ``(lower, upper)`` value (a rate or proportion per 1) at which :func:`versus_rest` just reaches
    two-sided significance at ``confidence``: between them it is in line with the rest. Found by bisection on the
    area's count, z rising with it; a limit no count reaches is 0 (lower) or, for a proportion, 1 (upper)."""
    level = normalise_confidence(confidence)
    phi = _group_dispersion(n, n_rest, dispersion, rest_dispersion)
    critical = special.ndtri(0.5 + level / 2)
    z = lambda count: _versus_z(count, n, x_rest, n_rest, statistic, phi)  # noqa: E731
    top = np.array([n if statistic == "proportion" else 10 * (x_rest / n_rest * n + critical**2 * phi) + 10])
    limits = []
    for target in (-critical, critical):
        count = float(_solve(z, np.array([target]), top)[0])
        limits.append(count / n)
    return limits[0], min(limits[1], 1.0) if statistic == "proportion" else limits[1]
