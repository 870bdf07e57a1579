"""Statistical process control: an XmR (individuals) chart of monthly counts.

Limits and signals follow NHS England's "Making Data Count" (MDC) guidance
(NHS Improvement, 2019; also the NHS-R ``NHSRplotthedots`` package):

* centre line = mean; MR-bar = mean of |x[i] - x[i-1]|;
* process limits = mean +/- 2.66 MR-bar; sigma = MR-bar / 1.128 (Wheeler,
  Understanding Variation, 1993). The lower limit is not clipped at zero: it
  keeps the symmetric maths, and a negative lower limit simply means no low
  point can fall beyond it.

Special-cause rules, each flagged on every point it involves:

* ``beyond_limits``: a point above the upper or below the lower process limit;
* ``run``: 7 or more consecutive points all above, or all below, the mean (a
  point exactly on the mean breaks the run);
* ``trend``: 7 or more consecutive points each higher than the last, or each
  lower (an equal value breaks the trend);
* ``two_of_three``: 2 or 3 of 3 consecutive points beyond 2 sigma on the same
  side of the mean (points beyond the process limit count too); the points
  beyond 2 sigma are flagged.

Signals need at least ``MIN_POINTS`` (12) values; with fewer the limits are
still computed but no point is flagged. Give monthly counts in time order, never
rolling 12-month totals: overlapping sums are autocorrelated, so runs and trends
appear by construction.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

__all__ = ["MIN_POINTS", "XmR", "Signal", "chartable", "xmr", "latest_signal", "read_signal"]

MIN_POINTS = 12
"""Fewest values for which signals are reported."""
RUN_LENGTH = 7
TREND_LENGTH = 7
LIMIT_FACTOR = 2.66
D2 = 1.128
POLARITIES = ("lower_is_better", "higher_is_better", "no_polarity")


@dataclass(frozen=True)
class XmR:
    """An XmR chart: the summary lines plus one row per point.

    ``points`` has columns value, mean, upper, lower, and for each rule a
    boolean column (beyond_limits, run, trend, two_of_three) and a side column
    (``<rule>_side``: 'high', 'low' or None). It keeps the index of a Series input.
    """

    mean: float
    mr_bar: float
    sigma: float
    upper: float
    lower: float
    points: pd.DataFrame


@dataclass(frozen=True)
class Signal:
    """A special-cause signal at the latest point."""

    rule: str
    side: str
    description: str


def _as_series(values) -> pd.Series:
    series = values.astype(float) if isinstance(values, pd.Series) else pd.Series(values, dtype=float)
    _array(series)
    return series


def _streaks(mask: np.ndarray, length: int) -> list[tuple[int, int]]:
    """``(start, stop)`` slices of each stretch of at least ``length`` True values."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], mask.astype(int), [0]))))
    return [(a, b) for a, b in zip(edges[::2], edges[1::2]) if b - a >= length]


def _trailing(mask: np.ndarray) -> int:
    """How many True values end ``mask``."""
    falses = np.flatnonzero(~mask)
    return len(mask) - 1 - falses[-1] if len(falses) else len(mask)


def _array(values) -> np.ndarray:
    x = np.asarray(values.to_numpy() if isinstance(values, pd.Series) else values, dtype=float)
    if not np.all(np.isfinite(x)):
        raise ValueError("values must be finite numbers (fill or drop missing months first)")
    return x


class _Lines(NamedTuple):
    mean: float
    mr_bar: float
    sigma: float
    upper: float
    lower: float


