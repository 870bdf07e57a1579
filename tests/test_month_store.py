"""The month store: a police.uk file read once is taken from Parquet next time (the CSV is not parsed again),
with the same counts, repeated Crime IDs and exact copies; an edited file is read again; an entry that cannot
be read as written is a miss."""

from __future__ import annotations

import hashlib

import pytest

from helpers import config
from helpers.inputs import month_store, police_uk
from test_police_uk import _published_rows, _write_rows, counts_dict


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "CACHE", tmp_path / "cache")
    return tmp_path / "cache" / "police_uk"


@pytest.fixture
def files(tmp_path):
    folder = tmp_path / "police"
    folder.mkdir()
    _write_rows(folder / "2022-09-leicestershire-street.csv", _published_rows("2022-09"))
    _write_rows(folder / "2022-08-leicestershire-street.csv", _published_rows("2022-08")[:6])
    return folder


def no_parsing(monkeypatch):
    def refuse(name, data):
        raise AssertionError(f"{name} was parsed again")

    monkeypatch.setattr(police_uk, "_parse_street_csv", refuse)


@pytest.mark.parametrize("duplicates", ["keep", "drop_exact"])
def test_a_file_read_before_is_not_parsed_again_and_reads_the_same(duplicates, store, files, monkeypatch):
    first = police_uk.read_police_uk(files, duplicates=duplicates)
    assert len(list(store.iterdir())) == 2
    no_parsing(monkeypatch)
    again = police_uk.read_police_uk(files, duplicates=duplicates)
    assert counts_dict(again) == counts_dict(first)
    assert again.quality.equals(first.quality) and again.lsoa_counts.equals(first.lsoa_counts)
    assert [(f.path, f.sha256, f.rows) for f in again.files] == [(f.path, f.sha256, f.rows) for f in first.files]


def test_an_edited_file_is_read_again(store, files):
    police_uk.read_police_uk(files)
    _write_rows(files / "2022-08-leicestershire-street.csv", _published_rows("2022-08")[:3])
    assert police_uk.read_police_uk(files).quality.set_index("month").loc["2022-08", "rows"] == 3
    assert len(list(store.iterdir())) == 3


@pytest.mark.parametrize("damage", ["members.json", "0.parquet"])
def test_an_entry_that_cannot_be_read_is_a_miss(damage, store, files):
    first = police_uk.read_police_uk(files)
    for entry in store.iterdir():
        (entry / damage).write_text("not what was written")
    assert counts_dict(police_uk.read_police_uk(files)) == counts_dict(first)
    assert all(
        month_store.load(entry.name, police_uk.POLICE_COLUMNS + police_uk.FORCE_COLUMNS + list(police_uk.PLACE_COLUMNS))
        for entry in store.iterdir()
    )  # written again, whole


def test_a_file_with_errors_is_not_kept(store, files):
    bad = files / "2022-07-leicestershire-street.csv"
    bad.write_text("Crime ID,Month\n1,2022-07\n")
    with pytest.raises(police_uk.InputError):
        police_uk.read_police_uk(files)
    kept = {e.name for e in store.iterdir()} if store.exists() else set()
    assert hashlib.sha256(bad.read_bytes()).hexdigest() not in kept
    assert not [name for name in kept if name.startswith(".")]  # no staging folder left
