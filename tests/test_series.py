"""series.csv: the monthly history of every indicator and area, checked against an independent count of the
bundled police.uk files and against its own rolling sums."""

from __future__ import annotations

import pandas as pd
import pytest

import board
from helpers.analysis.compute import compute
from helpers.presentation.series import COLUMNS, series_table, write_series_csv


@pytest.fixture(scope="module")
def results():
    return compute("2022-23-Q2")


@pytest.fixture(scope="module")
def table(results, tmp_path_factory):
    path = tmp_path_factory.mktemp("series") / "series.csv"
    write_series_csv(results, path)
    return pd.read_csv(path, dtype={"month": str})


def test_every_area_indicator_and_month_up_to_the_quarter(results, table):
    assert list(table.columns) == COLUMNS
    assert set(table["area"]) == set(board.AREAS)
    assert set(table["indicator_id"]) == set(results.catalogue)
    assert table["month"].max() == "2022-09"
    assert dict(zip(table["area"], table["area_code"])) == board.AREA_CODES


def test_monthly_counts_equal_an_independent_count(table, independent_police_counts):
    counts, _ = independent_police_counts
    crime = table[table["indicator_id"] == "total_crime"].set_index(["area", "month"])["numerator"]
    for district in board.DISTRICTS:
        for month in ("2019-12", "2021-06", "2022-09"):
            assert crime[(district, month)] == counts[(month, district, False)]


def test_the_rolling_12_months_are_the_sum_of_the_last_12_and_the_rate_follows(table):
    one = table[(table["indicator_id"] == "total_crime") & (table["area"] == "Charnwood")].set_index("month")
    assert one.loc["2022-09", "numerator_12m"] == one.loc["2021-10":"2022-09", "numerator"].sum()
    assert one.loc["2022-09", "rate_12m"] == pytest.approx(
        one.loc["2022-09", "numerator_12m"] / one.loc["2022-09", "denominator_12m"] * 10_000
    )
    assert pd.isna(one.loc["2020-06", "rate_12m"])  # fewer than 12 months held


def test_spc_signals_are_named_in_words(results):
    rows = series_table(results)
    named = rows["spc_signals"].dropna()
    words = {
        "an unusually high month",
        "an unusually low month",
        "a run above the usual level",
        "a run below the usual level",
        "a rising trend",
        "a falling trend",
        "months close to the upper limit",
        "months close to the lower limit",
    }
    assert len(named[named != ""]) and all(set(s.split("; ")) <= words for s in named if s)
    flagged = results.spc[results.spc["beyond_limits"] & (results.spc["beyond_limits_side"] == "high")].iloc[0]
    row = rows[
        (rows["indicator_id"] == flagged["indicator_id"])
        & (rows["area"] == flagged["area"])
        & (rows["month"] == flagged["month"])
    ].iloc[0]
    assert "an unusually high month" in row["spc_signals"]
