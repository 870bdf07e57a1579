#!/usr/bin/env python
"""Speed figures for the quarterly report build. Not a test: it prints, it never asserts.

    python benchmarks/bench.py [--runs N] [--quick] [--scale 100]

Every output goes into temporary folders; the real results cache (.cache) and outputs/
are never touched (``helpers.config.CACHE`` is pointed at a temp folder for each build).
Progress goes to stderr, the figures to stdout. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import itertools
import json
import multiprocessing
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import nbformat
import pandas as pd
import pyarrow.csv as pacsv

from helpers import config
from helpers.analysis import compute as pipeline
from helpers.analysis.assess import assess, spc_charts
from helpers.analysis.breaks import data_breaks
from helpers.analysis.bundle import save
from helpers.analysis.context import add_context, baseline_values, find_baseline, series_extremes
from helpers.analysis.indicators import monthly_numerators, quarter_table, rolling_values
from helpers.analysis.results import Results
from helpers.errors import SaferReportError, ToolMissing
from helpers.inputs.catalogue import load_catalogue
from helpers.inputs.files import package_versions, police_uk_paths
from helpers.inputs.local_extract import read_local_extract
from helpers.inputs.params import default_partnership, load_settings
from helpers.inputs.partnerships import load_partnerships
from helpers.inputs.police_uk import POLICE_COLUMNS, read_police_uk
from helpers.inputs.population import read_population
from helpers.pipeline import browser
from helpers.pipeline.kernels import Kernels
from helpers.pipeline.orchestrate import SECTION_NOTEBOOKS, build, build_all
from helpers.presentation import excel, report
from helpers.presentation.narrative import long_date
from helpers.quarters import window

BIN = Path(sys.executable).parent  # the venv's bin: papermill, jupyter
STARTED = time.perf_counter()
ROWS: list[tuple] = []  # (section, measurement, times | None, extra, target, met)
ISSUE_24: list[tuple[str, str, str, bool]] = []  # issue 24's three figures: (figure, measured, target, met)


# --- helpers ------------------------------------------------------------------------


def log(message: str) -> None:
    print(f"[{time.perf_counter() - STARTED:6.1f} s] {message}", file=sys.stderr, flush=True)


def timed(fn, runs: int = 1) -> tuple[list[float], object]:
    """Call ``fn`` ``runs`` times; the wall times and the last result."""
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return times, result


def med(times: list[float]) -> float:
    return statistics.median(times)


def record(
    section: str, name: str, times: list[float] | None, extra: str = "", target: str = "", met: bool | None = None
) -> None:
    ROWS.append((section, name, times, extra, target, met))
    shown = f"{med(times):.3f} s (min {min(times):.3f}, max {max(times):.3f}, n={len(times)})" if times else ""
    print(f"  {name}: {shown} {extra}".rstrip(), flush=True)


def rate(rows: int, times: list[float]) -> str:
    return f"{rows / med(times) / 1e6:.2f} M rows/s"


@contextmanager
def temp_cache():
    """Point the results cache at a fresh temp folder (a cold build), restore afterwards."""
    saved = config.CACHE
    with tempfile.TemporaryDirectory(prefix="bench-cache-") as folder:
        config.CACHE = Path(folder)
        try:
            yield Path(folder)
        finally:
            config.CACHE = saved


def run(cmd: list, **kwargs) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kwargs)
    if proc.returncode:
        raise RuntimeError(f"{Path(str(cmd[0])).name} failed ({proc.returncode}): {proc.stderr.strip()[-800:]}")
    return proc


# --- 1. ingest and the choice of CSV reader -------------------------------------------


def bench_ingest(runs: int):
    log("1. ingest: read_police_uk and the reader comparison")
    print("\n1. Ingest (data/police_uk)")
    cold = []
    for _ in range(runs):  # an empty month store each time: every file parsed from CSV (and kept)
        with temp_cache():
            cold += timed(lambda: read_police_uk(config.POLICE_UK))[0]
    with temp_cache():
        read_police_uk(config.POLICE_UK)
        times, police = timed(lambda: read_police_uk(config.POLICE_UK), runs)  # every month from the store
    rows, ingest = sum(f.rows for f in police.files), med(cold)
    record("ingest", f"read_police_uk, cold ({len(police.files)} files, {rows:,} rows)", cold, rate(rows, cold))
    record("ingest", "read_police_uk, warm (months from the Parquet store)", times, rate(rows, times))

    files = police_uk_paths(config.POLICE_UK)
    readers = {
        "parse only: pandas C engine, usecols": lambda f: len(pd.read_csv(f, usecols=POLICE_COLUMNS, dtype=str)),
        "parse only: pandas engine='pyarrow', usecols": lambda f: len(
            pd.read_csv(f, usecols=POLICE_COLUMNS, dtype=str, engine="pyarrow")
        ),
        "parse only: pyarrow.csv.read_csv, include_columns": lambda f: (
            pacsv.read_csv(f, convert_options=pacsv.ConvertOptions(include_columns=POLICE_COLUMNS)).num_rows
        ),
    }
    # polars and DuckDB are not dependencies: measured when installed (pip install polars duckdb).
    try:
        import polars as pl

        readers["parse only: polars.read_csv, columns"] = lambda f: (
            pl.read_csv(f, columns=POLICE_COLUMNS, schema_overrides={c: pl.String for c in POLICE_COLUMNS}).height
        )
    except ImportError:
        record("ingest", "parse only: polars", None, "skipped: not installed")
    for name, reader in readers.items():
        times, counted = timed(lambda reader=reader: sum(reader(f) for f in files), runs)
        note = "" if counted == rows else f" (read {counted:,} rows, expected {rows:,})"
        record("ingest", name, times, rate(counted, times) + note)
    try:  # DuckDB reads a list of files best in one query
        import duckdb

        columns = ", ".join(f'"{c}"' for c in POLICE_COLUMNS)
        query = f"select {columns} from read_csv({[str(f) for f in files]!r}, all_varchar=true)"
        times, counted = timed(lambda: duckdb.sql(query).fetchnumpy()["Month"].size, runs)
        record("ingest", "parse only: duckdb read_csv, all files in one query", times, rate(counted, times))
    except ImportError:
        record("ingest", "parse only: duckdb", None, "skipped: not installed")
    return police, ingest


# --- 2. indicators --------------------------------------------------------------------


def bench_compute(runs: int, police, ingest: float) -> Results:
    log("2. indicator computation")
    print("\n2. Indicator computation")
    times, results = timed(pipeline.compute, runs)
    record("compute", "pipeline.compute() (with ingest)", times, f"→ {med(times) - ingest:.3f} s without ingest")

    quarter = pipeline.latest_full_quarter(police.months)
    catalogue = load_catalogue()
    settings = load_settings(quarter.label, None, catalogue)
    local_path = config.ROOT / settings.local_extract
    partnership = load_partnerships()[default_partnership()]
    areas, known = partnership.areas, partnership.districts
    districts = {code: name for name, code in known.items()}
    times, (local, population) = timed(
        lambda: (read_local_extract(local_path, catalogue, known), read_population(config.POPULATION, districts)), runs
    )
    record("compute", "  read local extract + population", times)
    monthly = monthly_numerators(police.counts, local, catalogue, police.months, areas)
    ends = pd.period_range(
        min(pd.Period(min(police.months), "M"), quarter.end_month - pipeline.SERIES_MONTHS + 1),
        quarter.end_month,
        freq="M",
    )  # every month end from the first data, as compute does
    rolling = rolling_values(monthly, catalogue, population, list(ends), areas)
    unavailable, sample = settings.unavailable, settings.local_extract_is_sample
    table = quarter_table(rolling, monthly, catalogue, quarter, unavailable, sample, areas)
    charts, breaks = spc_charts(monthly, catalogue, settings, quarter), data_breaks(police.quality, quarter)
    assessed = assess(table.copy(), monthly, catalogue, settings, quarter, charts, breaks)
    baseline = find_baseline(
        settings, quarter, sorted(monthly["month"].unique()), sorted(population["year"].unique()), None
    )
    stages = {
        "monthly_numerators": lambda: monthly_numerators(police.counts, local, catalogue, police.months, areas),
        "rolling_values": lambda: rolling_values(monthly, catalogue, population, list(ends), areas),
        "quarter_table": lambda: quarter_table(rolling, monthly, catalogue, quarter, unavailable, sample, areas),
        "spc_charts": lambda: spc_charts(monthly, catalogue, settings, quarter),
        "data_breaks": lambda: data_breaks(police.quality, quarter),
        "assess": lambda: assess(table.copy(), monthly, catalogue, settings, quarter, charts, breaks),
        "baseline_values": lambda: baseline_values(monthly, catalogue, population, baseline, areas),
        "series_extremes": lambda: series_extremes(rolling, quarter.end_month),
        "add_context": lambda: add_context(
            assessed.copy(),
            monthly,
            catalogue,
            population,
            quarter,
            settings,
            None,
            areas,
            baseline_values(monthly, catalogue, population, baseline, areas),
            series_extremes(rolling, quarter.end_month),
        ),
    }
    for name, fn in stages.items():
        record("compute", f"  {name}", timed(fn, runs)[0])
    return results


# --- 3. section notebooks in one kernel ------------------------------------------------


def _notebooks_child(runs: int, bundle: Path, label: str, folder: Path) -> tuple[dict, dict]:
    """Kernel start (its warm-up imports included) and each notebook's wall and cell times, ``runs`` times over."""
    parts: dict[str, list[float]] = {}
    cells: dict[str, list[float]] = {}

    def lap(name: str, start: float) -> None:
        parts.setdefault(name, []).append(time.perf_counter() - start)

    for i in range(runs):
        out = folder / f"run{i}"
        out.mkdir(parents=True)
        kernels = Kernels(1)  # as the build's kernels, one of them
        start = time.perf_counter()
        [kernel] = kernels.running()
        try:
            if kernels.run(kernel, [], out, {}) is not None:  # waits for the kernel and its warm-up imports
                raise RuntimeError("the kernel did not start")
            lap("kernel start, warm-up imports, ready", start)
            for name in SECTION_NOTEBOOKS:
                start = time.perf_counter()
                failure = kernels.run(
                    kernel, [config.NOTEBOOKS / f"{name}.ipynb"], out, {"quarter": label, "results_path": str(bundle)}
                )
                if failure:
                    raise RuntimeError(failure)
                lap(f"{name}: nbclient wall", start)
                executed = nbformat.read(out / f"{name}.ipynb", as_version=4)
                cells.setdefault(name, []).append(sum(_cell_seconds(c) for c in executed.cells))
        finally:
            start = time.perf_counter()
            kernels.close()
            lap("kernel shutdown (now=True)", start)
    return parts, cells


