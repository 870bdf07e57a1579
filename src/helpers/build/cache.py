"""Saved results: a computation is kept under the key of its inputs (``files.input_key``)
and reused while they are unchanged. Light to import: pandas and the readers load only
when something is computed, after the build has launched its kernels.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .. import config

if TYPE_CHECKING:
    from ..analysis.results import Results

CACHE_ENTRIES = 8  # a back catalogue of quarters rebuilt in turn still hits


def compute_cached(key: str, quarter: str | None, police_uk: Path | None = None, params_file: Path | None = None,
                   local: Path | None = None) -> Results:
    """``compute``, or the result saved under ``key`` (``files.input_key`` of the same inputs)."""
    from ..analysis.compute import compute
    from ..analysis.results import load, save

    cached = cached_results_path(key)
    if cached.exists():
        try:
            return load(results_path=cached)
        except Exception:  # damaged, or saved by other code (a missing module, a changed class): compute again
            cached.unlink(missing_ok=True)
    results = compute(quarter, police_uk=police_uk, params_file=params_file, local=local)
    save(results, cached)
    entries = sorted(config.CACHE.glob("results-*.pkl"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[CACHE_ENTRIES:]:
        old.unlink(missing_ok=True)
    return results


def cached_results_path(key: str) -> Path:
    """Where the results computed from inputs with this ``input_key`` are saved."""
    return config.CACHE / f"results-{key[:32]}.pkl"
