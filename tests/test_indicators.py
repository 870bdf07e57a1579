"""helpers.analysis.indicators on a tiny hand-made data set; every expected value is worked by hand.

Set-up (24 months, Oct 2020 - Sep 2022):
* population: every district 10,000 in mid-2021 and 20,000 in mid-2022
  (county of 7 districts 70,000 / 140,000; partnership of 8 districts 80,000 / 160,000).
* ``crime`` (police.uk, Burglary + Robbery, per 1,000): Blaby 1 Burglary a month, Robbery 1 a month
  in the earlier year and 2 a month in the later year, and 5 Drugs a month (not counted);
  Rutland 3 Burglary a month; every other district none.
* ``local_rate`` (local, per 10,000): 1 a month in every district, but Melton has no row for 2022-03.
* ``pct`` (local monthly percentage): every district 1/10 a month, except Blaby in the later year:
  1/1 in Oct 2021 and 0/9 in each of the other 11 months.
* ``qpct`` (local quarterly percentage), rows at the 8 quarter ends 2020-12 .. 2022-09:
  Blaby 1, 2, ..., 8 out of 10; every other district 2 out of 10; Rutland has no 2022-06 row.
"""

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

import board
from helpers.analysis.assess import assess
from helpers.analysis.indicators import (
    TABLE_COLUMNS,
    monthly_numerators,
    population_note,
    population_year,
    published,
    quarter_table,
    rolling_values,
)
from helpers.inputs.catalogue import Indicator
from helpers.inputs.params import Settings
from helpers.presentation.narrative import change_text, key_point
from helpers.quarters import Quarter, window

MONTHS = [str(m) for m in pd.period_range("2020-10", "2022-09", freq="M")]
EARLIER, LATER = MONTHS[:12], MONTHS[12:]
QUARTER_ENDS = [m for m in MONTHS if int(m[5:]) % 3 == 0]
Q2 = Quarter(2022, 2)
OTHERS = [d for d in board.DISTRICTS if d != "Blaby"]


def indicator(id, measure, source, per=None, crime_types=(), frequency="monthly"):
    return Indicator(
        id,
        id.title(),
        "reduce_crime",
        measure,
        "lower_is_better",
        source,
        "definition",
        per=per,
        crime_types=crime_types,
        frequency=frequency,
    )


CATALOGUE = {
    "crime": indicator("crime", "rate", "police_uk", per=1000, crime_types=("Burglary", "Robbery")),
    "local_rate": indicator("local_rate", "rate", "local", per=10000),
    "pct": indicator("pct", "percentage", "local"),
    "qpct": indicator("qpct", "percentage", "local", frequency="quarterly"),
}


def population():
    return pd.DataFrame(
        [(year, code, 10000 * (year - 2020)) for year in (2021, 2022) for code in board.DISTRICTS.values()],
        columns=["year", "area_code", "population"],
    )


def police_counts():
    rows = []
    for month in MONTHS:
        rows += [
            (month, "Blaby", "Burglary", 1),
            (month, "Blaby", "Robbery", 2 if month in LATER else 1),
            (month, "Blaby", "Drugs", 5),
            (month, "Rutland", "Burglary", 3),
        ]
    return pd.DataFrame(rows, columns=["month", "district", "crime_type", "count"])


def local_rows():
    rows = []
    for month in MONTHS:
        for district in board.DISTRICTS:
            if not (district == "Melton" and month == "2022-03"):
                rows.append(("local_rate", district, month, 1, None))
            if district == "Blaby" and month in LATER:
                rows.append(("pct", district, month, *((1, 1) if month == "2021-10" else (0, 9))))
            else:
                rows.append(("pct", district, month, 1, 10))
    for number, month in enumerate(QUARTER_ENDS, start=1):
        rows.append(("qpct", "Blaby", month, number, 10))
        rows += [("qpct", d, month, 2, 10) for d in OTHERS if not (d == "Rutland" and month == "2022-06")]
    return pd.DataFrame(rows, columns=["indicator_id", "area", "month", "numerator", "denominator"])


@pytest.fixture(scope="module")
def monthly():
    return monthly_numerators(police_counts(), local_rows(), CATALOGUE, MONTHS, board.BOARD.areas)


@pytest.fixture(scope="module")
def rolling(monthly):
    return rolling_values(monthly, CATALOGUE, population(), list(window(Q2.end_month, 24)), board.BOARD.areas)