def _cell_seconds(cell: nbformat.NotebookNode) -> float:
    """A code cell's run time as nbclient records it (from its input reaching the kernel to the reply)."""
    times = cell.metadata.get("execution", {})
    if "iopub.execute_input" not in times or "shell.execute_reply" not in times:
        return 0.0
    parse = dt.datetime.fromisoformat
    return (
        parse(times["shell.execute_reply"].replace("Z", "+00:00"))
        - parse(times["iopub.execute_input"].replace("Z", "+00:00"))
    ).total_seconds()


def bench_notebooks(runs: int, bundle: Path, label: str, folder: Path) -> list[Path]:
    log("3. section notebooks: kernel start, imports, cells")
    print("\n3. Section notebooks (one warm kernel, nbclient; in a spawned child process)")
    # In a child process, so this process stays as cold as a user's for the build measurements.
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        parts, cells = pool.submit(_notebooks_child, runs, bundle, label, folder).result()
    for name, times in parts.items():
        extra = ""
        if name.endswith("nbclient wall"):
            nb = name.split(":")[0]
            extra = f"cells {med(cells[nb]):.3f} s, overhead {med(times) - med(cells[nb]):.3f} s"
        record("notebooks", name, times, extra)
    total = [sum(v[i] for v in parts.values()) for i in range(runs)]
    record(
        "notebooks",
        f"all {len(SECTION_NOTEBOOKS)}, one kernel, sequential (sum)",
        total,
        f"of which cells {sum(med(v) for v in cells.values()):.3f} s",
    )
    return [folder / f"run{runs - 1}" / f"{n}.ipynb" for n in SECTION_NOTEBOOKS]


