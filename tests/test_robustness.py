"""Bad input, failures and hostile text, end to end through ``safer-report`` (README: "The command line").

Every broken input must stop the run with ONE line on stderr, starting
``safer-report: error:``, naming the file and the row or cell, with a non-zero exit and
no traceback, and must leave a previously built good report byte for byte as it was.

Full builds are expensive (~10 s), so this module makes three: ``good`` (the previous good
outputs every failure is checked against), ``waited`` (a second build into a copy of them,
started while the test holds the quarter's build lock: the concurrency and determinism
checks) and ``hostile`` (hostile text in every params field and a police.uk month missing,
one build for both). Most failure cases call ``helpers.cli.main`` in-process (the same code
path as the console script, without paying Python's start-up 50 times);
``test_cli_subprocess_one_line_errors`` repeats two of them as real subprocesses.
"""

from __future__ import annotations

import csv
import datetime as dt
import fcntl
import gzip
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

import board
from conftest import POLICE_HEADER, street_csv_text
from helpers import cli, config
from helpers.analysis.compute import compute
from helpers.errors import InputError
from helpers.inputs import police_uk
from helpers.inputs.catalogue import load_catalogue
from helpers.inputs.local_extract import read_local_extract
from helpers.inputs.partners_return import write_return_template
from helpers.inputs.police_uk import PoliceData, read_police_uk
from helpers.inputs.population import read_population
from helpers.pipeline import browser
from helpers.pipeline.orchestrate import build
from helpers.presentation.narrative import markdown
from helpers.quarters import window

pytestmark = pytest.mark.slow
QUARTER = "2022-23-Q2"
REAL_POLICE = config.POLICE_UK / "leicestershire"
MONTHS = [str(m) for m in window(pd.Period("2022-09", "M"), 24)]  # the 24 months QUARTER needs
BROKEN_MONTH = "2022-03"
MISSING_MONTH = "2021-11"
MISSING_WORDS = "November 2021"
HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    '=HYPERLINK("http://evil","x")',
    '<a href="javascript:alert(1)">y</a>',
    "![z](javascript:alert(1))",
    '<iframe src="javascript:alert(1)"></iframe>',
    "<svg onload=alert(1)>",
]


# --- Helpers ------------------------------------------------------------------------------


def run_cli(args: list, capsys) -> tuple[int, str, str]:
    """``safer-report ARGS`` in-process: exit code, stdout, stderr."""
    capsys.readouterr()
    code = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code, err: str, *words: str) -> str:
    """Non-zero exit, exactly one line on stderr, our prefix, every word in it, no traceback."""
    assert code != 0, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("safer-report: error: "), err
    for word in words:
        assert word in lines[0], (word, lines[0])
    return lines[0]


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (hidden ones too) -> SHA-256 of its bytes."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def cell_values(path: Path) -> dict:
    wb = load_workbook(path)
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb.worksheets}


def police_copy(folder: Path, source: Path, skip: tuple[str, ...] = ()) -> Path:
    """A police.uk folder of symbolic links to ``source``'s files, less the months in ``skip``."""
    folder.mkdir(parents=True)
    for path in sorted(source.glob("*-street.csv*")):
        if not path.name.startswith(skip):
            (folder / path.name).symlink_to(path)
    return folder


MINI_ROWS = [
    ("{m}-a", "Blaby 001A", "Burglary"),
    ("", "Rutland 001A", "Anti-social behaviour"),
    ("{m}-c", "Charnwood 002B", "Shoplifting"),
    ("{m}-d", "Melton 003C", "Vehicle crime"),
    ("{m}-e", "Harborough 001A", "Drugs"),
    ("{m}-f", "Hinckley and Bosworth 004A", "Robbery"),
    ("{m}-g", "North West Leicestershire 002C", "Burglary"),
    ("", "Oadby and Wigston 001B", "Anti-social behaviour"),
]


def mini_rows(month: str) -> list[tuple]:
    return [tuple(v.format(m=month) for v in row) for row in MINI_ROWS]


class _Markup(HTMLParser):
    """Collects what a browser would run: script tags, on* handlers, javascript: URLs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts, self.handlers, self.js_urls, self.frames = [], [], [], []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.scripts.append(attrs)
        if tag in ("iframe", "object", "embed"):
            self.frames.append(tag)
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append((tag, name, value))
            if (
                name in ("href", "src", "action", "formaction", "xlink:href", "data")
                and value
                and re.sub(r"\s", "", value).lower().startswith(("javascript:", "vbscript:", "data:text"))
            ):
                self.js_urls.append((tag, name, value))

    handle_startendtag = handle_starttag


def assert_no_active_markup(document: str) -> None:
    parser = _Markup()
    parser.feed(document)
    assert parser.scripts == [] and "<script" not in document.lower()
    assert parser.handlers == []
    assert parser.js_urls == []
    assert parser.frames == []


# --- Fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def build_command(out: Path) -> list[str]:
    return [
        *(sys.executable, "-m", "helpers.cli", "build", "--quarter", QUARTER, "--force", "--out", str(out)),
        *("--partnerships", str(board.PARTNERSHIPS_FILE)),
    ]


def without_chromium(where: Path) -> dict[str, str]:
    """The environment of a build that skips the PDF (checked elsewhere): a few seconds less a build."""
    return {**os.environ, browser.CHROMIUM_ENV: str(where / "no-chromium")}


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    """A previous good build: the output folder (``out``) holding ``out/QUARTER/``, which every failure test
    checks is left as it was."""
    out = tmp_path_factory.mktemp("good")
    done = subprocess.run(build_command(out), capture_output=True, text=True, env=without_chromium(out), timeout=600)
    assert done.returncode == 0, done.stderr
    return out


def waiting_for_lock(pid: int, lock: Path) -> bool:
    """Whether process ``pid`` is blocked waiting for an flock on ``lock`` (a ``->`` line of /proc/locks)."""
    inode = lock.stat().st_ino
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if fields[1] == "->" and fields[2] == "FLOCK" and int(fields[5]) == pid:
            if int(fields[6].rsplit(":", 1)[1]) == inode:
                return True
    return False


@pytest.fixture(scope="module")
def waited(good, tmp_path_factory) -> SimpleNamespace:
    """A second build of QUARTER into a copy of ``good`` started while this test holds the quarter's build lock:
    what its folder held while the build waited, and once the lock was released and the build ended."""
    if not Path("/proc/locks").exists():
        pytest.skip("sees the second build wait in /proc/locks, which only Linux has")
    base = tmp_path_factory.mktemp("waited")
    out = base / "out"
    shutil.copytree(good, out, symlinks=True)
    (out / QUARTER / "marker-of-the-previous-build").write_text("previous")
    before = snapshot(out / QUARTER)
    lock = out / f".{QUARTER}.lock"
    logs = base / "stdout", base / "stderr"  # files, not pipes: nothing can block
    with open(lock, "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with open(logs[0], "w") as stdout, open(logs[1], "w") as stderr:
            process = subprocess.Popen(build_command(out), stdout=stdout, stderr=stderr, env=without_chromium(base))
        try:
            deadline = time.monotonic() + 600
            while not waiting_for_lock(process.pid, lock):  # the state is polled: no race on how long anything takes
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the second build never waited for the lock: {logs[1].read_text()[-2000:]}")
                time.sleep(0.05)
            while_waiting = snapshot(out / QUARTER), sorted(p.name for p in out.iterdir())
        except BaseException:
            process.kill()
            raise
        finally:
            fcntl.flock(held, fcntl.LOCK_UN)
    code = process.wait(timeout=600)
    return SimpleNamespace(
        out=out,
        before=before,
        while_waiting=while_waiting,
        code=code,
        stdout=logs[0].read_text(),
        stderr=logs[1].read_text(),
    )


@pytest.fixture(scope="module")
def good_files(good) -> dict[str, str]:
    return snapshot(good / QUARTER)


@pytest.fixture
def unchanged(good, good_files):
    """Asserts, after the test, that the good outputs are exactly as built."""
    yield good
    assert snapshot(good / QUARTER) == good_files
    assert not [p.name for p in good.iterdir() if ".building-" in p.name or ".old-" in p.name]


@pytest.fixture(scope="module")
def mini_police(tmp_path_factory, write_street_csv_module) -> Path:
    """24 tiny police.uk files covering exactly the months QUARTER needs: fast to read."""
    folder = tmp_path_factory.mktemp("mini") / "police"
    for month in MONTHS:
        write_street_csv_module(folder, month, mini_rows(month))
    return folder


@pytest.fixture(scope="module")
def write_street_csv_module():
    def write(folder: Path, month: str, rows: list[tuple]) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{month}-leicestershire-street.csv"
        path.write_text(street_csv_text(month, rows))
        return path

    return write


def broken_police(tmp_path: Path, mini: Path, name: str, data: bytes) -> Path:
    """The mini folder with BROKEN_MONTH's file replaced by ``name`` holding ``data``."""
    folder = police_copy(tmp_path / "police", mini, skip=(BROKEN_MONTH,))
    (folder / name).write_bytes(data)
    return folder