def at(frame, indicator_id, area, month, column="numerator"):
    key = "month" if "month" in frame else "period_end"
    chosen = frame[(frame["indicator_id"] == indicator_id) & (frame["area"] == area) & (frame[key] == month)]
    assert len(chosen) <= 1
    return chosen.iloc[0][column] if len(chosen) else "absent"


# --- monthly_numerators -------------------------------------------------------------------


def test_police_counts_become_numerators(monthly):
    assert at(monthly, "crime", "Blaby", "2022-09") == 3  # 1 Burglary + 2 Robbery; Drugs not counted
    assert at(monthly, "crime", "Blaby", "2021-09") == 2  # 1 + 1
    assert at(monthly, "crime", "Rutland", "2022-09") == 3
    assert at(monthly, "crime", "Harborough", "2022-09") == 0  # no rows: a real zero for police.uk data
    assert at(monthly, "crime", board.COUNTY, "2022-09") == 3  # Blaby only; Rutland is not in the county
    assert at(monthly, "crime", board.PARTNERSHIP, "2022-09") == 6  # Blaby 3 + Rutland 3
    assert math.isnan(at(monthly, "crime", "Blaby", "2022-09", "denominator"))


def test_areas_are_the_districts_county_and_partnership(monthly):
    assert set(monthly["area"]) == set(board.AREAS)
    # 24 months x 10 areas for every monthly police indicator
    assert (monthly["indicator_id"] == "crime").sum() == 24 * 10


def test_a_district_missing_a_month_makes_the_totals_missing(monthly):
    assert at(monthly, "local_rate", "Melton", "2022-03") == "absent"
    assert at(monthly, "local_rate", "Rutland", "2022-03") == 1
    assert at(monthly, "local_rate", board.COUNTY, "2022-03") == "absent"
    assert at(monthly, "local_rate", board.PARTNERSHIP, "2022-03") == "absent"
    assert at(monthly, "local_rate", board.COUNTY, "2022-02") == 7
    assert at(monthly, "local_rate", board.PARTNERSHIP, "2022-02") == 8


def test_percentage_numerators_and_denominators_are_summed(monthly):
    # October 2021: Blaby 1/1, six other county districts 1/10 each
    assert at(monthly, "pct", board.COUNTY, "2021-10") == 7
    assert at(monthly, "pct", board.COUNTY, "2021-10", "denominator") == 61
    # plus Rutland 1/10
    assert at(monthly, "pct", board.PARTNERSHIP, "2021-10", "denominator") == 71


# --- rolling_values -----------------------------------------------------------------------


def test_rolling_rates_use_the_right_population_year(rolling):
    # 12 months to Sep 2022 (mid-2022, 20,000 a district): Blaby (1+2) x 12 = 36 -> 36 / 20,000 x 1,000 = 1.8
    assert at(rolling, "crime", "Blaby", "2022-09") == 36
    assert at(rolling, "crime", "Blaby", "2022-09", "denominator") == 20000
    assert at(rolling, "crime", "Blaby", "2022-09", "population_year") == 2022
    assert at(rolling, "crime", "Blaby", "2022-09", "value") == pytest.approx(1.8)
    # county: 36 / 140,000 x 1,000; partnership: (36 + 36) / 160,000 x 1,000 = 0.45
    assert at(rolling, "crime", board.COUNTY, "2022-09", "value") == pytest.approx(36 / 140)
    assert at(rolling, "crime", board.PARTNERSHIP, "2022-09", "value") == pytest.approx(0.45)
    # 12 months to Sep 2021 (mid-2021, 10,000 a district): Blaby (1+1) x 12 = 24 -> 2.4; partnership 60 / 80,000 -> 0.75
    assert at(rolling, "crime", "Blaby", "2021-09", "population_year") == 2021
    assert at(rolling, "crime", "Blaby", "2021-09", "value") == pytest.approx(2.4)
    assert at(rolling, "crime", board.PARTNERSHIP, "2021-09", "value") == pytest.approx(0.75)
    # 12 months to Feb 2022: middle ~ 1 Sep 2021 -> mid-2021; county 7 x 12 = 84 / 70,000 x 10,000 = 12
    assert at(rolling, "local_rate", board.COUNTY, "2022-02", "population_year") == 2021
    assert at(rolling, "local_rate", board.COUNTY, "2022-02", "value") == pytest.approx(12.0)


