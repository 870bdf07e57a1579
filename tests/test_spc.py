"""Tests for helpers.analysis.spc: XmR limits from a baseline, periods, and Making Data Count signals.

Every expected value is worked by hand. ``BASE`` (10, 12 repeated) has mean 11 and MR-bar 2, so
its limits are 11 +/- 5.32 (5.68 to 16.32) and "close to a limit" starts at 11 +/- 3.547
(7.453 and 14.547).
"""

import numpy as np
import pandas as pd
import pytest

from helpers.analysis.spc import (
    MIN_POINTS,
    RULES,
    Signal,
    latest_signal,
    read_signal,
    variation_icon,
    xmr,
    xmr_charts,
)
from helpers.analysis.vocabulary import Rule

BASE = [10, 12] * 6  # 12 stable months: no run, no trend
STABLE = [10, 12, 11, 13, 12, 10, 11, 13, 12, 11, 10, 12]


def flagged(values, *args):
    points = xmr(values, *args).points
    return {rule: list(np.flatnonzero(points[rule])) for rule in RULES}


def signal(values, *args):
    return latest_signal(xmr(values, *args))


def test_limits_by_hand():
    chart = xmr(STABLE)
    # Sum 137 over 12 months; the 11 moving ranges 2,1,2,1,2,1,2,1,1,1,2 sum to 16.
    mean, mr_bar = 137 / 12, 16 / 11
    assert chart.mean == pytest.approx(mean, rel=1e-12)
    assert chart.mr_bar == pytest.approx(mr_bar, rel=1e-12)
    assert chart.upper == pytest.approx(mean + 2.66 * mr_bar, rel=1e-12)  # 15.2858
    assert chart.lower == pytest.approx(mean - 2.66 * mr_bar, rel=1e-12)  # 7.5476
    assert chart.upper == pytest.approx(15.285758, rel=1e-6)
    points = chart.points
    assert list(points.columns[:8]) == [
        "value",
        "period",
        "baseline",
        "mean",
        "upper",
        "lower",
        "near_upper",
        "near_lower",
    ]
    assert points["value"].tolist() == STABLE
    assert points["near_upper"].iloc[0] == pytest.approx(mean + 2 / 3 * 2.66 * mr_bar, rel=1e-12)  # 14.0054
    assert (points["upper"] == chart.upper).all() and points["baseline"].all()


def test_stable_series_has_no_signal():
    assert flagged(STABLE) == {rule: [] for rule in RULES}
    assert signal(STABLE) is None


def test_limits_come_from_the_first_12_points_and_are_held():
    values = BASE + [13] * 6  # six months at 13: above the mean of 11, inside the limits
    chart = xmr(values)
    assert chart.mean == 11 and chart.mr_bar == 2  # the last six months are not in the baseline
    assert chart.points["baseline"].tolist() == [True] * 12 + [False] * 6
    assert (chart.points["mean"] == 11).all()
    assert chart.periods[0].baseline == (0, 11) and chart.periods[0].baseline_points == 12


def test_run_of_seven_below_the_usual_level():
    values = BASE + [10, 9, 10, 9, 10, 9, 10]
    assert flagged(values) == {"beyond_limits": [], "run": list(range(12, 19)), "trend": [], "two_of_three": []}
    assert (xmr(values).points["run_side"].iloc[12:] == "low").all()
    assert signal(values) == Signal("run", "low", "a run of 7 months below the usual level")


def test_six_below_is_not_a_run():
    assert flagged(BASE + [10, 9, 10, 9, 10, 9])["run"] == []


def test_point_on_the_mean_breaks_a_run():
    values = [9, 11] * 6 + [9] * 6 + [10] + [9] * 6  # mean 10: six below, one on it, six below
    assert xmr(values).mean == 10
    assert not xmr(values).points["run"].any()


def test_point_beyond_upper_limit():
    values = [10, 14] * 6 + [35]
    chart = xmr(values)
    assert chart.upper == pytest.approx(12 + 2.66 * 4, rel=1e-12)  # 22.64: the outlier is not in the baseline
    assert flagged(values) == {"beyond_limits": [12], "run": [], "trend": [], "two_of_three": []}
    assert signal(values) == Signal(
        "beyond_limits", "high", "the latest month was unusually high, above the usual range"
    )


