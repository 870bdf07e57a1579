"""``pipeline.interrupts``: signals noted, not raised, while a build runs; and fault injection: a real build,
interrupted by SIGINT or SIGTERM at several points, leaves the previous outputs byte for byte as they were,
removes its staging folders and says so truly in one line."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import threading
from concurrent.futures import Future
from pathlib import Path

import pytest

import board
from helpers.errors import Interrupted
from helpers.pipeline import browser, interrupts

QUARTER = "2022-23-Q2"


@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_while_deferred_is_noted_and_raised_only_at_a_check(number):
    before = signal.getsignal(number)
    with interrupts.deferred():
        assert not interrupts.noted()
        interrupts.check()  # nothing came: goes on
        os.kill(os.getpid(), number)  # the handler runs at once, in this (the main) thread, and must not raise
        assert interrupts.noted()
        with pytest.raises(Interrupted):
            interrupts.check()
    assert signal.getsignal(number) == before


def test_a_new_deferral_forgets_the_signal_of_the_last():
    with interrupts.deferred():
        os.kill(os.getpid(), signal.SIGINT)
    with interrupts.deferred():
        assert not interrupts.noted()


def test_wait_returns_when_the_futures_are_done_and_stops_on_a_signal():
    done: Future[int] = Future()
    threading.Timer(0.3, done.set_result, [1]).start()
    with interrupts.deferred():
        interrupts.wait([done])
        assert done.result() == 1
        never: Future[int] = Future()
        threading.Timer(0.3, os.kill, [os.getpid(), signal.SIGTERM]).start()
        with pytest.raises(Interrupted):
            interrupts.wait([never])  # would wait for ever without the signal


def test_a_signal_stops_a_blocking_wait_for_a_lock_at_once(tmp_path):
    lock = tmp_path / "lock"
    with open(lock, "w") as held, open(lock) as waiting:
        fcntl.flock(held, fcntl.LOCK_EX)
        with interrupts.deferred():
            threading.Timer(0.3, os.kill, [os.getpid(), signal.SIGINT]).start()
            with pytest.raises(Interrupted), interrupts.at_once():
                fcntl.flock(waiting, fcntl.LOCK_EX)  # would wait for ever without the signal
            assert interrupts.noted()
            with pytest.raises(Interrupted), interrupts.at_once():  # a signal that came before: not waited
                pytest.fail("the block ran")


def snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def build_command(out: Path) -> list[str]:
    return [
        *(sys.executable, "-m", "helpers.cli", "--debug", "build", "--quarter", QUARTER, "--force", "--out", str(out)),
        *("--partnerships", str(board.PARTNERSHIPS_FILE)),
    ]


@pytest.fixture(scope="module")
def previous(tmp_path_factory) -> Path:
    """A whole previous build (no PDF: the interrupt points are the same with it)."""
    out = tmp_path_factory.mktemp("previous")
    done = subprocess.run(build_command(out), capture_output=True, text=True, timeout=600, env=_env(out))
    assert done.returncode == 0, done.stderr
    return out


def _env(where: Path, cache: Path | None = None) -> dict:
    env = {**os.environ, browser.CHROMIUM_ENV: str(where / "no-chromium")}
    if cache:
        env["SAFER_REPORT_CACHE"] = str(cache)
    return env


def interrupted_build(out: Path, number: int, after: str, cache: Path | None = None) -> tuple[int, str]:
    """Run a build into ``out`` and send it signal ``number`` when a line containing ``after`` appears on its
    stderr; its exit code and stderr. A build that does not end within 300 s is killed and fails the test."""
    process = subprocess.Popen(
        build_command(out), stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=_env(out, cache)
    )
    lines: list[str] = []

    def read() -> None:
        signalled = False
        for line in process.stderr:
            lines.append(line)
            if not signalled and after in line and process.poll() is None:
                process.send_signal(number)
                signalled = True

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        code = process.wait(timeout=300)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail(f"the build did not end within 300 s of starting:\n{''.join(lines)[-2000:]}")
    reader.join(timeout=10)
    return code, "".join(lines)


POINTS = {
    "SIGINT while reading and computing": (signal.SIGINT, "reading the inputs and computing", True),
    "SIGTERM as the notebooks start": (signal.SIGTERM, "running 6 section notebooks", False),
    "SIGINT while the outputs are written": (signal.SIGINT, "writing the outputs", False),
    "SIGTERM once the outputs are written, before the swap": (signal.SIGTERM, "seconds taken: compute", False),
}


@pytest.mark.parametrize("case", list(POINTS))
def test_an_interrupted_build_leaves_the_previous_outputs_as_they_were(case, previous, tmp_path):
    number, after, cold = POINTS[case]
    out = tmp_path / "out"
    shutil.copytree(previous, out, symlinks=True)
    before = snapshot(out / QUARTER)
    code, stderr = interrupted_build(out, number, after, cache=tmp_path / "cache" if cold else None)
    last = stderr.strip().splitlines()[-1]
    assert code == 130, stderr[-2000:]
    assert "Traceback" not in stderr
    assert not [p.name for p in out.iterdir() if ".building-" in p.name or ".old-" in p.name]
    if "swapped in whole" in last:  # the signal came during the swap, which was finished: a whole new build
        assert {"report.html", "dashboard.xlsx", "indicators.csv", ".build-key"} <= set(snapshot(out / QUARTER))
    else:
        assert last == "safer-report: interrupted; previous outputs are unchanged"
        assert snapshot(out / QUARTER) == before
