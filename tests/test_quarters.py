"""helpers.quarters: UK financial-year quarters (April to March)."""

import pandas as pd
import pytest

from helpers.errors import InputError, QuarterError
from helpers.quarters import Quarter, parse_quarter, period_label, quarter_of_month, window

M = lambda text: pd.Period(text, "M")  # noqa: E731


@pytest.mark.parametrize(
    "text", ["2022-23-Q2", "2022/23 Q2", "2022-23 Q2", "2022-23-q2", "2022/23 q2", "2022-23 q2", "  2022-23-Q2  "]
)
def test_accepted_spellings_give_the_same_quarter(text):
    quarter = parse_quarter(text)
    assert quarter == Quarter(2022, 2)
    assert quarter.label == "2022-23-Q2"
    assert str(quarter) == "2022-23-Q2"


def test_century_boundary_label():
    # 1999-00: the short end year wraps to 00
    assert parse_quarter("1999-00-Q4") == Quarter(1999, 4)
    assert Quarter(1999, 4).label == "1999-00-Q4"
    assert Quarter(1999, 4).end_month == M("2000-03")


@pytest.mark.parametrize(
    "text",
    [
        "2022-24-Q2",
        "2022 Q2",
        "Q5",
        "",
        "../../x",
        "2022-23-Q0",
        "2022-23-Q5",
        "2022-23",
        "22-23-Q2",
        "2022-23-Q2; rm -rf /",
        None,
    ],
)
def test_rejected_spellings(text):
    with pytest.raises(QuarterError) as caught:
        parse_quarter(text)
    message = str(caught.value)
    assert "2022-23-Q2" in message  # shows the accepted form
    assert f"'{text}'" in message  # and what was given
    assert isinstance(caught.value, InputError)


def test_titles():
    quarter = Quarter(2025, 2)
    assert quarter.title == "2025/26 Quarter 2"
    assert quarter.short_title == "2025/26 Q2"


@pytest.mark.parametrize("q, end", [(1, "2022-06"), (2, "2022-09"), (3, "2022-12"), (4, "2023-03")])
def test_end_month(q, end):
    assert Quarter(2022, q).end_month == M(end)


def test_months_of_q4_are_in_the_later_calendar_year():
    assert Quarter(2022, 4).months == [M("2023-01"), M("2023-02"), M("2023-03")]
    assert Quarter(2022, 1).months == [M("2022-04"), M("2022-05"), M("2022-06")]


def test_previous_across_year_boundary():
    assert Quarter(2022, 1).previous() == Quarter(2021, 4)
    assert Quarter(2022, 1).previous().label == "2021-22-Q4"
    assert Quarter(2022, 4).previous() == Quarter(2022, 3)
    assert Quarter(2022, 2).previous(4) == Quarter(2021, 2)
    assert Quarter(2023, 1).previous(5) == Quarter(2021, 4)
    # one year back is 12 months earlier
    assert Quarter(2022, 2).previous(4).end_month == Quarter(2022, 2).end_month - 12


def test_ordering():
    assert sorted([Quarter(2022, 1), Quarter(2021, 4), Quarter(2021, 2)]) == [
        Quarter(2021, 2),
        Quarter(2021, 4),
        Quarter(2022, 1),
    ]


@pytest.mark.parametrize(
    "month, label",
    [
        ("2022-04", "2022-23-Q1"),
        ("2022-06", "2022-23-Q1"),
        ("2022-07", "2022-23-Q2"),
        ("2022-09", "2022-23-Q2"),
        ("2022-12", "2022-23-Q3"),
        ("2023-01", "2022-23-Q4"),
        ("2023-03", "2022-23-Q4"),
        ("2022-03", "2021-22-Q4"),
    ],
)
def test_quarter_of_month(month, label):
    assert quarter_of_month(M(month)).label == label


def test_every_month_lies_in_its_quarter():
    for month in pd.period_range("2020-01", "2024-12", freq="M"):
        assert month in quarter_of_month(month).months


def test_period_label_and_window():
    assert period_label(M("2022-09")) == "12 months to September 2022"
    assert period_label(M("2023-03"), 24) == "24 months to March 2023"
    months = window(M("2022-09"))
    assert len(months) == 12
    assert months[0] == M("2021-10") and months[-1] == M("2022-09")