# --- 1. Every input is validated: police.uk files ---------------------------------------------


def _text(rows=None) -> str:
    return street_csv_text(BROKEN_MONTH, rows or mini_rows(BROKEN_MONTH))


def _latin1() -> bytes:
    lines = _text().splitlines(keepends=True)
    lines[2] = lines[2].replace("High Street", "Café Street")  # line 3: as Excel saves it (cp1252)
    return "".join(lines).encode("cp1252")


CSV_NAME = f"{BROKEN_MONTH}-leicestershire-street.csv"
POLICE_CASES = {
    "misspelt column": (
        CSV_NAME,
        lambda: _text().replace("LSOA name", "LSOA Name", 1).encode(),
        [CSV_NAME, "row 1", "missing column(s) 'LSOA name'", "'LSOA Name'"],
    ),
    "bad Month": (
        CSV_NAME,
        lambda: _text(mini_rows(BROKEN_MONTH)[:1] + [("z1", "Blaby 001A", "Drugs", "March 2022")]).encode(),
        [CSV_NAME, "row 3", "Month 'March 2022' is not YYYY-MM"],
    ),
    "Month not the file's": (
        CSV_NAME,
        lambda: _text(mini_rows(BROKEN_MONTH) + [("z1", "Blaby 001A", "Drugs", "2022-04")]).encode(),
        [CSV_NAME, "row 10", "'2022-04' does not match the file's month 2022-03"],
    ),
    "empty file": (CSV_NAME, lambda: b"", [CSV_NAME, "file is empty"]),
    "no Crime type": (
        CSV_NAME,
        lambda: _text(mini_rows(BROKEN_MONTH)[:1] + [("z1", "Melton 001A", "")]).encode(),
        [CSV_NAME, "row 3", "Melton 001A has no Crime type"],
    ),
    "header only": (CSV_NAME, lambda: street_csv_text(BROKEN_MONTH, []).encode(), [CSV_NAME, "no rows"]),
    "truncated gz": (
        CSV_NAME + ".gz",
        lambda: gzip.compress(_text().encode() * 50)[:300],
        [CSV_NAME + ".gz", "cannot be decompressed"],
    ),
    "not UTF-8": (CSV_NAME, _latin1, [CSV_NAME, "row 3", "not UTF-8", "0xe9"]),
    "corrupt gz": (
        CSV_NAME + ".gz",
        lambda: _flip(gzip.compress(_text().encode() * 50)),
        [CSV_NAME + ".gz", "cannot be decompressed"],
    ),
    "corrupt zip member": (
        f"{BROKEN_MONTH}.zip",
        lambda: _flip(_zip({CSV_NAME: _text().encode() * 50})),
        [f"{BROKEN_MONTH}.zip", "cannot be decompressed"],
    ),
    "ragged row": (
        CSV_NAME,
        lambda: (_text() + "x1,2022-03,too,few\n").encode(),
        [CSV_NAME, "row 10", "malformed CSV"],
    ),
    "zip of nothing": (
        f"{BROKEN_MONTH}.zip",
        lambda: _zip({"readme.txt": b"hello"}),
        [f"{BROKEN_MONTH}.zip", "no *-street.csv"],
    ),
    "corrupt zip": (
        f"{BROKEN_MONTH}.zip",
        lambda: _zip({CSV_NAME: _text().encode()})[:-40],
        [f"{BROKEN_MONTH}.zip", "decompress"],
    ),
}


def _flip(data: bytes, start: int = 60, count: int = 40) -> bytes:
    """Damage ``count`` bytes inside a compressed stream (the header stays readable)."""
    return data[:start] + bytes(b ^ 0x55 for b in data[start : start + count]) + data[start + count :]


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize("case", list(POLICE_CASES))
def test_broken_police_file_stops_the_build_in_one_line(case, tmp_path, mini_police, unchanged, capsys):
    name, data, words = POLICE_CASES[case]
    folder = broken_police(tmp_path, mini_police, name, data())
    code, out, err = run_cli(["build", "--quarter", QUARTER, "--police-uk", folder, "--out", unchanged], capsys)
    line = assert_one_line_error(code, err, *words)
    assert str(folder) in line  # the full path, not just the file name
    # validate runs the same checks without building
    code, out, err = run_cli(["validate", "--quarter", QUARTER, "--police-uk", folder], capsys)
    assert_one_line_error(code, err, *words)


@pytest.mark.parametrize(
    "name, packed",
    [
        (CSV_NAME + ".gz", lambda text: gzip.compress(text)),
        (CSV_NAME + ".gz", lambda text: gzip.compress(text[:100]) + gzip.compress(text[100:])),  # two gzip members
        (f"{BROKEN_MONTH}.zip", lambda text: _zip({CSV_NAME: text})),
    ],
)
def test_file_that_inflates_too_far_is_refused_without_inflating_it_all(
    name, packed, tmp_path, mini_police, unchanged, capsys, monkeypatch
):
    # A decompression bomb: the limit (1 GiB) is lowered so the test stays small.
    monkeypatch.setattr(police_uk, "MAX_INFLATED_BYTES", 5_000)
    folder = broken_police(tmp_path, mini_police, name, packed(_text().encode() * 50))
    code, out, err = run_cli(["build", "--quarter", QUARTER, "--police-uk", folder, "--out", unchanged], capsys)
    assert_one_line_error(code, err, name, "decompresses to more than 5,000 bytes")


def test_police_folder_that_is_a_file_or_missing(tmp_path, unchanged, capsys):
    (tmp_path / CSV_NAME).write_text(_text())
    for path, words in (
        (tmp_path / CSV_NAME, ["is a file"]),
        (tmp_path / "nowhere", ["not found"]),
        (tmp_path, ["no police.uk street-level files"]),
    ):
        if path == tmp_path:
            (tmp_path / CSV_NAME).unlink()
        code, _, err = run_cli(["build", "--quarter", QUARTER, "--police-uk", path, "--out", unchanged], capsys)
        assert_one_line_error(code, err, str(path), *words)


