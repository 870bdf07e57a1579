"""helpers.inputs.population: ONS district and small-area population estimates."""

import csv
import logging
import re

import pandas as pd
import pytest

import board
from helpers import config
from helpers.errors import InputError
from helpers.inputs.population import (
    missing_population,
    missing_population_message,
    read_lsoa_population,
    read_population,
)


def error_of(call, *args, **kwargs) -> InputError:
    with pytest.raises(InputError) as caught:
        call(*args, **kwargs)
    return caught.value


# --- Population -------------------------------------------------------------------------

PARTNERSHIP = {code: name for name, code in board.DISTRICTS.items()}


def test_read_population_bundled():
    population = read_population(districts=PARTNERSHIP)
    assert sorted(population["year"].unique()) == [2019, 2020, 2021, 2022, 2023, 2024]
    for _year, group in population.groupby("year"):
        assert sorted(group["area_code"]) == sorted(board.DISTRICTS.values())
    assert "E06000016" not in set(population["area_code"])  # Leicester
    lookup = population.set_index(["year", "area_code"])["population"]
    # values read off the source CSV rows by hand
    assert lookup[(2022, "E06000017")] == 41151  # Rutland, ons_mye_lad_totals_2021_2024_england_wales.csv
    assert lookup[(2019, "E07000129")] == 101526  # Blaby, ons_mye_mid2019_..._single_year_age.csv
    assert lookup[(2020, "E07000130")] == 188416  # Charnwood, ons_mye_mid2020_...
    assert lookup[(2024, "E07000135")] == 61695  # Oadby and Wigston, totals file


def test_shipped_successors_match_the_shipped_population_files():
    """Every replaced district is in the mid-2019, mid-2020 or mid-2021 estimates under its own name, and
    every new district in the mid-2022 rows, under its own name."""
    names = {}  # (year, code): name, read straight from the files
    for path in config.POPULATION.glob("*.csv"):
        with open(path, encoding="utf-8-sig", newline="") as file:
            for row in csv.DictReader(file):
                year = int(row["year"]) if "year" in row else int(re.search(r"mid(\d{4})", path.name).group(1))
                code = row.get("lad_code") or row.get("ltla19_code") or row.get("ltla21_code")
                names[year, code] = row.get("lad_name") or row.get("ltla19_name") or row.get("ltla21_name")
    with open(config.LAD_SUCCESSORS, encoding="utf-8", newline="") as file:
        successors = list(csv.DictReader(file))
    assert len(successors) == 28
    for row in successors:
        old_names = {names.get((year, row["old_code"])) for year in (2019, 2020, 2021)} - {None}
        assert old_names == {row["old_name"]}, row
        assert names.get((2022, row["new_code"])) == row["new_name"], row
        assert (2022, row["old_code"]) not in names, row


@pytest.fixture
def population_files(tmp_path):
    """Hand-made estimates: mid-2021 on the old codes (Craven and Hambleton, later North Yorkshire; Rutland
    unchanged), mid-2022 on the new ones, and a successors file."""
    folder = tmp_path / "population"
    folder.mkdir()
    (folder / "ons_mye_mid2021_persons.csv").write_text(
        "lad21_code,lad21_name,total_population,0,1\n"
        "E07000163,Craven,57000,1,2\n"
        "E07000164,Hambleton,92000,3,4\n"
        "E06000017,Rutland,41000,5,6\n"
    )
    (folder / "totals.csv").write_text(
        "year,lad_code,lad_name,population\n"
        "2022,E06000065,North Yorkshire,150500\n"
        '2022,E06000017,Rutland,"41,151"\n'
        "2023,E07000163,Craven,58000\n"  # one predecessor only: no sum for 2023
        "2023,E06000017,Rutland,41500\n"
    )
    successors = tmp_path / "successors.csv"
    successors.write_text(
        "old_code,old_name,new_code,new_name,changed\n"
        "E07000163,Craven,E06000065,North Yorkshire,2023-04-01\n"
        "E07000164,Hambleton,E06000065,North Yorkshire,2023-04-01\n"
    )
    return folder, successors


def as_dict(population: pd.DataFrame) -> dict:
    return {(r.year, r.area_code): r.population for r in population.itertuples()}


def test_a_new_district_before_its_creation_is_the_sum_of_those_it_replaced(population_files):
    folder, successors = population_files
    wanted = {"E06000065": "North Yorkshire", "E06000017": "Rutland"}
    population = read_population(folder, wanted, successors)
    assert as_dict(population) == {
        (2021, "E06000017"): 41000,
        (2021, "E06000065"): 57000 + 92000,  # old codes: summed
        (2022, "E06000017"): 41151,
        (2022, "E06000065"): 150500,  # its own row
        (2023, "E06000017"): 41500,  # Hambleton missing: no sum
    }
    assert list(population.columns) == ["year", "area_code", "population"]
    assert missing_population(population, wanted, 2023) == ["E06000065"]
    assert missing_population(population, wanted, 2022) == []


def test_a_read_logs_its_files_and_estimates_and_the_sums_it_made(population_files, caplog):
    folder, successors = population_files
    caplog.set_level(logging.DEBUG, logger="helpers.inputs.population")
    read_population(folder, {"E06000065": "North Yorkshire", "E06000017": "Rutland"}, successors)
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("DEBUG", f"district successors read from {successors}: 1 districts replaced others"),
        ("DEBUG", f"{folder / 'ons_mye_mid2021_persons.csv'}: 3 estimates kept"),  # Craven, Hambleton, Rutland
        ("DEBUG", f"{folder / 'totals.csv'}: 4 estimates kept"),  # Craven's 2023 row: a predecessor's
        ("DEBUG", "mid-2021 population of E06000065: the sum of the districts it replaced, E07000163, E07000164"),
        ("INFO", f"population: 2 files read from {folder}: 5 estimates for 2 districts, mid-2021 to mid-2023"),
    ]


