"""The user's input files: finding the police.uk files, reading text files, and the key over
all of them that says whether saved results still hold. Every way a file can fail is one
InputError naming the file (and line). Light on purpose: no pandas, so a build can decide
what to start before the heavy imports.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from .. import config
from ..errors import InputError


@dataclass
class SourceFile:
    """One input file as read: where it is, its SHA-256 and what it held."""

    path: str
    sha256: str
    rows: int = 0
    month: str | None = None


def read_text(path: Path, what: str = "file", advice: str = "save it as UTF-8") -> str:
    """The file's text (UTF-8, a byte-order mark allowed); missing, folder, unreadable or
    non-UTF-8 files are InputErrors, the last naming the line of the first bad byte."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{what} not found", file=path) from None
    except IsADirectoryError:
        raise InputError(f"is a folder, not a {what}", file=path) from None
    except OSError as exc:
        raise InputError(f"{what} cannot be read ({exc.strerror or exc})", file=path) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"is not UTF-8 text (byte 0x{data[exc.start]:02x}): {advice}", file=path,
                         row=data.count(b"\n", 0, exc.start) + 1) from None


def find_police_files(folder: Path) -> list[Path]:
    """Every ``*-street.csv`` (plain, gzipped or zipped) in ``folder`` and its subfolders."""
    folder = Path(folder)
    if folder.is_file():
        raise InputError("is a file: give the folder that holds the police.uk files", file=folder)
    if not folder.is_dir():
        raise InputError("folder of police.uk files not found", file=folder)
    files = sorted(
        p for p in folder.rglob("*")
        if p.is_file() and (p.name.lower().endswith(("-street.csv", "-street.csv.gz")) or p.suffix.lower() == ".zip")
    )
    if not files:
        raise InputError("no police.uk street-level files (*-street.csv, .csv.gz or .zip) in this folder", file=folder)
    return files


def input_key(quarter: str | None, police_uk: Path | None, params_file: Path | None, local: Path | None,
              code: list[Path]) -> str:
    """SHA-256 over every file a computation reads (and the code): equal keys, equal results."""
    for given, what in ((params_file, "params file"), (local, "local extract")):
        if given and not Path(given).is_file():
            raise InputError(f"{what} not found" if not Path(given).exists() else f"is a folder, not a {what}", file=given)
    digest = hashlib.sha256(repr((quarter, str(params_file), str(local))).encode())
    files = [*find_police_files(police_uk or config.POLICE_UK), *sorted(config.PARAMS.glob("*.yaml")),
             *sorted(config.POPULATION.glob("*.csv")), config.BOUNDARIES, *sorted((config.DATA / "local").glob("*")),
             *code]
    files += [Path(p) for p in (params_file, local) if p]
    for path in files:
        digest.update(str(path).encode() + hashlib.sha256(Path(path).read_bytes()).digest())
    return digest.hexdigest()
