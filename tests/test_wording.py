"""Tests for helpers.analysis.wording: each phrase says the figures it is given, and only those."""

import pytest

from helpers.analysis import wording


@pytest.mark.parametrize(
    "rule, expected",
    [
        ("significance", "statistically significant at the 99% level, whatever its size"),
        ("percent_band", "more than 2.5% up or down, whether or not it is statistically significant"),
        ("both", "both statistically significant at the 99% level and more than 2.5% up or down"),
    ],
)
def test_the_change_rule_names_its_level_and_band(rule, expected):
    words = wording.change_rule(rule, 99.0, 2.5, widened=False)
    assert words.startswith("a change is called higher or lower") and words.endswith(expected)
    assert wording.change_rule(rule, 99.0, 2.5, widened=True) == words + wording.DISPERSION


def test_a_small_group_is_compared_against_the_rest_with_its_marks():
    words = wording.comparison("Shire", 3, "percent_band", 95.0, 5.0, False, 20, [("City", 2)])
    assert words.startswith("Each district is compared with the rest of Shire: the other 2 districts together")
    assert "It reads above (+) or below (−) only when it differs by more than 5%" in words
    assert "otherwise it is in line (=). These marks and words are not the ▲ ▼ ► arrows" in words
    assert "Spiegelhalter" not in words
    assert words.endswith(
        ". City is not compared: it is 2 of the 3 districts, so it can hardly differ from their total."
    )


def test_a_large_group_is_on_a_funnel_widened_by_spiegelhalter():
    words = wording.comparison("Shire", 25, "significance", 95.0, 5.0, True, 20, [])
    assert words.startswith("Each district is compared with the Shire value, the pooled average of its 25 districts")
    assert "statistically significant at the 95% level" in words
    assert "Because districts differ for many reasons besides chance, spiegelhalter's" in words
    assert "a group of 20 or more districts" in words and words.endswith("reads in line.")


def test_the_spc_method_names_its_steps_baseline_and_lengths():
    words = wording.spc_method(["March 2020 (lockdown)"], "April 2019 to March 2020", 12, 7, 6, 10)
    assert words.startswith("A new period, with its own limits, starts in March 2020 (lockdown). Each period's")
    assert "first 12 months, except the period holding April 2019 to March 2020, whose limits come from those" in words
    assert "7 or more months in a row above" in words and "6 or more months in a row each higher" in words
    assert "A period needs 10 baseline months" in words
    plain = wording.spc_method([], "", 12, 7, 7, 12)
    assert plain.startswith("Each period's limits come from its first 12 months: the usual level")


@pytest.mark.parametrize(
    "rule, side, count, expected",
    [
        ("beyond_limits", "high", 1, "the latest month was unusually high, above the usual range"),
        ("beyond_limits", "low", 1, "the latest month was unusually low, below the usual range"),
        ("run", "low", 9, "a run of 9 months below the usual level"),
        ("trend", "high", 7, "a trend of 7 months rising"),
        ("two_of_three", "low", 2, "two of the last three months close to the lower limit"),
        ("two_of_three", "high", 3, "three of the last three months close to the upper limit"),
    ],
)
def test_a_signal_is_described_by_its_rule_side_and_length(rule, side, count, expected):
    assert wording.signal_description(rule, side, count) == expected


def test_breaks_are_worded_with_their_month_and_shares():
    assert wording.step_words("May 2021", 0.02, 0.05) == (
        "From May 2021 the share of police.uk records without a location rose from 2.0% to 5.0% a month: these "
        "records are in no district's figures, so counts from then on are lower than they would otherwise be."
    )
    assert "fell from 5.0% to 2.0%" in wording.step_words("May 2021", 0.05, 0.02)
    assert wording.step_short("May 2021", 0.05, 0.02) == "fewer records without a location from May 2021"
    assert wording.few_rows_words("June 2021", 1234, 5678.4).startswith(
        "June 2021 holds only 1,234 police.uk records, under half the usual 5,678 a month"
    )
    assert wording.break_note(["a", "b"]) == (
        "The figures span a break in the police.uk data (a and b); see the data-quality section."
    )
    assert wording.breaks_rule(4).endswith("fewer than half the median of the 4 months either side of it")


def test_the_baseline_says_what_the_data_hold():
    none = wording.baseline_method("pre-pandemic", "2019", True, 36, None, 0, 3, "")
    assert (
        none
        == "The pre-pandemic baseline is 2019 (set in the parameters), but the data hold none of those months, so no indicator has a baseline."
    )
    short = wording.baseline_method("longer-term", "A to B", False, 36, "C to B", 8, 3, "A note.")
    assert short.startswith(
        "The longer-term baseline is the 36 months before the previous year's 12 months, A to B, as far as the data go: C to B."
    )
    assert "With only 8 months it holds only some seasons" in short
    assert "covers at least 3 years. A note." in short
    whole = wording.baseline_method("longer-term", "A to B", False, 36, "A to B", 36, 3, "")
    assert "A to B. Each indicator's baseline" in whole and "With only" not in whole