def test_point_beyond_lower_limit():
    values = [30, 34] * 6 + [5]  # lower limit 32 - 10.64 = 21.36
    assert flagged(values)["beyond_limits"] == [12]
    assert signal(values) == Signal("beyond_limits", "low", "the latest month was unusually low, below the usual range")


def test_rising_trend_of_seven():
    values = [8, 14] * 6 + [9, 10, 11, 12, 13, 14, 15]
    chart = xmr(values)
    assert flagged(values) == {"beyond_limits": [], "run": [], "trend": list(range(12, 19)), "two_of_three": []}
    assert signal(values) == Signal("trend", "high", "a trend of 7 months rising")
    assert chart.lower == pytest.approx(11 - 2.66 * 6)  # -4.96: not clipped at zero


def test_falling_trend_of_seven():
    values = [22 - v for v in [8, 14] * 6 + [9, 10, 11, 12, 13, 14, 15]]
    assert flagged(values)["trend"] == list(range(12, 19))
    assert signal(values) == Signal("trend", "low", "a trend of 7 months falling")


def test_equal_values_break_a_trend():
    assert flagged([8, 14] * 6 + [9, 10, 11, 11, 12, 13, 14])["trend"] == []


def test_turning_point_shared_by_two_trends_takes_the_later():
    points = xmr([20, 21, 22, 23, 24, 25, 26, 25, 24, 23, 22, 21, 20]).points
    assert points["trend"].all()
    assert points["trend_side"].tolist() == ["high"] * 6 + ["low"] * 7


def test_two_of_three_close_to_the_upper_limit():
    values = BASE + [15, 11, 16]  # 15 and 16 are between 14.547 and the limit 16.32; 11 is on the mean
    assert flagged(values) == {"beyond_limits": [], "run": [], "trend": [], "two_of_three": [12, 14]}
    assert signal(values) == Signal("two_of_three", "high", "two of the last three months close to the upper limit")


def test_three_of_three_close_to_the_lower_limit():
    values = BASE + [7, 7.2, 7.4]  # all below 7.453, above the limit 5.68; a rising run of 3 is no trend
    assert flagged(values)["two_of_three"] == [12, 13, 14]
    assert signal(values).description == "three of the last three months close to the lower limit"


def test_close_to_opposite_limits_is_not_a_signal():
    assert flagged(BASE + [15, 11, 7])["two_of_three"] == []


def test_priority_beyond_limit_over_run():
    values = BASE + [13] * 6 + [30]  # BASE's last 12, six 13s and 30: eight months above 11, the last beyond the limit
    assert flagged(values)["run"] == list(range(11, 19))
    assert signal(values).rule == "beyond_limits"


def test_run_not_involving_the_latest_month_is_not_latest():
    values = BASE + [10, 9, 10, 9, 10, 9, 10, 12, 11]
    assert flagged(values)["run"] == list(range(12, 19))
    assert signal(values) is None


def test_too_few_baseline_points_gives_no_signal():
    values = [10, 12] * 5 + [60]
    assert len(values) < MIN_POINTS
    chart = xmr(values)
    assert chart.upper > chart.mean and not chart.periods[0].judged
    assert not chart.points[list(RULES)].any().any()
    assert signal(values) is None


def test_declared_baseline_sets_the_limits():
    values = [10, 12] * 6 + [20, 22] * 6
    chart = xmr(values, (), (12, 23))
    assert (chart.mean, chart.mr_bar) == (21, 2)  # limits 15.68 to 26.32
    assert chart.points["baseline"].tolist() == [False] * 12 + [True] * 12
    assert flagged(values, (), (12, 23))["beyond_limits"] == list(range(12))  # the first year is unusually low


def test_a_step_starts_a_period_with_its_own_limits():
    values = [10, 12] * 6 + [20, 22] * 6
    assert flagged(values)["beyond_limits"] == list(range(12, 24))  # one period: the second year is beyond it
    chart = xmr(values, [12])
    assert [(p.start, p.mean, p.mr_bar) for p in chart.periods] == [(0, 11, 2), (12, 21, 2)]
    assert chart.points["period"].tolist() == [0] * 12 + [1] * 12
    assert flagged(values, [12]) == {rule: [] for rule in RULES}  # each period is stable
    assert latest_signal(chart) is None


def test_no_signal_runs_across_a_step():
    values = [10, 12] * 6 + [13] * 4 + [12, 14] * 6  # four months above 11, then a new period (mean 13)
    assert flagged(values)["run"] == list(range(11, 28))  # one period: the run reaches back to month 11
    assert flagged(values, [16])["run"] == []


