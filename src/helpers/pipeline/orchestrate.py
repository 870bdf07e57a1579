"""Build a quarter's outputs: compute once, run the section notebooks, stitch, write every file.

Everything is written into a staging folder beside ``outputs/<quarter>/`` and swapped
in only when every pack has been built, under a lock, with SIGINT and SIGTERM acted on
only where the build can stop (``interrupts``), so a failed, interrupted or concurrent
build never leaves a half-written report, or one pack of a run, in place of a good one.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import logging
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .. import config
from ..errors import BuildError, Interrupted, ToolMissing
from ..inputs.files import input_key, package_versions
from ..inputs.params import default_partnership
from ..inputs.partnerships import choose
from . import browser, build_log, interrupts
from .cache import cached_results_path, compute_cached, link_results, load_summary, save_summary

if TYPE_CHECKING:
    from ..analysis.results import Results
    from .kernels import Kernels

log = logging.getLogger(__name__)

# pandas, nbclient, Papermill and the output writers are imported inside the steps that use them, so
# that `safer-report build` with nothing changed answers without loading any of them (``_unchanged``).

SECTION_NOTEBOOKS = [section.notebook for section in config.REPORT_SECTIONS]
KERNELS = 2  # on a machine of two cores or more; one otherwise
PACKS_BEHIND = 1  # a pack's notebooks start once the outputs of the packs before the last this many are written


def kernel_groups(sections: Sequence[config.Section], kernels: int) -> list[list[str]]:
    """The notebooks each of ``kernels`` runs, shared by measured cost: costliest first, each
    goes to the kernel with the least work so far; a kernel runs its share in report order."""
    shares: list[list] = [[] for _ in range(kernels)]
    work = [0.0] * kernels
    for section in sorted(sections, key=lambda s: s.cost, reverse=True):
        least = work.index(min(work))
        shares[least].append(section)
        work[least] += section.cost
    return [[s.notebook for s in sections if s in share] for share in shares if share]


@dataclass
class BuildResult:
    """Where the outputs went, what was skipped and how long each step took."""

    folder: Path
    skipped: list[str] = field(default_factory=list)  # "file (why, and what to install)"
    timings: dict[str, float] = field(default_factory=dict)
    up_to_date: bool = False
    warnings: list[str] = field(
        default_factory=list
    )  # no contact for the paper; figures in the commentary that disagree
    index: Path | None = None  # <quarter>/index.html, linking every pack of the run (with --all-partnerships)


def code_version() -> str:
    """The git commit of the code, if this is a git checkout."""
    try:
        out = subprocess.run(
            ["git", "-C", str(config.ROOT), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            timeout=5,
        )
        return out.stdout.strip() or "not a git checkout"
    except (OSError, subprocess.SubprocessError):
        return "not a git checkout"


def _inputs_of_code() -> list[Path]:
    """The code and notebooks a build runs: part of the key that says outputs are up to date."""
    helpers = Path(__file__).parents[1]
    code = [p for p in helpers.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    return sorted([*code, *config.NOTEBOOKS.glob("0*.ipynb")])


@contextmanager
def _lock(out_root: Path, label: str):
    """One build of a quarter at a time; a second waits for the first."""
    try:
        out_root.mkdir(parents=True, exist_ok=True)
        handle = open(out_root / f".{label}.lock", "w")
    except OSError as exc:
        problem = (
            "is a file, not a folder"
            if out_root.is_file()
            else f"cannot write the outputs here ({exc.strerror or exc})"
        )
        raise BuildError(f"{out_root}: {problem}") from None
    with handle:
        with interrupts.at_once():  # a signal stops the wait
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _swap_in(staging: Path, target: Path, keep: Sequence[str] = ()) -> None:
    """Replace ``target`` by ``staging`` with two renames on one file system, first moving the entries of
    ``target`` named in ``keep`` (other packs' folders inside it) into ``staging``."""
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    if target.exists():
        for name in keep:
            if (target / name).exists() and not (staging / name).exists():
                (target / name).rename(staging / name)
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def _swap_in_all(staged: list[tuple[Path, Path, bool]]) -> None:
    """Swap each (staging, target, is the default pack) in; the default pack's folder keeps the other packs'
    folders inside it, and the index."""
    for staging, target, default in staged:
        target.parent.mkdir(parents=True, exist_ok=True)
        _swap_in(staging, target, keep=[*_other_packs(target), "index.html"] if default else [])


def build(
    quarter: str | None = None,
    police_uk: Path | None = None,
    params_file: Path | None = None,
    out: Path | None = None,
    local: Path | None = None,
    force: bool = False,
    strict: bool = False,
    partnership: str | None = None,
    partnerships: Path | None = None,
) -> BuildResult:
    """Build every output of one partnership's quarter (default: ``partnerships.choose``'s) into ``pack_folder``,
    logging its progress. ``partnerships``: the file that configures them (default: params/partnerships.yaml).

    ``strict``: a figure in the analyst's commentary that disagrees with the table stops the
    build (otherwise it is a warning in the result and in ``review-notes.md``)."""
    return build_packs(
        [partnership], quarter, police_uk, params_file, out, local, force, strict, partnerships=partnerships
    )[0]


def build_all(
    quarter: str | None = None,
    police_uk: Path | None = None,
    out: Path | None = None,
    local: Path | None = None,
    force: bool = False,
    strict: bool = False,
    partnerships: Path | None = None,
    group: str | None = None,
) -> list[BuildResult]:
    """Every partnership configured in ``partnerships`` (default: params/partnerships.yaml; the default pack
    first), or those whose districts all lie in ``group`` (``partnerships.in_group``), then ``<quarter>/index.html``
    linking them with their headlines."""
    from ..inputs.partnerships import in_group, load_partnerships

    configured = load_partnerships(partnerships)
    chosen = in_group(group, partnerships) if group else list(configured)
    default = choose(None, configured, partnerships).id
    ids = list(dict.fromkeys(pid for pid in (default, *configured) if pid in chosen))  # the default first, once
    return build_packs(ids, quarter, police_uk, None, out, local, force, strict, index=True, partnerships=partnerships)


def pack_folder(out_root: Path, label: str, partnership_id: str, default_id: str) -> Path:
    """``<out>/<quarter>/`` for the default partnership, ``<out>/<quarter>/<id>/`` for the others."""
    return out_root / label if partnership_id == default_id else out_root / label / partnership_id


def build_packs(
    partnership_ids: Sequence[str | None],
    quarter: str | None = None,
    police_uk: Path | None = None,
    params_file: Path | None = None,
    out: Path | None = None,
    local: Path | None = None,
    force: bool = False,
    strict: bool = False,
    index: bool = False,
    partnerships: Path | None = None,
) -> list[BuildResult]:
    """Build each partnership's pack (None: the default) from one reading of the inputs, in the same warm
    kernels; ``index``: also write ``<quarter>/index.html``. The pack of ``partnership`` in
    params/defaults.yaml goes in ``<out>/<quarter>/``, every other in ``<out>/<quarter>/<id>/``."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    default_id = default_partnership()
    ids = [pid or choose(None, path=partnerships).id for pid in partnership_ids]
    inputs = input_key(quarter, police_uk, params_file, local, _inputs_of_code(), partnerships)  # every params file
    keys = {pid: hashlib.sha256(f"{inputs} {pid}".encode()).hexdigest() for pid in ids}
    out_root = Path(out or config.OUTPUTS).resolve()
    if not force and not index:  # the index lists the packs of its run: it is written by a build
        unchanged = _unchanged(keys, out_root, default_id, strict, started)
        if unchanged is not None:
            return unchanged
    from .kernels import Kernels  # nbclient and Papermill: only when something may be built

    kernels = Kernels(KERNELS if (os.cpu_count() or 1) > 1 else 1)
    try:
        with interrupts.deferred(), build_log.recording() as record:
            results = _build_packs(
                ids,
                keys,
                default_id,
                quarter,
                police_uk,
                params_file,
                out_root,
                local,
                force,
                kernels,
                timings,
                started,
                strict,
                index,
                partnerships,
                record,
            )
            if interrupts.noted():  # after the last check, which comes just before the swap
                raise Interrupted("interrupted after the new outputs were swapped in whole: they are this build's")
    finally:
        kernels.close()
    return results


def _unchanged(
    keys: dict[str, str], out_root: Path, default_id: str, strict: bool, started: float
) -> list[BuildResult] | None:
    """Every pack as it stands, with the warnings its build gave, if each was built from its inputs' ``keys`` and
    holds every output this machine can make now (``_up_to_date``); None when one must be built. Reads only the
    cache's summaries and the packs' stamps: nothing of pandas, Papermill or the results is loaded."""
    summaries = []
    for key in keys.values():
        summary = load_summary(key)
        if summary is None:
            return None
        summaries.append(summary)
    label = summaries[0][0]
    built: list[BuildResult] = []
    with _lock(out_root, label):
        for (pid, key), (quarter, warnings) in zip(keys.items(), summaries):
            current = _up_to_date(pack_folder(out_root, label, pid, default_id), key)
            if current is None or quarter != label or (strict and warnings["commentary"]):
                return None  # to be built, or stopped by --strict as a build would be
            current.warnings = [*warnings["contact"], *warnings["commentary"]]
            built.append(current)
    for current in built:
        log.info(
            "%s: outputs are up to date (nothing changed); use --force to rebuild", _name(current.folder, out_root)
        )
    built[0].warnings = [*summaries[0][1]["data"], *built[0].warnings]  # the files every pack read: once
    took = time.perf_counter() - started
    log.debug("%s: seconds taken: check %.2f, total %.2f", label, took, took)
    for current in built:
        current.timings = {"check": took, "total": took}
    return built


def _build_packs(
    ids: list[str],
    keys: dict[str, str],
    default_id: str,
    quarter: str | None,
    police_uk: Path | None,
    params_file: Path | None,
    out_root: Path,
    local: Path | None,
    force: bool,
    kernels: Kernels,
    timings: dict[str, float],
    started: float,
    strict: bool,
    index: bool,
    partnerships: Path | None,
    record: build_log.BuildLog,
) -> list[BuildResult]:
    if force or not all(cached_results_path(key).exists() for key in keys.values()):
        kernels.start()  # the notebooks will run: the kernels boot during the imports and computation
    packs = compute_cached(
        keys, quarter, police_uk=police_uk, params_file=params_file, local=local, partnerships=partnerships
    )
    timings["compute"] = time.perf_counter() - started
    warnings = {pid: _review_commentary(packs[pid], strict) for pid in ids}  # --strict stops before anything is written
    from ..presentation.paper import missing_contact

    contact = {pid: [line] if (line := missing_contact(packs[pid])) else [] for pid in ids}  # not a commentary note
    label = packs[ids[0]].quarter.label
    for pid in ids:
        save_summary(
            keys[pid], label, {"data": packs[pid].data_warnings, "contact": contact[pid], "commentary": warnings[pid]}
        )
    built: dict[str, BuildResult] = {}
    printer = None
    staged: list[tuple[Path, Path, bool]] = []  # (staging, target, is the default pack), swapped in together
    try:
        with _lock(out_root, label), ThreadPoolExecutor(max_workers=1) as writer:
            drafted: list[Future[Papers]] = []  # each pack's outputs made from its results alone, in the writer's queue
            finished: list[Future[None]] = []  # and what is made once its notebooks have run (``_finish``)
            try:
                for pid in ids:
                    interrupts.check()
                    results, key = packs[pid], keys[pid]
                    target = pack_folder(out_root, label, pid, default_id)
                    current = None if force else _up_to_date(target, key)
                    if current is not None:
                        log.info(
                            "%s: outputs are up to date (nothing changed); use --force to rebuild",
                            _name(target, out_root),
                        )
                        current.warnings = [*contact[pid], *warnings[pid]]
                        built[pid] = current
                        continue
                    if printer is None:
                        printer = _printer()
                    kernels.start()  # a no-op when running: the outputs were cached but a pack must be rebuilt
                    if not staged:
                        build_log.inputs_read(packs[ids[0]])  # every pack read the same files
                    staging = _staging(out_root, target)
                    staged.append((staging, target, pid == default_id))
                    pack_timings = {"compute": timings["compute"]}
                    papers = writer.submit(write_tables_and_papers, results, staging, pack_timings)
                    drafted.append(papers)
                    _run_notebooks(results, key, staging, target, pack_timings, kernels)
                    _raise_failed(drafted)
                    _raise_failed(finished)
                    if len(finished) >= PACKS_BEHIND:  # the writer is at most PACKS_BEHIND packs behind the kernels
                        interrupts.wait([finished[-PACKS_BEHIND]])
                        finished[-PACKS_BEHIND].result()
                    finishing = writer.submit(
                        _finish, results, staging, key, pack_timings, printer, warnings[pid], papers
                    )
                    finished.append(finishing)
                    built[pid] = BuildResult(target, timings=pack_timings, warnings=[*contact[pid], *warnings[pid]])
                interrupts.wait(finished)
                for finishing in finished:
                    finishing.result()
            finally:
                threading.Thread(target=kernels.close).start()  # shut down while the last outputs are written
                _cancel_and_wait(drafted, finished)  # after a failure or an interrupt; the printer is closed next
                if isinstance(printer, browser.Printer):
                    printer.close()
            if staged:  # build.log goes in each staged pack, swapped in with its outputs
                if not isinstance(printer, browser.Printer):
                    build_log.skipped("report.pdf", printer)
                build_log.finished(label, len(staged), time.perf_counter() - started)
                record.copy_into(staging for staging, _, _ in staged)
            interrupts.check()  # the last point to stop with no pack swapped in: a signal from here on is acted on
            _swap_in_all(staged)  # once every pack is swapped in (``build_packs``)
            if index:
                from ..presentation.index import write_index

                write_index(
                    out_root / label, [(packs[pid], pack_folder(out_root, label, pid, default_id)) for pid in ids]
                )
    except BaseException:  # a failure or an interrupt before the swap: no pack is swapped in, no staging is left
        for staging, _, _ in staged:
            shutil.rmtree(staging, ignore_errors=True)
        raise
    built[ids[0]].warnings = [*packs[ids[0]].data_warnings, *built[ids[0]].warnings]  # the files every pack read: once
    built[ids[0]].index = out_root / label / "index.html" if index else None
    timings["total"] = time.perf_counter() - started
    log.debug("%s: seconds taken: %s", label, ", ".join(f"{step} {s:.2f}" for step, s in timings.items()))
    for result in built.values():
        result.timings["total"] = timings["total"]
        if not result.up_to_date and not isinstance(printer, browser.Printer):
            result.skipped.append(f"report.pdf ({printer})")
    return [built[pid] for pid in ids]


def _staging(out_root: Path, target: Path) -> Path:
    """A fresh staging folder for ``target``, beside the quarter's folder (another pack's swap never moves it);
    left-overs of a killed build (under the lock none is live) are removed, and an old copy once a target
    replaced it."""
    name = str(target.relative_to(out_root)).replace(os.sep, "-")
    stale = [
        *out_root.glob(f".{name}.building-*"),
        *(target.parent.glob(f".{target.name}.old-*") if target.exists() else []),
    ]
    for folder in stale:
        shutil.rmtree(folder, ignore_errors=True)
    staging = out_root / f".{name}.building-{os.getpid()}"
    (staging / "notebooks").mkdir(parents=True)
    return staging


def _finish(
    results: Results,
    staging: Path,
    key: str,
    timings: dict[str, float],
    printer: browser.Printer | ToolMissing,
    warnings: list[str],
    papers: Future[Papers],
) -> None:
    """Once the pack's notebooks have run: report.html, report.pdf, the check of every document against
    indicators.csv and the review note, written into ``staging`` after ``papers`` (``write_tables_and_papers``)."""
    from ..presentation.commentary import review_note

    _write_report(results, staging, timings, printer if isinstance(printer, browser.Printer) else None, papers.result())
    note = review_note(results.quarter, warnings, str(results.settings.sources[-1]))  # the pack's quarter params file
    (staging / "review-notes.md").write_text(note, encoding="utf-8")
    (staging / ".build-key").write_text(key)
    build_log.outputs_written(results, staging, timings)
    log.debug("%s: seconds taken: %s", results.partnership.name, ", ".join(f"{k} {v:.2f}" for k, v in timings.items()))


def _cancel_and_wait(*queues: Sequence[Future[Papers]] | Sequence[Future[None]]) -> None:
    """Cancel the outputs not started yet and wait for the one being written."""
    for queue in queues:
        for queued in queue:
            queued.cancel()
    for queue in queues:
        for queued in queue:
            if not queued.cancelled():
                queued.exception()  # waits; an error is raised where the outputs are waited for


def _raise_failed(futures: Sequence[Future[Papers]] | Sequence[Future[None]]) -> None:
    """The error of the first of ``futures`` that failed already, if one did."""
    for future in futures:
        if future.done() and not future.cancelled():
            future.result()


def _other_packs(target: Path) -> list[str]:
    """The sub-folders of other partnerships' packs inside the default pack's folder, kept when it is replaced."""
    return [p.name for p in target.glob("*") if p.is_dir() and (p / ".build-key").exists()] if target.is_dir() else []


def _name(folder: Path, out_root: Path) -> str:
    return str(folder.relative_to(out_root))


def _printer() -> browser.Printer | ToolMissing:
    """What prints the run's PDFs (Chromium, one command a PDF), or why there is none."""
    try:
        return browser.Printer()
    except ToolMissing as missing:
        return missing


