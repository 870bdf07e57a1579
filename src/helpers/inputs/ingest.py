"""Read raw inputs into tidy tables: police.uk street-level CSVs and ONS population.

police.uk files are read as published (``.csv``, ``.csv.gz`` or a ``.zip`` holding
``*-street.csv`` members) and never modified. Every problem is an ``InputError``
naming the file, the line and what is wrong.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import math
import os
import re
import zipfile
import zlib
from collections.abc import Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .. import config
from ..errors import InputError
from . import month_store
from .catalogue import CRIME_TYPES
from .files import SourceFile, find_police_files, read_text

POLICE_COLUMNS = ["Crime ID", "Month", "LSOA name", "Crime type"]
# Who published the rows: a month is one force's, recognised from its rows, not from the file's name.
FORCE_COLUMNS = ["Reported by", "Falls within"]
# Read for the neighbourhood chapter when present (a file without them still gives the district counts).
PLACE_COLUMNS = {"LSOA code": pa.string(), "Location": pa.string(), "Longitude": pa.float32(), "Latitude": pa.float32()}
# Grouped small-area rows kept before they are summed again: holds memory flat however many files are read.
_COMPACT_ROWS = 1 << 20
ASB = "Anti-social behaviour"
_NAME_MONTH = re.compile(r"(\d{4}-\d{2})-[^/\\]*street\.csv", re.IGNORECASE)
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass
class PoliceData:
    """police.uk street-level data reduced to monthly counts for every district in the files.

    ``counts``: month (YYYY-MM), district (the LSOA name less its last token), crime_type, count.
    ``quality``: per month, the files, rows read, rows without an LSOA (no district), rows repeating an earlier
    row's Crime ID, the exact copies among them and those left out (``duplicates: drop_exact``).
    Below the district, the rows of the districts asked for (``small_areas``): ``lsoa_counts`` (month, lsoa_code,
    lsoa_name, crime_type, count), ``street_counts`` (month, lsoa_name, location, crime_type, count) and ``points``
    (month, district, lsoa_name, crime_type, longitude, latitude as float32, text columns categorical) of the rows
    with a map point.
    """

    counts: pd.DataFrame
    quality: pd.DataFrame
    files: list[SourceFile] = field(default_factory=list)
    lsoa_counts: pd.DataFrame = field(default_factory=pd.DataFrame)
    street_counts: pd.DataFrame = field(default_factory=pd.DataFrame)
    points: pd.DataFrame = field(default_factory=pd.DataFrame)
    warnings: list[str] = field(default_factory=list)  # files read once as copies; crime types the catalogue lacks

    @property
    def months(self) -> list[str]:
        return sorted(self.quality["month"])


# A month of street-level crime for the largest force is about 30 MB of CSV: a compressed file
# that inflates beyond this is not a police.uk file (or is a decompression bomb).
MAX_INFLATED_BYTES = 1 << 30


class _TooBig(Exception):
    pass


def _capped(out: bytes) -> bytes:
    """``out``, read with a limit of one byte over the cap: _TooBig if it reached it."""
    if len(out) > MAX_INFLATED_BYTES:
        raise _TooBig
    return out


def _gunzip(data: bytes) -> bytes:
    """Decompress gzip in C in one call (zlib frees the GIL, so threads run in parallel)."""
    inflater = zlib.decompressobj(wbits=31)
    out = _capped(inflater.decompress(data, MAX_INFLATED_BYTES + 1))
    if not inflater.eof:
        raise EOFError("the file is truncated: it ends before the end of the compressed data")
    if inflater.unused_data:  # several gzip members: rare
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as members:
            out = _capped(members.read(MAX_INFLATED_BYTES + 1))
    return out


def _unzip(archive: zipfile.ZipFile, name: str) -> bytes:
    with archive.open(name) as member:
        return _capped(member.read(MAX_INFLATED_BYTES + 1))


def _members(path: Path, data: bytes) -> list[tuple[str, bytes]]:
    """The (name, CSV bytes) pairs inside one file (read as ``data``); a zip may hold many months."""
    try:
        if path.suffix.lower() == ".gz":
            return [(path.name[:-3], _gunzip(data))]
        if path.suffix.lower() == ".zip":
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = [n for n in archive.namelist() if n.lower().endswith("-street.csv")]
                if not names:
                    raise InputError("zip archive holds no *-street.csv file", file=path)
                return [(f"{path.name}:{n}", _unzip(archive, n)) for n in sorted(names)]
    except (OSError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
        raise InputError(f"cannot be decompressed ({exc})", file=path) from None
    except _TooBig:
        raise InputError(
            f"decompresses to more than {MAX_INFLATED_BYTES:,} bytes: not a police.uk street file for "
            "one month (stopped there)",
            file=path,
        ) from None
    return [(path.name, data)]


def _parse_street_csv(name: str, data: bytes) -> pa.Table:
    """Parse one month's CSV bytes, checking the columns we use."""
    if not data.strip():
        raise InputError("file is empty", file=name)
    try:
        data.decode("utf-8")  # Arrow checks only the columns we read; a re-saved file is wrong throughout
    except UnicodeDecodeError as exc:
        raise InputError(
            f"is not UTF-8 text (byte 0x{data[exc.start]:02x}): save it as 'CSV UTF-8', as police.uk publishes it",
            file=name,
            row=data.count(b"\n", 0, exc.start) + 1,
        ) from None
    header = _header(data)
    missing = [c for c in POLICE_COLUMNS if c not in header]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(repr(c) for c in missing)}; the header has {', '.join(repr(h[:40]) for h in header[:12])}",
            file=name,
            row=1,
        )
    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(use_threads=False, block_size=1 << 22),  # files are read in parallel instead
            convert_options=pacsv.ConvertOptions(
                include_columns=POLICE_COLUMNS + FORCE_COLUMNS + list(PLACE_COLUMNS),
                include_missing_columns=True,
                column_types={**{c: pa.string() for c in POLICE_COLUMNS + FORCE_COLUMNS}, **PLACE_COLUMNS},
                strings_can_be_null=True,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowException, UnicodeDecodeError) as exc:
        detail = (str(exc).splitlines() or ["unreadable"])[0][:200]
        row = re.search(r"[Rr]ow #?(\d+)", detail)
        raise InputError(
            f"malformed CSV: {detail}", file=name, row=int(row.group(1)) if row else _first_ragged_line(data)
        ) from None
    if table.num_rows == 0:
        raise InputError("has a header but no rows", file=name)
    return table


