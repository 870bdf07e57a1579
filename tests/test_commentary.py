"""helpers.presentation.commentary: figures in the analyst's commentary, checked against a hand-made table, only warned about."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import board
from helpers.inputs.params import Commentary
from helpers.presentation.commentary import check_commentary, review_note
from helpers.quarters import Quarter

QUARTER = Quarter(2022, 2)  # 2022/23 Q2: the 12 months to September 2022
PERIOD = "12 months to September 2022"
MARAC_TARGET = {"marac_repeat_rate": {"low": 28, "high": 40, "label": "SafeLives recommended range"}}


def _row(indicator_id, title, measure, unit, value, previous, area=board.PARTNERSHIP, status="available"):
    change = value - previous if status == "available" else float("nan")
    return {
        "indicator_id": indicator_id,
        "title": title,
        "measure": measure,
        "unit": unit,
        "area": area,
        "period": PERIOD,
        "status": status,
        "value": value,
        "previous_value": previous,
        "change_abs": change,
        "change_pct": change / previous * 100 if status == "available" else float("nan"),
    }


NAN = float("nan")
TABLE = pd.DataFrame(
    [
        # total crime: +99.30, +17.19%; MARAC: +3.70 points, +12.76%; shoplifting: +3.50, +14.23%; hate crime: -0.60, -5.94%
        _row("total_crime", "Total recorded crime", "rate", "per 10,000", 676.92, 577.62),
        _row("total_crime", "Total recorded crime", "rate", "per 10,000", 512.34, 498.76, area="Blaby"),
        _row("marac_repeat_rate", "MARAC repeat referral rate", "percentage", "%", 32.70, 29.00),
        _row("shoplifting", "Shoplifting", "rate", "per 10,000", 28.10, 24.60),
        _row("hate_crime", "Hate crimes", "rate", "per 10,000", 9.50, 10.10),
        _row("criminal_damage_arson", "Criminal damage & arson", "rate", "per 10,000", 75.30, 67.72),
        _row("asb_total", "Anti-social behaviour (all)", "rate", "per 10,000", 70.48, 73.65),
        _row("asb_nuisance", "ASB nuisance", "rate", "per 10,000", 49.84, 52.05),
        _row(
            "racially_religiously_aggravated",
            "Racially or religiously aggravated crime",
            "rate",
            "per 10,000",
            NAN,
            NAN,
            status="not available",
        ),
    ]
)


def warnings_for(summary: str = "", indicators: dict | None = None) -> list[str]:
    return check_commentary(
        Commentary(summary, {"reduce_crime": ""}, indicators or {}),
        TABLE,
        board.PARTNERSHIP,
        QUARTER,
        MARAC_TARGET,
    )


# --- The examples ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "prose",
    [
        "Shoplifting is now the fastest-growing crime in the county.",
        "Total recorded crime is back above its pre-pandemic level.",
        "As reported to the Board in 2021/22 Q4, the 12 months to June 2022 …",
    ],
)
def test_prose_draws_no_warning(prose):
    assert warnings_for(prose) == []
    assert warnings_for(indicators={"total_crime": prose}) == []


def test_wrong_unit_and_value_is_one_warning_saying_what_the_table_holds():
    sentence = "Total recorded crime stands at 67.69 per 1,000 population."
    [warning] = warnings_for(f"Crime is rising. {sentence} Shoplifting leads the rise.")
    assert warning == (
        f'commentary: summary: "67.69 per 1,000" in "{sentence}": indicators.csv has Total recorded '
        "crime at 676.92 per 10,000, previous year 577.62 per 10,000, change +17.2%"
    )


def test_wrong_percentage_is_one_warning():
    [warning] = warnings_for("The MARAC repeat referral rate is 41.7%.")
    assert '"41.7%" in "The MARAC repeat referral rate is 41.7%."' in warning
    assert "MARAC repeat referral rate at 32.7%, previous year 29.0%, change +3.7 points" in warning


def test_wrong_year_in_the_recommendation_is_one_warning():
    [warning] = check_commentary(
        Commentary(sections={"reduce_crime": "The Board note the 2021/22 Q2 performance dashboard."}),
        TABLE,
        board.PARTNERSHIP,
        QUARTER,
    )
    assert warning == (
        'commentary: sections: reduce_crime: "2021/22 Q2" in "The Board note the 2021/22 Q2 performance '
        'dashboard.": indicators.csv is for 2022/23 Q2, the 12 months to September 2022'
    )


# --- Figures ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "agrees",
    [
        "Total recorded crime rose 17.2% to 676.92 per 10,000, from 577.62 per 10,000 the year before.",
        "Total recorded crime is 677 per 10,000 (577.6 per 10,000 a year ago), up 99.3 per 10,000 or +17%.",
        "Total recorded crime stands at 676.92.",
        "The MARAC repeat referral rate is 32.7%, up 3.7 percentage points, within the SafeLives range of 28% to 40%.",
        "Hate crime fell 5.9% to 9.50 hate crimes per 10,000 population.",  # "hate crime" for "Hate crimes"
        "Criminal damage and arson is 75.3 per 10,000.",  # "and" for "&"
        "ASB is 70.48 per 10,000; anti-social behaviour nuisance is 49.84 per 10,000.",
        "Shoplifting rose by 3.5 per 10,000 in 12 months, with 1,234 more offences in 7 districts.",  # counts: not read
        "Shoplifting took 3.5 days to process in the 12 months to September 2022.",  # "3.5 days" is not a value
        "Total recorded crime was 650.1 per 10,000 in 2019, before the pandemic.",  # another time
        "Last quarter total recorded crime was 650.1 per 10,000.",
        "In 2022/23 Q2, 12 months to September 2022, total recorded crime is 676.92 per 10,000.",
        "Burglary rose to 99.99 per 10,000.",  # not an indicator of this table
    ],
)
def test_figures_the_table_holds_or_that_are_not_this_quarters_draw_no_warning(agrees):
    assert warnings_for(agrees) == []


@pytest.mark.parametrize(
    "sentence, figure",
    [
        ("Total recorded crime stands at 676.93 per 10,000.", "676.93 per 10,000"),  # rounded as quoted: 2 dp
        ("Total recorded crime stands at 676.92 per 1,000.", "676.92 per 1,000"),  # right value, wrong unit
        ("Total recorded crime stands at 676.29.", "676.29"),
        ("Total recorded crime rose by 71.2%.", "71.2%"),
        ("Hate crimes are 9.50 per 1,000.", "9.50 per 1,000"),  # right value, wrong unit
        ("The MARAC repeat referral rate rose 4.7 points.", "4.7 points"),
        ("Total recorded crime rose 3.7 points.", "3.7 points"),  # points: not for a rate
        ("Total recorded crime is 512.34 per 10,000.", "512.34 per 10,000"),  # Blaby's, not the partnership's
        (
            "Total recorded crime is 676.92 per 10,000 in this quarter, 2022/23 Q2, and was 598.1 per 10,000.",
            "598.1 per 10,000",
        ),
    ],
)
def test_a_figure_the_table_does_not_hold_is_one_warning(sentence, figure):
    [warning] = warnings_for(sentence)
    assert f'"{figure}" in "{sentence}"' in warning


def test_each_figure_belongs_to_the_indicator_named_last_before_it():
    right = "Shoplifting is 28.10 per 10,000 and total recorded crime 676.92 per 10,000."
    assert warnings_for(right) == []
    swapped = "Shoplifting is 676.92 per 10,000 and total recorded crime 28.10 per 10,000."
    first, second = warnings_for(swapped)
    assert '"676.92 per 10,000"' in first and "has Shoplifting at 28.10 per 10,000" in first
    assert '"28.10 per 10,000"' in second and "has Total recorded crime at 676.92 per 10,000" in second


def test_a_sentence_in_an_indicator_note_that_names_none_is_about_that_indicator():
    [warning] = warnings_for(indicators={"marac_repeat_rate": "The rate is 41.7%. The steering group meets monthly."})
    assert warning.startswith('commentary: indicators: marac_repeat_rate: "41.7%" in "The rate is 41.7%."')
    assert warnings_for(indicators={"marac_repeat_rate": "The rate is 32.7%."}) == []
    assert warnings_for("The rate is 41.7%.") == []  # in the summary it names no indicator


def test_any_figure_for_an_unavailable_indicator_is_a_warning():
    assert warnings_for("Racially or religiously aggravated crime is not available this quarter.") == []
    [warning] = warnings_for("Racially or religiously aggravated crime was 3.2 per 10,000.")
    assert "indicators.csv has no figure for Racially or religiously aggravated crime this quarter" in warning


def test_markdown_marks_and_list_items_are_read_as_sentences():
    text = (
        "**Highlights**\n\n- **Shoplifting**: 28.10 per 10,000\n- *Total recorded crime*: 676.29 per 10,000\n\n"
        "See [the dashboard](#dashboard) for 67.7 per 1,000."
    )
    [warning] = warnings_for(text)
    assert '"676.29 per 10,000" in "Total recorded crime: 676.29 per 10,000"' in warning


# --- Periods and quarters: history or a slip -------------------------------------------------------


@pytest.mark.parametrize(
    "sentence, named",
    [
        ("The Board note the 2021/22 Q2 performance dashboard.", "2021/22 Q2"),
        ("The Board is asked to note the 2022/23 Quarter 1 report.", "2022/23 Quarter 1"),
        ("This quarter (Q2 2021/22) shoplifting rose.", "Q2 2021/22"),
        ("This report covers the 12 months to June 2022.", "12 months to June 2022"),
    ],
)
def test_another_quarter_or_period_presented_as_this_reports_is_a_slip(sentence, named):
    [warning] = warnings_for(sentence)
    assert f'"{named}" in "{sentence}": indicators.csv is for 2022/23 Q2, the 12 months to September 2022' in warning


@pytest.mark.parametrize(
    "history",
    [
        "The Board note the 2022/23 Q2 performance dashboard.",
        "This report compares the 12 months to September 2022 with the 12 months to September 2021.",
        "This quarter's rise is larger than in 2021/22 Q2.",
        "As previously reported, this dashboard replaces the 2019/20 Q4 one.",
        "The 2021/22 Q2 report showed the first rise after lockdown.",
        "In the twelve months to March 2020 crime peaked.",
        "This report shows crime above its 2019 level.",
    ],
)
def test_history_and_this_reports_own_dates_draw_no_warning(history):
    assert warnings_for(history) == []


# --- Prose without figures never warns ----------------------------------------------------------

_WORDS = [
    "Shoplifting",
    "total recorded crime",
    "MARAC repeat referral rate",
    "hate crime",
    "ASB",
    "the Board note",
    "this quarter",
    "this report",
    "is",
    "rose",
    "fell",
    "per",
    "cent",
    "points",
    "months to June",
    "Q",
    "Quarter",
    "as reported",
    "since",
    "e.g.",
    "**",
    "-",
    "\n",
    "\n\n- ",
    ".",
    ",",
    "%",
    "(",
    ")",
    "…",
    "/",
    "&",
]


@given(st.lists(st.sampled_from(_WORDS), max_size=40).map(" ".join))
def test_prose_without_figures_never_warns(text):
    assert (
        check_commentary(
            Commentary(text, {"reduce_crime": text}, {"marac_repeat_rate": text}),
            TABLE,
            board.PARTNERSHIP,
            QUARTER,
            MARAC_TARGET,
        )
        == []
    )


# --- The review note ------------------------------------------------------------------------------


def test_review_note_lists_each_warning_or_says_there_is_nothing_to_check():
    warnings = warnings_for("The MARAC repeat referral rate is 41.7%. The Board note the 2021/22 Q2 dashboard.")
    note = review_note(QUARTER, warnings, "params/2022-23-Q2.yaml")
    assert note.startswith("# Review notes: 2022/23 Quarter 2\n")
    assert "(params/2022-23-Q2.yaml)" in note and "2 to check" in note
    assert [line[2:] for line in note.splitlines() if line.startswith("- ")] == warnings
    empty = review_note(QUARTER, [], "params/2022-23-Q2.yaml")
    assert "Nothing to check" in empty and "\n- " not in empty