@pytest.mark.parametrize("where", ["Month", "header"])
def test_what_an_input_holds_is_quoted_escaped_and_cut(where, tmp_path, mini_police, unchanged, capsys):
    """A terminal escape and a field of millions of characters, in a value and in the header, reach the error
    line escaped and cut: one short line that cannot act on the terminal."""
    hostile = "\x1b]0;owned\x07\u202e" + "x" * 5_000_000
    rows = mini_rows(BROKEN_MONTH)[:1] + [("z1", "Blaby 001A", "Drugs", hostile)]
    text = _text(rows) if where == "Month" else _text().replace("LSOA name", hostile, 1)
    folder = broken_police(tmp_path, mini_police, CSV_NAME, text.encode())
    code, out, err = run_cli(["build", "--quarter", QUARTER, "--police-uk", folder, "--out", unchanged], capsys)
    line = assert_one_line_error(code, err, CSV_NAME, "\\x1b]0;owned\\x07\\u202e", "…")
    assert "\x1b" not in err and "\u202e" not in err and len(line) <= 400


def test_quarter_end_month_missing_names_the_months(tmp_path, mini_police, unchanged, capsys):
    folder = police_copy(tmp_path / "police", mini_police, skip=("2022-09",))
    code, out, err = run_cli(["build", "--quarter", QUARTER, "--police-uk", folder, "--out", unchanged], capsys)
    assert_one_line_error(code, err, str(folder), "2020-10 to 2022-09", "add the missing months")


def test_same_month_twice_in_two_folders(tmp_path, mini_police, unchanged, capsys):
    folder = police_copy(tmp_path / "police", mini_police)
    (folder / "again").mkdir()
    (folder / "again" / CSV_NAME).write_text(_text(mini_rows(BROKEN_MONTH)[:-1]))  # a re-download: other rows
    code, out, err = run_cli(["build", "--quarter", QUARTER, "--police-uk", folder, "--out", unchanged], capsys)
    assert_one_line_error(
        code, err, str(folder / "again" / CSV_NAME), str(folder / CSV_NAME), "also in", "one file per month"
    )


@pytest.mark.parametrize("kept", ["zip named by month", "renamed to another force", "no date in the name"])
def test_a_month_kept_under_a_second_name_is_counted_once(kept, tmp_path, mini_police, capsys):
    """The three ways an analyst's second copy of a month used to be counted twice, with exit 0."""
    folder = police_copy(tmp_path / "police", mini_police)
    if kept == "zip named by month":
        with zipfile.ZipFile(folder / f"{BROKEN_MONTH}.zip", "w") as archive:
            archive.writestr(f"{BROKEN_MONTH}/{CSV_NAME}", _text())
    else:
        name = f"{BROKEN_MONTH}-nottinghamshire-street.csv" if kept == "renamed to another force" else "copy-street.csv"
        (folder / name).write_text(_text())
    code, out, err = run_cli(["validate", "--quarter", QUARTER, "--police-uk", folder], capsys)
    assert code == 0 and "All inputs valid" in out
    assert "holds the same rows as" in err and "read once" in err and len(err.strip().splitlines()) == 1
    twice, once = (compute(QUARTER, police_uk=f).rows() for f in (folder, mini_police))
    assert twice.set_index("indicator_id")["numerator"].equals(once.set_index("indicator_id")["numerator"])


# --- 1. Local extracts and Excel returns -------------------------------------------------------


def _sample_lines() -> list[str]:
    return config.LOCAL_SAMPLE.read_text(encoding="utf-8").splitlines()


def _replace(index: int, edit):
    def change(lines):
        lines[index] = edit(lines[index])
        return lines

    return change


def _marac_too_high(lines):
    i = next(i for i, line in enumerate(lines) if ",marac_repeat_rate," in line)
    area, period, indicator, _, denominator = lines[i].split(",")
    lines[i] = ",".join([area, period, indicator, str(int(denominator) + 1), denominator])
    return lines


def _marac_row() -> int:
    return next(i for i, line in enumerate(_sample_lines()) if ",marac_repeat_rate," in line) + 1


LOCAL_CASES = {
    "unknown district": (
        _replace(5, lambda s: s.replace("Blaby", "Leicester City")),
        ["row 6", "unknown area 'Leicester City'"],
    ),
    "district code of no partnership": (
        _replace(5, lambda s: s.replace("Blaby", "E07000220")),
        ["row 6", "unknown area"],
    ),
    "unknown indicator id": (
        _replace(5, lambda s: s.replace("asb_environmental", "asb_enviromental")),
        ["row 6", "unknown indicator id 'asb_enviromental'"],
    ),
    "police.uk indicator": (
        _replace(5, lambda s: s.replace("asb_environmental", "total_crime")),
        ["row 6", "total_crime"],
    ),
    "negative count": (_replace(5, lambda s: s.rsplit(",", 2)[0] + ",-3,"), ["row 6", "numerator '-3'", "0 or more"]),
    "text count": (_replace(5, lambda s: s.rsplit(",", 2)[0] + ",abc,"), ["row 6", "numerator 'abc' is not a number"]),
    "fractional count": (_replace(5, lambda s: s.rsplit(",", 2)[0] + ",2.5,"), ["row 6", "'2.5'"]),
    "numerator above denominator": (_marac_too_high, ["greater than denominator"]),
    "duplicate row": (
        lambda lines: lines + [lines[5]],
        [f"row {len(_sample_lines()) + 1}", "duplicate row", "also at row 6"],
    ),
    "bad month": (_replace(5, lambda s: s.replace(",2020-04,", ",2020-4,")), ["row 6", "'2020-4'", "YYYY-MM"]),
    "missing column": (
        _replace(0, lambda s: s.replace("numerator", "numer")),
        ["row 1", "missing column(s) numerator"],
    ),
    "column twice": (_replace(0, lambda s: s.replace("denominator", "Area")), ["row 1", "area", "more than once"]),
    "ragged row": (_replace(5, lambda s: s + ",1,2"), ["row 6", "not a readable CSV"]),
}


@pytest.mark.parametrize("case", list(LOCAL_CASES))
def test_broken_local_extract_stops_the_build_in_one_line(case, tmp_path, mini_police, unchanged, capsys):
    edit, words = LOCAL_CASES[case]
    path = tmp_path / "local.csv"
    path.write_text("\n".join(edit(_sample_lines())) + "\n", encoding="utf-8")
    if case == "numerator above denominator":
        words = [*words, f"row {_marac_row()}"]
    code, out, err = run_cli(
        ["build", "--quarter", QUARTER, "--police-uk", mini_police, "--local", path, "--out", unchanged], capsys
    )
    assert_one_line_error(code, err, str(path), *words)


def test_local_extract_that_is_a_folder_missing_or_binary(tmp_path, mini_police, unchanged, capsys):
    base = ["build", "--quarter", QUARTER, "--police-uk", mini_police, "--out", unchanged]
    code, _, err = run_cli([*base, "--local", tmp_path], capsys)
    assert_one_line_error(code, err, str(tmp_path), "folder")
    code, _, err = run_cli([*base, "--local", tmp_path / "none.csv"], capsys)
    assert_one_line_error(code, err, "none.csv", "not found")
    (tmp_path / "utf16.csv").write_bytes("area,period\n".encode("utf-16"))
    code, _, err = run_cli([*base, "--local", tmp_path / "utf16.csv"], capsys)
    assert_one_line_error(code, err, "utf16.csv", "row 1", "not UTF-8")
    lines = _sample_lines()
    lines[2500] += " £"
    (tmp_path / "cp1252.csv").write_bytes("\n".join(lines).encode("cp1252"))
    code, _, err = run_cli([*base, "--local", tmp_path / "cp1252.csv"], capsys)
    assert_one_line_error(code, err, "cp1252.csv", "row 2501", "not UTF-8", "0xa3")
    (tmp_path / "fake.xlsx").write_text("not a workbook")
    code, _, err = run_cli([*base, "--local", tmp_path / "fake.xlsx"], capsys)
    assert_one_line_error(code, err, "fake.xlsx", "not a readable .xlsx")


