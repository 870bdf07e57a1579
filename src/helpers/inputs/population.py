"""Read ONS population: district mid-year estimates (with the district codes ONS replaced), small-area (LSOA)
estimates and the House of Commons Library's neighbourhood (MSOA) names.

Every problem is an ``InputError`` naming the file, the line and what is wrong.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Collection
from pathlib import Path

import pandas as pd

from .. import config
from ..errors import InputError
from .files import read_text

log = logging.getLogger(__name__)


def read_population(
    folder: Path | None = None, districts: dict[str, str] | None = None, successors: Path | None = None
) -> pd.DataFrame:
    """ONS mid-year estimates as rows of year, area_code, population for ``districts``.

    ``districts``: {ONS code: name} of the districts wanted (None: every district in the files).
    Reads the wide single-year-of-age files (``ons_mye_mid<YEAR>_*.csv``, column
    ``total_population``) and the long totals files (year, lad_code, population); only the
    wanted districts' rows (and their predecessors') are checked and kept.

    Each year's estimates use the district codes of their own release: mid-2021 still has, for
    example, the seven districts that became North Yorkshire in April 2023. A new district is
    exactly the union of those it replaced (``successors``: the lookup of replaced codes), so where
    a wanted district has no row in a year but every one of its predecessors has, its population
    that year is their sum, and its rates can be compared across the reorganisation.
    A district with no estimate for a year is left out: ``missing_population`` names it.
    """
    folder = Path(folder or config.POPULATION)
    predecessors = read_successors(successors)
    wanted = (
        None if districts is None else {*districts, *(old for new in districts for old in predecessors.get(new, []))}
    )
    paths = sorted(folder.glob("*.csv"))
    if not paths:
        raise InputError("no population CSV files", file=folder)
    held: dict[tuple[int, str], int] = {}  # (year, code): population; a later file wins
    for path in paths:
        rows = _population_rows(path, wanted)
        log.debug("%s: %d estimates kept", path, len(rows))
        held.update(rows)
    codes = set(districts) if districts is not None else {code for _, code in held}
    for year in {year for year, _ in held}:
        for code in codes:
            olds = predecessors.get(code, [])
            if olds and (year, code) not in held and all((year, old) in held for old in olds):
                held[year, code] = sum(held[year, old] for old in olds)
                log.debug(
                    "mid-%d population of %s: the sum of the districts it replaced, %s", year, code, ", ".join(olds)
                )
    kept = [(year, code, population) for (year, code), population in held.items() if code in codes]
    population = pd.DataFrame(kept, columns=["year", "area_code", "population"])
    log.info(
        "population: %d files read from %s: %d estimates for %d districts%s",
        len(paths),
        folder,
        len(population),
        population["area_code"].nunique(),
        f", mid-{population['year'].min()} to mid-{population['year'].max()}" if len(population) else "",
    )
    return population.astype({"year": "int64", "population": "int64"}).sort_values(
        ["year", "area_code"], ignore_index=True
    )


def _population_rows(path: Path, wanted: set[str] | None) -> dict[tuple[int, str], int]:
    """{(year, code): population} for the rows of one population file whose code is ``wanted`` (None: all)."""
    header, rows = _csv_rows(path, "population file")
    wide = re.search(r"mid(\d{4})", path.name)
    code_column = next((c for c in header if c.endswith("_code")), None)
    if "total_population" in header and wide and code_column:
        code_at, population_at, year_at = header.index(code_column), header.index("total_population"), None
    elif {"year", "lad_code", "population"} <= set(header):
        code_at, population_at, year_at = header.index("lad_code"), header.index("population"), header.index("year")
    else:
        raise InputError(
            "not a population file: expected columns year, lad_code, population "
            "or an ons_mye_midYYYY file with total_population",
            file=path,
            row=1,
        )
    named_year = int(wide.group(1)) if wide else 0  # the year of an ons_mye_midYYYY file (no year column)
    held: dict[tuple[int, str], int] = {}
    for line, fields in rows:
        code = fields[code_at]
        if wanted is not None and code not in wanted:
            continue
        if year_at is None:
            year = named_year
        else:
            given = _whole_number(fields[year_at])
            if given is None:
                raise InputError(f"year '{fields[year_at]}' is not a year such as 2021", file=path, row=line)
            year = given
        population = _whole_number(fields[population_at])
        if population is None or population <= 0:
            raise InputError(
                f"population '{fields[population_at]}' for {code} in {year} is not a positive whole number",
                file=path,
                row=line,
            )
        held[year, code] = population
    return held


def _whole_number(text: str) -> int | None:
    """'41,151' -> 41151; None unless ``text`` is a whole number."""
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        return None
    return int(value) if value.is_integer() else None


def read_successors(path: Path | None = None) -> dict[str, list[str]]:
    """The district codes ONS replaced since 2019 (``lad_successors.csv``): {new code: [old codes]}."""
    path = Path(path or config.LAD_SUCCESSORS)
    header, rows = _csv_rows(path, "district successors file")
    missing = [c for c in ("old_code", "new_code") if c not in header]
    if missing:
        raise InputError(f"missing column(s) {', '.join(missing)}", file=path, row=1)
    old_at, new_at = header.index("old_code"), header.index("new_code")
    predecessors: dict[str, list[str]] = {}
    for _, fields in rows:
        predecessors.setdefault(fields[new_at], []).append(fields[old_at])
    log.debug("district successors read from %s: %d districts replaced others", path, len(predecessors))
    return predecessors


def read_msoa_names(paths: Collection[Path] | None = None) -> pd.Series:
    """The House of Commons Library's neighbourhood names (``hocl_msoa11_names.csv``, ``hocl_msoa21_names.csv``):
    ONS MSOA name ("Charnwood 003") -> Library name ("Loughborough Storer & Queen's Park").

    police.uk's LSOA names give the MSOA's ONS name, not its code, so the files are read by name: 2011 and 2021
    MSOAs are read as one, an MSOA that ONS redrew in 2021 having a new code and number. A name the files give two
    different Library names is an error naming the file and row."""
    names: dict[str, tuple[str, Path, int]] = {}
    for path in paths or config.MSOA_NAMES:
        path = Path(path)
        header, rows = _csv_rows(path, "neighbourhood names file")
        ons = [c for c in header if re.fullmatch(r"msoa\d\dnm", c)]
        library = [c for c in header if re.fullmatch(r"msoa\d\dhclnm", c)]
        if len(ons) != 1 or len(library) != 1:
            raise InputError(
                "needs one column msoa11nm or msoa21nm (ONS name) and one msoa11hclnm or msoa21hclnm (Library name)",
                file=path,
                row=1,
            )
        at, named_at = header.index(ons[0]), header.index(library[0])
        for line, fields in rows:
            msoa, name = fields[at].strip(), fields[named_at].strip()
            if not msoa or not name:
                raise InputError(f"no {'Library name' if msoa else 'MSOA name'} in this row", file=path, row=line)
            if msoa in names and names[msoa][0] != name:
                first, where, row = names[msoa]
                raise InputError(
                    f"{msoa} is named '{name}' here but '{first}' in {where.name} (row {row})", file=path, row=line
                )
            names.setdefault(msoa, (name, path, line))
        log.info("neighbourhood names read from %s: %s rows", path, f"{len(rows):,}")
    return pd.Series({msoa: name for msoa, (name, _, _) in names.items()}, dtype=object)


def missing_population(population: pd.DataFrame, districts: dict[str, str], year: int) -> list[str]:
    """The codes of ``districts`` with no mid-``year`` estimate in ``population`` (``read_population``'s)."""
    held = set(population.loc[population["year"] == year, "area_code"])
    return [code for code in districts if code not in held]


def missing_population_message(
    districts: dict[str, str], codes: list[str], year: int, folder: Path | None = None
) -> str:
    """One line naming the districts without a mid-``year`` estimate and the file to add."""
    folder = Path(folder or config.POPULATION)
    shown = folder.relative_to(config.ROOT) if folder.is_relative_to(config.ROOT) else folder
    names = ", ".join(f"{districts[code]} ({code})" for code in codes)
    return (
        f"no mid-{year} population for {names} in {shown}: add ONS's mid-{year} estimates (MYE2 - Persons, "
        "All ages) as a CSV file with columns year, lad_code, population"
    )


def _csv_rows(path: Path, what: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """A small CSV's header and its (line, fields) rows, blank lines skipped; unreadable, non-UTF-8,
    empty or ragged files are InputErrors naming the line."""
    text = read_text(path, what)
    if not text.strip():
        raise InputError("file is empty", file=path)
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = []
    try:
        header = next(reader)
        for fields in reader:
            if not fields:
                continue
            if len(fields) != len(header):
                raise InputError(
                    "this row has a different number of fields from the header", file=path, row=reader.line_num
                )
            rows.append((reader.line_num, fields))
    except csv.Error as exc:
        raise InputError(f"not a readable CSV ({exc})", file=path, row=reader.line_num) from None
    return header, rows


# --- Small-area population ---------------------------------------------------------

# ONS's LSOA estimates name their columns "LSOA 2021 Code", "LSOA Code", "LSOA11CD" ...; case, spaces and
# underscores aside.
_LSOA_CODE_COLUMN = re.compile(r"^lsoa ?(20)?(11|21)? ?(code|cd)$")
_LSOA_POPULATION_COLUMNS = ("total", "all ages")
_LSOA_CODE = re.compile(r"^[EW]01\d{6}$")


def read_lsoa_population(path: Path) -> pd.Series:
    """ONS's small-area (LSOA) mid-year estimates as LSOA code -> residents (2011 or 2021 LSOAs).

    The CSV as ONS publishes it: a code column ("LSOA 2021 Code", "LSOA Code") and the all-ages total
    ("Total", "All Ages"); other columns (names, single years of age) are ignored, and so are title lines
    above the header and blank lines. A bad row is an InputError naming the file, the line and the problem.
    """
    text = read_text(path, "small-area population file")
    code_at = population_at = None
    seen: dict[str, int] = {}
    population: dict[str, int] = {}
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        for fields in reader:
            line = reader.line_num
            if code_at is None or population_at is None:  # still looking for the header
                names = [re.sub(r"[\s_]+", " ", f).strip().lower() for f in fields]
                code_at = next((i for i, n in enumerate(names) if _LSOA_CODE_COLUMN.match(n)), None)
                if code_at is not None:
                    population_at = next((names.index(n) for n in _LSOA_POPULATION_COLUMNS if n in names), None)
                    if population_at is None:
                        raise InputError(
                            f"no all-ages population column: expected 'Total' or 'All Ages' beside '{fields[code_at]}'",
                            file=path,
                            row=line,
                        )
                continue
            if not any(f.strip() for f in fields):
                continue
            if len(fields) <= max(code_at, population_at):
                raise InputError("this row has fewer fields than the header", file=path, row=line)
            code, given = fields[code_at].strip(), fields[population_at].strip()
            if not _LSOA_CODE.match(code):
                raise InputError(f"'{code}' is not an LSOA code such as E01025885", file=path, row=line)
            if code in seen:
                raise InputError(f"{code} appears twice (also on line {seen[code]})", file=path, row=line)
            residents = _whole_number(given)
            if residents is None or residents <= 0:
                raise InputError(f"population '{given}' for {code} is not a positive whole number", file=path, row=line)
            seen[code], population[code] = line, residents
    except csv.Error as exc:
        raise InputError(f"not a readable CSV ({exc})", file=path, row=reader.line_num) from None
    if code_at is None:
        raise InputError(
            "no header naming the LSOA code ('LSOA 2021 Code' or 'LSOA Code') and population "
            "('Total' or 'All Ages'): not ONS's LSOA population estimates",
            file=path,
        )
    if not population:
        raise InputError("has a header but no rows", file=path)
    log.info(
        "small-area population read from %s: %s LSOAs, %s residents",
        path,
        f"{len(population):,}",
        f"{sum(population.values()):,}",
    )
    return pd.Series(population, name="population", dtype="int64").rename_axis("lsoa_code")