def _header(data: bytes) -> list[str]:
    """The CSV's column names, as Arrow reads them (quotes; a lone CR ends the line)."""
    first = data.split(b"\n", 1)[0].decode("utf-8-sig").strip()
    try:
        return next(csv.reader(io.StringIO(first, newline="")), [])
    except csv.Error:  # e.g. a field over csv's size limit: not a police.uk header anyway
        return first[:2000].split(",")


def _first_ragged_line(data: bytes) -> int | None:
    """The line of the first row whose field count differs from the header's (only on error)."""
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig", errors="replace"), newline=""))
    try:
        width = len(next(reader, []))
        for fields in reader:
            if fields and len(fields) != width:
                return reader.line_num
    except csv.Error:
        return reader.line_num
    return None


def _first_line(mask: pa.ChunkedArray) -> int:
    """File line of the first True in ``mask`` (the header is line 1)."""
    return int(pc.index(mask, True).as_py()) + 2


def _check_month(name: str, table: pa.Table) -> str:
    """Every Month value is YYYY-MM and equals the month in the file name."""
    months = table["Month"]
    named = _NAME_MONTH.search(name)
    expected = named.group(1) if named else months[0].as_py()
    if months.null_count == 0 and pc.all(pc.equal(months, expected)).as_py() and _MONTH.match(expected or ""):
        return expected  # the usual case, checked without leaving Arrow
    bad = pc.invert(pc.fill_null(pc.match_substring_regex(months, _MONTH.pattern), False))
    if pc.any(bad).as_py():
        line = _first_line(bad)
        raise InputError(f"Month '{months[line - 2].as_py() or ''}' is not YYYY-MM", file=name, row=line)
    line = _first_line(pc.not_equal(months, expected))
    raise InputError(
        f"Month '{months[line - 2].as_py()}' does not match the file's month {expected}", file=name, row=line
    )


