"""Statistical process control as NHS England's "Making Data Count" (MDC) does it: XmR charts.

Limits (Wheeler, Understanding Variation, 1993; NHS Improvement, Making Data Count, 2019;
NHS-R's ``NHSRplotthedots``, whose rebasing and fixed baselines these follow):

* the series is cut into periods at declared steps (a change in the process, such as a
  lockdown); each period has its own limits, and no signal crosses a step;
* a period's limits come from its baseline: the declared baseline months when they lie in
  the period, otherwise its first ``BASELINE_POINTS`` (12) points, or all of them if it has
  fewer. Later points are judged against those limits, which are held, not recalculated;
* the centre line (in words "the usual level") is the baseline mean; MR-bar is the mean of
  |x[i] - x[i-1]| within the baseline; the process limits ("the usual range") are
  mean +/- 2.66 MR-bar; a point is "close to a limit" beyond two thirds of the way from the
  mean to it (mean +/- 1.773 MR-bar). The lower limit is not clipped at zero.

Signals, found within each period and flagged on every point they involve, each with one
name in words (``vocabulary.Rule``):

* ``beyond_limits``, an unusually high (low) month: a point above the upper (below the lower) limit;
* ``run``, a run above (below) the usual level: 7 or more points in a row above (below) the
  centre line; a point on it breaks the run;
* ``trend``, a rising (falling) trend: 7 or more points in a row each higher (lower) than the
  last; an equal value breaks it;
* ``two_of_three``, months close to the upper (lower) limit: 2 or 3 of 3 points in a row beyond
  two thirds of the way to the same limit (points beyond the limit count too); those are flagged.

A period whose baseline has fewer than ``MIN_POINTS`` (12) points gets limits but no signals.
Give monthly counts in time order, never rolling 12-month totals: overlapping sums are
autocorrelated, so runs and trends appear by construction.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from .vocabulary import Icon, Reading, Rule, Side
from .wording import signal_description

__all__ = [
    "MIN_POINTS",
    "BASELINE_POINTS",
    "RULES",
    "Limits",
    "XmR",
    "Signal",
    "xmr",
    "latest_signal",
    "read_signal",
    "variation_icon",
]

MIN_POINTS = 12
"""Fewest baseline points for which signals are reported."""
BASELINE_POINTS = 12
"""Points at the start of a period that set its limits when no baseline is declared."""
RUN_LENGTH = 7
TREND_LENGTH = 7
LIMIT_FACTOR = 2.66
CLOSE_FACTOR = 2 / 3 * LIMIT_FACTOR
RULES = tuple(rule.value for rule in Rule)  # in order: the first that flags a point names its signal
POLARITIES = ("lower_is_better", "higher_is_better", "no_polarity")


@dataclass(frozen=True)
class Limits:
    """One period's lines: it starts at ``start`` (a label of the index) and its limits come
    from the ``baseline`` labels (first, last), ``baseline_points`` points in all."""

    start: object
    baseline: tuple
    baseline_points: int
    mean: float
    mr_bar: float

    @property
    def upper(self) -> float:
        return self.mean + LIMIT_FACTOR * self.mr_bar

    @property
    def lower(self) -> float:
        return self.mean - LIMIT_FACTOR * self.mr_bar

    @property
    def judged(self) -> bool:
        """Whether the period's points are tested for signals (a baseline of ``MIN_POINTS`` or more)."""
        return self.baseline_points >= MIN_POINTS


@dataclass(frozen=True)
class XmR:
    """An XmR chart: its periods' limits plus one row per point.

    ``points`` has columns value, period (the period's position in ``periods``), baseline
    (whether the point helped set the limits), mean, upper, lower, near_upper, near_lower,
    and for each rule a flag column (beyond_limits, run, trend, two_of_three) and a side
    column (``<rule>_side``: 'high', 'low' or None). It keeps the index of a Series input.
    ``mean``, ``mr_bar``, ``upper`` and ``lower`` are the latest period's.
    """

    periods: tuple[Limits, ...]
    columns: dict  # the points' columns as arrays (cheap to read)
    index: pd.Index

    @cached_property
    def points(self) -> pd.DataFrame:
        return pd.DataFrame(self.columns, index=self.index)

    @property
    def mean(self) -> float:
        return self.periods[-1].mean

    @property
    def mr_bar(self) -> float:
        return self.periods[-1].mr_bar

    @property
    def upper(self) -> float:
        return self.periods[-1].upper

    @property
    def lower(self) -> float:
        return self.periods[-1].lower