def test_rolling_window_is_exactly_twelve_months(rolling):
    # 12 months to Mar 2022 = Apr 2021 .. Mar 2022: Blaby 6 months at 2 + 6 months at 3 = 30
    assert at(rolling, "crime", "Blaby", "2022-03") == 30
    # the first end month (Oct 2020) has only 1 month of data before it: not a full year
    first = at(rolling, "crime", "Blaby", "2020-10", "value")
    assert math.isnan(first)


def test_percentage_is_sum_over_sum_not_mean_of_months(rolling):
    # Blaby, 12 months to Sep 2022: (1 + 11 x 0) / (1 + 11 x 9) = 1 / 100 = 1%
    # (the mean of the monthly percentages would be (100 + 11 x 0) / 12 = 8.33%)
    assert at(rolling, "pct", "Blaby", "2022-09") == 1
    assert at(rolling, "pct", "Blaby", "2022-09", "denominator") == 100
    assert at(rolling, "pct", "Blaby", "2022-09", "value") == pytest.approx(1.0)
    # partnership: (1 + 7 x 12) / (100 + 7 x 120) = 85 / 940
    assert at(rolling, "pct", board.PARTNERSHIP, "2022-09", "value") == pytest.approx(85 / 940 * 100)
    # county: (1 + 6 x 12) / (100 + 6 x 120) = 73 / 820
    assert at(rolling, "pct", board.COUNTY, "2022-09", "value") == pytest.approx(73 / 820 * 100)
    assert math.isnan(at(rolling, "pct", "Blaby", "2022-09", "population_year"))


def test_missing_month_gives_nan_and_names_the_month(rolling):
    for area in ("Melton", board.COUNTY, board.PARTNERSHIP):
        assert math.isnan(at(rolling, "local_rate", area, "2022-09"))
        assert math.isnan(at(rolling, "local_rate", area, "2022-09", "value"))
        assert at(rolling, "local_rate", area, "2022-09", "missing") == "2022-03"
    # Rutland reported every month: 12 / 20,000 x 10,000 = 6
    assert at(rolling, "local_rate", "Rutland", "2022-09", "value") == pytest.approx(6.0)
    assert at(rolling, "local_rate", "Rutland", "2022-09", "missing") == ""
    # a window that closes before March 2022 is complete again
    assert at(rolling, "local_rate", "Melton", "2022-02", "missing") == ""


def test_quarterly_indicator_sums_four_quarter_ends(rolling):
    # Blaby to Sep 2022: quarters ending 2021-12, 2022-03, 2022-06, 2022-09 -> (5+6+7+8) / 40 = 65%
    assert at(rolling, "qpct", "Blaby", "2022-09") == 26
    assert at(rolling, "qpct", "Blaby", "2022-09", "denominator") == 40
    assert at(rolling, "qpct", "Blaby", "2022-09", "value") == pytest.approx(65.0)
    # to Sep 2021: (1+2+3+4) / 40 = 25%
    assert at(rolling, "qpct", "Blaby", "2021-09", "value") == pytest.approx(25.0)
    # county: (26 + 6 x 4 x 2) / (7 x 40) = 74 / 280
    assert at(rolling, "qpct", board.COUNTY, "2022-09", "value") == pytest.approx(74 / 280 * 100)
    # Rutland has no 2022-06 return, so neither it nor the partnership has a value
    assert at(rolling, "qpct", "Rutland", "2022-09", "missing") == "2022-06"
    assert at(rolling, "qpct", board.PARTNERSHIP, "2022-09", "missing") == "2022-06"
    assert math.isnan(at(rolling, "qpct", board.PARTNERSHIP, "2022-09", "value"))
    # values only at quarter ends
    ends = set(rolling.loc[rolling["indicator_id"] == "qpct", "period_end"])
    assert ends == {m for m in QUARTER_ENDS}


def test_missing_police_month_is_not_zero():
    months = [m for m in MONTHS if m != "2022-05"]
    counts = police_counts()
    monthly = monthly_numerators(
        counts[counts["month"] != "2022-05"], local_rows(), CATALOGUE, months, board.BOARD.areas
    )
    rolling = rolling_values(monthly, CATALOGUE, population(), [Q2.end_month], board.BOARD.areas)
    for area in board.AREAS:
        assert math.isnan(at(rolling, "crime", area, "2022-09", "value"))
        assert at(rolling, "crime", area, "2022-09", "missing") == "2022-05"