def _repeats(data: bytes, table: pa.Table) -> tuple[int, pa.Array | None]:
    """Rows whose Crime ID an earlier row of the file has (police.uk publishes some), and a mask of the exact
    copies among them (every field the same as an earlier row's; None when no Crime ID repeats). Rows without
    a Crime ID (anti-social behaviour) are never copies: two incidents can share a month and a location."""
    ids = table["Crime ID"].drop_null()
    repeated = len(ids) - pc.count_distinct(ids).as_py()
    if not repeated:
        return 0, None
    every = pacsv.read_csv(
        io.BytesIO(data),
        read_options=pacsv.ReadOptions(use_threads=False, block_size=1 << 22),
        convert_options=pacsv.ConvertOptions(
            column_types={c: pa.string() for c in _header(data)}, strings_can_be_null=True
        ),
    )
    frame = every.to_pandas()
    copies = frame.duplicated(keep="first") & frame["Crime ID"].notna()
    return repeated, pa.array(copies.to_numpy())


def _check_crime_types(name: str, table: pa.Table) -> None:
    """A row placed in a district without a Crime type cannot be counted: name its line."""
    missing = pc.and_(pc.is_null(table["Crime type"]), pc.is_valid(table["LSOA name"]))
    if pc.any(missing).as_py():
        line = _first_line(missing)
        raise InputError(f"a row in {table['LSOA name'][line - 2].as_py()} has no Crime type", file=name, row=line)


_KNOWN_TYPES = {t.casefold(): t for t in CRIME_TYPES}


def _canonical_types(table: pa.Table) -> tuple[pa.Table, dict[str, int]]:
    """Crime types in police.uk's own spelling whatever their letter case or spacing ("burglary " is Burglary),
    and the rows of each type the catalogue does not know (a new police.uk category)."""
    types = pc.dictionary_encode(table["Crime type"].combine_chunks())
    given = types.dictionary.to_pylist()
    canonical = [_KNOWN_TYPES.get(" ".join(t.split()).casefold(), t) for t in given]
    if canonical != given:
        column = pc.take(pa.array(canonical, pa.string()), types.indices)
        table = table.set_column(table.schema.get_field_index("Crime type"), "Crime type", column)
    unknown = {}
    if set(canonical) - set(CRIME_TYPES):
        for item in pc.value_counts(table["Crime type"]).to_pylist():
            if item["values"] is not None and item["values"] not in CRIME_TYPES:
                unknown[item["values"]] = item["counts"]
    return table, unknown


def _force(table: pa.Table, name: str) -> str:
    """The force whose file this is, from its rows ("Reported by", else "Falls within"); from the file's name
    (``2022-09-leicestershire-street.csv``) only when the rows do not say."""
    for column in ("Reported by", "Falls within"):
        forces = sorted(v for v in pc.unique(table[column]).to_pylist() if v)
        if forces:
            return " and ".join(forces)
    named = re.search(r"\d{4}-\d{2}-(.+?)-street\.csv", name, re.IGNORECASE)
    return named.group(1).lower() if named else "a force the file does not name"


@dataclass
class _Month:
    """One month's CSV of one file, read: what identifies it, what it held, and its counts."""

    name: str
    month: str
    force: str
    sha256: str  # of the CSV text: the same month kept twice is the same bytes
    rows: int
    repeated_ids: int  # rows whose Crime ID an earlier row has
    exact_copies: int  # of which every field is an earlier row's
    dropped: int  # exact copies left out (params' duplicates: drop_exact)
    unknown_types: dict[str, int]
    counts: list[tuple] = field(default_factory=list)
    quality: dict = field(default_factory=dict)
    areas: dict = field(default_factory=dict)