# --- 4. stitch, HTML, PDF, Excel --------------------------------------------------------


def bench_outputs(runs: int, results: Results, executed: list[Path], folder: Path) -> None:
    log("4. stitch + HTML, PDF, Excel")
    print("\n4. Stitching, HTML, PDF, Excel")
    now = dt.datetime.now()
    info = {"built_at": f"{long_date(now)} {now:%H:%M}", "code_version": "benchmark", "packages": package_versions()}
    title = f"{results.partnership.name} Safer Communities Performance Report, {results.quarter.title}"
    times, book = timed(lambda: report.stitch(results, executed, info), runs)
    record("outputs", "report.stitch", times)
    html = folder / "report.html"
    times, _ = timed(lambda: html.write_text(report.export_html(book, title), encoding="utf-8"), runs)
    record("outputs", "report.export_html (+ write)", times, f"{html.stat().st_size / 1e6:.1f} MB")
    try:
        times, _ = timed(lambda: browser.print_pdf(html, folder / "report.pdf"), runs)
        record(
            "outputs", "browser.print_pdf (Chromium)", times, f"{(folder / 'report.pdf').stat().st_size / 1e6:.1f} MB"
        )
    except ToolMissing as missing:
        record("outputs", "browser.print_pdf", None, f"skipped: {missing}")
    times, _ = timed(lambda: excel.write_dashboard(results, folder / "dashboard.xlsx"), runs)
    record("outputs", "excel.write_dashboard", times)


