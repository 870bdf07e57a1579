"""helpers.build.kernels: warm kernels that run several notebooks each, keeping one client."""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from helpers import config
from helpers.build import kernels


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
    first = notebook(sources, "a.ipynb", "import os, sys\nprint(os.getcwd(), value, 'helpers.presentation.render' in sys.modules, "
                                         "sys.modules.get('rfc3987_syntax', 'absent'))")
    second = notebook(sources, "b.ipynb", "from helpers import config\nprint(value * 2, config.CACHE, config.OUTPUTS)")
    client = kernel.client()
    assert pool.run(kernel, [first, second], out, {"value": 21}) is None
    a, b = (nbformat.read(out / n, as_version=4) for n in ("a.ipynb", "b.ipynb"))
    # cwd, parameter, warm-up import, and jsonschema's slow optional import skipped as in the command
    assert a.cells[-1].outputs[0]["text"].split() == [str(out), "21", "True", "None"]
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