def _read_file(path: Path, small_areas: frozenset[str] | None, duplicates: str) -> tuple[SourceFile, list[_Month]]:
    """Hash one file, take its months from the month store or else decompress, parse and check them (and keep
    them there), then count them (runs in a worker thread)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot be read ({exc.strerror or exc})", file=path) from None
    source = SourceFile(str(path), hashlib.sha256(raw).hexdigest())
    stored = month_store.load(source.sha256, POLICE_COLUMNS + FORCE_COLUMNS + list(PLACE_COLUMNS))
    if stored is None:
        stored = [_read_month(path, name, data) for name, data in _members(path, raw)]
        month_store.save(source.sha256, stored)
    months = []
    for read in stored:
        table, unknown = _canonical_types(read.table)
        count = table.num_rows
        exact = 0 if read.copies is None else pc.sum(read.copies).as_py() or 0
        if duplicates == "drop_exact" and exact:
            table = table.filter(pc.invert(read.copies))
        source.rows += count
        source.month = read.month if source.month is None else f"{source.month}…{read.month}"
        counts, quality, areas = _summarise(table, read.month, read.name, small_areas)
        months.append(
            _Month(
                read.name,
                read.month,
                _force(table, read.name),
                read.csv_sha256,
                count,
                read.repeated,
                exact,
                count - table.num_rows,
                unknown,
                counts,
                quality,
                areas,
            )
        )
    return source, months


def _read_month(path: Path, name: str, data: bytes) -> month_store.ReadMonth:
    """Parse and check one month's CSV text (``name`` in ``path``)."""
    try:
        table = _parse_street_csv(name, data)
        month = _check_month(name, table)
        _check_crime_types(name, table)
        repeated, copies = _repeats(data, table)
    except InputError as exc:  # name the full path: the same file name may sit in two folders
        raise InputError(exc.problem, file=_label(path, name), row=exc.row) from None
    return month_store.ReadMonth(name, month, hashlib.sha256(data).hexdigest(), table, repeated, copies)


def _label(path: Path, name: str) -> str:
    """The file's full path, and the member's name inside a zip."""
    return str(path) + (f" ({name[len(path.name) + 1 :]})" if name.startswith(path.name + ":") else "")


def _summarise(
    table: pa.Table, month: str, name: str, small_areas: frozenset[str] | None
) -> tuple[list[tuple], dict, dict]:
    """One file reduced at once to counts by district and crime type, plus its quality line and its
    rows of the ``small_areas`` districts by small area (``_small_areas``).

    The district (the LSOA name less its last token) is found once per
    distinct LSOA in Arrow, and each (district, crime type) pair counted with one
    ``numpy.bincount`` over their dictionary codes; keeping only district counts per file holds memory flat however many
    files are read.
    """
    lsoas, types = (pc.dictionary_encode(table[c].combine_chunks()) for c in ("LSOA name", "Crime type"))
    districts = pc.dictionary_encode(pc.replace_substring_regex(lsoas.dictionary, pattern=r" [^ ]*$", replacement=""))
    district_names, type_names = districts.dictionary.to_pylist() + [None], types.dictionary.to_pylist() + [None]
    # A missing LSOA or crime type takes the last code, the None added to each list.
    district_of_lsoa = np.append(districts.indices.to_numpy(), len(district_names) - 1)
    d = district_of_lsoa[pc.fill_null(lsoas.indices, len(district_of_lsoa) - 1).to_numpy()]
    t = pc.fill_null(types.indices, len(type_names) - 1).to_numpy()
    counts = np.bincount(d * len(type_names) + t, minlength=len(district_names) * len(type_names)).reshape(
        len(district_names), len(type_names)
    )
    quality = {"month": month, "file": name, "rows": table.num_rows, "no_location": int(counts[-1].sum())}
    rows = [
        (month, d_name, t_name, int(n))
        for i, d_name in enumerate(district_names[:-1])
        for t_name, n in zip(type_names, counts[i])
        if n
    ]
    member = np.array(
        [d_name is not None and (small_areas is None or d_name in small_areas) for d_name in district_names]
    )
    return rows, quality, _small_areas(table, month, member[d], lsoas, types, d, districts.dictionary)


