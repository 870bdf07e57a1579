"""helpers.analysis.breaks: steps in the share of police.uk records without a location, and months with few records.

Hand-made months: 10,000 records a month; the share without a location is 0.5% until a step.
"""

import pandas as pd
import pytest

from helpers.analysis.breaks import break_note, data_breaks
from helpers.quarters import Quarter

Q2 = Quarter(2022, 2)  # 24 months October 2020 to September 2022
MONTHS = [str(m) for m in pd.period_range("2020-06", "2022-09", freq="M")]


def quality(no_location: dict | None = None, rows: dict | None = None, months=MONTHS) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "month": months,
            "rows": [(rows or {}).get(m, 10000) for m in months],
            "no_location": [(no_location or {}).get(m, 50) for m in months],
        }
    )


def after(month: str, count: int) -> dict:
    return {m: count for m in MONTHS if m >= month}


def test_steady_data_has_no_breaks():
    assert data_breaks(quality(), Q2).empty


def test_a_rise_in_records_without_a_location_is_found_at_its_first_month():
    # 0.5% to 3.5% from March 2022: each of March-May is more than a point above each of December-February
    found = data_breaks(quality(after("2022-03", 350)), Q2)
    assert found[["month", "kind"]].to_dict("records") == [{"month": "2022-03", "kind": "no_location"}]
    row = found.iloc[0]
    assert (row["before"], row["after"]) == pytest.approx((0.005, 0.035))
    assert row["words"] == (
        "From March 2022 the share of police.uk records without a location rose from 0.5% to 3.5% "
        "a month: these records are in no district's figures, so counts from then on are lower "
        "than they would otherwise be."
    )
    assert row["short"] == "more records without a location from March 2022"


def test_a_gradual_rise_is_one_break_at_its_largest_step():
    # 0.5%, then 1.7% in February, then 3.5%. Both months qualify: from February, 1.7, 3.5 and 3.5 are each more than a
    # point above 0.5; from March, 3.5 is more than a point above 0.5, 0.5 and 1.7. One break: the pooled difference is
    # larger from March (3.5 - 0.9 = 2.6 points) than from February (2.9 - 0.5 = 2.4 points).
    shares = {**after("2022-03", 350), "2022-02": 170}
    assert data_breaks(quality(shares), Q2)["month"].tolist() == ["2022-03"]


def test_a_single_odd_month_is_not_a_step():
    assert data_breaks(quality({"2021-06": 900}), Q2).empty


def test_a_small_or_early_step_is_not_a_break():
    assert data_breaks(quality(after("2022-03", 140)), Q2).empty  # 0.5% to 1.4%: under a point
    assert data_breaks(quality(after("2020-10", 350)), Q2).empty  # at the first of the 24 months: both years after it
    assert data_breaks(quality(after("2022-08", 350)), Q2).empty  # needs three months after it


def test_a_step_down_is_found_too():
    found = data_breaks(quality({m: 400 for m in MONTHS if m < "2021-05"}), Q2)
    assert found["month"].tolist() == ["2021-05"]
    assert found.iloc[0]["short"] == "fewer records without a location from May 2021"
    assert "fell from 4.0% to 0.5%" in found.iloc[0]["words"]


def test_a_month_with_under_half_the_usual_records():
    found = data_breaks(quality(rows={"2021-11": 4000}), Q2)
    assert found[["month", "kind", "before", "after"]].to_dict("records") == [
        {"month": "2021-11", "kind": "few_rows", "before": 10000.0, "after": 4000.0}
    ]
    assert found.iloc[0]["words"].startswith(
        "November 2021 holds only 4,000 police.uk records, under half the usual 10,000"
    )
    assert data_breaks(quality(rows={"2021-11": 5500}), Q2).empty  # 55%: a quiet month, not a broken file


def test_months_after_the_quarter_are_not_used():
    later = MONTHS + ["2022-10", "2022-11", "2022-12"]
    assert data_breaks(quality(after("2022-08", 350), months=later), Q2).empty  # August needs October's file


def test_break_note():
    found = data_breaks(quality(after("2022-03", 350), rows={"2021-11": 4000}), Q2)
    assert break_note(found) == (
        "The figures span a break in the police.uk data (unusually few records in November 2021 "
        "and more records without a location from March 2022); see the data-quality section."
    )
    assert break_note(found.iloc[:0]) == ""