def _up_to_date(folder: Path, key: str) -> BuildResult | None:
    """``folder`` as it stands if it was built from these inputs (``key``) and holds every output
    this machine can make now; None when it must be built.

    Which tools are installed is not part of the key: a build without Chromium skips report.pdf,
    and its absence is the record. Once Chromium is found, the next build makes it; while
    Chromium is still missing, the folder stays up to date and the result says again what to
    install. Removing Chromium later never forces a rebuild.
    """
    stamp = folder / ".build-key"
    if not stamp.is_file() or stamp.read_text() != key:
        return None
    skipped = []
    if not (folder / "report.pdf").exists():
        try:
            browser.require_chromium()
            return None  # Chromium is here now: print the PDF the last build had to skip
        except ToolMissing as missing:
            skipped.append(f"report.pdf ({missing})")
    return BuildResult(folder, skipped=skipped, up_to_date=True)


def _review_commentary(results: Results, strict: bool) -> list[str]:
    """Warnings about the analyst's commentary; with ``strict``, a BuildError before anything is written."""
    from ..presentation.commentary import check_commentary

    warnings = check_commentary(
        results.settings.commentary,
        results.table,
        results.partnership.total.name,
        results.quarter,
        {i: c.target for i, c in results.catalogue.items() if c.target},
    )
    if strict and warnings:
        count = "1 figure that disagrees" if len(warnings) == 1 else f"{len(warnings)} figures that disagree"
        raise BuildError(
            f"the analyst's commentary quotes {count} with indicators.csv (--strict): "
            f"{'; '.join(warnings[:3])}{'; …' if len(warnings) > 3 else ''}"
        )
    return warnings