@pytest.fixture(scope="module")
def template(catalogue, tmp_path_factory) -> Path:
    return write_return_template(QUARTER, tmp_path_factory.mktemp("return") / "return.xlsx", catalogue, board.DISTRICTS)


@pytest.mark.parametrize(
    "cell, value, words",
    [
        ("D2", "twelve", ["numerator 'twelve' is not a number"]),
        ("D3", -4, ["numerator '-4'", "0 or more"]),
        ("A4", "Rugby", ["unknown area 'Rugby'"]),
    ],
)
def test_excel_return_names_sheet_and_cell(cell, value, words, tmp_path, mini_police, template, unchanged, capsys):
    path = tmp_path / "return.xlsx"
    wb = load_workbook(template)
    sheet = wb.worksheets[1]
    for r in range(2, 6):
        sheet[f"D{r}"] = 3
    sheet[cell] = value
    wb.save(path)
    where = f"sheet '{sheet.title}' cell {cell}"
    code, out, err = run_cli(
        ["build", "--quarter", QUARTER, "--police-uk", mini_police, "--local", path, "--out", unchanged], capsys
    )
    assert_one_line_error(code, err, str(path), where, *words)


def test_excel_return_formulas_without_saved_values_are_named(tmp_path, mini_police, template, unchanged, capsys):
    """openpyxl, like other tools that do not calculate, saves formulas without their values: read as values,
    the rows would silently be "not supplied"."""
    path = tmp_path / "return.xlsx"
    wb = load_workbook(template)
    sheet = wb.worksheets[1]
    sheet["D2"], sheet["D3"], sheet["E3"] = "=1+2", 4, "=SUM(D2:D3)"
    wb.save(path)
    code, out, err = run_cli(
        ["build", "--quarter", QUARTER, "--police-uk", mini_police, "--local", path, "--out", unchanged], capsys
    )
    assert_one_line_error(
        code,
        err,
        str(path),
        f"sheet '{sheet.title}' cell D2",
        f"sheet '{sheet.title}' cell E3",
        "no saved value",
        "open it in Excel or LibreOffice and save it again",
    )


def test_excel_return_that_unpacks_too_far_is_refused_unread(tmp_path, mini_police, template, unchanged, capsys):
    path = tmp_path / "return.xlsx"
    shutil.copy(template, path)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive, archive.open("xl/media/padding.bin", "w") as big:
        for _ in range(120):
            big.write(bytes(1 << 20))  # 120 MB of zeros: about 120 kB packed
    assert path.stat().st_size < 2 << 20
    code, out, err = run_cli(
        ["build", "--quarter", QUARTER, "--police-uk", mini_police, "--local", path, "--out", unchanged], capsys
    )
    assert_one_line_error(code, err, str(path), "unpacks to 12", "stopped before unpacking it")


# --- 1. Params, catalogue and population -----------------------------------------------------

PARAMS_CASES = {
    "unknown key": ("meeting_date: 2022-11-17\nmeetng_date: 2022-11-17\n", ["key 'meetng_date'", "unknown key"]),
    "misspelt indicator id": (
        "commentary:\n  indicators:\n    marac_repeat_rates: text\n",
        ["unknown indicator id 'marac_repeat_rates'", "did you mean marac_repeat_rate"],
    ),
    "misspelt unavailable id": ("unavailable:\n  total_crim: gone\n", ["'total_crim'", "did you mean total_crime"]),
    "meeting date in words": ("meeting_date: next week\n", ["key 'meeting_date'", "'next week' is not a date"]),
    "impossible date": ("meeting_date: 2022-13-45\n", ["row 1", "'2022-13-45' is not a real date"]),
    "key given twice": (
        "meeting_date: 2022-11-17\nmeeting_date: 2022-11-18\n",
        ["row 2", "'meeting_date' is given twice"],
    ),
    "list, not mapping": ("- a\n- b\n", ["must be a mapping"]),
    "text commentary as a list": ("commentary:\n  summary: [a, b]\n", ["commentary: summary must be text"]),
    "local_extract a number": ("local_extract: 5\n", ["key 'local_extract'", "must be text"]),
    "change_rule a list": ("change_rule: [both]\n", ["key 'change_rule'", "is not one of"]),
    "sections a list": ("commentary:\n  sections: [reduce_crime]\n", ["key 'commentary'", "sections: must map"]),
    "partnership empty": ("partnership: ''\n", ["key 'partnership'", "must be text"]),
    "bad YAML": ("commentary:\n  summary: 'unclosed\n", ["not valid YAML"]),
    "alias": ("contact: &c {name: A}\ncommentary: {summary: *c}\n", ["row 2", "alias *c is not allowed"]),
    "meeting date years away": (
        "meeting_date: 2012-11-17\n",
        ["key 'meeting_date'", "17 November 2012", "not within a year after", "check the year"],
    ),
    "SPC baseline outside the data": (
        "spc:\n  baseline: {start: 2010-01, end: 2010-12}\n",
        ["key 'spc'", "2010-01 to 2010-12 is not within the data", "2020-10 to 2022-09"],
    ),
}


@pytest.mark.parametrize("case", list(PARAMS_CASES))
def test_broken_params_stop_the_build_in_one_line(case, tmp_path, mini_police, unchanged, capsys):
    text, words = PARAMS_CASES[case]
    path = tmp_path / "params.yaml"
    path.write_text(text, encoding="utf-8")
    code, out, err = run_cli(
        ["build", "--quarter", QUARTER, "--police-uk", mini_police, "--params", path, "--out", unchanged], capsys
    )
    assert_one_line_error(code, err, str(path), *words)


def test_params_not_utf8_or_missing(tmp_path, mini_police, unchanged, capsys):
    path = tmp_path / "params.yaml"
    path.write_bytes("commentary:\n  summary: Café\n".encode("cp1252"))
    base = ["build", "--quarter", QUARTER, "--police-uk", mini_police, "--out", unchanged]
    code, _, err = run_cli([*base, "--params", path], capsys)
    assert_one_line_error(code, err, str(path), "row 2", "not UTF-8")
    code, _, err = run_cli([*base, "--params", tmp_path / "none.yaml"], capsys)
    assert_one_line_error(code, err, "none.yaml", "not found")


def test_yaml_python_tags_are_refused_and_never_run(tmp_path, mini_police, unchanged, capsys):
    marker = tmp_path / "ran"
    path = tmp_path / "params.yaml"
    path.write_text(
        f"meeting_date: !!python/object/apply:os.system ['touch {marker}']\n"
        f"title: !!python/object/new:os.system ['touch {marker}']\n"
    )
    code, out, err = run_cli(
        ["build", "--quarter", QUARTER, "--police-uk", mini_police, "--params", path, "--out", unchanged], capsys
    )
    assert_one_line_error(code, err, str(path), "row 1", "not valid YAML")
    assert not marker.exists()


