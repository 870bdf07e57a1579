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

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

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
    "xmr_charts",
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


def _as_series(values: object) -> pd.Series:
    series = values.astype(float) if isinstance(values, pd.Series) else pd.Series(values, dtype=float)
    if not np.all(np.isfinite(series.to_numpy())):
        raise ValueError("values must be finite numbers (fill or drop missing months first)")
    if len(series) < 2:
        raise ValueError("an XmR chart needs at least 2 values")
    return series


def _streaks(mask: np.ndarray, length: int) -> np.ndarray:
    """Which values of each row of ``mask`` lie in a stretch of at least ``length`` True values: a value's stretch
    runs from the last False before it to the first False after it."""
    position = np.arange(mask.shape[1])
    after_false = np.maximum.accumulate(np.where(mask, -1, position), axis=1)  # the last False at or before
    before_false = np.minimum.accumulate(np.where(mask, mask.shape[1], position)[:, ::-1], axis=1)[:, ::-1]
    return mask & (before_false - after_false - 1 >= length)


def _trailing(mask: np.ndarray) -> int:
    """How many True values end ``mask``."""
    falses = np.flatnonzero(~mask)
    return len(mask) - 1 - falses[-1] if len(falses) else len(mask)


def _periods(index: pd.Index, steps: Iterable[Any], baseline: tuple | None) -> list[tuple[int, int, np.ndarray]]:
    """(start, stop, baseline positions) of each period. Steps are index labels that start a new
    period (those outside the series fall away); ``baseline`` is (first, last) labels."""
    labels = np.asarray(index, dtype=object)
    cuts = sorted({int(np.searchsorted(labels, step)) for step in steps} - {0, len(labels)})
    bounds = list(zip([0, *cuts], [*cuts, len(labels)]))
    declared = (labels >= baseline[0]) & (labels <= baseline[1]) if baseline else np.zeros(len(labels), bool)
    if baseline and sum(declared[a:b].any() for a, b in bounds) > 1:
        raise ValueError(f"the baseline {baseline[0]} to {baseline[1]} crosses a step")
    result = []
    for start, stop in bounds:
        inside = np.flatnonzero(declared[start:stop]) + start
        chosen = inside if len(inside) >= 2 else np.arange(start, min(stop, start + BASELINE_POINTS))
        result.append((start, stop, chosen))
    return result


def _flags(x: np.ndarray, mean: np.ndarray, mr_bar: np.ndarray) -> tuple[dict, dict]:
    """Per rule, a flag and a side per point of one period of each series (``x``: one row per series; ``mean``
    and ``mr_bar``: one value per row, as a column)."""
    flags = {rule: np.zeros(x.shape, bool) for rule in RULES}
    sides = {rule: np.full(x.shape, None, object) for rule in RULES}
    upper, lower = mean + LIMIT_FACTOR * mr_bar, mean - LIMIT_FACTOR * mr_bar
    for rule, high, low in (
        ("beyond_limits", x > upper, x < lower),
        ("run", _streaks(x > mean, RUN_LENGTH), _streaks(x < mean, RUN_LENGTH)),
    ):
        flags[rule] = high | low
        sides[rule][high], sides[rule][low] = "high", "low"
    # a trend of TREND_LENGTH points is TREND_LENGTH - 1 steps in a row up (down), marked on the points either side
    # of each step; a turning point shared by two trends takes the later, the one its next step is part of
    steps = np.diff(x, axis=1)
    rising, falling = _streaks(steps > 0, TREND_LENGTH - 1), _streaks(steps < 0, TREND_LENGTH - 1)
    edge = np.zeros((len(x), 1), bool)
    for trend, side in ((rising, "high"), (falling, "low")):
        sides["trend"][np.hstack([edge, trend])] = side  # the point after a step
    for trend, side in ((rising, "high"), (falling, "low")):
        sides["trend"][np.hstack([trend, edge])] = side  # the point before a step: the later trend's start
    flags["trend"] = sides["trend"] != None  # noqa: E711 (elementwise on an object array)
    for mask, side in ((x > mean + CLOSE_FACTOR * mr_bar, "high"), (x < mean - CLOSE_FACTOR * mr_bar, "low")):
        windows = mask[:, :-2].astype(int) + mask[:, 1:-1] + mask[:, 2:] >= 2  # windows of 3 with 2 or 3 close points
        covered = np.zeros(x.shape, bool)
        for offset in range(3):
            covered[:, offset : offset + windows.shape[1]] |= windows
        flags["two_of_three"] |= mask & covered
        sides["two_of_three"][mask & covered] = side
    return flags, sides


def xmr(values: object, steps: Iterable[Any] = (), baseline: tuple | None = None) -> XmR:
    """XmR chart of ``values`` (monthly counts in time order) with MDC signals per point.

    ``steps``: index labels (positions for a list) at which a new period starts; ``baseline``:
    (first, last) labels of the months that set the limits of the period holding them.
    """
    series = _as_series(values)
    return xmr_charts(series.to_numpy()[np.newaxis], series.index, steps, baseline)[0]


def xmr_charts(
    values: np.ndarray, index: pd.Index, steps: Iterable[Any] = (), baseline: tuple | None = None
) -> list[XmR]:
    """:func:`xmr` of every row of ``values`` (finite monthly counts, one series per row, all over ``index``),
    computed for all rows at once."""
    x = np.asarray(values, dtype=float)
    if not np.all(np.isfinite(x)):
        raise ValueError("values must be finite numbers (fill or drop missing months first)")
    rows, n = x.shape
    mean, mr_bar, period, baseline_point = np.zeros(x.shape), np.zeros(x.shape), np.zeros(n, int), np.zeros(n, bool)
    flags = {rule: np.zeros(x.shape, bool) for rule in RULES}
    sides = {rule: np.full(x.shape, None, object) for rule in RULES}
    periods: list[list[Limits]] = [[] for _ in range(rows)]
    for number, (start, stop, chosen) in enumerate(_periods(index, steps, baseline)):
        base = x[:, chosen]
        centre = base.mean(axis=1)
        spread = np.abs(np.diff(base, axis=1)).mean(axis=1) if len(chosen) > 1 else np.zeros(rows)
        for row in range(rows):
            periods[row].append(
                Limits(
                    index[start],
                    (index[chosen[0]], index[chosen[-1]]),
                    len(chosen),
                    float(centre[row]),
                    float(spread[row]),
                )
            )
        mean[:, start:stop], mr_bar[:, start:stop] = centre[:, np.newaxis], spread[:, np.newaxis]
        period[start:stop], baseline_point[chosen] = number, True
        if len(chosen) >= MIN_POINTS:
            found, side = _flags(x[:, start:stop], centre[:, np.newaxis], spread[:, np.newaxis])
            for rule in RULES:
                flags[rule][:, start:stop], sides[rule][:, start:stop] = found[rule], side[rule]
    upper, lower = mean + LIMIT_FACTOR * mr_bar, mean - LIMIT_FACTOR * mr_bar
    near_upper, near_lower = mean + CLOSE_FACTOR * mr_bar, mean - CLOSE_FACTOR * mr_bar
    charts = []
    for row in range(rows):
        columns = {
            "value": x[row],
            "period": period,
            "baseline": baseline_point,
            "mean": mean[row],
            "upper": upper[row],
            "lower": lower[row],
            "near_upper": near_upper[row],
            "near_lower": near_lower[row],
        }
        for rule in RULES:
            columns[rule], columns[f"{rule}_side"] = flags[rule][row], sides[rule][row]
        charts.append(XmR(tuple(periods[row]), columns, index))
    return charts


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
