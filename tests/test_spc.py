"""Tests for helpers.analysis.spc: XmR limits and Making Data Count signals."""
import numpy as np
import pandas as pd
import pytest

from helpers.analysis.spc import MIN_POINTS, Signal, chartable, latest_signal, read_signal, xmr

RULES = ("beyond_limits", "run", "trend", "two_of_three")
BASE = [10, 12] * 6  # 12 stable months: no run, no trend
STABLE = [10, 12, 11, 13, 12, 10, 11, 13, 12, 11, 10, 12]


def flagged(values):
    points = xmr(values).points
    return {rule: list(np.flatnonzero(points[rule])) for rule in RULES}


def test_limits_by_hand():
    chart = xmr(STABLE)
    # Sum 137 over 12 months; the 11 moving ranges 2,1,2,1,2,1,2,1,1,1,2 sum to 16.
    mean, mr_bar = 137 / 12, 16 / 11
    assert chart.mean == pytest.approx(mean, rel=1e-12)
    assert chart.mr_bar == pytest.approx(mr_bar, rel=1e-12)
    assert chart.sigma == pytest.approx(mr_bar / 1.128, rel=1e-12)
    assert chart.upper == pytest.approx(mean + 2.66 * mr_bar, rel=1e-12)  # 15.2858
    assert chart.lower == pytest.approx(mean - 2.66 * mr_bar, rel=1e-12)  # 7.5476
    assert chart.upper == pytest.approx(15.285758, rel=1e-6)
    points = chart.points
    assert list(points.columns[:4]) == ["value", "mean", "upper", "lower"]
    assert points["value"].tolist() == STABLE
    assert (points["upper"] == chart.upper).all()


def test_stable_series_has_no_signal():
    assert flagged(STABLE) == {rule: [] for rule in RULES}
    assert latest_signal(STABLE) is None


def test_run_of_seven_below_the_mean():
    values = BASE + [10, 9, 10, 9, 10, 9, 10]
    assert flagged(values) == {"beyond_limits": [], "run": list(range(12, 19)), "trend": [], "two_of_three": []}
    assert (xmr(values).points["run_side"].iloc[12:] == "low").all()
    assert latest_signal(values) == Signal("run", "low", "7 months in a row below the average")


def test_six_below_is_not_a_run():
    values = BASE + [10, 9, 10, 9, 10, 9]
    assert flagged(values)["run"] == []


def test_point_on_the_mean_breaks_a_run():
    values = [9] * 6 + [10] + [9] * 6 + [12] * 6  # mean exactly 10
    chart = xmr(values)
    assert chart.mean == 10
    assert not chart.points["run"].any()


def test_point_beyond_upper_limit():
    values = [10, 14] * 6 + [35]
    chart = xmr(values)
    assert chart.upper == pytest.approx(179 / 13 + 2.66 * 65 / 12, rel=1e-12)  # 28.18
    assert flagged(values) == {"beyond_limits": [12], "run": [], "trend": [], "two_of_three": []}
    assert latest_signal(values) == Signal("beyond_limits", "high", "latest month above the upper process limit")


def test_point_beyond_lower_limit():
    values = [30, 34] * 6 + [5]
    assert flagged(values)["beyond_limits"] == [12]
    assert latest_signal(values) == Signal("beyond_limits", "low", "latest month below the lower process limit")


def test_rising_trend_of_seven():
    values = [8, 14] * 6 + [9, 10, 11, 12, 13, 14, 15]
    chart = xmr(values)
    assert flagged(values) == {"beyond_limits": [], "run": [], "trend": list(range(12, 19)), "two_of_three": []}
    assert latest_signal(values) == Signal("trend", "high", "7 months in a row each higher than the last")
    assert chart.lower < 0  # not clipped at zero: -0.0105


def test_falling_trend_of_seven():
    values = [22 - v for v in [8, 14] * 6 + [9, 10, 11, 12, 13, 14, 15]]
    assert flagged(values)["trend"] == list(range(12, 19))
    assert latest_signal(values) == Signal("trend", "low", "7 months in a row each lower than the last")


def test_equal_values_break_a_trend():
    values = [8, 14] * 6 + [9, 10, 11, 11, 12, 13, 14]
    assert flagged(values)["trend"] == []


def test_turning_point_shared_by_two_trends_takes_the_later():
    values = [20, 21, 22, 23, 24, 25, 26, 25, 24, 23, 22, 21, 20]
    points = xmr(values).points
    assert points["trend"].all()
    assert points["trend_side"].tolist() == ["high"] * 6 + ["low"] * 7


def test_two_of_three_beyond_two_sigma():
    values = BASE + [17, 11, 17]
    chart = xmr(values)
    assert chart.mean + 2 * chart.sigma < 17 < chart.upper  # 16.74 < 17 < 19.21
    assert flagged(values) == {"beyond_limits": [], "run": [], "trend": [], "two_of_three": [12, 14]}
    assert latest_signal(values) == Signal(
        "two_of_three", "high", "2 of the last 3 months beyond 2 sigma above the average"
    )


def test_two_beyond_two_sigma_on_opposite_sides_is_not_a_signal():
    values = BASE + [17, 11, 5]
    chart = xmr(values)
    assert values[12] > chart.mean + 2 * chart.sigma and values[14] < chart.mean - 2 * chart.sigma
    assert flagged(values)["two_of_three"] == []


def test_priority_beyond_limit_over_run():
    values = [10, 12] * 6 + [30]  # the outlier also puts all 12 earlier months below the mean
    assert flagged(values)["run"] == list(range(12))
    assert latest_signal(values).rule == "beyond_limits"


def test_run_not_involving_the_latest_month_is_not_latest():
    values = BASE + [10, 9, 10, 9, 10, 9, 10, 12, 11]
    assert flagged(values)["run"] == list(range(12, 19))
    assert latest_signal(values) is None


def test_too_few_points_gives_no_signal():
    values = [10, 12] * 5 + [60]
    assert len(values) < MIN_POINTS
    chart = xmr(values)
    assert chart.upper > chart.mean
    assert not chart.points[list(RULES)].any().any()
    assert latest_signal(values) is None


def test_series_index_is_kept():
    months = pd.period_range("2023-04", periods=19, freq="M")
    values = pd.Series(BASE + [10, 9, 10, 9, 10, 9, 10], index=months)
    points = xmr(values).points
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


def test_crime_falling_reads_as_improvement():
    signal = latest_signal(BASE + [10, 9, 10, 9, 10, 9, 10])
    assert read_signal(signal.side, "lower_is_better") == "improvement"


def test_chartable_needs_every_month_and_enough_of_them():
    assert chartable(STABLE) and chartable(STABLE * 2)
    assert not chartable(STABLE[:-1])                  # 11 months: too few for signals
    assert not chartable(STABLE[:5] + [np.nan] + STABLE[6:] * 2)  # a month missing: no chart over the gap