def _run_notebooks(
    results: Results, key: str, staging: Path, target: Path, timings: dict[str, float], kernels: Kernels
) -> None:
    """Run the section notebooks in the kernels, on the results saved in the cache under ``key`` (linked beside
    them, so that the executed notebooks keep what they read)."""
    label = results.quarter.label
    bundle = staging / "notebooks" / "results"
    link_results(key, bundle)
    step = time.perf_counter()
    log.info("%s, %s: running %d section notebooks", label, results.partnership.name, len(SECTION_NOTEBOOKS))
    parameters = {"quarter": label, "results_path": bundle.name}
    # Threads are enough: the work runs in the kernels, which are processes of their own.
    warm = kernels.running()
    groups = kernel_groups(config.REPORT_SECTIONS, len(warm))
    with ThreadPoolExecutor(max_workers=len(groups)) as pool:
        runs = [
            pool.submit(
                kernels.run, kernel, [config.NOTEBOOKS / f"{n}.ipynb" for n in names], staging / "notebooks", parameters
            )
            for names, kernel in zip(groups, warm)
        ]
        interrupts.wait(runs)  # on a signal, each kernel stops after its notebook in hand
    failures = [failure for run in runs if (failure := run.result())]
    if failures:
        name = failures[0].split()[2]
        executed = staging / "notebooks" / name
        if executed.exists():
            (target / "failed").mkdir(parents=True, exist_ok=True)
            shutil.copy2(executed, target / "failed" / name)
            failures[0] += f" (executed notebook kept in {target / 'failed' / name})"
        raise BuildError(failures[0])
    timings["notebooks"] = time.perf_counter() - step