def _small_areas(
    table: pa.Table,
    month: str,
    inside: np.ndarray,
    lsoas: pa.DictionaryArray,
    types: pa.DictionaryArray,
    district: np.ndarray,
    district_names: pa.Array,
) -> dict[str, pa.Table]:
    """The rows of the wanted districts (``inside``) of one month's file counted by LSOA and crime type and by
    street location, and their map points: float32 coordinates, district, crime type and month dictionary-coded.

    Counted as ``_summarise`` counts, on the dictionary codes it made (a row in a district always has an LSOA
    and a crime type); an LSOA's code is the one on its first row (police.uk gives one code a name).
    """
    lsoa = lsoas.indices.to_numpy(zero_copy_only=False)[inside].astype(np.int64)
    kind = types.indices.to_numpy(zero_copy_only=False)[inside]
    where = pa.array(inside)
    locations = pc.dictionary_encode(table["Location"].filter(where).combine_chunks())
    location = pc.fill_null(locations.indices, len(locations.dictionary)).to_numpy()  # no Location: its own code
    n_types, n_places = len(types.dictionary), len(locations.dictionary) + 1
    keys, counts = np.unique(lsoa * n_types + kind, return_counts=True)
    by_lsoa, by_type = np.divmod(keys, n_types)
    first = np.zeros(len(lsoas.dictionary), np.int64)
    seen, at = np.unique(lsoa, return_index=True)
    first[seen] = at
    codes = table["LSOA code"].filter(where)
    place_keys, place_counts = np.unique((lsoa * n_places + location) * n_types + kind, return_counts=True)
    place_lsoa, rest = np.divmod(place_keys, n_places * n_types)
    place, place_type = np.divmod(rest, n_types)
    located = (
        pc.and_(pc.is_valid(table["Longitude"]), pc.is_valid(table["Latitude"])).to_numpy(zero_copy_only=False) & inside
    )
    at_point = pa.array(located)
    return {
        "lsoa_counts": pa.table(
            {
                "month": pa.array([month] * len(keys), pa.string()),
                "LSOA code": codes.take(first[by_lsoa]),
                "LSOA name": lsoas.dictionary.take(by_lsoa),
                "Crime type": types.dictionary.take(by_type),
                "count_all": counts,
            }
        ),
        "street_counts": pa.table(
            {
                "month": pa.array([month] * len(place_keys), pa.string()),
                "LSOA name": lsoas.dictionary.take(place_lsoa),
                "Location": pa.concat_arrays([locations.dictionary, pa.nulls(1, pa.string())]).take(place),
                "Crime type": types.dictionary.take(place_type),
                "count_all": place_counts,
            }
        ),
        "points": pa.table(
            {
                "month": pa.DictionaryArray.from_arrays(
                    pa.array(np.zeros(int(located.sum()), np.int8)), pa.array([month])
                ),
                "district": pa.DictionaryArray.from_arrays(pa.array(district[located], pa.int32()), district_names),
                "lsoa_name": pa.DictionaryArray.from_arrays(lsoas.indices.filter(at_point), lsoas.dictionary),
                "crime_type": pa.DictionaryArray.from_arrays(types.indices.filter(at_point), types.dictionary),
                "longitude": table["Longitude"].filter(at_point).combine_chunks(),
                "latitude": table["Latitude"].filter(at_point).combine_chunks(),
            }
        ),
    }


