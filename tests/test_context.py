"""helpers.analysis.context on the hand-made data set of test_indicators; every expected value is worked by hand.

The baseline is declared as October to December 2020, the first three months of that data set, whose
population file holds mid-2021 (10,000 a district) and mid-2022 (20,000 a district) only. Recap:
* ``crime`` (police.uk, per 1,000): Blaby 2 a month to September 2021, then 3; Rutland 3 a month; others 0.
  The partnership has 5 a month, then 6.
* ``local_rate`` (per 10,000): 1 a month in every district, Melton has no row for 2022-03.
* ``qpct`` (quarterly %): Blaby 1, 2, ..., 8 out of 10 at the quarter ends 2020-12 .. 2022-09.
"""

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

import board
from helpers.analysis.context import CONTEXT_COLUMNS, add_context, baseline_values, find_baseline, series_extremes
from helpers.analysis.indicators import monthly_numerators, quarter_table, rolling_values
from helpers.analysis.significance import poisson_rate_test, two_proportion_test
from helpers.inputs.params import DeclaredBaseline, Settings
from helpers.presentation.narrative import context_words, key_point, quarter_words
from helpers.quarters import window
from test_indicators import CATALOGUE, MONTHS, Q2, local_rows, police_counts, population, row_of

DECLARED = Settings(
    baseline=DeclaredBaseline("2020-10", "2020-12", "pre-pandemic", "Short."),
    change_rule="percent_band",
    percent_band=5,
)