CATALOGUE_CASES = {
    "unknown key": (
        lambda t: t.replace("    per: 10000\n", "    per: 10000\n    colour: red\n", 1),
        ["indicator 1", "unknown key 'colour'"],
    ),
    "id used twice": (lambda t: t.replace("id: violence_sexual", "id: total_crime", 1), ["indicator 2", "used twice"]),
    "crime_types as text": (
        lambda t: t.replace(
            "crime_types: [Violence and sexual offences]", "crime_types: Violence and sexual offences", 1
        ),
        ["indicator 2", "must be a list"],
    ),
    "misspelt crime type": (
        lambda t: t.replace(
            "crime_types: [Violence and sexual offences]", "crime_types: [Violence and sexual offence]", 1
        ),
        [
            "indicator 2",
            "'Violence and sexual offence' is not a police.uk crime type",
            "did you mean Violence and sexual offences",
        ],
    ),
    "bad measure": (lambda t: t.replace("measure: rate", "measure: ratio", 1), ["indicator 1", "measure 'ratio'"]),
    "id a number": (lambda t: t.replace("id: total_crime", "id: 7", 1), ["indicator 1", "'id' must be text"]),
    "target as text": (
        lambda t: t.replace("target: {low: 28, high: 40", "target: {low: '28', high: 40", 1),
        ["target must have low <= high"],
    ),
    "not a list": (lambda t: "indicators: none\n", ["must hold a list"]),
    "plural as text": (
        lambda t: t.replace("plural: true", "plural: yes please", 1),
        ["indicator 2", "'plural' must be true or false"],
    ),
    "explanation as a list": (
        lambda t: t.replace("    per: 10000\n", "    per: 10000\n    explanation: [a, b]\n", 1),
        ["indicator 1", "'explanation' must be text"],
    ),
}


