#!/usr/bin/env python
"""CPU seconds of drawing a pack's charts in one process. Not a test: it prints, it never asserts.

    PYTHONPATH=src python benchmarks/chart_drawing.py CACHE_FOLDER [--profile SORT]

CACHE_FOLDER is the ``SAFER_REPORT_CACHE`` of a build (its first ``results-*`` bundle is used). The six section
notebooks' calls are made in this process: once to fill matplotlib's caches and the figures a process keeps, then
with an empty chart cache (every chart drawn), then again (every chart kept). Printed: the CPU seconds
(``time.process_time``) of each pass and of each chart function in it. ``--profile tottime`` profiles the pass that
draws instead. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import pstats
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import matplotlib

from helpers import config
from helpers.analysis.bundle import load
from helpers.presentation import charts, hotspots, render, where

SECTIONS = ["summary", "reduce_crime", "protect_vulnerable", "reduce_asb", "cohesion", "where"]
TIMED = [
    (charts, "trajectory"),
    (charts, "district_comparison"),
    (charts, "district_map"),
    (charts, "small_multiples"),
    (hotspots, "small_multiples"),
    (hotspots, "district_hotspot"),
]


def timed(module: ModuleType, name: str, spent: dict[str, float]) -> None:
    """Replace ``module.name`` by a wrapper adding its CPU seconds to ``spent`` (the notebooks' helpers look it up
    on the module at each call)."""
    function: Callable[..., Any] = getattr(module, name)

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            key = f"{module.__name__.rsplit('.', 1)[-1]}.{name}"
            spent[key] = spent.get(key, 0.0) + time.process_time() - start

    setattr(module, name, wrapper)


def notebooks(bundle: Path) -> None:
    """What the six section notebooks call, their output thrown away."""
    for section in SECTIONS:
        results = load(None, bundle, None)
        if section == "summary":
            render.key_points(results)
            render.dashboard_overview(results)
            render.what_changed(results)
        elif section == "where":
            where.chapter(results)
        else:
            render.chapter_intro(results, section)
            render.trajectories(results, section)
            render.district_breakdown(results, section)
            render.indicator_details(results, section)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("cache", type=Path, help="a build's SAFER_REPORT_CACHE folder")
    parser.add_argument("--profile", metavar="SORT", help="profile the drawing pass, sorted by SORT (e.g. tottime)")
    options = parser.parse_args()
    matplotlib.use("agg")
    bundle = sorted(options.cache.glob("results-*"))[0]
    render.display = where.display = lambda *args, **kwargs: None  # the notebooks' display: nothing shown here
    spent: dict[str, float] = {}
    for module, name in TIMED:
        timed(module, name, spent)
    config.CACHE = Path(tempfile.mkdtemp())
    notebooks(bundle)  # first use: imports, font and text caches, the figures a process keeps
    config.CACHE = Path(tempfile.mkdtemp())  # an empty chart cache: every chart drawn
    if options.profile:
        profile = config.CACHE / "chart_drawing.prof"
        cProfile.runctx("notebooks(bundle)", globals(), {"bundle": bundle}, str(profile))
        pstats.Stats(str(profile)).sort_stats(options.profile).print_stats(40)
        return
    for name in ("drawn", "kept"):
        spent.clear()
        start = time.process_time()
        notebooks(bundle)
        total = time.process_time() - start
        print(f"{name}: {total:.2f} s", ", ".join(f"{key} {seconds:.2f}" for key, seconds in spent.items()))


if __name__ == "__main__":
    main()
