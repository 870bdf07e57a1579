"""The user's input files: finding the police.uk files, reading text and YAML files, and the key
over all of them (with the code and package versions) that says whether saved results still hold.
Every way a file can fail is one InputError naming the file (and line). Light on purpose: no
pandas, so a build can decide what to start before the heavy imports.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import os
import platform
import threading
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import yaml

from .. import config
from ..errors import InputError


@dataclass
class SourceFile:
    """One input file as read: where it is, its SHA-256 and what it held."""

    path: str
    sha256: str
    rows: int = 0
    month: str | None = None


def read_bytes(path: Path, what: str = "file") -> bytes:
    """The file's bytes; missing, folder or unreadable files are InputErrors."""
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(f"{what} not found", file=path) from None
    except IsADirectoryError:
        raise InputError(f"is a folder, not a {what}", file=path) from None
    except OSError as exc:
        raise InputError(f"{what} cannot be read ({exc.strerror or exc})", file=path) from None


def read_text(path: Path, what: str = "file", advice: str = "save it as UTF-8") -> str:
    """The file's text (UTF-8, a byte-order mark allowed); missing, folder, unreadable or
    non-UTF-8 files are InputErrors, the last naming the line of the first bad byte."""
    data = read_bytes(path, what)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"is not UTF-8 text (byte 0x{data[exc.start]:02x}): {advice}",
            file=path,
            row=data.count(b"\n", 0, exc.start) + 1,
        ) from None


class _SafeLoader(yaml.SafeLoader):
    """SafeLoader whose impossible dates (2022-13-45) are YAML errors with a line, not ValueErrors, and which
    refuses aliases: a few hundred bytes of nested aliases expand to gigabytes (a "billion laughs" bomb), so
    without them a document is never larger than its file."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, f"alias *{event.anchor} is not allowed: write the value out in full", event.start_mark
            )
        return super().compose_node(parent, index)

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"'{node.value}' is not a real date ({exc})", node.start_mark
            ) from None

    def construct_mapping(self, node, deep=False):
        """A key given twice is an error: YAML would silently keep only the last value."""
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key_node, _ in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
                if key is not None and key != "<<" and key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"key '{key}' is given twice", key_node.start_mark
                    )
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


_SafeLoader.add_constructor("tag:yaml.org,2002:timestamp", _SafeLoader.construct_yaml_timestamp)


def load_yaml(path: Path) -> object:
    """Read YAML safely (no Python object tags), naming the file and line on error. The same text is parsed once
    (``_parsed``); each caller gets its own copy of the document."""
    text = read_text(path, "YAML file")
    try:
        return copy.deepcopy(_parsed(text))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(
            f"not valid YAML ({getattr(exc, 'problem', exc)})", file=path, row=mark.line + 1 if mark else None
        ) from None


@functools.lru_cache(maxsize=64)
def _parsed(text: str) -> object:
    """The YAML document ``text`` holds: a build reads the partnerships and params files for every pack and
    quarter, and the pure-Python loader (needed to refuse aliases) takes tens of milliseconds a file."""
    return yaml.load(text, Loader=_SafeLoader)


def police_uk_paths(folder: Path) -> list[Path]:
    """Every ``*-street.csv`` (plain, gzipped or zipped) in ``folder`` and its subfolders."""
    folder = Path(folder)
    if folder.is_file():
        raise InputError("is a file: give the folder that holds the police.uk files", file=folder)
    if not folder.is_dir():
        raise InputError("folder of police.uk files not found", file=folder)
    files = sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and (p.name.lower().endswith(("-street.csv", "-street.csv.gz")) or p.suffix.lower() == ".zip")
    )
    if not files:
        raise InputError("no police.uk street-level files (*-street.csv, .csv.gz or .zip) in this folder", file=folder)
    return files


# Packages whose versions can change the figures or the outputs: part of the key, and listed
# in the report's provenance.
PACKAGES = [
    "pandas",
    "numpy",
    "scipy",
    "pyarrow",
    "matplotlib",
    "papermill",
    "nbconvert",
    "nbformat",
    "openpyxl",
    "PyYAML",
    "mistune",
    "python-docx",
]


def package_versions() -> dict[str, str]:
    """Each of ``PACKAGES``' version."""
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _named_in_params(sources: list[Path]) -> list[str]:
    """The files named by ``local_extract``, ``paper_template`` or ``small_area_population`` in any params
    file (and by a partnership's ``local_extract`` in a partnerships file), whether they exist or not. A params
    file that cannot be read names none here: reading the params reports it, naming file and line."""
    named = []
    for path in sources:
        try:
            document = load_yaml(path)
        except InputError:
            continue
        if not isinstance(document, dict):
            continue
        partnerships = document.get("partnerships")  # a partnerships file: each may name its local extract
        for settings in partnerships.values() if isinstance(partnerships, dict) else [document]:
            if isinstance(settings, dict):
                named += [
                    str(config.ROOT / settings[key])
                    for key in ("local_extract", "paper_template", "small_area_population")
                    if isinstance(settings.get(key), str)
                ]
    return named