@pytest.mark.parametrize("case", list(CATALOGUE_CASES))
def test_broken_catalogue_names_file_and_indicator(case, tmp_path, mini_police):
    """The CLI has no option for another catalogue, so this goes through load_catalogue and compute."""
    edit, words = CATALOGUE_CASES[case]
    path = tmp_path / "indicators.yaml"
    path.write_text(edit(config.CATALOGUE.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(InputError) as error:
        compute(QUARTER, police_uk=mini_police, catalogue_file=path)
    message = str(error.value)
    assert "\n" not in message and str(path) in message
    for word in words:
        assert word in message, (word, message)


def _population_copy(tmp_path: Path, edit) -> Path:
    folder = tmp_path / "population"
    folder.mkdir()
    for path in config.POPULATION.glob("*.csv"):
        text = path.read_text(encoding="utf-8")
        (folder / path.name).write_text(edit(path.name, text), encoding="utf-8")
    return folder


def _totals(edit):
    return lambda name, text: edit(text) if "totals" in name else text


POPULATION_CASES = {  # Blaby's mid-2021 row is line 152 of the totals file
    "blank year": (
        _totals(lambda t: t.replace("\n2021,E07000129", "\n,E07000129", 1)),
        ["totals_2021_2024_england_wales.csv", "row 152", "year ''"],
    ),
    "population not a number": (_totals(lambda t: t.replace(",103271", ",lots", 1)), ["row 152", "'lots'"]),
    "negative population": (_totals(lambda t: t.replace(",103271", ",-5", 1)), ["row 152", "'-5'"]),
    "ragged row": (_totals(lambda t: t.replace(",103271", ",103271,x", 1)), ["row 152", "number of fields"]),
    "empty file": (_totals(lambda t: ""), ["totals_2021_2024_england_wales.csv", "empty"]),
    "wrong columns": (
        _totals(lambda t: t.replace("lad_code", "code", 1)),
        ["totals_2021_2024_england_wales.csv", "not a population file"],
    ),
}


@pytest.mark.parametrize("case", list(POPULATION_CASES))
def test_broken_population_names_file_and_row(case, tmp_path):
    edit, words = POPULATION_CASES[case]
    folder = _population_copy(tmp_path, edit)
    with pytest.raises(InputError) as error:
        read_population(folder, {code: name for name, code in board.DISTRICTS.items()})
    message = str(error.value)
    assert str(folder) in message and "\n" not in message
    for word in words:
        assert word in message, (word, message)


@pytest.mark.parametrize(
    "edit, start",
    [
        (
            _totals(lambda t: "\n".join(x for x in t.splitlines() if not x.startswith("2023,E07000133")) + "\n"),
            "no mid-2023 population for Melton (E07000133) in ",
        ),
        (
            lambda name, t: (
                "\n".join(x for x in t.splitlines() if not x.startswith("E06000017")) + "\n" if "mid2019" in name else t
            ),
            "no mid-2019 population for Rutland (E06000017) in ",
        ),
    ],
)
def test_a_district_without_population_stops_the_computation_in_one_line(
    edit, start, tmp_path, mini_police, monkeypatch
):
    monkeypatch.setattr(config, "POPULATION", _population_copy(tmp_path, edit))
    with pytest.raises(InputError) as error:
        compute(QUARTER, police_uk=mini_police)
    message = str(error.value)
    assert message.startswith(start + str(tmp_path / "population") + ": add ONS's mid-") and "\n" not in message


# --- Unexpected failures are still one line ----------------------------------------------------


def test_output_folder_that_cannot_be_written(tmp_path, unchanged, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    for out in (blocker, blocker / "below"):
        code, _, err = run_cli(["build", "--quarter", QUARTER, "--out", out], capsys)
        assert_one_line_error(code, err, str(out))


@pytest.mark.parametrize(
    "raised, code_expected, start",
    [
        (
            PermissionError(13, "Permission denied", "/somewhere/outputs"),
            1,
            "safer-report: unexpected error: PermissionError",
        ),
        (
            RuntimeError("kernel died\nwith two lines"),
            1,
            "safer-report: unexpected error: RuntimeError: kernel died with two lines",
        ),
        (KeyboardInterrupt(), 130, "safer-report: interrupted"),
    ],
)
def test_unexpected_exceptions_are_one_line(raised, code_expected, start, monkeypatch, capsys):
    def fail(*args, **kwargs):
        raise raised

    monkeypatch.setattr("helpers.pipeline.orchestrate.build", fail)
    code, out, err = run_cli(["build", "--quarter", QUARTER], capsys)
    assert code == code_expected
    assert len(err.strip().splitlines()) == 1 and err.startswith(start) and "Traceback" not in err
    if code_expected == 1:
        assert "--debug" in err
        code, out, err = run_cli(["--debug", "build", "--quarter", QUARTER], capsys)
        assert code == 1 and "Traceback" in err and err.strip().splitlines()[-1].startswith(start)


def test_usage_mistakes_are_one_line(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["build", "--quartr", QUARTER])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and len(err.strip().splitlines()) == 1 and err.startswith("safer-report: error:")


# --- 3. A failing section notebook ---------------------------------------------------------------


def test_failing_notebook_through_the_cli(good, good_files, tmp_path, monkeypatch, capfd):
    broken = tmp_path / "notebooks"
    broken.mkdir()
    for path in config.NOTEBOOKS.glob("0*.ipynb"):
        text = path.read_text()
        if path.stem in ("01_reduce_crime", "03_reduce_asb"):  # one in each worker, so both stop early
            text = text.replace(
                "render.chapter_intro(results, SECTION)", "render.chapter_intro(results, SECTION) and {}['x']"
            )
        (broken / path.name).write_text(text)
    monkeypatch.setattr(config, "NOTEBOOKS", broken)
    capfd.readouterr()
    code = cli.main(["build", "--quarter", QUARTER, "--force", "--out", str(good)])
    err = capfd.readouterr().err
    try:
        assert code == 2 and "Traceback" not in err
        errors = [line for line in err.splitlines() if line.startswith("safer-report:")]
        assert len(errors) == 1 and err.strip().splitlines()[-1] == errors[0]
        assert "01_reduce_crime.ipynb" in errors[0] and "cell 4" in errors[0] and "KeyError" in errors[0]
        kept = good / QUARTER / "failed" / "01_reduce_crime.ipynb"
        assert kept.exists() and "KeyError" in kept.read_text()
        assert {k: v for k, v in snapshot(good / QUARTER).items() if not k.startswith("failed")} == good_files
        assert not list(good.glob(f".{QUARTER}.building-*"))
    finally:
        shutil.rmtree(good / QUARTER / "failed", ignore_errors=True)


# --- 5. Paths -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "quarter",
    [
        "../../x",
        "2022-23-Q2/../../x",
        "..",
        "2022-23-Q2/..",
        "/tmp/x",
        "2022-23-Q2/../../../etc",
        "2022-23-Q2\x00",
        "2022-23-Q2 /x",
    ],
)
def test_quarter_cannot_name_a_path(quarter, tmp_path, capsys):
    out = tmp_path / "out"
    for command in (["build", "--out", out], ["validate"], ["template", "--out", tmp_path / "t.xlsx"]):
        code, _, err = run_cli([command[0], "--quarter", quarter, *command[1:]], capsys)
        assert_one_line_error(code, err, "is not a financial-year quarter")
    code, _, err = run_cli(["new-quarter", quarter], capsys)
    assert_one_line_error(code, err, "is not a financial-year quarter")
    assert [p for p in tmp_path.rglob("*")] == []


def test_output_goes_only_under_out_slash_normalised_quarter(good, hostile):
    """What a build leaves in its --out folder: the quarter's folder and its hidden lock file, nothing else;
    a quarter written '2022/23 q2' still builds into 2022-23-Q2, and a killed build's leftovers are cleared."""
    assert sorted(p.name for p in good.iterdir()) == sorted([QUARTER, f".{QUARTER}.lock"])
    assert (good / QUARTER / "report.html").is_file()
    base = hostile.parent.parent
    assert sorted(str(p.relative_to(base)) for p in base.iterdir()) == [
        "out",
        "params.yaml",
        "partnerships.yaml",
        "police",
    ]
    assert sorted(p.name for p in hostile.parent.iterdir()) == sorted([QUARTER, f".{QUARTER}.lock"])


# --- 2 + 5. Hostile text and a missing month: one build ----------------------------------------------


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    """A build with hostile text in every params text field, the partnership's name and board, a hostile
    police.uk file name, and police.uk month MISSING_MONTH absent. The PDF is skipped (not what is checked here)."""
    base = tmp_path_factory.mktemp("hostile")
    police = police_copy(base / "police", REAL_POLICE, skip=(MISSING_MONTH, "2022-01"))
    (police / "2022-01-<img src=x onerror=alert(1)>-street.csv.gz").symlink_to(
        REAL_POLICE / "2022-01-leicestershire-street.csv.gz"
    )
    everything = "\n\n".join(HOSTILE)
    params = {
        "meeting_date": dt.date(2022, 11, 17),
        "contact": {"name": HOSTILE[1], "role": HOSTILE[0], "email": HOSTILE[3], "phone": "+44 =1+1"},
        "commentary": {
            "summary": everything,
            "sections": {s: everything for s in config.SECTIONS},
            "indicators": {"total_crime": everything, "marac_repeat_rate": HOSTILE[3]},
        },
        "unavailable": {"asb_environmental": HOSTILE[3] + " " + " ".join(HOSTILE)},
    }
    path = base / "params.yaml"
    path.write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    out = base / "out"
    (out / f".{QUARTER}.building-999999" / "notebooks").mkdir(parents=True)  # as a killed build leaves it
    partnerships = yaml.safe_load(board.PARTNERSHIPS_FILE.read_text(encoding="utf-8"))
    partnerships["partnerships"][board.BOARD.id].update(name=HOSTILE[3], board=" ".join(HOSTILE))
    (base / "partnerships.yaml").write_text(yaml.safe_dump(partnerships, allow_unicode=True), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(browser, "find_chromium", lambda: None)
        patch.setattr(config, "PARTNERSHIPS", base / "partnerships.yaml")
        build(" 2022/23 q2 ", police_uk=police, params_file=path, out=out)
    return out / QUARTER


def test_hostile_text_is_not_markup_in_the_report(hostile):
    document = (hostile / "report.html").read_text(encoding="utf-8")
    assert_no_active_markup(document)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in document  # shown as text, not dropped
    assert "&lt;img src=x onerror=alert(1)&gt;" in document
    assert "onerror=alert(1)&gt;-street.csv.gz" in document  # the file name, escaped, in the provenance


def test_hostile_text_is_not_markup_in_the_board_paper(hostile):
    document = (hostile / "board-paper.html").read_text(encoding="utf-8")
    assert_no_active_markup(document)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in document


def test_hostile_text_is_text_in_the_word_paper(hostile):
    from docx import Document

    document = Document(hostile / "board-paper.docx")
    assert document.paragraphs[0].text == " ".join(HOSTILE)  # the board's name, as typed
    at = [p.text for p in document.paragraphs].index("Officer to contact")
    assert document.paragraphs[at + 1].text == "\n".join([HOSTILE[1], HOSTILE[0], HOSTILE[3], "+44 =1+1"])
    assert document.sections[0].header.paragraphs[0].text.startswith(" ".join(HOSTILE))  # the board's name, as typed
    with zipfile.ZipFile(hostile / "board-paper.docx") as archive:
        body = archive.read("word/document.xml")
    assert not re.search(rb"<w:(hyperlink|fldSimple|instrText)\b", body)  # no links or fields: text only


def test_hostile_text_is_not_a_formula_in_excel(hostile):
    wb = load_workbook(hostile / "dashboard.xlsx")
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert not [c.value for c in cells if isinstance(c.value, str) and c.value.startswith(("=", "+", "-", "@"))]
    assert any(isinstance(c.value, str) and c.value.startswith("'=HYPERLINK") for c in cells)
    with zipfile.ZipFile(hostile / "dashboard.xlsx") as archive:
        assert not any(
            re.search(rb"<f[ >]", archive.read(n)) for n in archive.namelist() if n.startswith("xl/worksheets/")
        )


def test_hostile_text_is_not_a_formula_in_indicators_csv(hostile):
    """The params 'unavailable' reason begins with =HYPERLINK(: inert text in the CSV, as in the workbook."""
    with open(hostile / "indicators.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    reasons = {r["reason"] for r in rows if r["indicator_id"] == "asb_environmental"}
    assert len(reasons) == 1 and reasons.pop().startswith("'" + HOSTILE[3])
    live = [
        cell
        for row in rows
        for cell in row.values()
        if cell.startswith(("=", "+", "-", "@", "\t", "\r")) and not re.fullmatch(r"-\d+(\.\d+)?(e-?\d+)?", cell)
    ]
    assert live == []  # only a negative number may start like a formula


def test_missing_month_makes_police_indicators_not_available(hostile):
    table = pd.read_csv(hostile / "indicators.csv", keep_default_na=False, na_values=[""])
    police = table[table["source"] == "police_uk"]
    assert len(police) and (police["status"] == "not available").all()
    assert police["value"].isna().all() and police["numerator"].isna().all()
    assert police["reason"].str.contains(MISSING_WORDS).all()
    local = table[(table["source"] == "local") & (table["indicator_id"] != "asb_environmental")]
    assert (local["status"] == "available").any()  # local data is unaffected


def test_missing_month_is_named_in_the_data_quality_notes(hostile):
    document = (hostile / "report.html").read_text(encoding="utf-8")
    start = re.search(r"<h2 id=[\"']data-quality[\"']>", document).end()
    end = document.find("<h2", start)
    notes = document[start : end if end > 0 else None]
    assert MISSING_WORDS in notes and "Total recorded crime" in notes


def test_validate_lists_what_is_not_available(tmp_path, capsys):
    police = police_copy(tmp_path / "police", REAL_POLICE, skip=(MISSING_MONTH,))
    code, out, err = run_cli(["validate", "--quarter", QUARTER, "--police-uk", police], capsys)
    assert code == 0, err
    assert "not available" in out and "total_crime" in out and "asb_total" in out


def test_commentary_images_cannot_load_from_outside():
    """An external image in commentary would be fetched when the report is opened (a tracking pixel)."""
    for render in (markdown, lambda text: markdown(text, headings=True)):
        html = render("![pixel](http://evil.example/x.png)")
        assert "evil.example" not in html and "<img" not in html and "[image: pixel]" in html


# --- 4 + 6. Two builds at once; the same inputs give the same outputs -------------------------------


def test_a_second_build_waits_for_the_lock_then_replaces_the_outputs_whole(waited):
    # While the first holds the lock, the second touches nothing: no staging folder, the outputs as they were.
    assert waited.while_waiting == (waited.before, sorted([QUARTER, f".{QUARTER}.lock"]))
    assert waited.code == 0, waited.stderr
    assert "Built " in waited.stdout and "error" not in waited.stderr and "Traceback" not in waited.stderr
    out, folder = waited.out, waited.out / QUARTER
    assert sorted(p.name for p in out.iterdir()) == sorted([QUARTER, f".{QUARTER}.lock"])  # no staging or old folders
    # Then the whole folder is replaced: nothing of the previous build is mixed in.
    assert not (folder / "marker-of-the-previous-build").exists()
    assert {
        "report.html",
        "indicators.csv",
        "dashboard.xlsx",
        "board-paper.md",
        "board-paper.html",
        "board-paper.docx",
        "build.log",
        ".build-key",
        "notebooks",
    } <= {p.name for p in folder.iterdir()}
    assert len(re.findall(r"<p>Built ([^<]*?) by safer-report", (folder / "report.html").read_text())) == 1


def test_same_inputs_give_the_same_outputs(good, waited):
    folder, first = waited.out / QUARTER, good / QUARTER
    for name in ("indicators.csv", "board-paper.md", "board-paper.docx"):
        assert (folder / name).read_bytes() == (first / name).read_bytes(), name
    assert cell_values(folder / "dashboard.xlsx") == cell_values(first / "dashboard.xlsx")


# --- The same through a real process ----------------------------------------------------------------


def test_cli_subprocess_one_line_errors(tmp_path, unchanged):
    """A re-saved (cp1252) real police.uk file and a path as quarter, through ``python -m helpers.cli``."""
    police = police_copy(tmp_path / "police", REAL_POLICE, skip=(BROKEN_MONTH,))
    text = gzip.decompress((REAL_POLICE / f"{CSV_NAME}.gz").read_bytes())
    middle = text.index(b"\n", len(text) // 2) + 1
    (police / CSV_NAME).write_bytes(text[:middle] + "Café,".encode("cp1252") + text[middle:])
    latin_line = text.count(b"\n", 0, middle) + 1
    cases = [
        (["--police-uk", police], [str(police / CSV_NAME), f"row {latin_line}", "not UTF-8"]),
        (["--quarter", "2022-23-Q2/../../x"], ["not a financial-year quarter"]),
    ]
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "helpers.cli",
                "build",
                "--quarter",
                QUARTER,
                *map(str, extra),
                "--out",
                str(unchanged),
                "--partnerships",
                str(board.PARTNERSHIPS_FILE),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for extra, _ in cases
    ]
    for process, (_, words) in zip(processes, cases):
        stdout, stderr = process.communicate(timeout=120)
        assert_one_line_error(process.returncode, stderr, *words)
        assert stdout == ""


# --- 7. Property-based: mangled files give a good read or our own error --------------------------------

LSOAS = ["Blaby 001A", "Rutland 003A", "Leicester 010C", "Rugby 001A", "", "Charnwood", "Melton 001A 002", '"Quoted" 1']
TYPES = ["Burglary", "Anti-social behaviour", "", "Drugs", "Robbery", "Vehicle crime"]
NAME_MONTHS = ["2022-09", "2022-10", "2022-11", "2022-12", "2022-13", "abcd-ef"]
ROW_MONTHS = ["2022-10", "2022-9", "", "2022-13", "Sep 2022", "２０２２-09"]


def sometimes(strategy, rarely, often: int = 4):
    """``strategy`` most of the time, ``rarely`` one time in ``often + 1``."""
    return st.one_of(*[strategy] * often, rarely)


clean_police_row = st.tuples(
    st.one_of(st.just(""), st.uuids().map(str)), st.sampled_from(LSOAS[:4]), st.sampled_from([t for t in TYPES if t])
)
police_row = st.tuples(
    sometimes(st.integers(0, 10**4).map(lambda k: f"id{k}"), st.sampled_from(["", "id1", "a,b"])),
    sometimes(st.sampled_from(LSOAS[:4]), st.sampled_from(LSOAS[4:])),
    sometimes(st.sampled_from([t for t in TYPES if t]), st.just("")),
).flatmap(lambda row: sometimes(st.just(row), st.sampled_from(ROW_MONTHS).map(lambda m: (*row, m)), often=9))


NASTY = [b"\r", b"\n", b"\r\n", b'"', b"\x00", b",", b"\xe9", b"\xff", b"\xef\xbb\xbf", b" ", b"\t", b"2022-13"]


@st.composite
def mangled_police_file(draw) -> tuple[str, bytes]:
    """One police.uk file as a mistyped, re-saved or truncated download might be."""
    clean = draw(st.integers(0, 3)) == 0  # a quarter of the files are as published, to reach the counting too
    month = draw(
        st.sampled_from(NAME_MONTHS[:4])
        if clean
        else sometimes(st.sampled_from(NAME_MONTHS[:4]), st.sampled_from(NAME_MONTHS[4:]))
    )
    if clean:
        rows = draw(st.lists(clean_police_row, min_size=1, max_size=8))
        header = draw(st.permutations(POLICE_HEADER))
        data = street_csv_text(month, rows, header=header).encode()
    elif draw(st.integers(0, 9)) == 0:
        data = draw(st.binary(max_size=400))
    else:
        rows = draw(st.lists(police_row, max_size=8))
        header = list(POLICE_HEADER)
        if draw(st.booleans()):
            header = draw(st.permutations(header))
        lines = street_csv_text(month, rows, header=header).split("\n")
        for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2, 4]))):  # field and line edits
            i = draw(st.integers(0, len(lines) - 1))
            fields = lines[i].split(",")
            j = draw(st.integers(0, len(fields) - 1))
            op = draw(st.sampled_from(["drop", "dup", "quote", "junk", "cut", "swap", "header"]))
            if op == "drop":
                del fields[j]
            elif op == "dup":
                fields.insert(j, fields[j])
            elif op == "quote":
                fields[j] = draw(st.sampled_from(['"', '"x', 'x"', '""', '"a,b"', '"\n"', '"' + fields[j] + '"']))
            elif op == "junk":
                fields[j] = draw(st.text(max_size=6))
            elif op == "cut":
                fields = [lines[i][: draw(st.integers(0, len(lines[i])))]]
            elif op == "swap":
                k = draw(st.integers(0, len(lines) - 1))
                lines[i], lines[k] = lines[k], lines[i]
                continue
            elif op == "header":
                i, fields = (
                    0,
                    draw(
                        st.lists(
                            st.sampled_from(POLICE_HEADER + ["Month", "LSOA Name", "crime id", '"Month"']), max_size=14
                        )
                    ),
                )
            lines[i] = ",".join(fields)
        ending = draw(st.sampled_from(["\n", "\n", "\r\n", "\r"]))
        data = ending.join(lines).encode("utf-8")
        for _ in range(draw(st.sampled_from([0, 0, 0, 1, 3]))):  # byte edits anywhere, the header included
            at = draw(st.integers(0, len(data)))
            data = data[:at] + draw(st.sampled_from(NASTY)) + data[at:]
        if draw(st.integers(0, 5)) == 0:
            data = data[: draw(st.integers(0, len(data)))]
    kind = draw(
        st.sampled_from(
            ["csv", "gz", "zip"] if clean else ["csv", "csv", "csv", "gz", "gz", "gz-cut", "gz-flip", "zip"]
        )
    )
    name = f"{month}-leicestershire-street.csv"
    if kind == "gz":
        return name + ".gz", gzip.compress(data)
    if kind == "gz-cut":
        packed = gzip.compress(data)
        return name + ".gz", packed[: draw(st.integers(0, len(packed)))]
    if kind == "gz-flip":
        packed = gzip.compress(data)
        return name + ".gz", _flip(packed, draw(st.integers(0, len(packed))), draw(st.integers(1, 8)))
    if kind == "zip":
        packed = _zip({name: data})
        if clean or draw(st.integers(0, 3)):
            return f"{month}.zip", packed
        if draw(st.booleans()):
            return f"{month}.zip", _flip(packed, draw(st.integers(0, len(packed))), draw(st.integers(1, 8)))
        return f"{month}.zip", packed[: draw(st.integers(0, len(packed)))]
    return name, data


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(files=st.lists(mangled_police_file(), min_size=1, max_size=3), with_good=st.booleans())
def test_mangled_police_files_give_a_read_or_our_error(files, with_good):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        if with_good:
            (root / "2022-08-leicestershire-street.csv").write_text(street_csv_text("2022-08", mini_rows("2022-08")))
        for i, (name, data) in enumerate(files):
            (root / str(i)).mkdir()
            (root / str(i) / name).write_bytes(data)
        try:
            result = read_police_uk(root)
        except InputError as error:
            assert str(error) and "\n" not in str(error).strip(), str(error)
            event(f"InputError: {re.sub(r'[^a-z ]', '', error.problem.split(':')[0])[:40]}")
        else:
            event("read")
            assert isinstance(result, PoliceData)
            assert (result.counts["count"] > 0).all()


