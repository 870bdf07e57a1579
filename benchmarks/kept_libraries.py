#!/usr/bin/env python
"""PDF routes and kernel clients compared on the real report. Not a test: it prints, it never asserts.

    python benchmarks/kept_libraries.py [--runs 3] [--part pdf|kernels|all] [--routes ...] [--kernels ...]
                                        [--html report.html] [--keep DIR] [--no-builds] [--calm LOAD]

PDF routes, each given the same ``report.html``:
  cli         today's ``helpers.pipeline.browser.Printer``: Chromium's own ``--headless --print-to-pdf
              --no-pdf-header-footer --generate-pdf-document-outline``, one command a file
  playwright  Playwright driving the system Chromium, ``page.pdf(prefer_css_page_size, tagged, outline)``
  weasyprint  ``weasyprint.HTML(filename).write_pdf(pdf_tags=True)``
Each route is timed in a fresh interpreter (its imports count): once from cold, once with a 2 s
head start (what is left when it booted during the notebooks), and inside whole builds (a fresh
process each, ``helpers.pipeline.browser.Printer`` swapped for the route; "none" builds without a PDF).
Then each route's PDF is checked with pypdf (pages, tags, outline), rendered with pdftoppm and
compared page by page; the sheets go to --keep. Kernel clients: a new client's connection to a
ready kernel, the overhead a notebook, and whole builds with today's ``kernels.Kernels``
(nbclient's ``NotebookClient(km=)`` in kept kernels: a new client for every notebook) and with
Papermill's default (a kernel started and stopped for every notebook).
See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import logging
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata
from pathlib import Path

from helpers import config
from helpers.errors import ToolMissing
from helpers.pipeline import browser, kernels

HERE = Path(__file__).resolve()
HEAD_START = 2.0  # seconds a route may boot before the page is ready (the notebooks take longer)
# The flags helpers.browser gives every Chromium, less --headless (Playwright adds its own).
CHROMIUM_ARGS = [flag for flag in browser.BASE_FLAGS if flag != "--headless"]
# Pages picked by their text, so that routes which paginate differently show the same content.
SAMPLE_PAGES = {
    "cover": (),
    "table": ("All priorities",),
    "chart": ("Burglary (all) is", "Monthly count with SPC"),
    "wide table": ("District breakdown", "Reduce crime: 12 months"),
    "map": ("Total recorded crime by district",),
}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def figures(times: list[float]) -> str:
    return f"{statistics.median(times):6.2f} s (min {min(times):.2f}, max {max(times):.2f}, n={len(times)})"


# --- the routes: each boots in its constructor (overlapping the notebooks), then prints -----


class PlaywrightPrinter:
    """Playwright driving the system Chromium; every Playwright call runs on one worker thread,
    because its sync API belongs to the thread that started it (and refuses a running asyncio loop)."""

    def __init__(self):
        self._playwright = self._browser = self._page = None
        self._thread = ThreadPoolExecutor(max_workers=1)
        self._started = self._thread.submit(self._launch)

    def _launch(self) -> None:
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        self._browser = self._playwright.chromium.launch(executable_path=browser.find_chromium(), args=CHROMIUM_ARGS)
        self._page = self._browser.new_page()  # opened while booting: the print only loads and prints

    def _print(self, html: Path, pdf: Path) -> None:
        self._page.goto(html.resolve().as_uri())
        self._page.pdf(path=pdf, prefer_css_page_size=True, print_background=True, tagged=True, outline=True)

    def print_pdf(self, html, pdf) -> Path:
        self._started.result()
        self._thread.submit(self._print, Path(html), Path(pdf)).result()
        return Path(pdf)

    def close(self) -> None:
        def stop():
            if self._browser:
                self._browser.close()
            if self._playwright:
                self._playwright.stop()

        self._thread.submit(stop).result()
        self._thread.shutdown()


class WeasyPrinter:
    """WeasyPrint in process; its import (the only part that can start early) runs on a thread."""

    warnings = 0

    def __init__(self):
        self._thread = ThreadPoolExecutor(max_workers=1)
        self._module = self._thread.submit(importlib.import_module, "weasyprint")

    def print_pdf(self, html, pdf) -> Path:
        weasyprint = self._module.result()
        counter = _Counter()
        logging.getLogger("weasyprint").addHandler(counter)
        logging.getLogger("weasyprint").propagate = False  # its CSS warnings are counted, not printed
        try:
            weasyprint.HTML(filename=str(html)).write_pdf(str(pdf), pdf_tags=True)
        finally:
            logging.getLogger("weasyprint").removeHandler(counter)
        WeasyPrinter.warnings = counter.count
        return Path(pdf)

    def close(self) -> None:
        self._thread.shutdown()


class _Counter(logging.Handler):
    count = 0

    def emit(self, record):
        self.count += record.levelno >= logging.WARNING


class NoPdf:
    """A build without a PDF: the floor the routes are compared against."""

    def __init__(self):
        raise ToolMissing("no PDF (benchmark baseline)")


ROUTES = {
    "cli": browser.Printer,
    "playwright": PlaywrightPrinter,
    "weasyprint": WeasyPrinter,
}


def unavailable(route: str) -> str | None:
    """Why a route cannot run here, or None."""
    if route in ("cli", "playwright") and not browser.find_chromium():
        return "no Chromium"
    for module in {"playwright": ["playwright.sync_api"], "weasyprint": ["weasyprint"]}.get(route, []):
        try:
            importlib.import_module(module)
        except (ImportError, OSError) as error:  # WeasyPrint raises OSError when Pango is missing
            return f"{module} cannot be imported ({str(error).splitlines()[0]})"
    return None


# --- kernel variants: today's (nbclient in kept kernels), Papermill's default -------------------


class OwnKernels(kernels.Kernels):
    """Papermill's default: every notebook starts its own kernel and shuts it down."""

    def start(self) -> None:
        pass

    def running(self):
        return [None] * self.count

    @staticmethod
    def run(kernel, sources, folder, parameters):
        import papermill

        for source in sources:
            papermill.execute_notebook(
                str(source),
                str(folder / source.name),
                parameters=parameters,
                kernel_name="python3",
                progress_bar=False,
                cwd=str(folder),
            )

    def close(self) -> None:
        pass


