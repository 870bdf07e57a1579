"""helpers.inputs.partners_return: the Excel data return partners fill in, written and read back for real."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

import board
from helpers import config
from helpers.errors import InputError
from helpers.inputs.catalogue import Indicator, load_catalogue
from helpers.inputs.local_extract import read_local_extract
from helpers.inputs.partners_return import (
    RETURN_HEADERS,
    read_return,
    return_periods,
    return_sheets,
    write_return_template,
)
from helpers.quarters import parse_quarter

QUARTER = "2022-23-Q2"


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


@pytest.fixture(scope="module")
def template(catalogue, tmp_path_factory) -> Path:
    return write_return_template(QUARTER, tmp_path_factory.mktemp("return") / "return.xlsx", catalogue, board.DISTRICTS)


def fill(template: Path, path: Path, values: dict) -> Path:
    """Fill a copy of the template: values maps (sheet, cell) -> value."""
    wb = load_workbook(template)
    for (sheet, cell), value in values.items():
        wb[sheet][cell] = value
    wb.save(path)
    return path


def test_template_layout(template, catalogue):
    wb = load_workbook(template)
    assert wb.sheetnames == ["Instructions", "Crime", "Domestic abuse", "ASB", "MARAC", "Survey"]
    quarter = parse_quarter(QUARTER)
    local = [i for i in catalogue.values() if i.source == "local"]
    for ws in wb.worksheets[1:]:
        assert [c.value for c in ws[1]][:5] == RETURN_HEADERS
        assert ws.freeze_panes == "A2"
        rows = [(r[0].value, r[1].value, r[2].value) for r in ws.iter_rows(min_row=2) if r[0].value]
        ids = {r[2] for r in rows}
        expected = {
            (a, p, i.id) for i in local if i.id in ids for p in return_periods(quarter, i) for a in board.DISTRICTS
        }
        assert set(rows) == expected and len(rows) == len(expected)
        checks = {dv.type: dv for dv in ws.data_validations.dataValidation}
        assert {"list", "whole"} <= set(checks)
        whole = [dv for dv in ws.data_validations.dataValidation if dv.type == "whole"]
        assert {str(dv.sqref).split(":")[0] for dv in whole} == {"D2", "E2"}
        assert all(dv.operator == "greaterThanOrEqual" and dv.formula1 == "0" for dv in whole)
        lists = " ".join(dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list")
        assert "Oadby and Wigston" in lists
    months = [r[1].value for r in wb["ASB"].iter_rows(min_row=2) if r[1].value]
    assert sorted(set(months))[0] == "2020-10" and sorted(set(months))[-1] == "2022-09" and len(set(months)) == 24
    quarters = sorted({r[1].value for r in wb["MARAC"].iter_rows(min_row=2) if r[1].value})
    assert quarters[0] == "2020-21-Q3" and quarters[-1] == "2022-23-Q2" and len(quarters) == 8


def local(id_: str, sheet: str = "", measure: str = "rate", source: str = "local", **fields) -> Indicator:
    return Indicator(
        id_,
        id_.title(),
        "reduce_crime",
        measure,
        "lower_is_better",
        source,
        f"{id_} defined",
        return_sheet=sheet,
        **fields,
    )


def test_each_local_indicator_is_on_its_return_sheet_rates_first_then_percentages_then_other(tmp_path):
    catalogue = {
        i.id: i
        for i in (
            local("cases", "Cases", "percentage", numerator="repeat cases", denominator="all cases"),
            local("thefts", "Crime"),
            local("robbery", source="police_uk"),
            local("loose"),
            local("nuisance", "ASB"),
            local("frauds", "Crime"),
        )
    }
    sheets = return_sheets(catalogue)
    assert {name: [i.id for i in on] for name, on in sheets.items()} == {
        "Crime": ["thefts", "frauds"],
        "ASB": ["nuisance"],
        "Cases": ["cases"],
        "Other": ["loose"],
    }
    wb = load_workbook(write_return_template(QUARTER, tmp_path / "return.xlsx", catalogue, {"Melton": "E07000133"}))
    assert wb.sheetnames == ["Instructions", "Crime", "ASB", "Cases", "Other"]
    assert wb["Cases"]["D1"].comment.text.startswith("Numerator: repeat cases.")
    assert wb["Cases"]["E1"].comment.text.startswith("Denominator: all cases.")
    assert wb["Crime"]["E1"].comment.text.startswith("Denominator: leave blank (population is used).")


def test_template_round_trips_the_sample_extract(template, catalogue, tmp_path):
    sample = pd.read_csv(config.LOCAL_SAMPLE, dtype=str, keep_default_na=False)
    lookup = {(r.area, r.period, r.indicator_id): (r.numerator, r.denominator) for r in sample.itertuples()}
    wb = load_workbook(template)
    for ws in wb.worksheets[1:]:
        for row in ws.iter_rows(min_row=2, max_col=5):
            key = (row[0].value, row[1].value, row[2].value)
            if key in lookup:
                numerator, denominator = lookup[key]
                row[3].value = int(numerator)
                row[4].value = int(denominator) if denominator else None
    filled = tmp_path / "filled.xlsx"
    wb.save(filled)

    got = read_return(filled, catalogue, board.DISTRICTS)
    quarter = parse_quarter(QUARTER)
    months = {str(m) for m in pd.period_range(end=quarter.end_month, periods=24, freq="M")}
    expected = read_local_extract(config.LOCAL_SAMPLE, catalogue, board.DISTRICTS)
    expected = expected[expected["month"].isin(months)]
    order = ["indicator_id", "area", "month"]
    pd.testing.assert_frame_equal(
        got.sort_values(order, ignore_index=True), expected.sort_values(order, ignore_index=True)
    )
    assert len(got) == 11 * 24 * 8 + 2 * 8 * 8


def test_empty_numerator_is_not_supplied(template, catalogue, tmp_path):
    path = fill(template, tmp_path / "partial.xlsx", {("ASB", "D2"): 7, ("MARAC", "D3"): 4, ("MARAC", "E3"): 12})
    got = read_return(path, catalogue, board.DISTRICTS)
    assert len(got) == 2
    asb = got[got["indicator_id"] == "asb_nuisance"].iloc[0]
    assert (asb["area"], asb["month"], asb["numerator"]) == ("Blaby", "2020-10", 7) and pd.isna(asb["denominator"])
    marac = got[got["indicator_id"] == "marac_repeat_rate"].iloc[0]
    assert (marac["area"], marac["month"], marac["numerator"], marac["denominator"]) == ("Charnwood", "2020-12", 4, 12)


def test_a_month_excel_turned_into_a_date_is_read(template, catalogue, tmp_path):
    import datetime as dt

    path = fill(template, tmp_path / "dated.xlsx", {("ASB", "B2"): dt.datetime(2020, 10, 1), ("ASB", "D2"): 3})
    assert read_return(path, catalogue, board.DISTRICTS)["month"].tolist() == ["2020-10"]


@pytest.mark.parametrize(
    "values, where, problem",
    [
        ({("ASB", "D7"): "abc"}, "sheet 'ASB' cell D7", "numerator 'abc' is not a number"),
        ({("ASB", "D7"): -3}, "sheet 'ASB' cell D7", "numerator '-3' must be a whole number of 0 or more"),
        ({("Crime", "D4"): 2.5}, "sheet 'Crime' cell D4", "numerator '2.5' must be a whole number"),
        ({("MARAC", "D5"): 9, ("MARAC", "E5"): "many"}, "sheet 'MARAC' cell E5", "denominator 'many' is not a number"),
        (
            {("MARAC", "D5"): 9, ("MARAC", "E5"): 4},
            "sheet 'MARAC' cell D5",
            "numerator 9 is greater than denominator 4",
        ),
        ({("ASB", "A9"): "Leicester", ("ASB", "D9"): 1}, "sheet 'ASB' cell A9", "unknown area 'Leicester'"),
        ({("ASB", "B9"): "2020/10", ("ASB", "D9"): 1}, "sheet 'ASB' row 9", "must be a month YYYY-MM"),
        ({("MARAC", "D2"): 3}, "sheet 'MARAC' row 2", "denominator must be a positive whole number"),
        ({("ASB", "D1"): "Count"}, "sheet 'ASB' row 1", "the first row must be the headers Area, Period"),
    ],
)
def test_bad_values_name_file_sheet_and_cell(template, catalogue, tmp_path, values, where, problem):
    path = fill(template, tmp_path / "bad.xlsx", values)
    with pytest.raises(InputError) as caught:
        read_return(path, catalogue, board.DISTRICTS)
    message = str(caught.value)
    assert message.startswith(f"{path}, {where}: ")
    assert problem in message


def test_duplicate_rows_are_refused(template, catalogue, tmp_path):
    path = fill(
        template,
        tmp_path / "twice.xlsx",
        {
            ("ASB", "D2"): 1,
            ("ASB", "A900"): "Blaby",
            ("ASB", "B900"): "2020-10",
            ("ASB", "C900"): "asb_nuisance",
            ("ASB", "D900"): 2,
        },
    )
    with pytest.raises(InputError, match=r"sheet 'ASB' row 900: duplicate row.*sheet 'ASB' row 2"):
        read_return(path, catalogue, board.DISTRICTS)


def test_unreadable_return(catalogue, tmp_path):
    junk = tmp_path / "junk.xlsx"
    junk.write_text("not a workbook")
    with pytest.raises(InputError, match="junk.xlsx: not a readable .xlsx workbook"):
        read_return(junk, catalogue, board.DISTRICTS)
    with pytest.raises(InputError, match="not found"):
        read_return(tmp_path / "missing.xlsx", catalogue, board.DISTRICTS)
