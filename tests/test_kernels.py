"""helpers.pipeline.kernels: warm kernels that run several notebooks each, through nbclient."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from jupyter_client.manager import KernelManager

from helpers import config
from helpers.pipeline import kernels


def notebook(folder: Path, name: str, *sources: str) -> Path:
    """A tiny notebook with a Papermill ``parameters`` cell first."""
    book = nbformat.v4.new_notebook()
    book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    first = nbformat.v4.new_code_cell("value = 0")
    first.metadata["tags"] = ["parameters"]
    book.cells = [first, *(nbformat.v4.new_code_cell(s) for s in sources)]
    path = folder / name
    nbformat.write(book, path)
    return path


@pytest.fixture(scope="module")
def warm():
    pool = kernels.Kernels(1)
    pool.start()
    [kernel] = pool.running()
    yield pool, kernel
    pool.close()


def test_one_kernel_runs_notebooks_in_turn_in_the_output_folder(warm, tmp_path):
    pool, kernel = warm
    sources, out = tmp_path / "src", tmp_path / "out"
    sources.mkdir(), out.mkdir()
    first = notebook(
        sources, "a.ipynb", "import os, sys\nprint(os.getcwd(), value, 'helpers.presentation.render' in sys.modules)"
    )
    second = notebook(sources, "b.ipynb", "from helpers import config\nprint(value * 2, config.CACHE, config.OUTPUTS)")
    assert pool.run(kernel, [first, second], out, {"value": 21}) is None
    a, b = (nbformat.read(out / n, as_version=4) for n in ("a.ipynb", "b.ipynb"))
    # cwd, parameter and warm-up import
    assert a.cells[-1].outputs[0]["text"].split() == [str(out), "21", "True"]
    # the kernel's cache and outputs are the test session's private ones, as the build's are
    assert b.cells[-1].outputs[0]["text"].split() == ["42", str(config.CACHE), str(config.OUTPUTS)]


def test_the_kernels_keep_their_pictures_in_the_builds_cache(tmp_path, monkeypatch):
    """A build pointed at another cache in its own process (as the benchmark's cold builds are) starts kernels
    that use it too, not the environment's: a cold build draws its charts afresh."""
    monkeypatch.setattr(config, "CACHE", tmp_path / "cache")
    book = notebook(tmp_path, "c.ipynb", "from helpers import config\nprint(config.CACHE)")
    pool = kernels.Kernels(1)
    try:
        [kernel] = pool.running()
        assert pool.run(kernel, [book], tmp_path, {}) is None
    finally:
        pool.close()
    assert nbformat.read(tmp_path / "c.ipynb", as_version=4).cells[-1].outputs[0]["text"].strip() == str(
        tmp_path / "cache"
    )


def test_a_failing_cell_is_named_in_one_line(warm, tmp_path):
    pool, kernel = warm
    bad = notebook(tmp_path, "bad.ipynb", "x = 1", "x / 0", "print('never')")
    out = tmp_path / "out"
    out.mkdir()
    message = pool.run(kernel, [bad], out, {})
    assert message == "section notebook bad.ipynb failed at cell 3 (x / 0): ZeroDivisionError: division by zero"
    assert (out / "bad.ipynb").exists()  # the executed copy, with the traceback, is kept


def test_close_stops_the_kernels_and_can_be_called_again():
    pool = kernels.Kernels(1)
    pool.start()
    [kernel] = pool.running()
    pool.close()
    assert not kernel.is_alive()
    pool.close()


def test_a_kernels_notebooks_share_one_client_that_is_stopped_after_them(warm, tmp_path, monkeypatch):
    # nbclient does not stop the client of a kernel manager it is given: the one client of a run (connecting costs
    # a kernel about 0.2 s) is stopped after its last notebook, so no ZeroMQ context or socket is left behind
    # however many notebooks a kernel runs.
    pool, kernel = warm
    made = []
    make = KernelManager.client

    def recording(manager, **kwargs):
        made.append(make(manager, **kwargs))
        return made[-1]

    out = tmp_path / "out"
    out.mkdir()
    assert pool.run(kernel, [notebook(tmp_path, "first.ipynb", "value + 1")], out, {"value": 1}) is None
    descriptors = len(os.listdir("/proc/self/fd"))
    monkeypatch.setattr(KernelManager, "client", recording)
    books = [notebook(tmp_path, f"{n}.ipynb", "value + 1") for n in ("a", "b", "c")]
    assert pool.run(kernel, books, out, {"value": 1}) is None
    assert len(made) == 1 and not made[0].channels_running
    assert len(os.listdir("/proc/self/fd")) == descriptors
