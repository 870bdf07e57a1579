"""Missing data in words (helpers.analysis.gaps), and how the report, paper and "what changed" use it.

The wording tests use hand-made months and rows; the last tests build a quarter whose local
extract stops a year early, as an analyst meets it.
"""

from __future__ import annotations

import csv
import html

import pandas as pd
import pytest

import board
from helpers import config
from helpers.analysis import compute as pipeline
from helpers.analysis.gaps import (
    cause_lines,
    data_gaps,
    join_words,
    last_quarter_lines,
    missing_cause,
    month_ranges,
    months_held,
    period_months,
    section_line,
)
from helpers.analysis.results import Results
from helpers.presentation import render, report
from helpers.presentation.paper import check_consistency, paper_markdown


def months(first, last):
    return [str(m) for m in pd.period_range(first, last, freq="M")]


# --- months as ranges ----------------------------------------------------------------------


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


def test_period_months_reads_rolling_values_missing_text():
    assert period_months("2022-03, 2022-05", quarterly=False) == [pd.Period("2022-03", "M"), pd.Period("2022-05", "M")]
    # a quarter is named by its last month: 2022-06 is April to June
    assert [str(m) for m in period_months("2022-03, 2022-06", quarterly=True)] == months("2022-01", "2022-06")
    assert period_months("", quarterly=False) == []


# --- the cause of one gap ------------------------------------------------------------------

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


def test_data_gaps_leave_out_params_reasons_and_complete_rows():
    table = rows(
        ("a", "A", "not available", LOCAL),
        ("b", "B", "not available", "Recording system changed."),
        ("c", "C", "available", ""),
        ("d", "D", "available", POLICE),
    )
    assert list(data_gaps(table, {"b": "Recording system changed."})["indicator_id"]) == ["a", "d"]


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


# --- a quarter whose local extract stops a year early ----------------------------------------


@pytest.fixture(scope="module")
def short_extract(tmp_path_factory):
    """2022-23 Q2 with a local extract that ends September 2021: a whole year of local data missing
    this quarter (October 2021 to September 2022) and last quarter (October 2021 to June 2022)."""
    path = tmp_path_factory.mktemp("local") / "local.csv"
    with open(config.LOCAL_SAMPLE, newline="") as source, open(path, "w", newline="") as target:
        reader, writer = csv.DictReader(source), None
        writer = csv.DictWriter(target, reader.fieldnames)
        writer.writeheader()
        for row in reader:
            period = row["period"]
            if "Q" in period:  # 2021-22-Q2 ends September 2021
                start, q = int(period[:4]), int(period[-1])
                end = pd.Period(year=start + (q == 4), month={1: 6, 2: 9, 3: 12, 4: 3}[q], freq="M")
            else:
                end = pd.Period(period, "M")
            if end <= pd.Period("2021-09", "M"):
                writer.writerow(row)
    return pipeline.compute("2022-23-Q2", local=path)


LOCAL_NOW = "no local figures for October 2021 to September 2022 (the local extract ends September 2021)."


def local_rows(results):
    """The partnership's local indicators (params' unavailable ones aside), and their titles by section."""
    rows = results.rows()
    local = rows[(rows["source"] == "local") & ~rows["indicator_id"].isin(list(results.settings.unavailable))]
    return local, {s: list(local.loc[local["section"] == s, "title"]) for s in config.SECTIONS}


def test_every_local_indicator_shares_one_reason(short_extract):
    local, _ = local_rows(short_extract)
    assert len(local) > 1 and (local["status"] == "not available").all()
    assert set(local["reason"]) == {LOCAL_NOW}


def test_key_points_state_the_cause_once(short_extract):
    text = html.unescape(render.key_points(short_extract).data)
    local, _ = local_rows(short_extract)
    assert text.count("the local extract ends September 2021") == 1  # once, naming every indicator it takes
    assert (
        f"No local figures for October 2021 to September 2022 (the local extract ends September 2021), so "
        f"{len(local)} indicators are not available: {join_words(local['title'])}."
    ) in text
    assert "2021-10" not in text


def test_paper_states_the_cause_once_and_refers_to_it(short_extract):
    paper = paper_markdown(short_extract)
    _, by_section = local_rows(short_extract)
    assert paper.count("the local extract ends September 2021") == 1  # once; the priorities refer to it
    cause = next(line for line in paper.splitlines() if "(the local extract ends September 2021), so" in line)
    number = cause.split(".")[0]
    for titles in by_section.values():
        assert not titles or f"Not available (data missing, see paragraph {number}): {join_words(titles)}." in paper
    assert "2021-10" not in paper
    check_consistency(short_extract.table, board.PARTNERSHIP, {"board-paper.md": paper}, short_extract.quarter)


def test_what_changed_says_last_quarter_could_not_be_computed(short_extract):
    gaps = short_extract.last_quarter_gaps
    assert "violence_with_injury" in set(gaps["indicator_id"])
    assert "violence_with_injury" not in set(short_extract.changes["indicator_id"])
    line = (
        "Last quarter's figures could not be computed for "
        + join_words(gaps["title"])
        + ": no local figures for October 2021 to June 2022 (the local extract ends September 2021)."
    )
    text = html.unescape(render.what_changed(short_extract).data)  # the report's: the paper leaves it to the report
    assert line in text and "No indicator changed" not in text


def test_what_changed_when_no_indicator_can_be_compared(short_extract):
    everything = short_extract.rows()[["indicator_id", "title", "status", "reason"]].assign(
        status="not available", reason=LOCAL_NOW
    )
    none = Results(
        **{**vars(short_extract), "changes": short_extract.changes.iloc[:0], "last_quarter_gaps": everything}
    )
    text = render.what_changed(none).data
    assert "No indicator can be compared with last quarter." in text and "changed its judgement" not in text
    some = Results(**{**vars(short_extract), "changes": short_extract.changes.iloc[:0]})
    assert "No other indicator changed its judgement" in render.what_changed(some).data


def test_dashboard_gives_a_short_cause_and_data_quality_lists_the_indicators(short_extract):
    dashboard = render.dashboard_table(short_extract)
    assert "Not available: local figures missing (see <a href='#data-quality'>data quality</a>)" in dashboard
    assert "the local extract ends" not in dashboard
    notes = html.unescape(report.data_quality(short_extract))
    local, _ = local_rows(short_extract)
    assert notes.count("the local extract ends September 2021") == 1
    assert f"so {len(local)} indicators are not available: {join_words(local['title'])}." in notes


def test_months_held_names_the_span_its_length_and_the_gaps():
    monthly = pd.DataFrame(
        {
            "indicator_id": ["crime"] * 5 + ["local"] * 2 + ["crime"],
            "area": ["A", "A", "A", "A", "B", "A", "A", "B"],
            "month": ["2021-11", "2021-12", "2022-03", "2022-04", "2022-01", "2022-01", "2022-02", "2022-02"],
            "numerator": [1, 2, 3, 4, 5, 6, 7, None],
        }
    )
    assert months_held(monthly, ["crime"], ["A", "B", "C"]) == {
        "A": "November 2021 to April 2022 (4 months); missing: January to February 2022",
        "B": "January 2022 (1 month)",
        "C": "no months",
    }
