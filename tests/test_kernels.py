"""helpers.pipeline.kernels: warm kernels that run several notebooks each, keeping one client.

``WarmKernel`` and ``LastingClient`` override jupyter_client methods and rely on how Papermill
(through nbclient) uses a kernel manager it is given; the last tests pin that, and the versions.
"""

from __future__ import annotations

import inspect
from importlib import metadata
from pathlib import Path

import nbformat
import pytest
from jupyter_client.blocking import BlockingKernelClient
from jupyter_client.client import KernelClient
from jupyter_client.manager import KernelManager
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version
from traitlets import DottedObjectName

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
    [kernel] = pool.ready()
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
    client = kernel.client()
    assert pool.run(kernel, [first, second], out, {"value": 21}) is None
    a, b = (nbformat.read(out / n, as_version=4) for n in ("a.ipynb", "b.ipynb"))
    # cwd, parameter and warm-up import
    assert a.cells[-1].outputs[0]["text"].split() == [str(out), "21", "True"]
    # the kernel's cache and outputs are the test session's private ones, as the build's are
    assert b.cells[-1].outputs[0]["text"].split() == ["42", str(config.CACHE), str(config.OUTPUTS)]
    assert kernel.client() is client and client.channels_running  # one client, kept for every notebook


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
    [kernel] = pool.ready()
    pool.close()
    assert not kernel.is_alive()
    pool.close()


# --- what the kernel subclasses rely on ---------------------------------------------

RELIED_ON = ("jupyter_client", "nbclient", "papermill")


@pytest.mark.parametrize("name", RELIED_ON)
def test_installed_version_is_within_the_range_pyproject_declares(name):
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    declared = [
        Requirement(line)
        for line in tomllib.loads((config.ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    ]
    [requirement] = [r for r in declared if canonicalize_name(r.name) == canonicalize_name(name)]
    assert any(spec.operator in ("<", "<=", "~=") for spec in requirement.specifier), f"{name}: no upper bound"
    assert Version(metadata.version(name)) in requirement.specifier


def test_the_jupyter_client_api_the_subclasses_override_is_unchanged():
    assert list(inspect.signature(BlockingKernelClient.start_channels).parameters) == [
        "self",
        "shell",
        "iopub",
        "stdin",
        "hb",
        "control",
    ]
    assert list(inspect.signature(KernelClient._async_wait_for_ready).parameters) == ["self", "timeout"]
    assert isinstance(KernelClient.channels_running, property)
    assert list(inspect.signature(KernelManager.client).parameters) == ["self", "kwargs"]
    assert isinstance(KernelManager.class_traits()["client_class"], DottedObjectName)
    assert isinstance(kernels.WarmKernel(kernel_name="python3").client(), kernels.LastingClient)


def test_papermill_asks_a_given_kernel_for_its_client_per_notebook_and_leaves_it_connected(warm, tmp_path, monkeypatch):
    # Papermill (nbclient) calls km.client(), start_channels() and wait_for_ready() for every
    # notebook, and does not stop a given kernel manager's client: so the one kept client
    # connects and waits once, and the second notebook costs no reconnection.
    pool, kernel = warm
    calls = {"client": 0, "start_channels": 0, "wait_for_ready": 0}

    def counting(owner, name):
        original = getattr(owner, name)

        def count(*args, **kwargs):
            calls[name] += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(owner, name, count)

    counting(kernels.WarmKernel, "client")
    counting(BlockingKernelClient, "start_channels")
    counting(BlockingKernelClient, "wait_for_ready")
    books = [notebook(tmp_path, f"{n}.ipynb", "value + 1") for n in ("a", "b")]
    out = tmp_path / "out"
    out.mkdir()
    assert pool.run(kernel, books, out, {"value": 1}) is None
    assert calls["client"] == 3  # once to change folder, then by Papermill for each notebook
    assert calls["start_channels"] == calls["wait_for_ready"] == 0  # the kept client was ready already
    assert kernel.client().channels_running
