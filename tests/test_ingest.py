"""helpers.inputs.ingest: police.uk street-level files, ONS population and local extracts: what each
holds, and the one-line error for each kind of bad row."""

import collections
import csv
import gzip
import hashlib
import re
import shutil
import zipfile

import pandas as pd
import pytest

import board
from conftest import POLICE_HEADER, street_csv_text
from helpers import config
from helpers.analysis.neighbourhoods import district_of
from helpers.errors import InputError
from helpers.inputs.catalogue import load_catalogue
from helpers.inputs.ingest import (
    missing_population,
    missing_population_message,
    read_local_extract,
    read_lsoa_population,
    read_police_uk,
    read_population,
)

# --- police.uk ------------------------------------------------------------------------

# September: (Crime ID, LSOA name, Crime type)
SEPTEMBER = [
    ("s1", "Blaby 001A", "Burglary"),
    ("s2", "Blaby 002B", "Burglary"),
    ("", "Blaby 001A", "Anti-social behaviour"),  # ASB rows have no Crime ID
    ("s4", "Hinckley and Bosworth 001A", "Vehicle crime"),
    ("s5", "Leicester 010C", "Burglary"),  # Leicester: not in the partnership
    ("s6", "Rugby 001A", "Shoplifting"),  # a neighbouring force area
    ("s7", "", "Robbery"),  # no location
    ("", "Rutland 003A", "Anti-social behaviour"),  # a second empty Crime ID is fine
    ("s9", "North West Leicestershire 012B", "Violence and sexual offences"),
]
OCTOBER = [
    ("o1", "Charnwood 012A", "Drugs"),
    ("o2", "Charnwood 001B", "Drugs"),
    ("", "Leicester 001A", "Anti-social behaviour"),
    ("o4", "Oadby and Wigston 003C", "Shoplifting"),
]
# Hand count of the located rows, month x district x crime type: every district, whichever partnership it is in.
EXPECTED_COUNTS = {
    ("2022-09", "Blaby", "Anti-social behaviour"): 1,
    ("2022-09", "Blaby", "Burglary"): 2,
    ("2022-09", "Hinckley and Bosworth", "Vehicle crime"): 1,
    ("2022-09", "Leicester", "Burglary"): 1,
    ("2022-09", "North West Leicestershire", "Violence and sexual offences"): 1,
    ("2022-09", "Rugby", "Shoplifting"): 1,
    ("2022-09", "Rutland", "Anti-social behaviour"): 1,
    ("2022-10", "Charnwood", "Drugs"): 2,
    ("2022-10", "Leicester", "Anti-social behaviour"): 1,
    ("2022-10", "Oadby and Wigston", "Shoplifting"): 1,
}
# September: 9 rows = 6 in the board's districts + 1 Leicester + 1 Rugby + 1 without LSOA.
# October: 4 rows = 3 in the board's districts + 1 Leicester.
EXPECTED_QUALITY = {
    "2022-09": {"rows": 9, "no_location": 1},
    "2022-10": {"rows": 4, "no_location": 0},
}


def counts_dict(data):
    return {(r.month, r.district, r.crime_type): int(r.count) for r in data.counts.itertuples()}


def quality_dict(data):
    keys = ["rows", "no_location"]
    return {r["month"]: {k: int(r[k]) for k in keys} for r in data.quality.to_dict("records")}


def error_of(call, *args, **kwargs) -> InputError:
    with pytest.raises(InputError) as caught:
        call(*args, **kwargs)
    return caught.value


def test_district_is_lsoa_name_without_last_token():
    names = pd.Series(["Hinckley and Bosworth 001A", "Charnwood 012A", "North West Leicestershire 012B", None])
    assert district_of(names).tolist()[:3] == ["Hinckley and Bosworth", "Charnwood", "North West Leicestershire"]
    assert pd.isna(district_of(names).iloc[3])


