"""helpers.inputs.files: finding the police.uk files, and the input key that decides whether saved
results (and built outputs) still hold."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from helpers import config
from helpers.errors import InputError
from helpers.inputs import files


@pytest.fixture
def inputs(tmp_path, monkeypatch, write_street_csv):
    """A private copy of every input the key covers: two police.uk months, params, population, district
    successors, boundaries, a local extract in data/local, and one elsewhere and a paper template that the
    params name."""
    police = tmp_path / "police"
    write_street_csv(police / "leics", "2022-08", [("a", "Blaby 001A", "Burglary")])
    write_street_csv(police / "leics", "2022-09", [("b", "Melton 002B", "Drugs")], kind="gz")
    (police / "notes.txt").write_text("not a police.uk file")
    for name, source in (("params", config.PARAMS), ("population", config.POPULATION)):
        shutil.copytree(source, tmp_path / name)
    (tmp_path / "data" / "local").mkdir(parents=True)
    (tmp_path / "data" / "local" / "extract.csv").write_text("area,month\n")
    monkeypatch.setattr(config, "PARAMS", tmp_path / "params")
    monkeypatch.setattr(config, "POPULATION", tmp_path / "population")
    monkeypatch.setattr(config, "DATA", tmp_path / "data")
    monkeypatch.setattr(config, "CACHE", tmp_path / "cache")
    (tmp_path / "boundaries.geojson").write_text("{}")
    monkeypatch.setattr(config, "BOUNDARIES", tmp_path / "boundaries.geojson")
    (tmp_path / "successors.csv").write_text("old_code,new_code\n")
    monkeypatch.setattr(config, "LAD_SUCCESSORS", tmp_path / "successors.csv")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "partner.csv").write_text("area,month\n")  # outside data/local, named in params
    (tmp_path / "elsewhere" / "committee.docx").write_bytes(b"a Word template")
    defaults = tmp_path / "params" / "defaults.yaml"
    kept = [line for line in defaults.read_text().splitlines() if not line.startswith("local_extract:")]
    defaults.write_text(
        "\n".join(
            [
                *kept,
                f"local_extract: {tmp_path / 'elsewhere' / 'partner.csv'}",
                f"paper_template: {tmp_path / 'elsewhere' / 'committee.docx'}",
                "",
            ]
        )
    )
    code = tmp_path / "code.py"
    code.write_text("VERSION = 1\n")
    for path in tmp_path.rglob("*"):  # settled an hour ago: the key records their digests
        set_mtime(path, HOUR_AGO)
    return police, code


HOUR_AGO = time.time_ns() - 3600 * 10**9


def set_mtime(path: Path, ns: int) -> None:
    os.utime(path, ns=(ns, ns))


def key(police: Path, code: Path, quarter: str | None = None) -> str:
    return files.input_key(quarter, police, None, None, [code])


def test_police_uk_paths_are_the_street_files_in_subfolders_only(inputs):
    police, _ = inputs
    found = files.police_uk_paths(police)
    assert [p.name for p in found] == ["2022-08-leicestershire-street.csv", "2022-09-leicestershire-street.csv.gz"]


@pytest.mark.parametrize(
    "make, problem",
    [
        (lambda tmp: tmp / "nowhere", "folder of police.uk files not found"),
        (lambda tmp: (tmp / "a.csv").write_text("x") and tmp / "a.csv", "is a file"),
        (lambda tmp: (tmp / "empty").mkdir() or tmp / "empty", "no police.uk street-level files"),
    ],
)
def test_police_uk_paths_names_the_folder_when_there_is_nothing_to_read(make, problem, tmp_path):
    folder = make(tmp_path)
    with pytest.raises(InputError, match=problem) as caught:
        files.police_uk_paths(folder)
    assert str(folder) in str(caught.value)


def test_input_key_is_stable_and_changes_with_every_input(inputs, tmp_path):
    police, code = inputs
    first = key(police, code)
    assert key(police, code) == first
    assert key(police, code, "2022-23-Q2") != first  # another quarter asked for
    changes = [
        police / "leics" / "2022-08-leicestershire-street.csv",
        next((tmp_path / "params").glob("*.yaml")),
        next((tmp_path / "population").glob("*.csv")),
        tmp_path / "boundaries.geojson",
        tmp_path / "successors.csv",
        tmp_path / "data" / "local" / "extract.csv",
        tmp_path / "elsewhere" / "partner.csv",
        tmp_path / "elsewhere" / "committee.docx",
        code,
    ]
    seen = {first}
    for path in changes:
        original = path.read_bytes()
        path.write_bytes(original + b"\n")
        changed = key(police, code)
        assert changed not in seen, f"editing {path.name} did not change the key"
        seen.add(changed)
        path.write_bytes(original)
        assert key(police, code) == first  # put back: the same key again
    (police / "leics" / "2022-10-leicestershire-street.csv").write_text("new month")
    assert key(police, code) not in seen  # a file added


def test_a_file_touched_but_with_the_same_content_keeps_the_key(inputs):
    police, code = inputs
    first = key(police, code)
    for path in (code, police / "leics" / "2022-08-leicestershire-street.csv"):
        set_mtime(path, HOUR_AGO + 60 * 10**9)
        assert key(police, code) == first
        path.touch()  # now: not settled, read every time
        assert key(police, code) == first


def test_the_same_size_with_new_content_and_a_new_mtime_changes_the_key(inputs):
    police, code = inputs
    first = key(police, code)
    code.write_text("VERSION = 2\n")  # as many bytes as before
    set_mtime(code, HOUR_AGO + 60 * 10**9)
    assert key(police, code) != first
    code.write_text("VERSION = 1\n")
    set_mtime(code, HOUR_AGO + 120 * 10**9)
    assert key(police, code) == first


def test_a_file_of_unchanged_size_and_mtime_is_not_read_again_unless_it_changed_just_now(inputs):
    police, code = inputs
    first = key(police, code)
    code.write_text("VERSION = 2\n")  # a change that keeps both (only a deliberate utime does that)
    set_mtime(code, HOUR_AGO)
    assert key(police, code) == first  # decided from size and mtime alone
    (config.CACHE / files.DIGESTS).write_text("not json")
    second = key(police, code)
    assert second != first  # without the record, every file is read
    recent = time.time_ns()
    set_mtime(code, recent)
    assert key(police, code) == second
    code.write_text("VERSION = 3\n")
    set_mtime(code, recent)  # same size, same mtime, within the settling time: read again
    assert key(police, code) not in (first, second)


def test_input_key_changes_with_a_package_version(inputs, monkeypatch):
    police, code = inputs
    first = key(police, code)
    real = files.metadata.version
    monkeypatch.setattr(files.metadata, "version", lambda name: "0.0.1" if name == "scipy" else real(name))
    assert key(police, code) != first


def test_input_key_reads_subfolders_of_data_local(inputs, tmp_path):
    police, code = inputs
    first = key(police, code)
    archive = tmp_path / "data" / "local" / "archive"
    archive.mkdir()
    assert key(police, code) == first  # an empty folder is no input
    (archive / "2021-extract.csv").write_text("area,month\n")
    assert key(police, code) != first


def test_input_key_leaves_a_broken_params_file_to_the_params_reader(inputs, tmp_path):
    police, code = inputs
    for text in ("meeting_date: 2022-13-45\n", "local_extract: [unclosed\n", "\xff\xfe bad bytes"):
        (tmp_path / "params" / "2022-23-Q3.yaml").write_bytes(text.encode("latin-1"))
        assert len(key(police, code)) == 64


def test_input_key_refuses_a_missing_params_or_local_file(inputs, tmp_path):
    police, code = inputs
    with pytest.raises(InputError, match="params file not found"):
        files.input_key(None, police, tmp_path / "nope.yaml", None, [code])
    with pytest.raises(InputError, match="is a folder, not a local extract"):
        files.input_key(None, police, None, tmp_path, [code])


BOMB = """a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