KERNELS = {"nbclient": kernels.Kernels, "own": OwnKernels}


# --- children: every figure comes from a fresh interpreter -------------------------------------


def tree_cpu() -> float:
    """CPU seconds used so far by this process, its reaped children and every live descendant (from /proc)."""
    own = os.times()
    total = own.user + own.system + own.children_user + own.children_system
    tick = os.sysconf("SC_CLK_TCK")
    processes = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        # after "pid (name)": state ppid ... utime stime cutime cstime are fields 1 and 11-14
        processes[int(stat.parent.name)] = (int(fields[1]), sum(map(int, fields[11:15])) / tick)
    family, found = {os.getpid()}, True
    while found:
        found = {pid for pid, (parent, _) in processes.items() if parent in family and pid not in family}
        family |= found
    return total + sum(processes[pid][1] for pid in family - {os.getpid()})


def child_print(route: str, html: str, pdf: str, head_start: float) -> None:
    start = time.perf_counter()
    printer = ROUTES[route]()
    booted = time.perf_counter() - start
    time.sleep(head_start)
    cpu_before = tree_cpu()
    step = time.perf_counter()
    printer.print_pdf(Path(html), Path(pdf))
    printed = time.perf_counter() - step
    cpu_after = tree_cpu()
    step = time.perf_counter()
    printer.close()
    closed = time.perf_counter() - step
    print(
        json.dumps(
            {
                "start": booted,
                "print": printed,
                "close": closed,
                "total": booted + printed + closed,
                "cpu_boot": cpu_before,
                "cpu_print": cpu_after - cpu_before,
                "warnings": WeasyPrinter.warnings,
            }
        )
    )


def child_build(route: str, kernel_variant: str, out: str, cache: str) -> None:
    from helpers.pipeline import orchestrate as build

    cpu = []

    class Measured(ROUTES.get(route, NoPdf)):
        def close(self):
            cpu.append(tree_cpu())  # before Chromium's processes go (a killed renderer's time is lost)
            super().close()

    config.CACHE = Path(cache)
    browser.Printer = Measured
    kernels.Kernels = KERNELS[kernel_variant]
    result = build.build(None, out=Path(out), force=True)
    print(json.dumps({**result.timings, "cpu": cpu[0] if cpu else tree_cpu()}), flush=True)
    os._exit(0)


CALM = {"load": 0.0, "waited": 0.0, "loads": []}  # set from --calm; the loads seen, for the record


