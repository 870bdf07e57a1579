"""Tests for helpers.analysis.wording: each phrase says the figures it is given, and only those."""

import pandas as pd
import pytest

from helpers.analysis import wording
from helpers.analysis.wording import (
    cause_lines,
    join_words,
    last_quarter_lines,
    missing_cause,
    month_ranges,
    section_line,
)


def months(first, last):
    return [str(m) for m in pd.period_range(first, last, freq="M")]


# --- lists, months and missing data -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "given, words",
    [
        (months("2025-01", "2025-12"), "January to December 2025"),
        (months("2024-05", "2024-12"), "May to December 2024"),
        (["2024-03"], "March 2024"),
        (months("2024-11", "2025-02"), "November 2024 to February 2025"),
        (months("2025-01", "2025-03") + ["2025-06"], "January to March and June 2025"),
        (["2024-01", "2024-03", "2024-04", "2024-09"], "January, March to April and September 2024"),
        (["2024-01", "2024-03", "2025-06"], "January and March 2024 and June 2025"),
        (months("2024-11", "2025-01") + ["2025-04"], "November 2024 to January 2025 and April 2025"),
        (["2022-06", "2022-05", "2022-05", "2022-04"], "April to June 2022"),  # any order, repeats once
    ],
)
def test_month_ranges(given, words):
    assert month_ranges(given) == words
    assert month_ranges(pd.Period(m, "M") for m in given) == words


def test_join_words():
    assert join_words([]) == ""
    assert join_words(["A"]) == "A"
    assert join_words(["A", "B"]) == "A and B"
    assert join_words(["A", "B", "C"]) == "A, B and C"


P = lambda text: pd.Period(text, "M")  # noqa: E731
EXTRACT = (P("2019-12"), P("2022-09"))


def test_police_cause_names_the_missing_files():
    assert (
        missing_cause("police_uk", [P(m) for m in months("2024-05", "2024-12")])
        == "the police.uk files for May to December 2024 are missing."
    )


def test_local_cause_after_the_extract_ends():
    assert (
        missing_cause("local", [P(m) for m in months("2025-01", "2025-12")], covered=EXTRACT, extract=EXTRACT)
        == "no local figures for January to December 2025 (the local extract ends September 2022)."
    )


def test_local_cause_when_only_this_indicator_stops_early():
    covered = (P("2019-12"), P("2022-06"))
    assert (
        missing_cause("local", [P("2022-07"), P("2022-08"), P("2022-09")], covered=covered, extract=EXTRACT)
        == "no local figures for July to September 2022 (the local extract has none after June 2022)."
    )


def test_local_cause_before_the_extract_starts():
    extract = (P("2021-04"), P("2022-09"))
    assert (
        missing_cause("local", [P(m) for m in months("2020-10", "2021-03")], covered=extract, extract=extract)
        == "no local figures for October 2020 to March 2021 (the local extract starts April 2021)."
    )
    assert (
        missing_cause("local", [P("2021-03")], covered=(P("2021-06"), P("2022-09")), extract=extract)
        == "no local figures for March 2021 (the local extract has none before June 2021)."
    )


def test_local_cause_for_an_indicator_not_in_the_extract():
    assert (
        missing_cause("local", [P(m) for m in months("2021-10", "2022-09")], covered=None, extract=EXTRACT)
        == "no local figures for October 2021 to September 2022 (not in the local extract)."
    )


def test_local_cause_inside_the_extract_names_the_districts_that_lack_it():
    members = {"Blaby": [P("2022-04")], "Charnwood": [], "Melton": [P("2022-03")]}
    assert (
        missing_cause("local", [P("2022-03"), P("2022-04")], members, covered=EXTRACT, extract=EXTRACT)
        == "no local figures from Blaby and Melton for March to April 2022."
    )
    everyone = {"Blaby": [P("2022-03")], "Melton": [P("2022-03")]}
    assert (
        missing_cause("local", [P("2022-03")], everyone, covered=EXTRACT, extract=EXTRACT)
        == "no local figures for March 2022."
    )
    assert (
        missing_cause("local", [P("2022-03")], covered=EXTRACT, extract=EXTRACT) == "no local figures for March 2022."
    )


def test_local_cause_with_a_gap_and_an_early_end_gives_each_its_reason():
    covered = (P("2019-12"), P("2022-06"))
    members = {"Blaby": [P("2022-07")], "Melton": [P("2022-03"), P("2022-07")]}
    assert (
        missing_cause("local", [P("2022-03"), P("2022-07")], members, covered=covered, extract=covered)
        == "no local figures from Melton for March 2022, and none for July 2022 (the local extract ends June 2022)."
    )


# --- one line per cause --------------------------------------------------------------------


LOCAL = "no local figures for October 2021 to September 2022 (the local extract ends September 2021)."
POLICE = "the police.uk files for October 2020 to March 2021 are missing."


def rows(*items):
    return pd.DataFrame(items, columns=["indicator_id", "title", "status", "reason"])


def test_cause_lines_state_each_cause_once_with_its_indicators():
    gaps = rows(
        ("a", "Hate crimes", "not available", LOCAL),
        ("b", "Total recorded crime", "available", POLICE),
        ("c", "ASB personal", "not available", LOCAL),
        ("d", "Robbery", "available", POLICE),
        ("e", "Sexual offences", "not available", LOCAL),
    )
    assert cause_lines(gaps) == [
        "No local figures for October 2021 to September 2022 (the local extract ends September 2021), so 3 indicators "
        "are not available: Hate crimes, ASB personal and Sexual offences.",
        "The police.uk files for October 2020 to March 2021 are missing, so 2 indicators are shown for this year only, "
        "not compared with the previous year: Total recorded crime and Robbery.",
    ]
    assert cause_lines(gaps.iloc[:1]) == [
        "No local figures for October 2021 to September 2022 (the local extract ends September 2021), so one indicator "
        "is not available: Hate crimes."
    ]
    assert cause_lines(gaps.iloc[:0]) == []


def test_section_line():
    assert (
        section_line(["ASB nuisance", "ASB personal"], "see paragraph 5")
        == "Not available (data missing, see paragraph 5): ASB nuisance and ASB personal."
    )


def test_last_quarter_lines_say_why_there_is_no_comparison():
    gaps = rows(
        ("a", "Hate crimes", "not available", LOCAL),
        ("b", "Robbery", "available", POLICE),
        ("c", "ASB personal", "not available", LOCAL),
    )
    assert last_quarter_lines(gaps) == [
        "Last quarter's figures could not be computed for Hate crimes and ASB personal: " + LOCAL,
        "Last quarter had no comparison with the previous year for Robbery: " + POLICE,
    ]


# --- the rules, signals, breaks and baseline ---------------------------------------------------------------


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
