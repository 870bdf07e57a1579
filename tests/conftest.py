"""Shared fixtures: a private cache and output folder for the whole session, the tests' own partnerships
file, a writer for tiny police.uk street-level CSVs, and an independent count of the bundled police.uk data made with
nothing but ``csv`` and ``gzip``."""

from __future__ import annotations

import collections
import csv
import gzip
import io
import os
import shutil
from pathlib import Path

import pytest

import board
from helpers import config


@pytest.fixture(scope="session", autouse=True)
def private_cache_and_outputs(tmp_path_factory):
    """Tests never touch the repository's .cache/ or outputs/: both point at a temporary folder,
    here and, through the environment, in every command, build and kernel a test starts."""
    base = tmp_path_factory.mktemp("session")
    with pytest.MonkeyPatch.context() as patch:
        for name, variable in (("CACHE", "SAFER_REPORT_CACHE"), ("OUTPUTS", "SAFER_REPORT_OUTPUTS")):
            patch.setenv(variable, str(base / name.lower()))
            patch.setattr(config, name, base / name.lower())
        yield


@pytest.fixture(scope="session", autouse=True)
def partnerships_file():
    """The tests' own partnerships file (tests/fixtures/partnerships.yaml), in place of the shipped
    params/partnerships.yaml for every test; a test that starts a command passes it with --partnerships."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(config, "PARTNERSHIPS", board.PARTNERSHIPS_FILE)
        yield board.PARTNERSHIPS_FILE


POLICE_HEADER = [
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
]


def street_csv_text(month: str, rows: list[tuple], header: list[str] = POLICE_HEADER) -> str:
    """CSV text with the real 12-column header; each row is (crime_id, lsoa_name, crime_type)
    or (crime_id, lsoa_name, crime_type, month) when the row's Month differs from ``month``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        crime_id, lsoa, crime_type, *rest = row
        full = {
            "Crime ID": crime_id,
            "Month": rest[0] if rest else month,
            "Reported by": "Leicestershire Police",
            "Falls within": "Leicestershire Police",
            "Longitude": "-1.2" if lsoa else "",
            "Latitude": "52.6" if lsoa else "",
            "Location": "On or near High Street" if lsoa else "No location",
            "LSOA code": "E01000001" if lsoa else "",
            "LSOA name": lsoa,
            "Crime type": crime_type,
            "Last outcome category": "Under investigation",
            "Context": "",
        }
        writer.writerow([full[c] for c in header])
    return out.getvalue()


@pytest.fixture
def write_street_csv():
    """write(folder, month, rows, kind='csv'|'gz') -> path of ``<month>-leicestershire-street.csv[.gz]``."""

    def write(folder: Path, month: str, rows: list[tuple], kind: str = "csv", **kwargs) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        data = street_csv_text(month, rows, **kwargs).encode()
        path = folder / f"{month}-leicestershire-street.csv"
        if kind == "gz":
            path = path.with_name(path.name + ".gz")
            data = gzip.compress(data)
        path.write_bytes(data)
        return path

    return write


@pytest.fixture(scope="session")
def independent_police_counts():
    """From the bundled .csv.gz files, with csv + gzip only: Counter of (month, district, is_asb)
    for every district named, and per-month totals of rows, rows in Leicester, rows in the board's
    districts, elsewhere and without an LSOA."""
    counts: collections.Counter = collections.Counter()
    per_month: dict[str, collections.Counter] = {}
    for path in sorted((config.POLICE_UK / "leicestershire").glob("*-street.csv.gz")):
        with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
            for record in csv.DictReader(handle):
                month, lsoa = record["Month"], record["LSOA name"]
                tally = per_month.setdefault(month, collections.Counter())
                tally["rows"] += 1
                district = lsoa.rsplit(" ", 1)[0] if lsoa else None
                if district is None:
                    tally["no_location"] += 1
                    continue
                counts[(month, district, record["Crime type"] == "Anti-social behaviour")] += 1
                key = (
                    "leicester"
                    if district == "Leicester"
                    else ("partnership" if district in board.DISTRICTS else "outside")
                )
                tally[key] += 1
    return counts, per_month


# --- Optional system tools ------------------------------------------------------------------


def require_tool(name: str, available: bool) -> None:
    """Skip when a tool is missing, or fail when REQUIRE_ALL_TOOLS=1 (as CI sets) says it must be there."""
    if available:
        return
    if os.environ.get("REQUIRE_ALL_TOOLS") == "1":
        pytest.fail(f"{name} is not available, and REQUIRE_ALL_TOOLS=1 requires it")
    pytest.skip(f"{name} is not available")


@pytest.fixture
def page(tmp_path):
    """page(name): a copy of tests/fixtures/a11y/<name> in tmp_path, so nothing is written beside the fixtures."""

    def copy(name: str) -> Path:
        return Path(shutil.copy(Path(__file__).parent / "fixtures" / "a11y" / name, tmp_path / name))

    return copy


@pytest.fixture
def chromium():
    from helpers.pipeline import browser

    require_tool("Chromium (apt-get install chromium)", browser.find_chromium() is not None)


@pytest.fixture
def axe_core():
    """axe.min.js alone (its banner can be read without a browser)."""
    import page_checks

    require_tool("axe-core (npm ci)", page_checks.find_axe() is not None)


@pytest.fixture
def axe(chromium, axe_core):
    """axe-core and the Chromium that runs it."""


@pytest.fixture
def soffice():
    path = shutil.which("soffice")
    require_tool("LibreOffice (apt-get install libreoffice-calc)", path is not None)
    return path


@pytest.fixture
def soffice_writer(soffice):
    """LibreOffice with Writer, which opens .docx files (a Calc-only install cannot)."""
    program = Path(os.path.realpath(soffice)).parent
    require_tool("LibreOffice Writer (apt-get install libreoffice-writer)", any(program.glob("libswlo.*")))
    return soffice