def input_key(
    quarter: str | None,
    police_uk: Path | None,
    params_file: Path | None,
    local: Path | None,
    code: list[Path],
    partnerships: Path | None = None,
) -> str:
    """SHA-256 over every file a computation reads (and the code and package versions): equal keys,
    equal results."""
    for given, what in ((params_file, "params file"), (local, "local extract"), (partnerships, "partnerships file")):
        if given and not Path(given).is_file():
            raise InputError(
                f"{what} not found" if not Path(given).exists() else f"is a folder, not a {what}", file=given
            )
    settings = (quarter, str(params_file), str(local), str(partnerships), platform.python_version(), package_versions())
    digest = hashlib.sha256(repr(settings).encode())
    params = [
        *sorted(config.PARAMS.rglob("*.yaml")),
        *(Path(p) for p in (params_file, partnerships or config.PARTNERSHIPS) if p),
    ]
    record = Digests()
    named = record.named(params)
    files = [
        *police_uk_paths(police_uk or config.POLICE_UK),
        *params,
        *sorted(config.POPULATION.glob("*.csv")),
        *sorted(p for p in (config.DATA / "local").rglob("*") if p.is_file()),
        *(Path(p) for p in named if Path(p).is_file()),
        *sorted(p for p in config.BOUNDARIES.parent.glob("*") if p.is_file()),
        *sorted(p for p in config.LAD_SUCCESSORS.parent.glob("*") if p.is_file()),
        *code,
    ]  # the lookups
    files += [Path(local)] if local else []
    for path in files:
        digest.update(str(path).encode() + record.sha256(path))
    record.save()
    return digest.hexdigest()


DIGESTS = "file-digests.json"  # in the cache: each input file's size, modification time and SHA-256
NAMED = " named"  # the record's entry for the files the params name (no file's path starts with a space)
SETTLING_NS = 2_000_000_000  # a file changed this recently could change again within its mtime's resolution


class Digests:
    """Input files' SHA-256, read only when needed. The cache keeps each file's size, modification time and
    digest (``DIGESTS``): a file whose size and mtime are those recorded is not read again. Files modified in
    the last ``SETTLING_NS`` are not recorded, so a second change of the same size within one mtime tick cannot
    go unseen. The files the params files name are kept too, under the params files' digests."""

    def __init__(self) -> None:
        try:
            known = json.loads((config.CACHE / DIGESTS).read_text())
        except (OSError, ValueError):  # none yet, or damaged: read every file
            known = {}
        self._known: dict = known if isinstance(known, dict) else {}
        self._kept: dict[str, object] = {}
        self._recent = time.time_ns() - SETTLING_NS

    def sha256(self, path: Path) -> bytes:
        """The file's SHA-256, from the record if its size and mtime are unchanged."""
        stat = os.stat(path)
        name, seen = str(path), (stat.st_size, stat.st_mtime_ns)
        sha256 = _recorded(self._known.get(name), seen) or hashlib.sha256(Path(path).read_bytes()).digest()
        if stat.st_mtime_ns < self._recent:
            self._kept[name] = [*seen, sha256.hex()]
        return sha256

    def named(self, params: list[Path]) -> list[str]:
        """``_named_in_params(params)``, parsed again only when one of them changed."""
        read = b"".join(str(p).encode() + self.sha256(p) for p in params)
        state = hashlib.sha256(str(config.ROOT).encode() + read).hexdigest()  # names are relative to the root
        kept = self._known.get(NAMED)
        if isinstance(kept, list) and len(kept) == 2 and kept[0] == state:
            named = [str(p) for p in kept[1]]
        else:
            named = _named_in_params(params)
        self._kept[NAMED] = [state, named]
        return named

    def save(self) -> None:
        """Record what this key read, replacing the record whole (a build may run beside this one)."""
        if self._kept == self._known:
            return
        record = config.CACHE / DIGESTS
        record.parent.mkdir(parents=True, exist_ok=True)
        partial = record.with_name(f".{DIGESTS}.{os.getpid()}.{threading.get_ident()}")
        partial.write_text(json.dumps(self._kept))
        partial.replace(record)


def _recorded(entry: object, seen: tuple[int, int]) -> bytes | None:
    """The digest recorded as ``[size, mtime_ns, sha256 in hex]`` if size and mtime are ``seen``'s."""
    if not (isinstance(entry, list) and len(entry) == 3 and tuple(entry[:2]) == seen and isinstance(entry[2], str)):
        return None
    try:
        return bytes.fromhex(entry[2])
    except ValueError:  # a damaged record
        return None