def test_local_indicator_with_no_rows_at_all_is_not_available():
    catalogue = {**CATALOGUE, "survey": indicator("survey", "percentage", "local")}
    monthly = monthly_numerators(police_counts(), local_rows(), catalogue, MONTHS, board.BOARD.areas)
    rolling = rolling_values(monthly, catalogue, population(), list(window(Q2.end_month, 24)), board.BOARD.areas)
    assert math.isnan(at(rolling, "survey", "Blaby", "2022-09", "value"))
    assert at(rolling, "survey", "Blaby", "2022-09", "missing").split(", ") == LATER
    table = quarter_table(rolling, monthly, catalogue, Q2, {}, False, board.BOARD.areas)
    row = table[(table["indicator_id"] == "survey") & (table["area"] == board.PARTNERSHIP)].iloc[0]
    assert row["status"] == "not available"
    assert row["reason"] == "no local figures for October 2021 to September 2022 (not in the local extract)."


# --- quarter_table ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def table(rolling, monthly):
    return quarter_table(rolling, monthly, CATALOGUE, Q2, {"pct": "Recording system changed."}, True, board.BOARD.areas)


def row_of(table, indicator_id, area):
    chosen = table[(table["indicator_id"] == indicator_id) & (table["area"] == area)]
    assert len(chosen) == 1
    return chosen.iloc[0]


def test_table_shape(table):
    assert list(table.columns) == TABLE_COLUMNS
    assert len(table) == len(CATALOGUE) * len(board.AREAS)
    row = row_of(table, "crime", board.PARTNERSHIP)
    assert row["period"] == "12 months to September 2022"
    assert row["period_end"] == "2022-09" and row["previous_period_end"] == "2021-09"
    assert row["area_type"] == "partnership" and row["area_code"] == board.AREA_CODES[board.PARTNERSHIP]
    assert row_of(table, "crime", board.COUNTY)["area_type"] == "county"
    assert row_of(table, "crime", "Melton")["area_code"] == "E07000133"
    assert not row["illustrative"] and row_of(table, "local_rate", "Blaby")["illustrative"]


def test_previous_year_and_change(table):
    row = row_of(table, "crime", board.PARTNERSHIP)
    # now 72 / 160,000 x 1,000 = 0.45; a year earlier 60 / 80,000 x 1,000 = 0.75
    assert row["numerator"] == 72 and row["previous_numerator"] == 60
    assert row["value"] == pytest.approx(0.45) and row["previous_value"] == pytest.approx(0.75)
    assert row["change_abs"] == pytest.approx(-0.30)  # 0.45 - 0.75
    assert row["change_pct"] == pytest.approx(-40.0)  # -0.30 / 0.75 x 100
    assert row["status"] == "available" and row["reason"] == ""
    blaby = row_of(table, "crime", "Blaby")
    assert blaby["change_abs"] == pytest.approx(-0.6)  # 1.8 - 2.4
    assert blaby["change_pct"] == pytest.approx(-25.0)  # -0.6 / 2.4 x 100
    q = row_of(table, "qpct", "Blaby")
    assert q["change_abs"] == pytest.approx(40.0)  # 65% - 25%
    assert q["change_pct"] == pytest.approx(160.0)  # 40 / 25 x 100


def test_unavailable_indicator_has_the_reason_and_no_values(table):
    for area in board.AREAS:
        row = row_of(table, "pct", area)
        assert row["status"] == "not available"
        assert row["reason"] == "Recording system changed."
        for key in ("numerator", "denominator", "value", "previous_value", "change_abs", "change_pct"):
            assert math.isnan(row[key]), (area, key)


def test_missing_data_is_not_available_with_the_months(table):
    row = row_of(table, "local_rate", "Melton")
    assert row["status"] == "not available"
    assert row["reason"] == "no local figures for March 2022."
    assert np.isnan(row["value"]) and np.isnan(row["previous_value"])
    for area in (board.COUNTY, board.PARTNERSHIP):  # the totals name the district that lacks figures
        assert row_of(table, "local_rate", area)["status"] == "not available"
        assert row_of(table, "local_rate", area)["reason"] == "no local figures from Melton for March 2022."
    # quarterly: Rutland's missing 2022-06 return is April to June 2022; the county does not include Rutland
    assert row_of(table, "qpct", "Rutland")["reason"] == "no local figures for April to June 2022."
    assert row_of(table, "qpct", board.PARTNERSHIP)["reason"] == "no local figures from Rutland for April to June 2022."
    assert row_of(table, "qpct", board.COUNTY)["status"] == "available"
    blaby = row_of(table, "local_rate", "Blaby")
    # 12 / 20,000 x 10,000 = 6 against 12 / 10,000 x 10,000 = 12
    assert blaby["status"] == "available"
    assert blaby["value"] == pytest.approx(6.0) and blaby["previous_value"] == pytest.approx(12.0)
    assert blaby["change_pct"] == pytest.approx(-50.0)