# --- 5, 6. whole build: cold, then nothing changed ---------------------------------------

_CLI_BUILD = """
import sys
from pathlib import Path
from helpers import config
config.CACHE = Path(sys.argv[1])
from helpers.cli import run
run(["build", "--out", sys.argv[2]] + sys.argv[3:])
"""


def cli_build(cache: Path, out: Path, *flags: str) -> None:
    """``safer-report build`` in a fresh interpreter, with the cache pointed at ``cache``."""
    run([sys.executable, "-c", _CLI_BUILD, cache, out, *flags])


def bench_build(runs: int, folder: Path) -> tuple[float, float]:
    """Cold build in process and as a fresh process, then the rebuild; returns the two cold medians."""
    log("5. whole build, cold (fresh cache, fresh out dir, force)")
    print("\n5. Whole build, cold: fresh cache, fresh out dir, force")
    timings: dict[str, list[float]] = {}
    fresh = itertools.count()

    def cold():
        with temp_cache():
            result = build(None, out=folder / f"cold{next(fresh)}", force=True)
        for key, value in result.timings.items():
            timings.setdefault(key, []).append(value)
        return result

    times, result = timed(cold, runs)
    ours = med(times)
    record(
        "build",
        "build(force=True), in process",
        times,
        f"not built: {', '.join(result.skipped)}" if result.skipped else "",
        "< 8 s",
        ours < 8,
    )
    for key, values in timings.items():
        record("build", f"  timings['{key}']", values)

    def fresh_process():
        with tempfile.TemporaryDirectory(prefix="bench-cache-") as cache:
            cli_build(Path(cache), folder / f"cli{next(fresh)}", "--force")

    times_cli, _ = timed(fresh_process, runs)
    fresh_median = med(times_cli)
    record(
        "build",
        "same, as a fresh `safer-report build` process (what an analyst waits for)",
        times_cli,
        "",
        "< 8 s",
        fresh_median < 8,
    )

    log("6. rebuild with nothing changed")
    print("\n6. Rebuild, nothing changed (same out dir and cache, no force)")
    with temp_cache() as cache:
        out = folder / "rebuild"
        build(None, out=out, force=True)
        times, result = timed(lambda: build(None, out=out), runs)
        note = "" if result.up_to_date else "NOT detected as up to date: it rebuilt"
        record("rebuild", "build() up to date, in process", times, note, "< 1.5 s", med(times) < 1.5)
        times, _ = timed(lambda: cli_build(cache, out), runs)
        share = med(times) / fresh_median
        record(
            "rebuild",
            "same, as a fresh `safer-report build` process",
            times,
            f"{share:.1%} of a cold build as a fresh process",
            "≤ 5 % of a cold build",
            share <= 0.05,
        )
        ISSUE_24.append(
            (
                "a rebuild with nothing changed (fresh processes)",
                f"{share:.1%} of a cold build ({med(times):.2f} s against {fresh_median:.2f} s)",
                "≤ 5 %",
                share <= 0.05,
            )
        )
    return ours, fresh_median


# --- 6b. every partnership's pack in one run ----------------------------------------------