def wait_for_calm() -> None:
    """On a shared machine, wait (up to 3 minutes) until the 1-minute load average is below --calm."""
    start = time.monotonic()
    while CALM["load"] and os.getloadavg()[0] >= CALM["load"] and time.monotonic() - start < 180:
        time.sleep(5)
    CALM["waited"] += time.monotonic() - start
    CALM["loads"].append(os.getloadavg()[0])


def run_child(*args) -> tuple[float, dict]:
    """Run this script in a fresh interpreter; its wall time and the JSON it printed last."""
    wait_for_calm()
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(HERE), "--child", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "PYTHONPATH": str(config.ROOT / "src")},
    )
    wall = time.perf_counter() - start
    if done.returncode:
        raise RuntimeError(f"child {args[:2]} failed: {done.stderr.strip().splitlines()[-1:]}")
    return wall, json.loads(done.stdout.strip().splitlines()[-1])


# --- PDF: time ----------------------------------------------------------------------------------


def bench_print(routes: list[str], html: Path, keep: Path, runs: int) -> None:
    print(
        f"\nStandalone, on {html} ({html.stat().st_size / 1e6:.1f} MB); a fresh interpreter each time, routes interleaved"
    )
    cold: dict[str, list[dict]] = {r: [] for r in routes}
    warm: dict[str, list[dict]] = {r: [] for r in routes}
    for n in range(runs):
        for route in routes:
            log(f"  print {route}, run {n + 1}/{runs}")
            cold[route].append(run_child("print", route, html, keep / f"{route}.pdf", 0)[1])
            warm[route].append(run_child("print", route, html, keep / f"{route}.pdf", HEAD_START)[1])
    for route in routes:
        print(
            f"  {route:11s} cold, start to closed: {figures([r['total'] for r in cold[route]])}"
            f"   (start {statistics.median(r['start'] for r in cold[route]):.2f}, "
            f"print {statistics.median(r['print'] for r in cold[route]):.2f}, "
            f"close {statistics.median(r['close'] for r in cold[route]):.2f})"
        )
        print(
            f"  {'':11s} after a {HEAD_START:g} s head start, print only: {figures([r['print'] for r in warm[route]])}"
        )
        print(
            f"  {'':11s} CPU of the process tree (s): boot and imports in the head start "
            f"{statistics.median(r['cpu_boot'] for r in warm[route]):.2f}, the print "
            f"{statistics.median(r['cpu_print'] for r in warm[route]):.2f}"
        )
        if route == "weasyprint":
            print(f"  {'':11s} WeasyPrint warnings on this page: {cold[route][-1]['warnings']}")


def bench_builds(routes: list[str], kernel_variants: list[str], runs: int, folder: Path, title: str) -> None:
    """Whole builds, every variant once a round; each figure beside the first variant's of the same round."""
    print(f"\n{title}: whole `build(force=True)` in a fresh interpreter with a fresh cache; variants interleaved")
    walls: dict[tuple, list[float]] = {}
    timings: dict[tuple, list[dict]] = {}
    combos = [(r, k) for r in routes for k in kernel_variants]
    for n in range(runs):
        for route, variant in combos:
            log(f"  build with PDF {route}, kernels {variant}, run {n + 1}/{runs}")
            with tempfile.TemporaryDirectory(prefix="bench-cache-") as cache:
                wall, timed = run_child("build", route, variant, folder / f"{route}-{variant}-{n}", cache)
            timed["after html"] = sum(timed.get(k, 0) for k in ("check", "pdf_wait"))
            walls.setdefault((route, variant), []).append(wall)
            timings.setdefault((route, variant), []).append(timed)
            shutil.rmtree(folder / f"{route}-{variant}-{n}", ignore_errors=True)
    base = combos[0]
    for combo in combos:
        parts = timings[combo]
        steps = ", ".join(
            f"{key} {statistics.median(t.get(key, 0) for t in parts):.2f}"
            for key in ("compute", "notebooks", "html", "pdf_wait", "after html")
        )
        paired = [a - b for a, b in zip(walls[combo], walls[base])]
        notebooks = [a["notebooks"] - b["notebooks"] for a, b in zip(parts, timings[base])]
        cpu = [a["cpu"] - b["cpu"] for a, b in zip(parts, timings[base])]
        against = (
            ""
            if combo == base
            else (
                f"\n      vs {base[0]}/{base[1]} in the same round: process wall median {statistics.median(paired):+.2f} s, "
                f"mean {statistics.mean(paired):+.2f} (per round {', '.join(f'{d:+.1f}' for d in paired)}); "
                f"notebooks {statistics.median(notebooks):+.2f} s; CPU {statistics.median(cpu):+.2f} s"
            )
        )
        print(
            f"  PDF {combo[0]:10s} kernels {combo[1]:8s} process wall {figures(walls[combo])}; CPU of the process "
            f"tree {statistics.median(t['cpu'] for t in parts):.1f} s; in build: {steps}{against}"
        )


