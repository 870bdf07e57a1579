"""build.log: what a build read, computed, wrote and skipped, and how long each step took.

``recording`` keeps the ``helpers`` logger's INFO and up in a temporary file for the build's
duration (a ``logging.FileHandler``, removed after); ``BuildLog.copy_into`` puts it in each
staging folder, so it is swapped in with the outputs and an interrupted build leaves the
previous build.log in place. The lines written here are for the file: the command line
shows them on stderr only with ``--debug`` (``DETAIL``).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..analysis.results import Results

NAME = "build.log"
DETAIL = __name__  # the logger of the lines kept for build.log only
log = logging.getLogger(DETAIL)


@dataclass(frozen=True)
class BuildLog:
    """The running build's log file and the handler writing it."""

    path: Path
    handler: logging.FileHandler

    def copy_into(self, folders: Iterable[Path]) -> None:
        """Write the log so far into each folder as build.log."""
        self.handler.flush()
        for folder in folders:
            shutil.copyfile(self.path, folder / NAME)


@contextmanager
def recording() -> Iterator[BuildLog]:
    """Record the ``helpers`` logger's INFO and up, with times, until the block ends (the logger is let
    through INFO meanwhile if it was set higher or not at all)."""
    fd, name = tempfile.mkstemp(prefix="safer-report-", suffix=".log")
    os.close(fd)
    path = Path(name)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.INFO)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%d %H:%M:%S"))
    logger = logging.getLogger("helpers")
    level = logger.level
    if not logger.isEnabledFor(logging.INFO):
        logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        yield BuildLog(path, handler)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        handler.close()
        path.unlink(missing_ok=True)


def inputs_read(results: Results) -> None:
    """Each input file the pack was computed from, with its SHA-256 and rows."""
    log.info("%s, %s: computed from %d input files", results.quarter.label, _pack(results), len(results.files))
    for source in results.files:
        rows = f", {source.rows} rows" if source.rows else ""
        log.info("read %s (sha256 %s%s)", source.path, source.sha256[:12], rows)


def outputs_written(results: Results, staging: Path, timings: dict[str, float]) -> None:
    """The files a pack's build wrote and the seconds each step took."""
    made = sorted(p.name for p in staging.iterdir() if p.is_file() and not p.name.startswith("."))
    log.info("%s, %s: wrote %s", results.quarter.label, _pack(results), ", ".join(made))
    log.info("%s: step times in seconds: %s", _pack(results), ", ".join(f"{k} {v:.2f}" for k, v in timings.items()))


def skipped(what: str, why: object) -> None:
    """An output not made, and why (e.g. report.pdf without Chromium)."""
    log.info("not built: %s (%s)", what, why)


def finished(label: str, packs: int, seconds: float) -> None:
    """The run's end, before its packs are swapped in."""
    log.info("%s: %d pack%s built in %.1f s", label, packs, "" if packs == 1 else "s", seconds)


def _pack(results: Results) -> str:
    return results.partnership.name if results.partnership else "the default partnership"
