"""Warm Jupyter kernels that run the section notebooks.

A kernel costs about a second to start and import pandas and matplotlib, so the build
launches its kernels before it computes the indicators (they boot meanwhile, importing
the helpers as they start) and runs several notebooks in each. The notebooks are written
to be independent: each sets everything it uses.

Only public APIs: jupyter_client's ``KernelManager`` starts each kernel, Papermill's
``load_notebook_node``, ``parameterize_notebook`` and ``prepare_notebook_metadata`` inject the
parameters as ``papermill.execute_notebook`` does, and nbclient's ``NotebookClient(nb, km=kernel)`` runs
a notebook in a kernel it is given. nbclient leaves that kernel running and its client
connected (each client holds its own ZeroMQ context): one client runs a kernel's share of
a pack's notebooks, ``execute`` after ``execute``, and is stopped here after the last.
Connecting costs a kernel about 0.2 s (jupyter_client waits that long for quiet on the
broadcast channel), so once per share rather than once per notebook.
"""

from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path

import nbformat
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from papermill.execute import prepare_notebook_metadata
from papermill.iorw import load_notebook_node
from papermill.parameterize import parameterize_notebook

from .. import config
from . import interrupts

WARM_UP = "import helpers.analysis.bundle, helpers.presentation.render"
INJECTED = "injected-parameters"  # the tag of the cell that parameterize_notebook inserts


class Kernels:
    """``count`` Python kernels: ``start`` them early, ``run`` notebooks in them, ``close`` them."""

    def __init__(self, count: int) -> None:
        self.count = count
        self._kernels: list[KernelManager] = []
        self._lock = threading.Lock()

    def start(self) -> None:
        """Launch the kernel processes (once); this returns at once and they boot by themselves."""
        if self._kernels:
            return
        for _ in range(self.count):
            kernel = KernelManager(kernel_name="python3")
            # The kernel's own start-up chatter (a TCP warning) is not for the analyst; cell errors
            # come back through the messaging protocol and are reported by nbclient.
            # No IPython history database: the executed notebooks are the record, and it saves
            # each kernel opening (and both contending for) one SQLite file.
            # The notebooks keep their pictures in the build's cache, wherever the build was told it is.
            kernel.start_kernel(
                env={**os.environ, "SAFER_REPORT_CACHE": str(config.CACHE)},
                stderr=subprocess.DEVNULL,
                extra_arguments=[f"--IPKernelApp.exec_lines={[WARM_UP]!r}", "--HistoryManager.enabled=False"],
            )
            self._kernels.append(kernel)

    def running(self) -> list[KernelManager]:
        """The kernels, started if they were not (``run`` waits for each to answer)."""
        self.start()
        return list(self._kernels)

    def run(self, kernel: KernelManager, sources: list[Path], folder: Path, parameters: dict[str, str]) -> str | None:
        """Run notebooks one after another in ``kernel`` (one of ``ready``'s), written into ``folder`` with the
        same names, working in ``folder``; None, or a one-line failure naming the notebook and cell. Once the build
        has noted a signal (``interrupts``), the notebooks not begun are left unrun: the build stops."""
        # One nbclient client for the call: it connects once (waiting for the warm-up imports), runs a one-cell
        # notebook that moves the kernel to ``folder``, then each notebook in turn (``execute`` keeps its kernel
        # client between notebooks unless told to reset it), and is stopped at the end: a client left connected
        # would collect every notebook's broadcast messages until its queue were full.
        move = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f"import os; os.chdir({str(folder)!r})")])
        notebook = NotebookClient(move, km=kernel, startup_timeout=120)
        try:
            notebook.execute()
            for source in sources:
                if interrupts.noted():  # the build stops: the notebooks left are not run
                    return None
                output = folder / source.name
                book = parameterize_notebook(load_notebook_node(str(source)), parameters)
                notebook.nb = prepare_notebook_metadata(book, str(source), str(output))
                try:
                    notebook.execute()
                except Exception as error:  # a failing cell (CellExecutionError), a dead kernel: one line
                    return failure_message(source.name, error, notebook.nb)
                finally:
                    nbformat.write(notebook.nb, output)  # the executed copy, with a failing cell's traceback
        finally:
            if notebook.kc is not None:
                notebook.kc.stop_channels()
        return None

    def close(self) -> None:
        """Shut every kernel down (each run's client is stopped already); safe to call again, from any
        thread."""
        with self._lock:
            kernels, self._kernels = self._kernels, []
        for kernel in kernels:
            try:
                kernel.shutdown_kernel(now=True)
            except Exception:  # already gone
                pass


def failure_message(name: str, error: Exception, executed: nbformat.NotebookNode) -> str:
    """'section notebook 01_reduce_crime.ipynb failed at cell 4 (...): KeyError: ...'."""
    cell = "an unknown cell"
    own = [c for c in executed.cells if INJECTED not in c.metadata.get("tags", [])]
    for number, c in enumerate(own, start=1):
        if any(o.get("output_type") == "error" for o in c.get("outputs", [])):
            first = c.source.strip().splitlines()[0][:60] if c.source.strip() else "empty"
            cell = f"cell {number} ({first})"
            break
    detail = f"{getattr(error, 'ename', type(error).__name__)}: {getattr(error, 'evalue', error)}"
    return f"section notebook {name} failed at {cell}: {detail}"