@dataclass(frozen=True)
class Papers:
    """The board paper as ``check_consistency`` reads it: its documents' texts and the commentary they quote."""

    markdown: str  # board-paper.md
    word: str  # board-paper.docx's text
    commentary: tuple[str, ...]  # its commentary paragraphs (``commentary_texts``)


def write_tables_and_papers(results: Results, staging: Path, timings: dict[str, float]) -> Papers:
    """The outputs made from the results alone, written while the pack's notebooks run: the CSVs, the board
    paper (Markdown, HTML, Word) and dashboard.xlsx."""
    from ..inputs.params import paper_template
    from ..presentation.excel import write_csv, write_dashboard, write_neighbourhoods_csv
    from ..presentation.paper import blocks_markdown, commentary_texts, paper_blocks, paper_html
    from ..presentation.series import write_series_csv
    from ..presentation.word import docx_text, word_paper

    log.debug("%s: writing the outputs", results.partnership.name)
    step = time.perf_counter()
    write_csv(results.table, staging / "indicators.csv")
    write_neighbourhoods_csv(results.neighbourhoods, staging / "neighbourhoods.csv")
    write_series_csv(results, staging / "series.csv")
    blocks = paper_blocks(results)
    paper, paper_title = blocks_markdown(blocks), f"Safer Communities Performance {results.quarter.title} Report"
    (staging / "board-paper.md").write_text(paper, encoding="utf-8")
    (staging / "board-paper.html").write_text(paper_html(paper, paper_title), encoding="utf-8")
    docx = word_paper(blocks, paper_title, results.quarter, paper_template(results.settings.paper_template))
    (staging / "board-paper.docx").write_bytes(docx)
    timings["csv_paper"] = time.perf_counter() - step

    step = time.perf_counter()
    write_dashboard(results, staging / "dashboard.xlsx")
    timings["excel"] = time.perf_counter() - step
    return Papers(paper, docx_text(docx), commentary_texts(blocks))


