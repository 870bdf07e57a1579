"""helpers.inputs.police_uk: police.uk street-level files read into monthly counts."""

import collections
import csv
import gzip
import hashlib
import logging
import shutil
import zipfile

import pandas as pd
import pytest

import board
from conftest import POLICE_HEADER, street_csv_text
from helpers import config
from helpers.analysis.places import district_of
from helpers.errors import InputError
from helpers.inputs.catalogue import load_catalogue
from helpers.inputs.police_uk import read_police_uk

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


def test_a_read_logs_its_files_rows_and_months_and_whether_they_were_parsed(
    tmp_path, write_street_csv, monkeypatch, caplog
):
    monkeypatch.setattr(config, "CACHE", tmp_path / "cache")
    folder = tmp_path / "police"
    september = write_street_csv(folder, "2022-09", SEPTEMBER)
    october = write_street_csv(folder, "2022-10", OCTOBER, kind="gz")
    caplog.set_level(logging.DEBUG, logger="helpers.inputs.police_uk")
    for how in ("parsed", "from the month store"):
        caplog.clear()
        read_police_uk(folder)
        assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
            ("DEBUG", f"{september}: Leicestershire Police 2022-09, 9 rows, {how}"),
            ("DEBUG", f"{october}: Leicestershire Police 2022-10, 4 rows, {how}"),
            (
                "INFO",
                f"police.uk: 2 files read from {folder}: 13 rows, 2 months (2022-09 to 2022-10); "
                + (
                    "0 months from the month store, 2 parsed"
                    if how == "parsed"
                    else "2 months from the month store, 0 parsed"
                ),
            ),
        ]


def test_copies_read_once_unknown_crime_types_and_dropped_rows_are_logged(tmp_path, write_street_csv, caplog):
    folder = tmp_path / "police"
    write_street_csv(folder, "2022-09", SEPTEMBER + [("s10", "Blaby 001A", "Cyber crime")])
    shutil.copytree(folder, folder / "again")
    _write_rows(folder / "2022-10-leicestershire-street.csv", _published_rows("2022-10"))
    caplog.set_level(logging.INFO, logger="helpers.inputs.police_uk")
    data = read_police_uk(folder, duplicates="drop_exact")
    messages = [r.getMessage() for r in caplog.records]
    assert len(data.warnings) == 2 and messages[:2] == data.warnings
    assert "holds the same rows as" in messages[0] and "'Cyber crime' (1 rows)" in messages[1]
    assert messages[2].startswith(f"police.uk: 3 files read from {folder}: 30 rows, 2 months")
    assert messages[3:] == ["police.uk: exact copies of an earlier row left out (duplicates: drop_exact): 1"]