LOCAL_HEADERS = ["area", "period", "indicator_id", "numerator", "denominator", "Area ", "NUMERATOR", "extra", ""]
GOOD_AREAS = [*board.DISTRICTS, *board.DISTRICTS.values(), " Blaby "]
BAD_AREAS = ["Rugby", "E07000220", "", "rutland", "Leicestershire & Rutland"]  # Leicester is a partnership's
BAD_PERIODS = ["2022-13", "", "2022-24-Q2", "Sep 2022", "2022-9", "2022-23-Q5", "2022-09 "]
BAD_IDS = ["total_crime", "nope", "", "ASB_NUISANCE"]
BAD_NUMBERS = ["-1", "2.5", "abc", "", "nan", "inf", "1e400", "0x10", "١٢", "1e3", "1,234", " 7 ", "-0"]


@st.composite
def local_row(draw, clean: bool = False) -> dict:
    """A row that is right most of the time, with each field sometimes wrong (never when ``clean``)."""
    indicator, period = draw(
        st.sampled_from([("asb_nuisance", "month"), ("hate_crime", "month"), ("marac_repeat_rate", "quarter")])
    )
    if period == "month":
        period = draw(st.sampled_from(MONTHS))
        numerator, denominator = str(draw(st.integers(0, 500))), ""
    else:
        period = draw(st.sampled_from(["2021-22-Q3", "2021-22-Q4", "2022-23-Q1", "2022-23-Q2"]))
        denominator = draw(st.integers(1, 60))
        numerator, denominator = str(draw(st.integers(0, denominator))), str(denominator)
    if clean:
        return {
            "area": draw(st.sampled_from(GOOD_AREAS)),
            "period": period,
            "indicator_id": indicator,
            "numerator": numerator,
            "denominator": denominator,
        }
    return {
        "area": draw(sometimes(st.sampled_from(GOOD_AREAS), st.sampled_from(BAD_AREAS))),
        "period": draw(sometimes(st.just(period), st.sampled_from(BAD_PERIODS))),
        "indicator_id": draw(sometimes(st.just(indicator), st.sampled_from(BAD_IDS), often=6)),
        "numerator": draw(sometimes(st.just(numerator), st.sampled_from(BAD_NUMBERS))),
        "denominator": draw(sometimes(st.just(denominator), st.sampled_from(BAD_NUMBERS), often=6)),
    }