def read_police_uk(
    folder: Path | None = None, small_areas: Collection[str] | None = None, duplicates: str = "keep"
) -> PoliceData:
    """Read every street-level file under ``folder`` into monthly counts by district, and the small-area
    counts and map points of the districts named in ``small_areas`` (None: every district).

    Every row is counted, as police.uk publishes it; ``duplicates: drop_exact`` leaves out the rows that are
    exact copies of an earlier row with the same Crime ID. A month is known by its rows (its Month and its
    force), not its file name: the same force's month in two files stops the build, naming both, unless the
    two hold the same bytes (one is read, with a warning).

    Files are read in parallel threads (zlib and Arrow release the GIL); parsing, checks
    and the first count (by LSOA and crime type) stay in Arrow, so only a few thousand
    grouped rows a file reach pandas. Errors are raised in file order.
    """
    sources, grouped, lines, warnings = [], [], [], []
    small = {
        "lsoa_counts": _Summed(["month", "LSOA code", "LSOA name", "Crime type"]),
        "street_counts": _Summed(["month", "LSOA name", "Location", "Crime type"]),
    }
    points: list[pa.Table] = []
    seen: dict[tuple[str, str], tuple[str, str]] = {}  # (month, force): (file, sha256 of its CSV)
    unknown: dict[str, int] = {}
    paths = find_police_files(folder or config.POLICE_UK)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        wanted = None if small_areas is None else frozenset(small_areas)
        for path, (source, months) in zip(paths, pool.map(lambda p: _read_file(p, wanted, duplicates), paths)):
            sources.append(source)
            for read in months:
                full = _label(path, read.name)
                if (read.month, read.force) in seen:
                    other, digest = seen[read.month, read.force]
                    if digest != read.sha256:
                        raise InputError(
                            f"{read.force}'s {read.month} is also in {other}, with other rows: keep one "
                            "file per month and force",
                            file=full,
                        )
                    warnings.append(f"{full} holds the same rows as {other} ({read.force}, {read.month}): read once")
                    continue
                seen[read.month, read.force] = (full, read.sha256)
                grouped.append(read.counts)
                lines.append(
                    {
                        **read.quality,
                        "repeated_ids": read.repeated_ids,
                        "exact_copies": read.exact_copies,
                        "dropped": read.dropped,
                    }
                )
                for kind, summed in small.items():
                    summed.add(read.areas[kind])
                points.append(read.areas["points"])
                for name, rows in read.unknown_types.items():
                    unknown[name] = unknown.get(name, 0) + rows
    warnings += [
        f"crime type '{name}' ({rows:,} rows) is not one of police.uk's that the catalogue knows: counted in "
        "total recorded crime only"
        for name, rows in sorted(unknown.items())
    ]
    quality = (
        pd.DataFrame(lines)
        .groupby("month", as_index=False)
        .agg(
            {
                "file": ", ".join,
                "rows": "sum",
                "no_location": "sum",
                "repeated_ids": "sum",
                "exact_copies": "sum",
                "dropped": "sum",
            }
        )
    )
    counts = (
        pd.DataFrame([row for rows in grouped for row in rows], columns=["month", "district", "crime_type", "count"])
        .groupby(["month", "district", "crime_type"], as_index=False)["count"]
        .sum()
        .sort_values(["month", "district", "crime_type"], ignore_index=True)
    )
    counts["count"] = counts["count"].astype("int64")
    names = {
        "LSOA code": "lsoa_code",
        "LSOA name": "lsoa_name",
        "Location": "location",
        "Crime type": "crime_type",
        "count_all": "count",
    }
    lsoa_counts, street_counts = (
        small[kind].total().rename(columns=names) for kind in ("lsoa_counts", "street_counts")
    )
    return PoliceData(
        counts,
        quality.sort_values("month", ignore_index=True),
        sources,
        lsoa_counts,
        street_counts,
        pa.concat_tables(points, promote_options="permissive").to_pandas(),
        warnings,
    )


class _Summed:
    """Grouped counts from many files, summed again by ``keys`` whenever they pass ``_COMPACT_ROWS`` rows."""

    def __init__(self, keys: list[str]):
        self.keys, self.tables, self.rows = keys, [], 0

    def add(self, table: pa.Table) -> None:
        self.tables.append(table.select([*self.keys, "count_all"]))
        self.rows += table.num_rows
        if self.rows > _COMPACT_ROWS:
            self._compact()

    def _compact(self) -> None:
        summed = pa.concat_tables(self.tables).group_by(self.keys).aggregate([("count_all", "sum")])
        self.tables = [summed.rename_columns([*self.keys, "count_all"])]
        self.rows = summed.num_rows

    def total(self) -> pd.DataFrame:
        """Every key's count, as a pandas frame sorted by key (strings; the count int64)."""
        self._compact()
        return self.tables[0].to_pandas().sort_values(self.keys, ignore_index=True)


# --- Population -----------------------------------------------------------------


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
        held.update(_population_rows(path, wanted))
    codes = set(districts) if districts is not None else {code for _, code in held}
    for year in {year for year, _ in held}:
        for code in codes:
            olds = predecessors.get(code, [])
            if olds and (year, code) not in held and all((year, old) in held for old in olds):
                held[year, code] = sum(held[year, old] for old in olds)
    rows = [(year, code, population) for (year, code), population in held.items() if code in codes]
    population = pd.DataFrame(rows, columns=["year", "area_code", "population"])
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
    held = {}
    for line, fields in rows:
        code = fields[code_at]
        if wanted is not None and code not in wanted:
            continue
        year = int(wide.group(1)) if year_at is None else _whole_number(fields[year_at])
        if year is None:
            raise InputError(f"year '{fields[year_at]}' is not a year such as 2021", file=path, row=line)
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
            if code_at is None:  # still looking for the header
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
    return pd.Series(population, name="population", dtype="int64").rename_axis("lsoa_code")


# --- Local extracts ---------------------------------------------------------------

LOCAL_COLUMNS = ["area", "period", "indicator_id", "numerator", "denominator"]


