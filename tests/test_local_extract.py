"""helpers.inputs.local_extract: a local extract CSV checked row by row."""

import logging

import pandas as pd
import pytest

import board
from helpers import config
from helpers.errors import InputError
from helpers.inputs.catalogue import load_catalogue
from helpers.inputs.local_extract import read_local_extract


def error_of(call, *args, **kwargs) -> InputError:
    with pytest.raises(InputError) as caught:
        call(*args, **kwargs)
    return caught.value


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


HEADER = "area,period,indicator_id,numerator,denominator\n"
GOOD = (
    "Blaby,2022-09,asb_nuisance,12,\n"
    "E06000017,2022-09,asb_nuisance,3,\n"  # ONS code for Rutland
    "Charnwood,2022-23-Q2,marac_repeat_rate,10,30\n"  # quarter -> its last month, 2022-09
    "Melton,2022-23-Q4,cohesion_survey,80,100\n"  # Q4 2022-23 ends March 2023
    'Harborough,2022-07,hate_crime,"1,234",\n'
)


def write_local(tmp_path, body, header=HEADER):
    path = tmp_path / "local.csv"
    path.write_text(header + body)
    return path


def test_local_good_rows(tmp_path, catalogue):
    frame = read_local_extract(write_local(tmp_path, GOOD), catalogue, board.DISTRICTS)
    rows = [tuple(None if pd.isna(v) else v for v in r) for r in frame.itertuples(index=False)]
    assert rows == [
        ("asb_nuisance", "Blaby", "2022-09", 12, None),
        ("asb_nuisance", "Rutland", "2022-09", 3, None),
        ("marac_repeat_rate", "Charnwood", "2022-09", 10, 30),
        ("cohesion_survey", "Melton", "2023-03", 80, 100),
        ("hate_crime", "Harborough", "2022-07", 1234, None),
    ]


def test_a_read_logs_its_rows_indicators_areas_and_months(tmp_path, catalogue, caplog):
    path = write_local(tmp_path, GOOD)
    caplog.set_level(logging.INFO, logger="helpers.inputs.local_extract")
    read_local_extract(path, catalogue, board.DISTRICTS)
    assert caplog.messages == [f"local rows read from {path}: 5 rows of 4 indicators for 5 areas, 2022-07 to 2023-03"]


def test_bundled_local_sample_reads(catalogue):
    frame = read_local_extract(config.LOCAL_SAMPLE, catalogue, board.DISTRICTS)
    assert len(frame) == 3272  # 3273 lines less the header
    assert set(frame["area"]) == set(board.DISTRICTS)


@pytest.mark.parametrize(
    "line, words",
    [
        ("Leicester,2022-09,asb_nuisance,1,", ["unknown area 'Leicester'"]),
        ("Rugby,2022-09,asb_nuisance,1,", ["unknown area 'Rugby'"]),
        ("E06000016,2022-09,asb_nuisance,1,", ["unknown area"]),
        ("Blaby,2022-09,asb_nuisanse,1,", ["unknown indicator id 'asb_nuisanse'"]),
        ("Blaby,2022-09,total_crime,1,", ["total_crime", "police.uk"]),
        ("Blaby,2022-13,asb_nuisance,1,", ["2022-13", "YYYY-MM"]),
        ("Blaby,Sep 2022,asb_nuisance,1,", ["Sep 2022"]),
        ("Blaby,2022-23-Q2,asb_nuisance,1,", ["2022-23-Q2", "YYYY-MM"]),
        ("Blaby,2022-09,marac_repeat_rate,1,10", ["2022-09", "quarter"]),
        ("Blaby,2022-24-Q2,marac_repeat_rate,1,10", ["2022-24-Q2"]),
        ("Blaby,2022-09,asb_nuisance,-1,", ["'-1'"]),
        ("Blaby,2022-09,asb_nuisance,12a,", ["'12a'", "not a number"]),
        ("Blaby,2022-09,asb_nuisance,2.5,", ["'2.5'"]),
        ("Blaby,2022-09,asb_nuisance,inf,", ["'inf'"]),
        ("Blaby,2022-09,asb_nuisance,,", ["numerator is empty"]),
        ("Blaby,2022-23-Q2,marac_repeat_rate,31,30", ["31", "greater than denominator 30"]),
        ("Blaby,2022-23-Q2,marac_repeat_rate,3,", ["denominator"]),
        ("Blaby,2022-23-Q2,marac_repeat_rate,0,0", ["denominator"]),
        ("Blaby,2022-09,asb_nuisance,5,", ["duplicate row", "asb_nuisance", "Blaby"]),
        ("E07000129,2022-09,asb_nuisance,5,", ["duplicate row"]),  # the same district by its code
    ],
)
def test_local_bad_line_names_file_line_and_problem(tmp_path, catalogue, line, words):
    path = write_local(tmp_path, "Blaby,2022-09,asb_nuisance,12,\n" + line + "\n")
    error = error_of(read_local_extract, path, catalogue, board.DISTRICTS)
    assert error.row == 3 and "row 3" in str(error)  # header line 1, good row line 2
    assert "local.csv" in str(error)
    for word in words:
        assert word in str(error)


def test_local_missing_column(tmp_path, catalogue):
    path = write_local(tmp_path, "Blaby,2022-09,asb_nuisance,12\n", header="area,period,indicator_id,numerator\n")
    error = error_of(read_local_extract, path, catalogue, board.DISTRICTS)
    assert "denominator" in str(error) and "local.csv" in str(error) and error.row == 1


def test_local_missing_or_empty_file(tmp_path, catalogue):
    assert "not found" in str(error_of(read_local_extract, tmp_path / "none.csv", catalogue, board.DISTRICTS))
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert "empty.csv" in str(error_of(read_local_extract, empty, catalogue, board.DISTRICTS))


def test_local_header_only_is_an_empty_table(tmp_path, catalogue):
    frame = read_local_extract(write_local(tmp_path, ""), catalogue, board.DISTRICTS)
    assert frame.empty and list(frame.columns) == ["indicator_id", "area", "month", "numerator", "denominator"]