@st.composite
def mangled_local_file(draw) -> bytes:
    clean = draw(st.integers(0, 3)) == 0
    header = list(LOCAL_HEADERS[:5])
    if draw(st.booleans()):
        header = list(draw(st.permutations(header)))
    for _ in range(0 if clean else draw(st.sampled_from([0, 0, 0, 1, 2]))):  # extra, case-variant or repeated columns
        header.insert(draw(st.integers(0, len(header))), draw(st.sampled_from(LOCAL_HEADERS)))
    if not clean and draw(st.integers(0, 9)) == 0:
        header = draw(st.lists(st.sampled_from(LOCAL_HEADERS), max_size=7))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    writer.writerow(header)
    for _ in range(draw(st.integers(0, 6))):
        row = draw(local_row(clean))
        fields = [row.get(name.strip().lower(), "x") for name in header]
        if not clean and draw(st.integers(0, 9)) == 0:
            fields = draw(st.lists(st.text(max_size=5), max_size=7))
        writer.writerow(fields)
    data = out.getvalue().encode("utf-8")
    if not clean and draw(st.integers(0, 5)) == 0:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(max_size=8)) + data[at:]
    return data


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=mangled_local_file())
def test_mangled_local_extracts_give_a_read_or_our_error(data):
    catalogue = _CATALOGUE
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "local.csv"
        path.write_bytes(data)
        try:
            frame = read_local_extract(path, catalogue, board.DISTRICTS)
        except InputError as error:
            assert str(error) and "\n" not in str(error).strip(), str(error)
            event(f"InputError: {re.sub(r'[^a-z ]', '', error.problem.split(':')[0])[:40]}")
        else:
            event("read")
            assert list(frame.columns) == ["indicator_id", "area", "month", "numerator", "denominator"]
            assert set(frame["area"]) <= set(board.DISTRICTS)
            assert (frame["numerator"] >= 0).all()


_CATALOGUE = load_catalogue()