def read_local_extract(path: Path, catalogue: dict, districts: dict[str, str]) -> pd.DataFrame:
    """Read a local extract CSV (tidy: one row per area, period and indicator) and check every row.

    Columns: area (district name or ONS code), period (YYYY-MM, or a quarter such as
    2022-23-Q2 for quarterly indicators), indicator_id, numerator, denominator (for
    percentages). Returns indicator_id, area, month (YYYY-MM; a quarter becomes its
    last month), numerator, denominator.
    """
    text = read_text(path, "local extract", advice="save it as 'CSV UTF-8'")
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise InputError(
            f"not a readable CSV ({str(exc).splitlines()[0]})", file=path, row=int(line.group(1)) if line else None
        ) from None
    return check_local_rows(frame, catalogue, districts, source=str(path), row_label=lambda i: i + 2)


def check_local_rows(
    frame: pd.DataFrame, catalogue: dict, districts: dict[str, str], source: str, row_label
) -> pd.DataFrame:
    """Validate tidy local rows (from a CSV or an Excel return) and normalise them.

    ``districts`` (name -> ONS code) are the areas a row may name, by either.
    ``row_label(i)`` names the i-th data row in messages (a line number or a cell).
    """
    from ..quarters import parse_quarter  # local import keeps ingest importable alone

    frame = frame.rename(columns=lambda c: str(c).strip().lower())
    twice = sorted({c for c in frame.columns if c in LOCAL_COLUMNS and list(frame.columns).count(c) > 1})
    if twice:
        raise InputError(
            f"column(s) {', '.join(twice)} appear more than once in the header", file=source, row=row_label(-1)
        )
    missing = [c for c in LOCAL_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)}; expected {', '.join(LOCAL_COLUMNS)}",
            file=source,
            row=row_label(-1),
        )
    codes = {code: name for name, code in districts.items()}
    rows, seen = [], {}
    for i, record in enumerate(frame[LOCAL_COLUMNS].itertuples(index=False)):
        where = row_label(i)
        area, period, indicator_id, numerator, denominator = (str(v).strip() for v in record)

        def fail(problem: str, where: str = where) -> None:
            raise InputError(problem, file=source, row=where)

        area = codes.get(area, area)
        if area not in districts:
            fail(f"unknown area '{area}': use one of the districts {', '.join(districts)}")
        indicator = catalogue.get(indicator_id)
        if indicator is None:
            fail(f"unknown indicator id '{indicator_id}' for a local extract")
        if indicator.source != "local":
            fail(f"indicator '{indicator_id}' is counted from the police.uk files, not given in a local extract")
        if indicator.frequency == "quarterly":
            if not re.match(r"^\d{4}-\d{2}-Q[1-4]$", period):
                fail(f"period '{period}' for {indicator_id} must be a quarter such as 2022-23-Q2")
            try:
                month = str(parse_quarter(period).end_month)
            except InputError as exc:
                fail(exc.problem)
        else:
            if not _MONTH.match(period):
                fail(f"period '{period}' for {indicator_id} must be a month YYYY-MM")
            month = period
        values = []
        for label, text in (("numerator", numerator), ("denominator", denominator)):
            if text == "":
                values.append(None)
                continue
            try:
                number = float(text.replace(",", ""))
            except ValueError:
                fail(f"{label} '{text}' is not a number")
            if not (number >= 0 and math.isfinite(number)) or number != int(number):
                fail(f"{label} '{text}' must be a whole number of 0 or more")
            values.append(int(number))
        num, den = values
        if num is None:
            fail("numerator is empty: a missing value must be left out of the file, not written as blank or 0")
        if indicator.measure == "percentage":
            if den is None or den == 0:
                fail(f"{indicator_id} is a percentage: denominator must be a positive whole number")
            if num > den:
                fail(f"numerator {num} is greater than denominator {den}")
        key = (indicator_id, area, month)
        if key in seen:
            fail(
                f"duplicate row: {indicator_id} for {area} in {period} is also at "
                f"{'row ' if isinstance(seen[key], int) else ''}{seen[key]}"
            )
        seen[key] = where
        rows.append((indicator_id, area, month, num, den))
    return pd.DataFrame(rows, columns=["indicator_id", "area", "month", "numerator", "denominator"])