def test_a_short_latest_period_is_not_judged():
    values = [10, 12] * 6 + [20, 22] * 3
    chart = xmr(values, [12])
    assert chart.periods[1].baseline_points == 6 and not chart.periods[1].judged
    assert latest_signal(chart) is None  # without the step the latest month is beyond the limits
    assert signal(values).rule == "beyond_limits"


def test_steps_and_baseline_by_month():
    months = [str(m) for m in pd.period_range("2020-10", periods=24, freq="M")]
    values = pd.Series([10, 12] * 6 + [20, 22] * 6, index=months)
    chart = xmr(values, ["2019-01", "2021-10", "2030-01"], ("2021-10", "2022-09"))  # steps outside fall away
    assert [p.start for p in chart.periods] == ["2020-10", "2021-10"]
    assert chart.periods[1].baseline == ("2021-10", "2022-09") and chart.mean == 21
    with pytest.raises(ValueError, match="crosses a step"):
        xmr(values, ["2021-10"], ("2021-06", "2022-03"))


def test_series_index_is_kept():
    months = pd.period_range("2023-04", periods=19, freq="M")
    points = xmr(pd.Series(BASE + [10, 9, 10, 9, 10, 9, 10], index=months)).points
    assert points.index.equals(months)
    assert points.loc[pd.Period("2024-10", "M"), "run_side"] == "low"


@pytest.mark.parametrize("bad", [[1.0, float("nan"), 3.0], [5], [], ["a", "b"]])
def test_xmr_rejects_bad_values(bad):
    with pytest.raises(ValueError):
        xmr(bad)


@pytest.mark.parametrize(
    "side, polarity, reading",
    [
        ("low", "lower_is_better", "improvement"),
        ("high", "lower_is_better", "concern"),
        ("high", "higher_is_better", "improvement"),
        ("low", "higher_is_better", "concern"),
        ("high", "no_polarity", "neutral"),
        ("low", "no_polarity", "neutral"),
    ],
)
def test_read_signal(side, polarity, reading):
    assert read_signal(side, polarity) == reading


@pytest.mark.parametrize("side, polarity", [("up", "lower_is_better"), ("low", "lower"), (None, "no_polarity")])
def test_read_signal_rejects_unknown(side, polarity):
    with pytest.raises(ValueError):
        read_signal(side, polarity)


def test_variation_icon_and_signal_name():
    falling = signal(BASE + [10, 9, 10, 9, 10, 9, 10])
    assert falling.name == "a run below the usual level" == Rule.RUN.signal_name("low")
    assert variation_icon(falling, "lower_is_better") == "improvement_low"
    assert variation_icon(falling, "higher_is_better") == "concern_low"
    assert variation_icon(falling, "no_polarity") == "neutral_low"
    assert variation_icon(None, "lower_is_better") == "common_cause"


def test_xmr_charts_gives_each_series_its_own_limits_and_signals():
    # three series over one index, charted together: the stable one (limits by hand as above), a run of 7 below
    # BASE's mean 11 and a rising trend of 7 after it
    index = pd.Index([f"2021-{m:02d}" for m in range(1, 13)] + [f"2022-{m:02d}" for m in range(1, 8)], dtype=object)
    rows = np.array(
        [STABLE + [11, 12, 11, 12, 11, 12, 11], BASE + [10, 9, 10, 9, 10, 9, 10], BASE + [5, 6, 7, 8, 9, 10, 11]],
        dtype=float,
    )
    stable, run, trend = xmr_charts(rows, index)
    assert stable.mean == pytest.approx(137 / 12, rel=1e-12) and stable.mr_bar == pytest.approx(16 / 11, rel=1e-12)
    assert run.mean == trend.mean == 11 and run.mr_bar == trend.mr_bar == 2
    assert list(stable.index) == list(index) and not stable.points[list(RULES)].any().any()
    assert list(np.flatnonzero(run.points["run"])) == list(range(12, 19))
    assert (run.points["run_side"].iloc[12:] == "low").all() and not run.points["trend"].any()
    assert list(np.flatnonzero(trend.points["trend"])) == list(range(12, 19))
    assert trend.points["trend_side"].iloc[12:].tolist() == ["high"] * 7
    assert latest_signal(trend) == Signal("trend", "high", "a trend of 7 months rising")
