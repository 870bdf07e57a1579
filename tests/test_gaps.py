"""Missing data (helpers.analysis.gaps), and how the report, paper and "what changed" word it (the phrases
themselves are tested in test_wording.py).

The first tests use hand-made months and rows; the last build a quarter whose local extract stops a year
early, as an analyst meets it.
"""

from __future__ import annotations

import csv
import html

import pandas as pd
import pytest

import board
from helpers import config
from helpers.analysis import compute as pipeline
from helpers.analysis.gaps import data_gaps, months_held, period_months
from helpers.analysis.results import Results
from helpers.analysis.wording import join_words
from helpers.presentation import render, report
from helpers.presentation.paper import check_consistency, paper_markdown


def months(first, last):
    return [str(m) for m in pd.period_range(first, last, freq="M")]


# --- the months of a gap -------------------------------------------------------------------


def test_period_months_reads_rolling_values_missing_text():
    assert period_months("2022-03, 2022-05", quarterly=False) == [pd.Period("2022-03", "M"), pd.Period("2022-05", "M")]
    # a quarter is named by its last month: 2022-06 is April to June
    assert [str(m) for m in period_months("2022-03, 2022-06", quarterly=True)] == months("2022-01", "2022-06")
    assert period_months("", quarterly=False) == []


# --- the rows missing data -----------------------------------------------------------------


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