def bench_partnerships(runs: int, folder: Path) -> None:
    """Cold ``--all-partnerships`` against one cold build of the default partnership, interleaved in the same run."""
    log("6b. all partnerships, cold, beside one cold default build")
    packs = len(load_partnerships())
    print(f"\n6b. Every partnership ({packs} packs), cold, against one cold default build (interleaved)")
    one, every = [], []
    fresh = itertools.count()
    for _ in range(runs):
        for times, make in ((one, build), (every, build_all)):
            with temp_cache():
                start = time.perf_counter()
                make(None, out=folder / f"packs{next(fresh)}", force=True)
                times.append(time.perf_counter() - start)
    record("partnerships", "build(), default partnership, cold", one)
    ratio = med(every) / med(one)
    record(
        "partnerships",
        f"build_all(): {packs} packs, cold",
        every,
        f"{ratio:.1f}× one build; {med(every) / packs:.2f} s a pack",
        "≤ 3× one build",
        ratio <= 3,
    )
    ISSUE_24.append(
        (
            f"all {packs} packs against one default build (cold)",
            f"{ratio:.1f}× ({med(every):.1f} s against {med(one):.1f} s)",
            "≤ 3×",
            ratio <= 3,
        )
    )


# --- 7. the naive pipeline ---------------------------------------------------------------


def bench_naive(runs: int, label: str, folder: Path, ours: tuple[float, float]) -> None:
    log("7. naive pipeline: papermill CLI per notebook, nbconvert CLI, Chromium PDF")
    print(
        "\n7. Naive pipeline: a `papermill` command per notebook (each computes from data/), "
        "`jupyter nbconvert --to html` on the merged notebooks, Chromium PDF"
    )
    parts: dict[str, list[float]] = {}
    fresh = itertools.count()

    def naive():
        out = folder / f"naive{next(fresh)}"
        out.mkdir(parents=True)
        # Cold, as our build is measured: a fresh cache for the run's commands (its month store and charts), never
        # the checkout's .cache, which earlier builds and runs filled.
        cache = out / "cache"
        env = {**os.environ, "SAFER_REPORT_CACHE": str(cache)}
        start = time.perf_counter()
        for name in SECTION_NOTEBOOKS:
            step = time.perf_counter()
            run(
                [
                    BIN / "papermill",
                    config.NOTEBOOKS / f"{name}.ipynb",
                    out / f"{name}.ipynb",
                    "-p",
                    "quarter",
                    label,
                    "--no-progress-bar",
                ],
                cwd=out,
                env=env,
            )
            parts.setdefault(f"  papermill {name}", []).append(time.perf_counter() - step)
        step = time.perf_counter()
        merged = nbformat.read(out / f"{SECTION_NOTEBOOKS[0]}.ipynb", as_version=4)
        for name in SECTION_NOTEBOOKS[1:]:
            merged.cells += nbformat.read(out / f"{name}.ipynb", as_version=4).cells
        for n, cell in enumerate(merged.cells):
            cell.id = f"cell-{n}"
        nbformat.write(merged, out / "report.ipynb")
        run([BIN / "jupyter", "nbconvert", "--to", "html", "--no-input", out / "report.ipynb"], cwd=out, env=env)
        parts.setdefault("  merge + jupyter nbconvert --to html", []).append(time.perf_counter() - step)
        step = time.perf_counter()
        try:
            browser.print_pdf(out / "report.html", out / "report.pdf")
        except ToolMissing:
            pass
        parts.setdefault("  Chromium PDF", []).append(time.perf_counter() - step)
        return time.perf_counter() - start

    times, _ = timed(naive, runs)
    # Judged against our build as a fresh process (the slower of our two figures).
    ratio_in_process, ratio_fresh = med(times) / ours[0], med(times) / ours[1]
    record(
        "naive",
        "naive pipeline, whole",
        times,
        f"naive / ours = {ratio_fresh:.1f}× (fresh process), {ratio_in_process:.1f}× (in process)",
        "≥ 6× ours",
        ratio_fresh >= 6,
    )
    ISSUE_24.append(
        (
            "cold build against the naive pipeline (fresh processes)",
            f"{ratio_fresh:.1f}× faster ({ours[1]:.1f} s against {med(times):.1f} s)",
            "≥ 6×",
            ratio_fresh >= 6,
        )
    )
    for name, values in parts.items():
        record("naive", name, values)