def context_table(settings: Settings = DECLARED, local=None, police=None, months=MONTHS):
    monthly = monthly_numerators(
        police_counts() if police is None else police,
        local_rows() if local is None else local,
        CATALOGUE,
        months,
        board.BOARD.areas,
    )
    rolling = rolling_values(monthly, CATALOGUE, population(), list(window(Q2.end_month, 24)), board.BOARD.areas)
    table = quarter_table(
        rolling, monthly, CATALOGUE, Q2, {"pct": "Recording system changed."}, False, board.BOARD.areas
    )
    baseline = find_baseline(settings, Q2, sorted(monthly["month"].unique()), [2021, 2022], None)
    areas = board.BOARD.areas
    return add_context(
        table,
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


@pytest.fixture(scope="module")
def table():
    return context_table()


def test_columns_follow_the_quarter_table(table):
    assert list(table.columns[-len(CONTEXT_COLUMNS) :]) == CONTEXT_COLUMNS
    assert len(table) == len(CATALOGUE) * len(board.AREAS)


def test_baseline_of_a_rate_is_the_mean_month_on_the_12_month_scale(table):
    # Oct - Dec 2020: middle ~ mid-November 2020, nearest mid-2020, not held: the earliest held, mid-2021
    blaby = row_of(table, "crime", "Blaby")
    assert blaby["baseline_period"] == "October to December 2020" and blaby["baseline_months"] == 3
    assert blaby["baseline_numerator"] == 6 and blaby["baseline_denominator"] == 10000  # 2 a month
    assert blaby["baseline_value"] == pytest.approx(2.4)  # 6 / 3 x 12 / 10,000 x 1,000
    partnership = row_of(table, "crime", board.PARTNERSHIP)
    assert partnership["baseline_numerator"] == 15 and partnership["baseline_denominator"] == 80000
    assert partnership["baseline_value"] == pytest.approx(0.75)  # 15 / 3 x 12 / 80,000 x 1,000
    assert row_of(table, "local_rate", board.COUNTY)["baseline_value"] == pytest.approx(
        12.0
    )  # 21 / 3 x 12 / 70,000 x 10,000
    assert blaby["baseline_label"] == "pre-pandemic" and blaby["baseline_reason"] == ""


def test_baseline_of_a_percentage_is_pooled(table):
    # the quarter ending December 2020 lies wholly inside the baseline: Blaby 1 / 10
    row = row_of(table, "qpct", "Blaby")
    assert (row["baseline_numerator"], row["baseline_denominator"]) == (1, 10)
    assert row["baseline_value"] == pytest.approx(10.0) and row["baseline_period"] == "October to December 2020"
    # the partnership: Blaby 1 + 7 districts x 2 over 8 x 10
    assert row_of(table, "qpct", board.PARTNERSHIP)["baseline_value"] == pytest.approx(15 / 80 * 100)


def test_a_quarterly_indicator_needs_a_whole_quarter_inside_the_baseline():
    row = row_of(context_table(replace(DECLARED, baseline=DeclaredBaseline("2020-11", "2021-01"))), "qpct", "Blaby")
    assert row["baseline_period"] == "" and math.isnan(row["baseline_value"])
    assert row["baseline_reason"] == "no whole quarter of figures for November 2020 to January 2021"
    assert row["vs_baseline"] == "" and row["baseline_label"] == "longer-term"  # no label given: the default's


def test_this_year_and_last_against_the_baseline(table):
    # percent band 5%: Blaby now 1.8 against 2.4 (-25%): below; last year 2.4 against 2.4: at its level
    blaby = row_of(table, "crime", "Blaby")
    assert (blaby["vs_baseline"], blaby["previous_vs_baseline"]) == ("below", "level")
    assert blaby["baseline_gap_pct"] == pytest.approx(-25.0)
    # Harborough has none at all: 0 against 0 is level, with no gap in %
    harborough = row_of(table, "crime", "Harborough")
    assert harborough["vs_baseline"] == "level" and math.isnan(harborough["baseline_gap_pct"])
    # qpct Blaby: 65% against 10%: above; last year 25% against 10%: above
    assert (row_of(table, "qpct", "Blaby")["vs_baseline"], row_of(table, "qpct", "Blaby")["previous_vs_baseline"]) == (
        "above",
        "above",
    )
    # not available (params): a baseline, but no comparison
    pct = row_of(table, "pct", "Blaby")
    assert pct["baseline_value"] == pytest.approx(10.0) and pct["vs_baseline"] == ""


def test_the_significance_rule_tests_counts_over_person_months():
    """Partnership crime: this year 72 over 160,000 x 12 person-months; the baseline 15 over 80,000 x 3."""
    table = context_table(replace(DECLARED, change_rule="significance"))
    p = poisson_rate_test(72, 160000 * 12, 15, 80000 * 3)
    assert 0.05 < p < 1  # a 40% fall on 15 baseline crimes is not significant at 95% ...
    assert row_of(table, "crime", board.PARTNERSHIP)["vs_baseline"] == "similar"  # 40% away: not "level"
    banded = context_table(replace(DECLARED, change_rule="percent_band"))
    assert row_of(banded, "crime", board.PARTNERSHIP)["vs_baseline"] == "below"  # ... but beyond the 5% band


def test_latest_quarter_against_the_same_quarter_last_year(table):
    # Blaby crime: July - September 2022, 3 x 3 = 9 over mid-2022's 20,000; 2021, 3 x 2 = 6 over mid-2021's 10,000
    row = row_of(table, "crime", "Blaby")
    assert row["quarter_period"] == "July to September 2022"
    assert (row["quarter_numerator"], row["quarter_denominator"]) == (9, 20000)
    assert (row["previous_quarter_numerator"], row["previous_quarter_denominator"]) == (6, 10000)
    assert row["quarter_value"] == pytest.approx(0.45)  # 9 / 20,000 x 1,000, not annualised
    assert row["previous_quarter_value"] == pytest.approx(0.6)  # 6 / 10,000 x 1,000
    assert row["quarter_change_abs"] == pytest.approx(-0.15) and row["quarter_change_pct"] == pytest.approx(-25.0)
    assert row["quarter_p_value"] == pytest.approx(poisson_rate_test(9, 20000, 6, 10000))
    assert row["quarter_significant"] is False
    # a quarterly percentage: the quarter's own return, 8 / 10 against 4 / 10
    q = row_of(table, "qpct", "Blaby")
    assert (q["quarter_numerator"], q["quarter_denominator"], q["quarter_value"]) == (8, 10, pytest.approx(80.0))
    assert q["previous_quarter_value"] == pytest.approx(40.0) and q["quarter_change_pct"] == pytest.approx(100.0)
    assert q["quarter_p_value"] == pytest.approx(two_proportion_test(8, 10, 4, 10))


def test_no_quarter_figures_for_a_row_not_available_or_a_quarter_missing_a_month():
    rows = local_rows()
    table = context_table(
        local=rows[
            ~((rows["indicator_id"] == "local_rate") & (rows["area"] == "Rutland") & (rows["month"] == "2021-08"))
        ]
    )
    melton = row_of(table, "local_rate", "Melton")  # not available: no March 2022
    assert melton["status"] == "not available" and math.isnan(melton["quarter_numerator"])
    rutland = row_of(table, "local_rate", "Rutland")  # this year whole; last year's July - September lacks August
    assert rutland["status"] == "available" and rutland["quarter_numerator"] == 3
    assert math.isnan(rutland["previous_quarter_numerator"]) and math.isnan(rutland["quarter_change_pct"])
    assert math.isnan(rutland["quarter_p_value"]) and rutland["quarter_significant"] is None


def test_series_extremes():
    ends = [str(m) for m in pd.period_range("2019-09", "2022-09", freq="M")]  # 37 month ends: three years back

    def series(values, area="A"):
        return pd.DataFrame({"indicator_id": "x", "area": area, "period_end": ends, "value": values})

    rising = [float(v) for v in range(37)]
    found = series_extremes(
        pd.concat(
            [
                series(rising),
                series(rising[::-1], "B"),
                series([1.0] * 37, "C"),
                series([np.nan] + rising[1:], "D"),
                series(rising[:20] + [np.nan] + rising[21:], "E"),
            ]
        ),
        Q2.end_month,
    ).set_index("area")
    assert (found.at["A", "series_extreme"], found.at["A", "series_start"]) == ("highest", "2019-09")
    assert found.at["B", "series_extreme"] == "lowest"
    assert found.at["C", "series_extreme"] == "" and found.at["C", "series_start"] == ""  # a tie is neither
    # from October 2019 only, or unbroken only since June 2021: less than three years, so no claim at all
    assert found.at["D", "series_extreme"] == "" and found.at["E", "series_extreme"] == ""


def test_a_series_shorter_than_three_years_makes_no_claim(table):
    # qpct Blaby, 12 months to each quarter end: 25%, 35%, 45%, 55%, 65%: rising, but over two years of data only
    row = row_of(table, "qpct", "Blaby")
    assert (row["series_extreme"], row["series_start"]) == ("", "")


def test_default_baseline_is_the_36_months_before_last_year_as_far_as_the_data_go():
    months = [str(m) for m in pd.period_range("2019-12", "2022-09", freq="M")]
    baseline = find_baseline(Settings(), Q2, months, [2019, 2020, 2021, 2022], None)
    assert (str(baseline.first), str(baseline.last), baseline.held) == (
        "2017-10",
        "2020-09",
        (pd.Period("2019-12", "M"), pd.Period("2020-09", "M")),
    )
    assert baseline.population_year == 2020  # Dec 2019 - Sep 2020: middle ~ 1 May 2020
    assert baseline.describe().startswith(
        "The longer-term baseline is the 36 months before the previous year's 12 months, October 2017 to September "
        "2020, as far as the data go: December 2019 to September 2020. Each indicator's baseline"
    )
    # the test data set starts October 2020: no baseline months at all
    none = context_table(Settings(change_rule="both"))
    row = row_of(none, "crime", board.PARTNERSHIP)
    assert row["baseline_reason"] == "no figures for October 2017 to September 2020" and row["vs_baseline"] == ""


def test_declared_baseline_is_described_with_its_note():
    baseline = find_baseline(DECLARED, Q2, MONTHS, [2021, 2022], None)
    assert baseline.describe() == (
        "The pre-pandemic baseline is October to December 2020 (set in the parameters). Each indicator's baseline is "
        "its average monthly level over those months, on its 12-month scale; this year's value is called above or below "
        "it only by the direction-of-travel rule (the same test, allowing for the indicator's own variation, and the "
        "same percent band), and back to it only when within that band; otherwise the sentence gives the gap in %. "
        "With only 3 months it holds only some seasons, so its level is biased by their seasonal highs or lows; it is "
        "left out of the main messages. A value is called the highest or lowest 12-month figure since a month only "
        "when the unbroken run of 12-month figures behind it covers at least 3 years. Short."
    )


def test_key_point_says_where_the_value_sits_against_the_baseline(table):
    row = row_of(table, "crime", board.PARTNERSHIP).to_dict()
    row.update(direction="lower", judgement="improving", spc_signal="")
    assert key_point(row, CATALOGUE["crime"]) == (
        "Crime is improving: 0.75 to 0.45 per 1,000 over the last year (-40.0%); 40.0% below its pre-pandemic level of "
        "0.75 (October to December 2020)."
    )
    assert key_point(row, CATALOGUE["crime"], baseline=False) == (
        "Crime is improving: 0.75 to 0.45 per 1,000 over the last year (-40.0%)."
    )


PERIOD = " (December 2019 to February 2020)"


@pytest.mark.parametrize(
    "now, before, value, extreme, plural, words",
    [  # the last year: similar, except where "but"
        ("level", "below", 11.6, "", False, f"; back to its pre-pandemic level of 12.00{PERIOD}"),  # within the band
        ("level", "level", 12.3, "", False, f"; at its pre-pandemic level of 12.00{PERIOD}"),
        # beyond the band but not significant: the gap, never "back to"
        (
            "similar",
            "below",
            11.0,
            "",
            False,
            f"; 8.3% below its pre-pandemic level of 12.00{PERIOD}, within normal variation",
        ),
        (
            "above",
            "level",
            15.0,
            "highest",
            True,
            f"; 25.0% above their pre-pandemic level of 12.00{PERIOD} and the highest "
            "12-month figure since November 2020",
        ),
        ("below", "below", 9.0, "", False, f"; still 25.0% below its pre-pandemic level of 12.00{PERIOD}"),
        ("below", "below", 9.0, "", False, f", but still 25.0% below its pre-pandemic level of 12.00{PERIOD}"),
        ("", "", 9.0, "lowest", False, "; the lowest 12-month figure since November 2020"),
        ("", "", 9.0, "", False, ""),
    ],
)
def test_context_words(now, before, value, extreme, plural, words):
    row = {
        "vs_baseline": now,
        "previous_vs_baseline": before,
        "baseline_label": "pre-pandemic",
        "baseline_value": 12.0,
        "value": value,
        "baseline_gap_pct": (value - 12) / 12 * 100,
        "measure": "rate",
        "baseline_period": "December 2019 to February 2020",
        "series_extreme": extreme,
        "series_start": "2020-11" if extreme else "",
        "direction": "higher" if "but" in words else "similar",
    }
    assert context_words(row, plural) == words
    if now:  # a list of key points states the period once, above them
        assert context_words(row, plural, period_stated="December 2019 to February 2020") == words.replace(PERIOD, "")
        # a short baseline is left out of the main messages: only the series is said
        assert context_words(row, plural, baseline=False) == (
            "; the highest 12-month figure since November 2020" if extreme else ""
        )


def test_a_percentage_gives_its_gap_in_points():
    row = {
        "vs_baseline": "above",
        "previous_vs_baseline": "above",
        "baseline_label": "pre-pandemic",
        "baseline_value": 30.0,
        "value": 34.5,
        "baseline_gap_pct": 15.0,
        "measure": "percentage",
        "baseline_period": "December 2019 to February 2020",
        "series_extreme": "",
        "direction": "similar",
    }
    assert context_words(row) == f"; still 4.5 points above its pre-pandemic level of 30.0%{PERIOD}"


@pytest.mark.parametrize(
    "direction, change, significant, words",
    [
        (
            "higher",
            -12.0,
            True,
            ", but the latest quarter is 12.0% lower than the same quarter last year, a significant fall",
        ),
        (
            "similar",
            20.0,
            True,
            ", but the latest quarter is 20.0% higher than the same quarter last year, a significant rise",
        ),
        ("higher", 20.0, True, ""),  # the same way as the 12 months: no turn
        ("higher", -12.0, False, ""),  # not significant
    ],
)
def test_quarter_words_name_a_turning_point(direction, change, significant, words):
    row = {
        "direction": direction,
        "measure": "rate",
        "quarter_change_abs": change / 10,
        "quarter_change_pct": change,
        "quarter_significant": significant,
    }
    assert quarter_words(row) == words
