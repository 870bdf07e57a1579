"""The police.uk months already read, kept as Parquet so a build parses only new or changed files from CSV.

Each file's parsed and checked rows (one table for each month it holds) are kept under
``<cache>/police_uk/<SHA-256 of the file>/``: ``<n>.parquet`` and a ``members.json`` naming them. An edited
file has another hash, so it is read again; the source files themselves are never changed. Parquet and JSON
only, so nothing read back can run code; an entry that cannot be read as written is a miss.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from .. import config

VERSION = 1
_COPIES = "__exact_copy"  # the column holding the exact-copies mask, where a Crime ID repeats


@dataclass
class ReadMonth:
    """One month's CSV of a file, parsed and checked: its rows, and what the raw text told of them."""

    name: str  # the file's (or zip member's) name
    month: str
    csv_sha256: str  # of the CSV text: the same month kept twice is the same bytes
    table: pa.Table
    repeated: int  # rows whose Crime ID an earlier row has
    copies: pa.Array | None  # the exact copies among them (None: no Crime ID repeats)


def _folder(file_sha256: str) -> Path:
    return config.CACHE / "police_uk" / file_sha256


def load(file_sha256: str, columns: list[str]) -> list[ReadMonth] | None:
    """The months kept for the file with this hash, or None (never read, an entry not as written, or one
    kept by a version that read other ``columns``)."""
    folder = _folder(file_sha256)
    try:
        manifest = json.loads((folder / "members.json").read_text(encoding="utf-8"))
        if manifest.get("version") != VERSION:
            return None
        months = []
        for n, member in enumerate(manifest["members"]):
            table = pq.read_table(folder / f"{n}.parquet")
            copies = None
            if _COPIES in table.column_names:
                copies = table[_COPIES].combine_chunks()
                table = table.drop_columns([_COPIES])
            if table.num_rows != member["rows"] or table.column_names != columns:
                return None
            months.append(
                ReadMonth(
                    str(member["name"]),
                    str(member["month"]),
                    str(member["csv_sha256"]),
                    table,
                    int(member["repeated"]),
                    copies,
                )
            )
        return months
    except (OSError, ValueError, KeyError, TypeError, AttributeError, pa.ArrowException):
        return None


def save(file_sha256: str, months: list[ReadMonth]) -> None:
    """Keep the months read from a file; a store that cannot be written is only a slower next build."""
    folder = _folder(file_sha256)
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{file_sha256[:16]}-"))
    except OSError:
        return
    try:
        for n, read in enumerate(months):
            table = read.table if read.copies is None else read.table.append_column(_COPIES, read.copies)
            pq.write_table(table, staging / f"{n}.parquet", compression="zstd")
        members = [
            {
                "name": m.name,
                "month": m.month,
                "csv_sha256": m.csv_sha256,
                "rows": m.table.num_rows,
                "repeated": m.repeated,
            }
            for m in months
        ]
        (staging / "members.json").write_text(json.dumps({"version": VERSION, "members": members}), encoding="utf-8")
        shutil.rmtree(folder, ignore_errors=True)  # an entry that could not be read
        os.rename(staging, folder)
    except OSError:
        pass
    finally:
        shutil.rmtree(staging, ignore_errors=True)