# --- 8. scale -------------------------------------------------------------------------------

_READ_CHILD = """
import json, re, sys, time
from pathlib import Path
from helpers.errors import SaferReportError
from helpers.inputs.police_uk import read_police_uk

def peak_mb():  # VmHWM: this process's own peak RSS (ru_maxrss would count the parent's at fork)
    return int(re.search(r"VmHWM:\\s+(\\d+)", Path("/proc/self/status").read_text()).group(1)) / 1024

base = peak_mb()
start = time.perf_counter()
try:
    police = read_police_uk(Path(sys.argv[1]))
except SaferReportError as error:
    print(json.dumps({"error": str(error)}))
    sys.exit(0)
print(json.dumps({"seconds": time.perf_counter() - start, "rows": sum(f.rows for f in police.files),
                  "files": len(police.files), "months": len(police.months), "peak_mb": peak_mb(), "base_mb": base}))
"""


def read_in_child(folder: Path, cache: Path) -> dict:
    """read_police_uk in a fresh interpreter, its month store in ``cache``: its time, rows and peak RSS (VmHWM of
    that process)."""
    env = {**os.environ, "SAFER_REPORT_CACHE": str(cache)}
    return json.loads(run([sys.executable, "-c", _READ_CHILD, folder], env=env).stdout)


def _write_copy(sources: list[Path], folder: Path, k: int, shift: bool) -> int:
    """Force k's files: each month's file as published, or with its months moved 4*k years on."""
    written = 0
    for path in sources:
        month = path.name[:7]
        new = f"{int(month[:4]) + 4 * k}{month[4:]}" if shift else month
        target = folder / f"force{k:03d}" / f"{new}-force{k:03d}-street.csv.gz"
        target.parent.mkdir(parents=True, exist_ok=True)
        if shift:
            data = gzip.decompress(path.read_bytes()).replace(f",{month},".encode(), f",{new},".encode())
            target.write_bytes(gzip.compress(data, compresslevel=1))
        else:
            shutil.copyfile(path, target)
        written += target.stat().st_size
    return written