def bench_new_client(runs: int) -> None:
    """What a kept kernel pays for each notebook: a new client connecting to it once it is ready."""
    from jupyter_client.manager import KernelManager

    kernel = KernelManager(kernel_name="python3")
    kernel.start_kernel(stderr=subprocess.DEVNULL)
    first = kernel.client()
    first.start_channels()
    first.wait_for_ready(timeout=120)
    times = []
    try:
        for _ in range(max(runs, 10)):
            start = time.perf_counter()
            client = kernel.client()
            client.start_channels()
            client.wait_for_ready(timeout=120)
            times.append(time.perf_counter() - start)
            client.stop_channels()
    finally:
        first.stop_channels()
        kernel.shutdown_kernel(now=True)
    print(
        f"\nA new client on a ready kernel (start_channels + wait_for_ready, as nbclient does for each notebook "
        f"given km=): {figures(times)}"
    )


def bench_papermill_overhead(bundle: Path, runs: int, folder: Path) -> None:
    """The section notebooks in one warm kernel, each variant in turn: wall time less the cells' own."""
    import nbformat

    print(
        "\nThe section notebooks in one warm kernel (each kernel variant's run); the overhead = "
        "wall time less the cells' own durations (mostly waiting, so the machine's load touches it less)"
    )
    label = bundle.parent.parent.name
    sources = sorted(config.NOTEBOOKS.glob("0*.ipynb"))
    overhead: dict[str, list[float]] = {}
    for n in range(runs):
        for variant in KERNELS:
            log(f"  section notebooks, kernels {variant}, run {n + 1}/{runs}")
            out = folder / f"{variant}-{n}"
            out.mkdir(parents=True)
            pool = KERNELS[variant](1)
            try:
                [kernel] = pool.running()
                start = time.perf_counter()
                pool.run(kernel, sources, out, {"quarter": label, "results_path": str(bundle)})
                wall = time.perf_counter() - start
            finally:
                pool.close()
            cells = sum(_cell_seconds(c) for s in sources for c in nbformat.read(out / s.name, as_version=4).cells)
            overhead.setdefault(variant, []).append((wall - cells) / len(sources))
            shutil.rmtree(out)
    for variant, values in overhead.items():
        print(f"  {variant:8s} overhead a notebook: {figures(values)}")


def _cell_seconds(cell) -> float:
    """A code cell's run time: Papermill's record, or nbclient's (its input reaching the kernel to the reply)."""
    if cell.metadata.get("papermill", {}).get("duration") is not None:
        return cell.metadata["papermill"]["duration"]
    times = cell.metadata.get("execution", {})
    if "iopub.execute_input" not in times or "shell.execute_reply" not in times:
        return 0.0
    start, end = (
        dt.datetime.fromisoformat(times[k].replace("Z", "+00:00"))
        for k in ("iopub.execute_input", "shell.execute_reply")
    )
    return (end - start).total_seconds()


# --- PDF: fidelity, tags, footprint -------------------------------------------------------------


def inspect_pdf(path: Path) -> dict:
    import pypdf

    reader = pypdf.PdfReader(path)
    root = reader.trailer["/Root"]
    kinds: dict[str, int] = {}
    alt = 0

    def walk(node, depth=0):
        nonlocal alt
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, pypdf.generic.ArrayObject):
            for child in node:
                walk(child, depth)
        elif isinstance(node, pypdf.generic.DictionaryObject) and depth < 200:
            if "/S" in node:
                kinds[str(node["/S"])] = kinds.get(str(node["/S"]), 0) + 1
                alt += str(node["/S"]) == "/Figure" and "/Alt" in node
            if "/K" in node:
                walk(node["/K"], depth + 1)

    if "/StructTreeRoot" in root:
        walk(root["/StructTreeRoot"])

    def count(outline):
        return sum(count(item) if isinstance(item, list) else 1 for item in outline)

    first = reader.pages[0].mediabox
    pages = len(reader.pages)
    texts = [page.extract_text() or "" for page in reader.pages]
    return {
        "pages": pages,
        "MB": path.stat().st_size / 1e6,
        "size_mm": f"{float(first.width) * 25.4 / 72:.0f}×{float(first.height) * 25.4 / 72:.0f}",
        "tagged": "/StructTreeRoot" in root,
        "marked": bool(root.get("/MarkInfo", {}).get("/Marked")),
        "lang": str(root.get("/Lang", "")),
        "outline": count(reader.outline),
        "headings": sum(v for k, v in kinds.items() if re.fullmatch(r"/H\d?", k)),
        "tables": kinds.get("/Table", 0),
        "figures": kinds.get("/Figure", 0),
        "figures_alt": alt,
        "page_numbers": pages > 1 and f"Page 2 of {pages}" in texts[1].replace("\n", " "),
        "texts": texts,
    }