def test_an_extract_ending_early_gives_one_reason_for_every_local_indicator():
    """Local rows up to June 2022 only: July to September 2022 is missing for every local indicator."""
    rows = local_rows()
    early = rows[rows["month"] <= "2022-06"]
    monthly = monthly_numerators(police_counts(), early, CATALOGUE, MONTHS, board.BOARD.areas)
    rolling = rolling_values(monthly, CATALOGUE, population(), list(window(Q2.end_month, 24)), board.BOARD.areas)
    table = quarter_table(rolling, monthly, CATALOGUE, Q2, {}, False, board.BOARD.areas)
    row = row_of(table, "pct", board.PARTNERSHIP)
    assert row["status"] == "not available"
    assert row["reason"] == "no local figures for July to September 2022 (the local extract ends June 2022)."
    # local_rate also lacks Melton's March 2022, qpct Rutland's April to June 2022: each gap keeps its own cause
    assert row_of(table, "local_rate", board.PARTNERSHIP)["reason"] == (
        "no local figures from Melton for March 2022, and none for July to September 2022 (the local extract ends June 2022)."
    )
    assert row_of(table, "qpct", board.PARTNERSHIP)["reason"] == (
        "no local figures from Rutland for April to June 2022, and none for July to September 2022 "
        "(the local extract ends June 2022)."
    )


def test_previous_year_gap_gives_this_year_uncompared_with_the_cause():
    """police.uk files for November and December 2020 missing: the previous 12 months are incomplete."""
    months = [m for m in MONTHS if m not in ("2020-11", "2020-12")]
    counts = police_counts()
    monthly = monthly_numerators(
        counts[counts["month"].isin(months)], local_rows(), CATALOGUE, months, board.BOARD.areas
    )
    rolling = rolling_values(monthly, CATALOGUE, population(), list(window(Q2.end_month, 24)), board.BOARD.areas)
    row = row_of(
        quarter_table(rolling, monthly, CATALOGUE, Q2, {}, False, board.BOARD.areas), "crime", board.PARTNERSHIP
    )
    assert row["status"] == "available" and row["value"] == pytest.approx(0.45) and np.isnan(row["previous_value"])
    assert row["reason"] == "the police.uk files for November to December 2020 are missing."


def test_change_from_a_previous_value_of_0_is_new_never_inf():
    """Melton has 1 Robbery a month in the later year only: 0 per 1,000 before, 12 / 20,000 x 1,000 = 0.6 now.
    Harborough has no crime in either year."""
    extra = pd.DataFrame(
        [(m, "Melton", "Robbery", 1) for m in LATER], columns=["month", "district", "crime_type", "count"]
    )
    monthly = monthly_numerators(
        pd.concat([police_counts(), extra]), local_rows(), CATALOGUE, MONTHS, board.BOARD.areas
    )
    rolling = rolling_values(monthly, CATALOGUE, population(), list(window(Q2.end_month, 24)), board.BOARD.areas)
    table = quarter_table(rolling, monthly, CATALOGUE, Q2, {}, False, board.BOARD.areas)
    assert not np.isinf(table["change_pct"]).any()
    melton, harborough = row_of(table, "crime", "Melton"), row_of(table, "crime", "Harborough")
    assert melton["previous_value"] == 0 and melton["value"] == pytest.approx(0.6)
    assert melton["change_abs"] == pytest.approx(0.6) and math.isnan(melton["change_pct"])
    assert harborough["change_abs"] == 0 and math.isnan(harborough["change_pct"])
    assert change_text(melton) == "new" and change_text(harborough) == "no change"
    # the percent-band rule still reads the direction: any rise from 0 is beyond the band
    judged = assess(table, monthly, CATALOGUE, Settings(change_rule="percent_band", percent_band=5), Q2)
    assert (row_of(judged, "crime", "Melton")["direction"], row_of(judged, "crime", "Melton")["judgement"]) == (
        "higher",
        "deteriorating",
    )
    assert row_of(judged, "crime", "Harborough")["direction"] == "similar"
    sentence = key_point(row_of(judged, "crime", "Melton").to_dict(), CATALOGUE["crime"])
    assert sentence.startswith(
        "Crime is deteriorating: 0.00 to 0.60 per 1,000 over the last year (new), a significant rise."
    )