def _chart(x: np.ndarray) -> tuple[_Lines, dict, dict]:
    """The chart's lines and, per rule, a flag and a side per point (no DataFrame: cheap to call often)."""
    if len(x) < 2:
        raise ValueError("an XmR chart needs at least 2 values")
    mean = float(x.mean())
    mr_bar = float(np.abs(np.diff(x)).mean())
    sigma = mr_bar / D2
    upper, lower = mean + LIMIT_FACTOR * mr_bar, mean - LIMIT_FACTOR * mr_bar

    n = len(x)
    flags = {rule: np.zeros(n, bool) for rule in ("beyond_limits", "run", "trend", "two_of_three")}
    sides = {rule: np.full(n, None, object) for rule in flags}

    def mark(rule, start, stop, side):
        flags[rule][start:stop] = True
        sides[rule][start:stop] = side

    if n >= MIN_POINTS:
        for mask, side in ((x > upper, "high"), (x < lower, "low")):
            flags["beyond_limits"] |= mask
            sides["beyond_limits"][mask] = side
        for mask, side in ((x > mean, "high"), (x < mean, "low")):
            for a, b in _streaks(mask, RUN_LENGTH):
                mark("run", a, b, side)
        steps = np.diff(x)
        trends = [(a, b, side) for mask, side in ((steps > 0, "high"), (steps < 0, "low"))
                  for a, b in _streaks(mask, TREND_LENGTH - 1)]
        for a, b, side in sorted(trends):  # in time order: a shared turning point takes the later trend
            mark("trend", a, b + 1, side)
        for mask, side in ((x > mean + 2 * sigma, "high"), (x < mean - 2 * sigma, "low")):
            for i in range(n - 2):
                window = mask[i:i + 3]
                if window.sum() >= 2:
                    flags["two_of_three"][i:i + 3] |= window
                    sides["two_of_three"][i:i + 3][window] = side
    return _Lines(mean, mr_bar, sigma, upper, lower), flags, sides


def chartable(values) -> bool:
    """Whether monthly counts (missing months as NaN) get an XmR chart and signals: at least
    ``MIN_POINTS`` months, none missing. A gap would join months that are not adjacent."""
    x = np.asarray(values, dtype=float)
    return len(x) >= MIN_POINTS and not np.isnan(x).any()


def xmr(values) -> XmR:
    """XmR chart of ``values`` (monthly counts in time order) with MDC signals per point."""
    series = _as_series(values)
    x = series.to_numpy()
    lines, flags, sides = _chart(x)
    columns = {"value": x, "mean": lines.mean, "upper": lines.upper, "lower": lines.lower}
    for rule in flags:
        columns[rule] = flags[rule]
        columns[f"{rule}_side"] = sides[rule]
    return XmR(*lines, pd.DataFrame(columns, index=series.index))


def latest_signal(values) -> Signal | None:
    """The special-cause signal involving the most recent point, or None.

    If several rules involve it, the first of beyond_limits, run, trend,
    two_of_three is reported. Fewer than ``MIN_POINTS`` values give None.
    """
    x = _array(values)
    if len(x) < MIN_POINTS:
        return None
    chart, flags, sides = _chart(x)
    if flags["beyond_limits"][-1]:
        side = sides["beyond_limits"][-1]
        where = "above the upper" if side == "high" else "below the lower"
        return Signal("beyond_limits", side, f"latest month {where} process limit")
    if flags["run"][-1]:
        side = sides["run"][-1]
        count = _trailing(x > chart.mean if side == "high" else x < chart.mean)
        where = "above" if side == "high" else "below"
        return Signal("run", side, f"{count} months in a row {where} the average")
    if flags["trend"][-1]:
        side = sides["trend"][-1]
        steps = np.diff(x)
        count = _trailing(steps > 0 if side == "high" else steps < 0) + 1
        where = "higher" if side == "high" else "lower"
        return Signal("trend", side, f"{count} months in a row each {where} than the last")
    if flags["two_of_three"][-1]:
        side = sides["two_of_three"][-1]
        recent = x[-3:]
        beyond = recent > chart.mean + 2 * chart.sigma if side == "high" else recent < chart.mean - 2 * chart.sigma
        where = "above" if side == "high" else "below"
        return Signal("two_of_three", side, f"{beyond.sum()} of the last 3 months beyond 2 sigma {where} the average")
    return None


def read_signal(side: str, polarity: str) -> str:
    """Whether a signal on ``side`` ('high'/'low') is an 'improvement', 'concern' or 'neutral'.

    ``polarity`` is 'lower_is_better', 'higher_is_better' or 'no_polarity'
    (always 'neutral'), as MDC's variation icons.
    """
    if side not in ("high", "low"):
        raise ValueError(f"side must be 'high' or 'low', got {side!r}")
    if polarity not in POLARITIES:
        raise ValueError(f"polarity must be one of {', '.join(POLARITIES)}, got {polarity!r}")
    if polarity == "no_polarity":
        return "neutral"
    better = "low" if polarity == "lower_is_better" else "high"
    return "improvement" if side == better else "concern"