def _readers():
    from helpers.inputs.catalogue import load_catalogue
    from helpers.inputs.params import load_settings
    from helpers.inputs.partnerships import load_partnerships

    return {
        "quarter params": lambda path: load_settings("2022-23-Q2", path),
        "partnerships.yaml": load_partnerships,
        "indicators.yaml": load_catalogue,
    }


@pytest.mark.parametrize("reader", list(_readers()))
def test_a_yaml_alias_bomb_is_refused_in_one_line_before_it_grows(reader, tmp_path):
    """Nine levels of nine aliases would expand to 387 million strings; aliases are refused as they are met."""
    path = tmp_path / "bomb.yaml"
    path.write_text(BOMB)
    with pytest.raises(InputError) as caught:
        _readers()[reader](path)
    assert str(caught.value) == f"{path}, row 2: not valid YAML (alias *a is not allowed: write the value out in full)"


def test_the_input_key_reads_no_alias_bomb(inputs, tmp_path):
    police, code = inputs
    (tmp_path / "params" / "2022-23-Q3.yaml").write_text(BOMB)
    assert len(key(police, code)) == 64  # the params reader reports it; the key neither grows nor fails


def test_input_key_changes_with_another_forces_partnerships_file_and_the_extract_it_names(inputs, tmp_path):
    police, code = inputs
    extract = tmp_path / "elsewhere" / "their-partners.csv"
    extract.write_text("area,month\n")
    partnerships = tmp_path / "lancashire.yaml"
    partnerships.write_text(f"partnerships:\n  preston:\n    local_extract: {extract}\n")
    before = files.input_key(None, police, None, None, [code], partnerships)
    assert before != key(police, code)
    extract.write_text("area,month\nPreston,2022-09\n")
    after_extract = files.input_key(None, police, None, None, [code], partnerships)
    partnerships.write_text(partnerships.read_text() + "    board: Preston CSP\n")
    assert len({before, after_extract, files.input_key(None, police, None, None, [code], partnerships)}) == 3
    with pytest.raises(InputError, match="partnerships file not found"):
        files.input_key(None, police, None, None, [code], tmp_path / "missing.yaml")