def test_plain_csv_counts_and_quality(tmp_path, write_street_csv):
    write_street_csv(tmp_path, "2022-09", SEPTEMBER)
    write_street_csv(tmp_path, "2022-10", OCTOBER)
    data = read_police_uk(tmp_path)
    assert counts_dict(data) == EXPECTED_COUNTS
    assert quality_dict(data) == EXPECTED_QUALITY
    assert data.months == ["2022-09", "2022-10"]


def test_files_are_hashed_and_counted(tmp_path, write_street_csv):
    paths = [write_street_csv(tmp_path, "2022-09", SEPTEMBER), write_street_csv(tmp_path, "2022-10", OCTOBER, "gz")]
    data = read_police_uk(tmp_path)
    by_path = {f.path: f for f in data.files}
    for path, rows, month in zip(paths, (9, 4), ("2022-09", "2022-10")):
        source = by_path[str(path)]
        assert source.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
        assert source.rows == rows and source.month == month


def test_csv_gz_and_zip_in_subfolders_give_identical_counts(tmp_path, write_street_csv):
    # plain CSVs laid out like police.uk's archive: 2022-09/2022-09-leicestershire-street.csv
    plain = tmp_path / "plain"
    write_street_csv(plain / "2022-09", "2022-09", SEPTEMBER)
    write_street_csv(plain / "deeper" / "2022-10", "2022-10", OCTOBER)
    gz = tmp_path / "gz"
    write_street_csv(gz, "2022-09", SEPTEMBER, "gz")
    write_street_csv(gz, "2022-10", OCTOBER, "gz")
    zipped = tmp_path / "zip"
    zipped.mkdir()
    with zipfile.ZipFile(zipped / "police-download.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("2022-09/2022-09-leicestershire-street.csv", street_csv_text("2022-09", SEPTEMBER))
        archive.writestr("2022-10/2022-10-leicestershire-street.csv", street_csv_text("2022-10", OCTOBER))
        archive.writestr("2022-10/2022-10-leicestershire-outcomes.csv", "not read")
    for folder in (plain, gz, zipped):
        data = read_police_uk(folder)
        assert counts_dict(data) == EXPECTED_COUNTS, folder.name
        assert quality_dict(data) == EXPECTED_QUALITY, folder.name
    zip_data = read_police_uk(zipped)
    assert len(zip_data.files) == 1 and zip_data.files[0].rows == 13
    assert zip_data.files[0].sha256 == hashlib.sha256((zipped / "police-download.zip").read_bytes()).hexdigest()


def test_bom_and_crlf_are_read(tmp_path):
    text = street_csv_text("2022-09", SEPTEMBER).replace("\n", "\r\n")
    (tmp_path / "2022-09-leicestershire-street.csv").write_bytes(b"\xef\xbb\xbf" + text.encode())
    data = read_police_uk(tmp_path)
    assert counts_dict(data) == {k: v for k, v in EXPECTED_COUNTS.items() if k[0] == "2022-09"}


def test_other_files_in_the_folder_are_ignored(tmp_path, write_street_csv):
    write_street_csv(tmp_path, "2022-09", SEPTEMBER)
    (tmp_path / "README.txt").write_text("notes")
    (tmp_path / "2022-09-leicestershire-outcomes.csv").write_text("Crime ID,Month\nx,2022-09\n")
    assert counts_dict(read_police_uk(tmp_path))[("2022-09", "Blaby", "Burglary")] == 2


def test_missing_column_names_column_file_and_row_1(tmp_path, write_street_csv):
    header = [c for c in POLICE_HEADER if c != "Crime type"]
    path = write_street_csv(tmp_path, "2022-09", [], header=header)
    path.write_text(path.read_text() + "x,2022-09,L,L,0,0,loc,E01,Blaby 001A,outcome,\n")
    error = error_of(read_police_uk, tmp_path)
    assert "'Crime type'" in str(error)
    assert path.name in str(error)
    assert error.row == 1 and "row 1" in str(error)


@pytest.mark.parametrize("bad_month", ["2022-9", "Sep-22", "2022-13", ""])
def test_month_not_yyyy_mm_names_the_line(tmp_path, write_street_csv, bad_month):
    rows = [
        ("a", "Blaby 001A", "Burglary"),
        ("b", "Blaby 001A", "Burglary"),
        ("c", "Blaby 001A", "Burglary", bad_month),
    ]
    path = write_street_csv(tmp_path, "2022-09", rows)
    error = error_of(read_police_uk, tmp_path)
    # header is line 1, so the third data row is line 4
    assert error.row == 4 and "row 4" in str(error)
    assert path.name in str(error) and "YYYY-MM" in str(error)


def test_month_not_matching_file_name(tmp_path, write_street_csv):
    rows = [("a", "Blaby 001A", "Burglary"), ("b", "Blaby 001A", "Burglary", "2022-08")]
    path = write_street_csv(tmp_path, "2022-09", rows)
    error = error_of(read_police_uk, tmp_path)
    assert error.row == 3
    assert path.name in str(error) and "2022-08" in str(error) and "2022-09" in str(error)


def _published_rows(month: str) -> list[list[str]]:
    """Repeated Crime IDs in the shapes police.uk publishes: an exact copy, and copies that differ in the outcome,
    the LSOA and the crime type; two ASB rows alike in every field are two incidents, not a copy."""

    def row(crime_id, lsoa, crime_type, outcome="Under investigation"):
        return [
            crime_id,
            month,
            "Leicestershire Police",
            "Leicestershire Police",
            "-1.2",
            "52.6",
            "On or near High Street",
            "E01000001",
            lsoa,
            crime_type,
            outcome,
            "",
        ]

    return [
        row("a", "Blaby 001A", "Burglary"),
        row("a", "Blaby 001A", "Burglary"),  # exact copy
        row("b", "Blaby 001A", "Shoplifting"),
        row("b", "Blaby 001A", "Shoplifting", "Court result unavailable"),
        row("c", "Blaby 001A", "Robbery"),
        row("c", "Melton 002B", "Robbery"),  # another LSOA
        row("d", "Melton 002B", "Drugs"),
        row("d", "Melton 002B", "Public order"),  # another crime type
        row("", "Melton 002B", "Anti-social behaviour", ""),
        row("", "Melton 002B", "Anti-social behaviour", ""),
    ]


def _write_rows(path, rows) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(POLICE_HEADER)
        writer.writerows(rows)


def test_repeated_crime_ids_are_counted_as_published_and_reported(tmp_path):
    _write_rows(tmp_path / "2022-09-leicestershire-street.csv", _published_rows("2022-09"))
    data = read_police_uk(tmp_path)
    assert counts_dict(data) == {
        ("2022-09", "Blaby", "Burglary"): 2,
        ("2022-09", "Blaby", "Shoplifting"): 2,
        ("2022-09", "Blaby", "Robbery"): 1,
        ("2022-09", "Melton", "Robbery"): 1,
        ("2022-09", "Melton", "Drugs"): 1,
        ("2022-09", "Melton", "Public order"): 1,
        ("2022-09", "Melton", "Anti-social behaviour"): 2,
    }
    quality = data.quality.iloc[0]
    assert (quality["rows"], quality["repeated_ids"], quality["exact_copies"], quality["dropped"]) == (10, 4, 1, 0)


def test_drop_exact_leaves_out_only_the_exact_copies(tmp_path):
    _write_rows(tmp_path / "2022-09-leicestershire-street.csv", _published_rows("2022-09"))
    data = read_police_uk(tmp_path, duplicates="drop_exact")
    counts = counts_dict(data)
    assert counts[("2022-09", "Blaby", "Burglary")] == 1 and counts[("2022-09", "Blaby", "Shoplifting")] == 2
    assert counts[("2022-09", "Melton", "Anti-social behaviour")] == 2  # alike ASB rows are not copies
    quality = data.quality.iloc[0]
    assert (quality["rows"], quality["repeated_ids"], quality["exact_copies"], quality["dropped"]) == (9, 4, 1, 1)


def test_empty_file(tmp_path):
    (tmp_path / "2022-09-leicestershire-street.csv").write_bytes(b"")
    error = error_of(read_police_uk, tmp_path)
    assert "2022-09-leicestershire-street.csv" in str(error) and "empty" in str(error)


def test_header_only_file(tmp_path, write_street_csv):
    path = write_street_csv(tmp_path, "2022-09", [])
    error = error_of(read_police_uk, tmp_path)
    assert path.name in str(error) and "no rows" in str(error)


def test_same_month_in_two_files_with_other_rows_names_both(tmp_path, write_street_csv):
    first = write_street_csv(tmp_path / "a", "2022-09", SEPTEMBER)
    second = write_street_csv(tmp_path / "b", "2022-09", SEPTEMBER[:-1], "gz")
    error = error_of(read_police_uk, tmp_path)
    # both files have the same name, so the message must name their folders
    assert "Leicestershire Police's 2022-09 is also in" in str(error) and "with other rows" in str(error)
    assert str(first) in str(error) and str(second) in str(error)


def _zip_beside(folder, csv_path):
    with zipfile.ZipFile(folder / "2022-09.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("2022-09/2022-09-leicestershire-street.csv", csv_path.read_bytes())


COPIES = {
    "a .csv.gz beside its .csv": lambda folder, path: (folder / (path.name + ".gz")).write_bytes(
        gzip.compress(path.read_bytes())
    ),
    "a zip named by month beside the CSV": _zip_beside,
    "renamed to another force": lambda folder, path: shutil.copy(path, folder / "2022-09-nottinghamshire-street.csv"),
    "no date in the name": lambda folder, path: shutil.copy(path, folder / "copy-street.csv"),
    "in a subfolder": lambda folder, path: (folder / "again").mkdir() or shutil.copy(path, folder / "again"),
}


@pytest.mark.parametrize("copy", list(COPIES.values()), ids=list(COPIES))
def test_the_same_month_kept_twice_is_counted_once_with_a_warning(copy, tmp_path, write_street_csv):
    path = write_street_csv(tmp_path, "2022-09", SEPTEMBER)
    once = counts_dict(read_police_uk(tmp_path))
    copy(tmp_path, path)
    data = read_police_uk(tmp_path)
    assert counts_dict(data) == once and sum(once.values()) == 8
    assert quality_dict(data) == {"2022-09": EXPECTED_QUALITY["2022-09"]}
    (warning,) = data.warnings
    assert "holds the same rows as" in warning and "2022-09" in warning and "read once" in warning


def test_a_file_holds_the_force_its_rows_name(tmp_path, write_street_csv):
    """Another force's month is its own month, whatever the file is called; a force whose districts have no
    neighbourhood figures asked for is read alongside (its small-area tables are empty)."""
    write_street_csv(tmp_path, "2022-09", SEPTEMBER)
    other = street_csv_text("2022-09", [("n1", "Rushcliffe 001A", "Burglary"), ("n2", "Gedling 002A", "Drugs")])
    (tmp_path / "2022-09-leicestershire-2-street.csv").write_text(
        other.replace("Leicestershire Police", "Nottinghamshire Police")
    )
    data = read_police_uk(tmp_path, small_areas={"Blaby"})
    counts = counts_dict(data)
    assert counts[("2022-09", "Rushcliffe", "Burglary")] == 1 and counts[("2022-09", "Blaby", "Burglary")] == 2
    assert quality_dict(data)["2022-09"]["rows"] == 11 and not data.warnings
    assert set(data.lsoa_counts["lsoa_name"].str.split().str[0]) == {"Blaby"}


def test_crime_types_in_other_letter_case_are_police_uks_and_unknown_ones_count_in_total_crime(
    tmp_path, write_street_csv
):
    from helpers.analysis.indicators import monthly_numerators
    from helpers.inputs.partnerships import Area

    rows = [
        ("a", "Blaby 001A", "burglary"),
        ("b", "Blaby 001A", "BURGLARY "),
        ("c", "Blaby 001A", "Fraud"),
        ("d", "Blaby 001A", "Fraud"),
        ("", "Blaby 001A", "anti-social behaviour"),
    ]
    write_street_csv(tmp_path, "2022-09", rows)
    data = read_police_uk(tmp_path)
    assert counts_dict(data) == {
        ("2022-09", "Blaby", "Burglary"): 2,
        ("2022-09", "Blaby", "Fraud"): 2,
        ("2022-09", "Blaby", "Anti-social behaviour"): 1,
    }
    (warning,) = data.warnings
    assert "crime type 'Fraud' (2 rows)" in warning and "total recorded crime" in warning
    catalogue = load_catalogue()
    local = pd.DataFrame(columns=["indicator_id", "area", "month", "numerator", "denominator"])
    monthly = monthly_numerators(
        data.counts, local, catalogue, ["2022-09"], [Area("Blaby", "E07000129", "district", {"Blaby": "E07000129"})]
    )
    numerator = monthly.set_index("indicator_id")["numerator"]
    assert numerator["total_crime"] == 4 and numerator["burglary_total"] == 2 and numerator["asb_total"] == 1


def test_folder_with_no_files(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "notes.txt").write_text("nothing here")
    error = error_of(read_police_uk, tmp_path)
    assert str(tmp_path) in str(error) and "no police.uk" in str(error)


def test_missing_folder(tmp_path):
    error = error_of(read_police_uk, tmp_path / "absent")
    assert "absent" in str(error) and "not found" in str(error)


def test_corrupt_gz(tmp_path, write_street_csv):
    path = write_street_csv(tmp_path, "2022-09", SEPTEMBER, "gz")
    path.write_bytes(path.read_bytes()[:40])  # truncated
    error = error_of(read_police_uk, tmp_path)
    assert path.name in str(error) and "decompress" in str(error)
    path.write_bytes(b"this is not gzip at all")
    assert "decompress" in str(error_of(read_police_uk, tmp_path))


def test_corrupt_zip(tmp_path):
    (tmp_path / "download.zip").write_bytes(b"PK\x03\x04 broken")
    error = error_of(read_police_uk, tmp_path)
    assert "download.zip" in str(error) and "decompress" in str(error)


def test_malformed_row_names_the_line(tmp_path, write_street_csv):
    path = write_street_csv(tmp_path, "2022-09", SEPTEMBER[:2])
    path.write_text(path.read_text() + "x,2022-09,L,L,0,0,loc,E01,Blaby 001A,Burglary\n")  # 10 fields, line 4
    error = error_of(read_police_uk, tmp_path)
    assert path.name in str(error) and error.row == 4


def test_partnership_row_without_crime_type(tmp_path, write_street_csv):
    path = write_street_csv(tmp_path, "2022-09", [("a", "Melton 001A", "")])
    error = error_of(read_police_uk, tmp_path)
    assert path.name in str(error) and "Crime type" in str(error) and "Melton 001A" in str(error)


def test_bundled_counts_match_an_independent_count(independent_police_counts):
    """Every district x month of the real bundled data, counted with csv + gzip only."""
    independent, per_month = independent_police_counts
    data = read_police_uk(config.POLICE_UK)
    assert len(data.months) == 35
    assert data.months[0] == "2019-12" and data.months[-1] == "2022-10"
    ours = data.counts.groupby(["month", "district"])["count"].sum().to_dict()
    theirs = collections.Counter()
    for (month, district, _asb), n in independent.items():
        theirs[(month, district)] += n
    assert ours == dict(theirs)
    assert {d for _, d in ours} >= {*board.DISTRICTS, "Leicester"}  # and the neighbours' few rows
    quality = quality_dict(data)
    for month, tally in per_month.items():
        for key in ("rows", "no_location"):
            assert quality[month][key] == tally[key], (month, key)


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


# --- Local extracts ---------------------------------------------------------------------


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