def bench_scale(scale: int, folder: Path) -> None:
    log(f"8. scale ×{scale}")
    sources = [p for p in police_uk_paths(config.POLICE_UK) if p.name.endswith(".csv.gz")]
    per_copy = (
        sum(p.stat().st_size for p in sources) * 2.2
    )  # level-1 gzip (fallback) a little larger, and the month store
    free = shutil.disk_usage(folder).free
    if scale * per_copy > free / 2:
        fitted = max(1, int(free / 2 // per_copy))
        log(f"   only {free / 1e9:.1f} GB free: scale {scale} needs {scale * per_copy / 1e9:.1f} GB, using {fitted}")
        scale = fitted
    print(
        f"\n8. Scale: data/police_uk × {scale}, each copy as another force (force000/YYYY-MM-force000-street.csv.gz, …)"
    )
    data = folder / "scale"
    log(f"   copying {scale} × {len(sources)} files (not timed)")
    written = sum(_write_copy(sources, data, k, False) for k in range(scale))
    store = folder / "scale-store"
    outcome = read_in_child(data, store)
    if "error" in outcome:
        # Only if the reader insists on one file per month: give each copy its own months instead.
        print(f"  FINDING: the same month from {scale} forces is rejected: {outcome['error']}")
        print("  so each copy's months are moved 4*k years on (Month column rewritten, gzip level 1)")
        shutil.rmtree(data)
        log(f"   rewriting {scale} × {len(sources)} gzipped files (not timed)")
        with ProcessPoolExecutor(max_workers=2) as pool:
            written = sum(pool.map(_write_copy, [sources] * scale, [data] * scale, range(scale), [True] * scale))
        outcome = read_in_child(data, store)
    warm = read_in_child(data, store) if "error" not in outcome else outcome
    shutil.rmtree(data)
    shutil.rmtree(store, ignore_errors=True)
    if "error" in outcome:
        record("scale", f"read_police_uk × {scale}", None, f"failed: {outcome['error']}")
        return
    record(
        "scale",
        f"read_police_uk × {scale} ({outcome['files']:,} files, {outcome['rows']:,} rows, "
        f"{written / 1e9:.2f} GB gz), cold",
        [outcome["seconds"]],
        rate(outcome["rows"], [outcome["seconds"]]),
    )
    record(
        "scale",
        f"read_police_uk × {scale}, warm (months from the Parquet store)",
        [warm["seconds"]],
        rate(warm["rows"], [warm["seconds"]]),
    )
    peak = outcome["peak_mb"] / 1024
    record(
        "scale",
        "  peak memory (VmHWM of the reading process)",
        None,
        f"{peak:.2f} GB (after imports, before reading: {outcome['base_mb'] / 1024:.2f} GB)",
        "< 4 GB",
        peak < 4,
    )


# --- 9. back catalogue -----------------------------------------------------------------------


def bench_catalogue(police, folder: Path) -> None:
    log("9. back catalogue of 12 quarters")
    latest = pipeline.latest_full_quarter(police.months)
    have = set(police.months)
    wanted = [latest.previous(i) for i in range(11, -1, -1)]
    covered = [q for q in wanted if {str(m) for m in window(q.end_month, 24)} <= have]
    print(
        f"\n9. Back catalogue: the 12 quarters ending {latest.label}; data ({min(have)} to {max(have)}) has the "
        f"24 months for {len(covered)}: {', '.join(q.label for q in covered)}"
    )
    skipped = [q.label for q in wanted if q not in covered]
    if skipped:
        print(f"  not buildable (fewer than 24 months of data): {', '.join(skipped)}")
    per = []
    with temp_cache():
        for quarter in covered:
            log(f"   building {quarter.label}")
            try:
                times, _ = timed(lambda quarter=quarter: build(quarter.label, out=folder / "catalogue"))
            except SaferReportError as error:
                record("catalogue", f"  {quarter.label}", None, f"failed: {error}")
                continue
            per += times
            record("catalogue", f"  {quarter.label}", times)
    if per:
        record(
            "catalogue", f"{len(per)} quarters, sequential: total", [sum(per)], f"{sum(per) / len(per):.2f} s a quarter"
        )


# --- summary ----------------------------------------------------------------------------------


def summary(runs: int) -> None:
    print(
        f"\nSummary ({dt.date.today()}, {platform.node()}, {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.2f}, Python {platform.python_version()}, median of {runs} run(s))"
    )
    header = ("section", "measurement", "median s", "min s", "max s", "target", "met", "notes")
    lines = [header]
    for section, name, times, extra, target, met in ROWS:
        figures = (f"{med(times):.3f}", f"{min(times):.3f}", f"{max(times):.3f}") if times else ("", "", "")
        lines.append((section, name, *figures, target, {True: "yes", False: "NO", None: ""}[met], extra))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header) - 1)]
    for n, line in enumerate(lines):
        print(
            "  ".join(cell.ljust(w) if i < 2 else cell.rjust(w) for i, (cell, w) in enumerate(zip(line, widths)))
            + "  "
            + line[-1]
        )
        if n == 0:
            print("  ".join("-" * w for w in widths) + "  -----")
    print("\nIssue 24's figures, measured side by side in this run:")
    width = max(len(figure) for figure, *_ in ISSUE_24) if ISSUE_24 else 0
    for figure, measured, target, met in ISSUE_24:
        print(f"  {figure.ljust(width)}  {measured}  target {target}: {'met' if met else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (median, min, max); default 3")
    parser.add_argument("--scale", type=int, default=100, help="copies of data/police_uk for the scale test")
    parser.add_argument("--quick", action="store_true", help="smoke run: 1 run, scale 5")
    args = parser.parse_args()
    runs, scale = (1, 5) if args.quick else (max(1, args.runs), max(1, args.scale))
    with tempfile.TemporaryDirectory(prefix="safer-bench-") as tmp:
        folder = Path(tmp)
        police, ingest = bench_ingest(runs)
        results = bench_compute(runs, police, ingest)
        bundle = folder / "results"
        save(results, bundle)
        executed = bench_notebooks(runs, bundle, results.quarter.label, folder / "notebooks")
        bench_outputs(runs, results, executed, folder)
        ours = bench_build(runs, folder)
        bench_partnerships(runs, folder)
        bench_naive(runs, results.quarter.label, folder, ours)
        bench_scale(scale, folder)
        bench_catalogue(police, folder)
    summary(runs)
    log("done")


if __name__ == "__main__":
    main()