def test_population_year():
    years = [2019, 2020, 2021, 2022, 2023, 2024]
    # Oct 2021 - Sep 2022: middle ~ 1 Apr 2022, 90 days before mid-2022 (30 Jun)
    assert population_year(pd.Period("2022-09", "M"), years) == (2022, "")
    # Apr 2021 - Mar 2022: middle ~ 1 Oct 2021, 93 days after mid-2021
    assert population_year(pd.Period("2022-03", "M"), years)[0] == 2021
    # Jan - Dec 2022: middle ~ 2 Jul 2022
    assert population_year(pd.Period("2022-12", "M"), years)[0] == 2022
    # Apr 2025 - Mar 2026: middle ~ 1 Oct 2025 -> mid-2025 not held; latest is 2024
    assert population_year(pd.Period("2026-03", "M"), years) == (
        2024,
        "mid-2025, nearest its middle, is not in the population files; the latest available used",
    )
    # three months, Dec 2019 - Feb 2020: middle ~ 15 Jan 2020, 199 days after mid-2019 and 167 before mid-2020
    assert population_year(pd.Period("2020-02", "M"), years, months=3) == (2020, "")


def test_population_year_as_published_by_a_day():
    years = [2019, 2020, 2021, 2022, 2023, 2024]
    end = pd.Period("2022-09", "M")  # nearest mid-2022
    # by 17 Nov 2022 neither mid-2022 (26 Mar 2024) nor mid-2021 (21 Dec 2022) was out: mid-2020 (25 Jun 2021)
    assert population_year(end, years, published_by=dt.date(2022, 11, 17)) == (
        2020,
        "mid-2022, nearest its middle, was first published on 26 March 2024",
    )
    assert population_year(end, years, published_by=dt.date(2022, 12, 21))[0] == 2021  # out that day
    assert population_year(end, years, published_by=dt.date(2024, 3, 26)) == (2022, "")
    # mid-2024 is not in ESTIMATE_PUBLISHED: assumed out on 30 June 2025
    assert published(2024) == dt.date(2025, 6, 30)
    assert population_year(pd.Period("2024-12", "M"), years, published_by=dt.date(2025, 6, 29))[0] == 2023
    assert population_year(pd.Period("2024-12", "M"), years, published_by=dt.date(2025, 6, 30))[0] == 2024


def test_rolling_rates_use_the_estimate_published_by_a_day(monthly):
    rolling = rolling_values(
        monthly, CATALOGUE, population(), [Q2.end_month], board.BOARD.areas, published_by=dt.date(2023, 1, 1)
    )
    # mid-2022 was first published on 26 March 2024: mid-2021's 10,000 a district stands in, 36 / 10,000 x 1,000
    assert at(rolling, "crime", "Blaby", "2022-09", "population_year") == 2021
    assert at(rolling, "crime", "Blaby", "2022-09", "value") == pytest.approx(3.6)


def test_population_note_says_which_estimates_and_why():
    uses = [
        ("the 12 months to September 2022", 2020, "mid-2022, nearest its middle, was first published on 26 March 2024"),
        ("the pre-pandemic baseline", 2020, ""),
    ]
    assert population_note(uses, dt.date(2022, 11, 17), False, "the board's meeting date") == (
        "those published by 17 November 2022, the board's meeting date; for each period the one nearest its middle, unless "
        "stated: mid-2020 for the 12 months to September 2022 (mid-2022, nearest its middle, was first published on "
        "26 March 2024) and mid-2020 for the pre-pandemic baseline"
    )
    assert population_note(uses[1:], None, False) == (
        "the latest available; for each period the one nearest its middle, unless stated: mid-2020 for the pre-pandemic "
        "baseline"
    )
    assert population_note(uses[1:], None, True).startswith(
        "the latest available (no meeting date is set to limit them to those published by then);"
    )
