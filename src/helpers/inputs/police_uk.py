"""Read police.uk street-level files into monthly counts by district, small area and street.

Files are read as published (``.csv``, ``.csv.gz`` or a ``.zip`` holding ``*-street.csv`` members) and never
modified. Every problem is an ``InputError`` naming the file, the line and what is wrong.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import logging
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
from ..quarters import MONTH
from . import month_store
from .catalogue import CRIME_TYPES
from .files import SourceFile, police_uk_paths

log = logging.getLogger(__name__)

POLICE_COLUMNS = ["Crime ID", "Month", "LSOA name", "Crime type"]
# Who published the rows: a month is one force's, recognised from its rows, not from the file's name.
FORCE_COLUMNS = ["Reported by", "Falls within"]
# Read for the neighbourhood chapter when present (a file without them still gives the district counts).
PLACE_COLUMNS = {"LSOA code": pa.string(), "Location": pa.string(), "Longitude": pa.float32(), "Latitude": pa.float32()}
# Grouped small-area rows kept before they are summed again: holds memory flat however many files are read.
_COMPACT_ROWS = 1 << 20
_NAME_MONTH = re.compile(r"(\d{4}-\d{2})-[^/\\]*street\.csv", re.IGNORECASE)


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
    if months.null_count == 0 and pc.all(pc.equal(months, expected)).as_py() and MONTH.match(expected or ""):
        return expected  # the usual case, checked without leaving Arrow
    bad = pc.invert(pc.fill_null(pc.match_substring_regex(months, MONTH.pattern), False))
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
    from_store: bool = False  # taken from the month store, not parsed


def _read_file(path: Path, small_areas: frozenset[str] | None, duplicates: str) -> tuple[SourceFile, list[_Month]]:
    """Hash one file, take its months from the month store or else decompress, parse and check them (and keep
    them there), then count them (runs in a worker thread)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot be read ({exc.strerror or exc})", file=path) from None
    source = SourceFile(str(path), hashlib.sha256(raw).hexdigest())
    stored = month_store.load(source.sha256, POLICE_COLUMNS + FORCE_COLUMNS + list(PLACE_COLUMNS))
    from_store = stored is not None
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
                from_store,
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
    folder = folder or config.POLICE_UK
    paths = police_uk_paths(folder)
    read_from = {"from the month store": 0, "parsed": 0}  # months (one file's CSV of one month) read each way
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        wanted = None if small_areas is None else frozenset(small_areas)
        for path, (source, months) in zip(paths, pool.map(lambda p: _read_file(p, wanted, duplicates), paths)):
            sources.append(source)
            for read in months:
                full = _label(path, read.name)
                how = "from the month store" if read.from_store else "parsed"
                read_from[how] += 1
                log.debug("%s: %s %s, %s rows, %s", full, read.force, read.month, f"{read.rows:,}", how)
                if (read.month, read.force) in seen:
                    other, digest = seen[read.month, read.force]
                    if digest != read.sha256:
                        raise InputError(
                            f"{read.force}'s {read.month} is also in {other}, with other rows: keep one "
                            "file per month and force",
                            file=full,
                        )
                    warnings.append(f"{full} holds the same rows as {other} ({read.force}, {read.month}): read once")
                    log.info("%s", warnings[-1])
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
    for name, rows in sorted(unknown.items()):
        warnings.append(
            f"crime type '{name}' ({rows:,} rows) is not one of police.uk's that the catalogue knows: counted in "
            "total recorded crime only"
        )
        log.info("%s", warnings[-1])
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
    log.info(
        "police.uk: %d files read from %s: %s rows, %d months (%s to %s); %d months from the month store, %d parsed",
        len(sources),
        folder,
        f"{sum(source.rows for source in sources):,}",
        len(quality),
        quality["month"].min(),
        quality["month"].max(),
        read_from["from the month store"],
        read_from["parsed"],
    )
    if dropped := int(quality["dropped"].sum()):
        log.info("police.uk: exact copies of an earlier row left out (duplicates: drop_exact): %s", f"{dropped:,}")
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

    def __init__(self, keys: list[str]) -> None:
        self.keys, self.rows = keys, 0
        self.tables: list[pa.Table] = []

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