def _write_report(
    results: Results, staging: Path, timings: dict[str, float], printer: browser.Printer | None, papers: Papers
) -> None:
    """report.html stitched from the executed notebooks, then report.pdf (printed in the background) while every
    document is checked against indicators.csv."""
    import pandas as pd

    from ..presentation.narrative import long_date
    from ..presentation.paper import check_consistency
    from ..presentation.report import export_html, stitch

    step = time.perf_counter()
    now = dt.datetime.now().astimezone()
    build_info = {
        "built_at": f"{long_date(now)} {now:%H:%M %Z}",
        "code_version": code_version(),
        "packages": package_versions(),
    }
    book = stitch(results, [staging / "notebooks" / f"{n}.ipynb" for n in SECTION_NOTEBOOKS], build_info)
    title = f"{results.partnership.name} Safer Communities Performance Report, {results.quarter.title}"
    report = export_html(book, title)
    (staging / "report.html").write_text(report, encoding="utf-8")
    timings["html"] = time.perf_counter() - step

    with ThreadPoolExecutor(max_workers=1) as background:
        pdf = background.submit(printer.print_pdf, staging / "report.html", staging / "report.pdf") if printer else None
        step = time.perf_counter()
        check_consistency(
            pd.read_csv(staging / "indicators.csv"),
            results.partnership.total.name,
            {"board-paper.md": papers.markdown, "report.html": report, "board-paper.docx": papers.word},
            results.quarter,
            papers.commentary,
        )
        timings["check"] = time.perf_counter() - step

        step = time.perf_counter()
        if pdf:
            pdf.result()
        timings["pdf_wait"] = time.perf_counter() - step
