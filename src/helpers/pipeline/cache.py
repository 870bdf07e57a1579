"""Saved results: a computation is kept under the key of its inputs (``files.input_key``)
and reused while they are unchanged. An entry is a results bundle (Parquet and JSON, never a
pickle: nothing in the cache can run code); one that cannot be read is a miss. Beside each entry, a summary
(its quarter and warnings) lets a build with nothing changed answer without loading the bundle: pandas and the
readers are imported only when results are loaded or computed.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from .. import config
from . import interrupts

if TYPE_CHECKING:
    from ..analysis.results import Results

log = logging.getLogger(__name__)

CACHE_ENTRIES = 24  # a back catalogue of quarters rebuilt in turn still hits, as do all packs of a quarter


def compute_cached(
    keys: dict[str, str],
    quarter: str | None,
    police_uk: Path | None = None,
    params_file: Path | None = None,
    local: Path | None = None,
    partnerships: Path | None = None,
) -> dict[str, Results]:
    """Each partnership's ``compute`` (``keys``: partnership id -> ``files.input_key`` of its inputs), or the
    result saved under its key; the ones not saved are computed together, reading the inputs once."""
    from ..analysis.bundle import load, save
    from ..analysis.compute import compute_packs

    packs = {}
    for pid, key in keys.items():
        cached = cached_results_path(key)
        if cached.exists():
            try:
                packs[pid] = load(results_path=cached)
                os.utime(cached)  # used now: the last entry to be removed
            except ValueError:  # damaged, foreign, or saved by other code: compute again
                _remove(cached)
    missing = [pid for pid in keys if pid not in packs]
    if missing:
        log.debug("reading the inputs and computing %d pack(s)", len(missing))
        for pid, results in zip(
            missing, compute_packs([*missing], quarter, police_uk, params_file, local, partnerships_file=partnerships)
        ):
            save(results, cached_results_path(keys[pid]))
            packs[pid] = results
            interrupts.check()  # a signal while computing stops the build here, the packs so far kept
    entries = sorted(config.CACHE.glob("results-*"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[max(CACHE_ENTRIES, len(keys)) :]:
        _remove(old)
        summary_path(old.name.removeprefix("results-")).unlink(missing_ok=True)
    return packs


WARNINGS = (
    "data",
    "contact",
    "commentary",
)  # a summary's kinds of warning: of the input files, the paper, the commentary


def summary_path(key: str) -> Path:
    """Where what a build says of the pack computed under ``key`` (its quarter and warnings) is kept."""
    return config.CACHE / f"summary-{key[:32]}.json"


def save_summary(key: str, quarter: str, warnings: dict[str, list[str]]) -> None:
    """Keep the pack's quarter and its warnings by kind (``WARNINGS``), so that a build with nothing changed reports them
    without loading the results."""
    summary_path(key).write_text(json.dumps({"quarter": quarter, "warnings": warnings}), encoding="utf-8")


def load_summary(key: str) -> tuple[str, dict[str, list[str]]] | None:
    """``save_summary``'s quarter and warnings for ``key``, or None if there is none (or it is damaged)."""
    try:
        summary = json.loads(summary_path(key).read_text(encoding="utf-8"))
        return str(summary["quarter"]), {kind: [str(line) for line in summary["warnings"][kind]] for kind in WARNINGS}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _remove(entry: Path) -> None:
    """Delete a cache entry (a bundle folder, or a file left by older code)."""
    if entry.is_dir() and not entry.is_symlink():
        shutil.rmtree(entry, ignore_errors=True)
    else:
        entry.unlink(missing_ok=True)


def link_results(key: str, folder: Path) -> None:
    """Put the results saved under ``key`` in ``folder`` too, as hard links to the cache's files (copies where
    the two are on different file systems): a bundle's files are never changed in place, only replaced whole."""
    shutil.copytree(cached_results_path(key), folder, copy_function=_link_or_copy)


def _link_or_copy(source: str, destination: str) -> None:
    try:
        os.link(source, destination)
    except OSError:
        shutil.copy2(source, destination)


def cached_results_path(key: str) -> Path:
    """Where the results computed from inputs with this ``input_key`` are saved."""
    return config.CACHE / f"results-{key[:32]}"
