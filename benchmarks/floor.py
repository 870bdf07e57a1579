#!/usr/bin/env python
"""The floor of a cold default build on this machine: each part of it timed alone, then the shortest the whole
could take if every part that may overlap did. Not a test: it prints, it never asserts.

    python benchmarks/floor.py [--runs N]

The parts, in the order a build needs them (each the median of N runs, an empty cache each time):
  imports    a fresh interpreter importing what the build process imports
  kernels    two kernels started together, ready with their warm-up imports
  compute    reading the inputs and computing the default pack (in process, imports done)
  notebooks  the six section notebooks in the two ready kernels, every chart drawn (cold)
  outputs    CSVs, board paper, workbook (what needs no executed notebook)
  html       the report stitched from the executed notebooks
  pdf        Chromium printing report.html, started for it
The floor is max(imports, kernels) + compute + overlap + html + pdf, the build's own order with nothing waiting
that need not, where overlap, the notebooks and the outputs side by side, is the longer of the two or, when the
kernels' CPU time and the outputs' together need more than two cores give, their CPU time over two. A build cannot
beat it without doing less work in one of the parts. (Linux: the kernels' CPU time is read from /proc.)
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from helpers import config
from helpers.analysis.bundle import save
from helpers.analysis.compute import compute_packs
from helpers.errors import ToolMissing
from helpers.pipeline import browser
from helpers.pipeline.kernels import Kernels
from helpers.pipeline.orchestrate import KERNELS, SECTION_NOTEBOOKS, kernel_groups, write_tables_and_papers
from helpers.presentation import report

IMPORTS = (
    "import helpers.cli, helpers.pipeline.orchestrate, helpers.pipeline.kernels, helpers.analysis.compute, "
    "helpers.analysis.bundle, helpers.presentation.excel, helpers.presentation.report, helpers.presentation.paper, "
    "helpers.presentation.word, helpers.presentation.series"
)


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def kernels_cpu() -> float:
    """CPU seconds used so far by this process's live children (the kernels), from /proc."""
    total, tick = 0, os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        if int(fields[1]) == os.getpid():
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def one_run(folder: Path) -> dict[str, float]:
    """Every part once, with an empty cache (charts, months and results all computed)."""
    config.CACHE = folder / "cache"
    parts = {"imports": timed(lambda: subprocess.run([sys.executable, "-c", IMPORTS], check=True))}
    kernels = Kernels(KERNELS)
    try:
        start = time.perf_counter()
        warm = kernels.running()
        with ThreadPoolExecutor(len(warm)) as pool:  # each waits for its kernel's warm-up imports
            list(pool.map(lambda k: kernels.run(k, [], folder, {}), warm))
        parts["kernels"] = time.perf_counter() - start
        start = time.perf_counter()
        [results] = compute_packs([None])
        parts["compute"] = time.perf_counter() - start
        save(results, folder / "results")
        parameters = {"quarter": results.quarter.label, "results_path": str(folder / "results")}
        groups = kernel_groups(config.REPORT_SECTIONS, len(warm))
        sources = [[config.NOTEBOOKS / f"{name}.ipynb" for name in group] for group in groups]
        with ThreadPoolExecutor(len(groups)) as pool:
            start, cpu = time.perf_counter(), kernels_cpu()
            failures = [f for f in pool.map(lambda s, k: kernels.run(k, s, folder, parameters), sources, warm) if f]
            parts["notebooks"] = time.perf_counter() - start
            parts["notebooks, kernels' CPU"] = kernels_cpu() - cpu
        if failures:
            raise RuntimeError(failures[0])
    finally:
        kernels.close()

    cpu = time.process_time()
    parts["outputs"] = timed(lambda: write_tables_and_papers(results, folder, {}))
    parts["outputs, CPU"] = time.process_time() - cpu
    html = folder / "report.html"
    info = {"built_at": "now", "code_version": "floor", "packages": {}}
    executed = [folder / f"{name}.ipynb" for name in SECTION_NOTEBOOKS]
    parts["html"] = timed(lambda: html.write_text(report.export_html(report.stitch(results, executed, info), "t")))
    try:
        parts["pdf"] = timed(lambda: browser.print_pdf(html, folder / "report.pdf"))
    except ToolMissing:
        parts["pdf"] = 0.0
    return parts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of every part (median); default 3")
    runs = max(1, parser.parse_args().runs)
    measured: dict[str, list[float]] = {}
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="safer-floor-") as folder:
            for part, seconds in one_run(Path(folder)).items():
                measured.setdefault(part, []).append(seconds)
    part = {name: statistics.median(times) for name, times in measured.items()}
    for name, times in measured.items():
        print(f"{name:24s} {part[name]:6.2f} s  (min {min(times):.2f}, max {max(times):.2f})")
    cores = min(os.cpu_count() or 1, KERNELS)
    side_by_side = (part["notebooks, kernels' CPU"] + part["outputs, CPU"]) / cores
    overlap = max(part["notebooks"], part["outputs"], side_by_side)
    start = max(part["imports"], part["kernels"])
    floor = start + part["compute"] + overlap + part["html"] + part["pdf"]
    print(
        f"floor of a cold default build as a fresh process, {os.cpu_count()} cores: {floor:.2f} s "
        f"= {start:.2f} (imports | kernels) + {part['compute']:.2f} (compute) + {overlap:.2f} (notebooks | outputs) "
        f"+ {part['html']:.2f} (html) + {part['pdf']:.2f} (pdf)"
    )


if __name__ == "__main__":
    main()