def render(pdf: Path, folder: Path, dpi: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), str(pdf), str(folder / "p")], check=True)
    return sorted(folder.glob("p-*.png"))


def sheets(checked: dict[str, dict], keep: Path) -> None:
    """side-by-side.png: the sample pages of every route in a row each; <route>-all.png: every page."""
    from PIL import Image, ImageDraw

    rows = []
    for route, info in checked.items():
        pages = render(keep / f"{route}.pdf", keep / f"{route}-pages", 50)
        picked = []
        for name, markers in SAMPLE_PAGES.items():
            found = next((i for i, t in enumerate(info["texts"]) if all(m in t for m in markers)), None)
            picked.append((name, found))
        info["sample_pages"] = {name: None if i is None else i + 1 for name, i in picked}
        rows.append((route, [Image.open(pages[i]) if i is not None else None for _, i in picked]))
        small = [Image.open(p).reduce(2) for p in pages]
        w, h = small[0].size
        per_row = 10
        sheet = Image.new("RGB", (w * per_row, h * ((len(small) + per_row - 1) // per_row)), "white")
        for n, image in enumerate(small):
            sheet.paste(image, ((n % per_row) * w, (n // per_row) * h))
        sheet.save(keep / f"{route}-all.png")
    w, h = next(im for _, ims in rows for im in ims if im).size
    label = 110
    out = Image.new("RGB", (label + w * len(SAMPLE_PAGES), h * len(rows)), "white")
    draw = ImageDraw.Draw(out)
    for r, (route, images) in enumerate(rows):
        draw.text((8, r * h + 8), route, fill="black")
        for c, image in enumerate(images):
            if image:
                out.paste(image.resize((w, h)), (label + c * w, r * h))
            draw.rectangle((label + c * w, r * h, label + (c + 1) * w - 1, (r + 1) * h - 1), outline="grey")
    out.save(keep / "side-by-side.png")


def same_pages(keep: Path, first: str, other: str) -> str:
    from PIL import Image, ImageChops

    ours, theirs = sorted((keep / f"{first}-pages").glob("p-*.png")), sorted((keep / f"{other}-pages").glob("p-*.png"))
    same = sum(
        len(ours) == len(theirs)
        and not ImageChops.difference(Image.open(a).convert("RGB"), Image.open(b).convert("RGB")).getbbox()
        for a, b in zip(ours, theirs)
    )
    return f"{same} of {len(theirs)}"


def requirements_closure(name: str) -> set[str]:
    """The installed distributions ``name`` needs, itself included (normalised names)."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    seen, todo = set(), [name]
    while todo:
        current = canonicalize_name(todo.pop())
        if current in seen:
            continue
        try:
            requires = metadata.requires(current) or []
        except metadata.PackageNotFoundError:
            continue
        seen.add(current)
        for line in requires:
            req = Requirement(line)
            if not req.marker or req.marker.evaluate({"extra": ""}):
                todo.append(req.name)
    return seen


def installed_mb(name: str) -> float:
    files = metadata.distribution(name).files or []
    return sum(f.locate().stat().st_size for f in files if f.locate().is_file()) / 1e6


def footprint() -> None:
    print("\nInstall footprint (installed sizes in this venv; 'new' = not already needed by safer-report)")
    ours = requirements_closure("safer-report")
    for route, dist in (("playwright", "playwright"), ("weasyprint", "weasyprint")):
        try:
            needed = requirements_closure(dist)
        except metadata.PackageNotFoundError:
            print(f"  {route}: not installed")
            continue
        new = sorted(needed - ours)
        sizes = {d: installed_mb(d) for d in new}
        print(
            f"  {route}: pip {sum(sizes.values()):.1f} MB new: " + ", ".join(f"{d} {s:.1f}" for d, s in sizes.items())
        )
        if not sizes:
            print(f"  {route}: not installed")
    apt = ["chromium", "chromium-common", "libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0"]
    shown = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Package} ${Version} ${Installed-Size}\n", *apt], capture_output=True, text=True
    )
    for line in shown.stdout.splitlines():
        package, version, kb = line.split()
        print(f"  apt {package} {version}: {int(kb) / 1024:.1f} MB installed")


def bench_pdf(routes: list[str], html: Path, keep: Path, runs: int, builds: bool) -> None:
    bench_print(routes, html, keep, runs)
    if builds:
        today_first = sorted(["none", *routes], key=lambda route: route != "cli")
        bench_builds(today_first, ["nbclient"], runs, keep / "builds", "PDF inside a whole build")
    print("\nWhat each PDF holds (pypdf); pages rendered by pdftoppm into", keep)
    checked = {route: inspect_pdf(keep / f"{route}.pdf") for route in routes}
    sheets(checked, keep)
    for route, info in checked.items():
        shown = {k: (round(v, 2) if isinstance(v, float) else v) for k, v in info.items() if k != "texts"}
        print(f"  {route:11s} {shown}")
        if route != routes[0]:
            print(f"  {'':11s} pages pixel-identical to {routes[0]}'s at 50 dpi: {same_pages(keep, routes[0], route)}")
    footprint()


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        kind, *args = sys.argv[2:]
        if kind == "print":
            child_print(args[0], args[1], args[2], float(args[3]))
        else:
            child_build(*args)
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (median, min, max); default 3")
    parser.add_argument("--part", choices=["pdf", "kernels", "all"], default="all")
    parser.add_argument("--routes", nargs="+", choices=list(ROUTES), default=list(ROUTES), help="PDF routes to compare")
    parser.add_argument(
        "--kernels",
        nargs="+",
        choices=list(KERNELS),
        default=list(KERNELS),
        help="kernel variants to compare (the first is the baseline)",
    )
    parser.add_argument(
        "--html",
        type=Path,
        help="a built report.html, with notebooks/results beside it (default: build the default quarter first)",
    )
    parser.add_argument(
        "--keep",
        type=Path,
        default=Path(tempfile.gettempdir()) / "kept-libraries",
        help="folder for the PDFs and page sheets (default /tmp/kept-libraries)",
    )
    parser.add_argument("--no-builds", action="store_true", help="no whole builds: the standalone figures only")
    parser.add_argument(
        "--calm",
        type=float,
        default=0.0,
        metavar="LOAD",
        help="before each measurement wait (up to 3 min) for the 1-minute load average to fall below LOAD",
    )
    args = parser.parse_args()
    CALM["load"] = args.calm
    keep = args.keep.resolve()
    keep.mkdir(parents=True, exist_ok=True)
    print(
        f"{platform.node()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}, "
        f"Python {platform.python_version()}; Chromium {browser.find_chromium()}; median of {args.runs}"
    )
    html = args.html
    if html is None:
        log("building the default quarter once for its report.html and results bundle")
        with tempfile.TemporaryDirectory(prefix="bench-cache-") as cache:
            run_child("build", "none", "nbclient", keep / "report", cache)
        html = next((keep / "report").glob("*/report.html"))
    html = html.resolve()
    if args.part in ("pdf", "all"):
        routes = []
        for route in args.routes:
            reason = unavailable(route)
            if reason:
                print(f"  {route}: not available here: {reason}")
            else:
                routes.append(route)
        bench_pdf(routes, html, keep, args.runs, not args.no_builds)
    if args.part in ("kernels", "all"):
        bench_new_client(args.runs)
        bench_papermill_overhead(html.parent / "notebooks" / "results", args.runs, keep / "overhead")
        if not args.no_builds:
            bench_builds(["cli"], args.kernels, args.runs, keep / "kernel-builds", "Kernel clients")
    loads = CALM["loads"]
    if loads:
        print(
            f"\nLoad average when each measurement started: median {statistics.median(loads):.2f}, max {max(loads):.2f}"
            f" ({CALM['waited']:.0f} s spent waiting for --calm {CALM['load']:g})"
        )


if __name__ == "__main__":
    main()