def test_old_codes_are_read_as_they_are_and_none_means_every_district(population_files):
    folder, successors = population_files
    assert as_dict(read_population(folder, {"E07000164": "Hambleton"}, successors)) == {(2021, "E07000164"): 92000}
    assert as_dict(read_population(folder, None, successors)) == {
        (2021, "E07000163"): 57000,
        (2021, "E07000164"): 92000,
        (2021, "E06000017"): 41000,
        (2021, "E06000065"): 149000,
        (2022, "E06000065"): 150500,
        (2022, "E06000017"): 41151,
        (2023, "E07000163"): 58000,
        (2023, "E06000017"): 41500,
    }


def test_a_district_without_an_estimate_is_named_with_the_year_and_the_file_to_add(population_files):
    folder, successors = population_files
    wanted = {"E06000017": "Rutland", "E06000063": "Cumberland", "E06000064": "Westmorland and Furness"}
    population = read_population(folder, wanted, successors)
    missing = missing_population(population, wanted, 2023)
    assert missing == ["E06000063", "E06000064"]
    assert missing_population_message(wanted, missing, 2023, folder) == (
        f"no mid-2023 population for Cumberland (E06000063), Westmorland and Furness (E06000064) in {folder}: "
        "add ONS's mid-2023 estimates (MYE2 - Persons, All ages) as a CSV file with columns year, lad_code, population"
    )
    assert " in data/population: " in missing_population_message(wanted, missing, 2023)  # shown from the project


def test_population_not_positive_names_file_and_line(population_files):
    folder, successors = population_files
    totals = folder / "totals.csv"
    totals.write_text(totals.read_text().replace("2023,E06000017,Rutland,41500", "2023,E06000017,Rutland,-5"))
    error = error_of(read_population, folder, {"E06000017": "Rutland"}, successors)
    assert str(error) == f"{totals}, row 5: population '-5' for E06000017 in 2023 is not a positive whole number"
    assert len(read_population(folder, {"E06000065": "North Yorkshire"}, successors)) == 2  # other rows: not checked


def test_population_unknown_file_layout(tmp_path):
    (tmp_path / "odd.csv").write_text("a,b\n1,2\n")
    error = error_of(read_population, tmp_path)
    assert "odd.csv" in str(error) and "not a population file" in str(error)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "no population" in str(error_of(read_population, empty))


# --- Small-area population ----------------------------------------------------------------


def test_lsoa_population_in_either_ons_layout(tmp_path):
    """ONS's 2021-LSOA layout below a title line, and the older 2011-LSOA layout in another case and spacing."""
    recent = tmp_path / "sapelsoa2022.csv"
    recent.write_text(
        "Mid-2022 LSOA population estimates\n"
        "LAD 2021 Code,LAD 2021 Name,LSOA 2021 Code,LSOA 2021 Name,Total,F0\n"
        'E07000133,Melton,E01025885,Melton 001A,"1,512",7\n\n'
        "E07000133,Melton,E01025886,Melton 001B,1498,9\n"
    )
    assert read_lsoa_population(recent).to_dict() == {"E01025885": 1512, "E01025886": 1498}
    older = tmp_path / "sape2020.csv"
    older.write_text("lsoa  code,LSOA_Name,All Ages,0\nW01000001,Isle of Anglesey 001A,1650,12\n")
    assert read_lsoa_population(older).to_dict() == {"W01000001": 1650}


def test_a_small_area_read_logs_its_file_lsoas_and_residents(tmp_path, caplog):
    path = tmp_path / "sape.csv"
    path.write_text('LSOA Code,All Ages\nE01025885,1512\nE01025886,"1,498"\n')
    caplog.set_level(logging.INFO, logger="helpers.inputs.population")
    read_lsoa_population(path)
    assert caplog.messages == [f"small-area population read from {path}: 2 LSOAs, 3,010 residents"]


@pytest.mark.parametrize(
    "row, problem",
    [
        ("Melton 001B,E01025886,", "population '' for E01025886 is not a positive whole number"),
        ("Melton 001B,E01025886,0", "population '0' for E01025886 is not a positive whole number"),
        ("Melton 001B,E07000133,1498", "'E07000133' is not an LSOA code such as E01025885"),
        ("Melton 001B,E01025885,1498", "E01025885 appears twice (also on line 2)"),
    ],
)
def test_a_bad_lsoa_population_row_is_one_line_naming_file_and_row(tmp_path, row, problem):
    path = tmp_path / "lsoa.csv"
    path.write_text(f"LSOA Name,LSOA Code,All Ages\nMelton 001A,E01025885,1512\n{row}\n")
    assert str(error_of(read_lsoa_population, path)) == f"{path}, row 3: {problem}"


def test_a_file_that_is_not_lsoa_population_says_what_it_needs(tmp_path):
    path = tmp_path / "lsoa.csv"
    path.write_text("year,lad_code,population\n2021,E07000133,51394\n")
    assert "no header naming the LSOA code ('LSOA 2021 Code' or 'LSOA Code')" in str(
        error_of(read_lsoa_population, path)
    )
    path.write_text("LSOA 2021 Code,LSOA 2021 Name,Males\nE01025885,Melton 001A,700\n")
    assert str(error_of(read_lsoa_population, path)) == (
        f"{path}, row 1: no all-ages population column: expected 'Total' or 'All Ages' beside 'LSOA 2021 Code'"
    )
