"""helpers.analysis.table_schema: the indicator table's columns, kinds and words, checked on a table built from the
small fixtures of test_indicators; each kind of departure is one line naming the column."""

import numpy as np
import pandas as pd
import pytest

import board
from helpers.analysis.assess import assess
from helpers.analysis.context import add_context, baseline_values, find_baseline, series_extremes
from helpers.analysis.indicators import monthly_numerators, quarter_table, rolling_values
from helpers.analysis.table_schema import INDICATOR_TABLE, problems
from helpers.inputs.params import Settings
from helpers.quarters import window
from test_indicators import CATALOGUE, MONTHS, Q2, local_rows, police_counts, population


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    """The whole table compute builds, from the fixtures: figures, judgements, the group comparison, context."""
    areas, settings = board.BOARD.areas, Settings()
    monthly = monthly_numerators(police_counts(), local_rows(), CATALOGUE, MONTHS, areas)
    rolling = rolling_values(monthly, CATALOGUE, population(), list(window(Q2.end_month, 24)), areas)
    quarter = quarter_table(rolling, monthly, CATALOGUE, Q2, {"pct": "Recording system changed."}, False, areas)
    judged = assess(quarter, monthly, CATALOGUE, settings, Q2)
    baseline = find_baseline(settings, Q2, MONTHS, [2021, 2022], None)
    return add_context(
        judged,
        monthly,
        CATALOGUE,
        population(),
        Q2,
        settings,
        None,
        areas,
        baseline_values(monthly, CATALOGUE, population(), baseline, areas),
        series_extremes(rolling, Q2.end_month),
    )


def test_a_table_built_from_fixtures_conforms(table):
    assert list(table.columns) == list(INDICATOR_TABLE)
    assert problems(table) == []
    assert set(table["status"]) == {"available", "not available"}  # both kinds of row are checked


def test_a_missing_and_an_extra_column_are_named(table):
    changed = table.drop(columns=["judgement"]).assign(verdict="stable")
    assert problems(changed) == ["column judgement is missing", "column verdict is not in the schema"]


@pytest.mark.parametrize(
    "column, value, problem",
    [
        ("judgement", "worse", "column judgement holds 'worse', outside"),
        ("area", None, "column area is empty in 1 rows"),
        ("value", "12.5", "column value holds object, not numbers"),
        ("illustrative", None, "column illustrative is empty in 1 rows"),
        ("significant", "yes", "column significant holds values other than true, false or none"),
        ("title", 3, "column title holds values other than text"),
    ],
)
def test_each_departure_is_one_line_naming_the_column(table, column, value, problem):
    bad = table.copy()
    bad[column] = bad[column].astype(object)
    bad.loc[bad.index[0], column] = value
    [found] = problems(bad)
    assert found.startswith(problem)


def test_numbers_may_be_missing_but_text_may_not(table):
    bad = table.copy()
    bad.loc[bad.index[0], "value"] = np.nan
    assert problems(bad) == []
    bad.loc[bad.index[0], "reason"] = np.nan
    assert problems(bad) == ["column reason is empty in 1 rows"]