@dataclass(frozen=True)
class Signal:
    """A special-cause signal at the latest point: its rule, side and description in words."""

    rule: str
    side: str
    description: str

    @property
    def name(self) -> str:
        """The kind of signal in words (``vocabulary.Rule``)."""
        return Rule.read(self.rule).signal_name(self.side)


def _as_series(values) -> pd.Series:
    series = values.astype(float) if isinstance(values, pd.Series) else pd.Series(values, dtype=float)
    if not np.all(np.isfinite(series.to_numpy())):
        raise ValueError("values must be finite numbers (fill or drop missing months first)")
    if len(series) < 2:
        raise ValueError("an XmR chart needs at least 2 values")
    return series


def _streaks(mask: np.ndarray, length: int) -> list[tuple[int, int]]:
    """``(start, stop)`` slices of each stretch of at least ``length`` True values."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], mask.astype(int), [0]))))
    return [(a, b) for a, b in zip(edges[::2], edges[1::2]) if b - a >= length]


def _trailing(mask: np.ndarray) -> int:
    """How many True values end ``mask``."""
    falses = np.flatnonzero(~mask)
    return len(mask) - 1 - falses[-1] if len(falses) else len(mask)


def _periods(index: pd.Index, steps, baseline) -> list[tuple[int, int, np.ndarray]]:
    """(start, stop, baseline positions) of each period. Steps are index labels that start a new
    period (those outside the series fall away); ``baseline`` is (first, last) labels."""
    labels = np.asarray(index, dtype=object)
    cuts = sorted({int(np.searchsorted(labels, step)) for step in steps} - {0, len(labels)})
    bounds = list(zip([0, *cuts], [*cuts, len(labels)]))
    declared = (labels >= baseline[0]) & (labels <= baseline[1]) if baseline else np.zeros(len(labels), bool)
    if sum(declared[a:b].any() for a, b in bounds) > 1:
        raise ValueError(f"the baseline {baseline[0]} to {baseline[1]} crosses a step")
    result = []
    for start, stop in bounds:
        inside = np.flatnonzero(declared[start:stop]) + start
        chosen = inside if len(inside) >= 2 else np.arange(start, min(stop, start + BASELINE_POINTS))
        result.append((start, stop, chosen))
    return result


def _flags(x: np.ndarray, mean: float, mr_bar: float) -> tuple[dict, dict]:
    """Per rule, a flag and a side per point of one period."""
    n = len(x)
    flags = {rule: np.zeros(n, bool) for rule in RULES}
    sides = {rule: np.full(n, None, object) for rule in RULES}
    upper, lower = mean + LIMIT_FACTOR * mr_bar, mean - LIMIT_FACTOR * mr_bar

    def mark(rule, start, stop, side):
        flags[rule][start:stop] = True
        sides[rule][start:stop] = side

    for mask, side in ((x > upper, "high"), (x < lower, "low")):
        flags["beyond_limits"] |= mask
        sides["beyond_limits"][mask] = side
    for mask, side in ((x > mean, "high"), (x < mean, "low")):
        for a, b in _streaks(mask, RUN_LENGTH):
            mark("run", a, b, side)
    steps = np.diff(x)
    trends = [
        (a, b, side)
        for mask, side in ((steps > 0, "high"), (steps < 0, "low"))
        for a, b in _streaks(mask, TREND_LENGTH - 1)
    ]
    for a, b, side in sorted(trends):  # in time order: a shared turning point takes the later trend
        mark("trend", a, b + 1, side)
    for mask, side in ((x > mean + CLOSE_FACTOR * mr_bar, "high"), (x < mean - CLOSE_FACTOR * mr_bar, "low")):
        windows = np.convolve(mask, np.ones(3, int), "valid") >= 2  # windows of 3 with 2 or 3 close points
        covered = np.zeros(n, bool)
        for offset in range(3):
            covered[offset : offset + len(windows)] |= windows
        flags["two_of_three"] |= mask & covered
        sides["two_of_three"][mask & covered] = side
    return flags, sides


def xmr(values, steps=(), baseline: tuple | None = None) -> XmR:
    """XmR chart of ``values`` (monthly counts in time order) with MDC signals per point.

    ``steps``: index labels (positions for a list) at which a new period starts; ``baseline``:
    (first, last) labels of the months that set the limits of the period holding them.
    """
    series = _as_series(values)
    x, n = series.to_numpy(), len(series)
    mean, mr_bar, period, baseline_point = np.zeros(n), np.zeros(n), np.zeros(n, int), np.zeros(n, bool)
    flags = {rule: np.zeros(n, bool) for rule in RULES}
    sides = {rule: np.full(n, None, object) for rule in RULES}
    periods = []
    for number, (start, stop, chosen) in enumerate(_periods(series.index, steps, baseline)):
        base = x[chosen]
        limits = Limits(
            series.index[start],
            (series.index[chosen[0]], series.index[chosen[-1]]),
            len(chosen),
            float(base.mean()),
            float(np.abs(np.diff(base)).mean()) if len(base) > 1 else 0.0,
        )
        periods.append(limits)
        mean[start:stop], mr_bar[start:stop], period[start:stop], baseline_point[chosen] = (
            limits.mean,
            limits.mr_bar,
            number,
            True,
        )
        if limits.judged:
            found, side = _flags(x[start:stop], limits.mean, limits.mr_bar)
            for rule in RULES:
                flags[rule][start:stop], sides[rule][start:stop] = found[rule], side[rule]
    columns = {
        "value": x,
        "period": period,
        "baseline": baseline_point,
        "mean": mean,
        "upper": mean + LIMIT_FACTOR * mr_bar,
        "lower": mean - LIMIT_FACTOR * mr_bar,
        "near_upper": mean + CLOSE_FACTOR * mr_bar,
        "near_lower": mean - CLOSE_FACTOR * mr_bar,
    }
    for rule in RULES:
        columns[rule], columns[f"{rule}_side"] = flags[rule], sides[rule]
    return XmR(tuple(periods), columns, series.index)


def latest_signal(chart: XmR) -> Signal | None:
    """The special-cause signal of ``chart`` involving its most recent point, or None.

    If several rules involve it, the first of beyond_limits, run, trend, two_of_three is
    reported; its description is plain words ("a run of 9 months above the usual level").
    A latest period with a baseline under ``MIN_POINTS`` points has no signals.
    """
    columns, period = chart.columns, chart.periods[-1]
    x = columns["value"][columns["period"] == len(chart.periods) - 1]
    for rule in RULES:
        if not columns[rule][-1]:
            continue
        side = columns[f"{rule}_side"][-1]
        if rule == "run":
            count = _trailing(x > period.mean if side == "high" else x < period.mean)
        elif rule == "trend":
            count = _trailing(np.diff(x) > 0 if side == "high" else np.diff(x) < 0) + 1
        elif rule == "two_of_three":
            recent = columns["value"][-3:]
            count = int(
                (recent > columns["near_upper"][-3:]).sum()
                if side == "high"
                else (recent < columns["near_lower"][-3:]).sum()
            )
        else:  # beyond the limits: the latest month alone
            count = 1
        return Signal(rule, side, signal_description(rule, side, count))
    return None


def read_signal(side: str, polarity: str) -> Reading:
    """Whether a signal on ``side`` ('high'/'low') is an 'improvement', 'concern' or 'neutral'.

    ``polarity`` is 'lower_is_better', 'higher_is_better' or 'no_polarity'
    (always 'neutral'), as MDC's variation icons.
    """
    if side not in ("high", "low"):
        raise ValueError(f"side must be 'high' or 'low', got {side!r}")
    if polarity not in POLARITIES:
        raise ValueError(f"polarity must be one of {', '.join(POLARITIES)}, got {polarity!r}")
    if polarity == "no_polarity":
        return Reading.NEUTRAL
    better = Side.LOW if polarity == "lower_is_better" else Side.HIGH
    return Reading.IMPROVEMENT if side == better else Reading.CONCERN


def variation_icon(signal: Signal | None, polarity: str) -> Icon:
    """MDC's variation icon for the latest point: ``common_cause``, or the reading and side of its
    signal (``concern_high``, ``improvement_low``, ``neutral_high`` …)."""
    if signal is None:
        return Icon.COMMON_CAUSE
    return Icon.of_signal(read_signal(signal.side, polarity), Side.read(signal.side))
