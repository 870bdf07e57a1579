"""Warm Jupyter kernels that run the section notebooks through Papermill.

A kernel costs about a second to start and import pandas and matplotlib, so the build
launches its kernels before it computes the indicators (they boot meanwhile, importing
the helpers as they start) and runs several notebooks in each. The notebooks are written
to be independent: each sets everything it uses.

Each kernel keeps one client for its whole life, ready once. Papermill would otherwise
connect and wait for the kernel again for every notebook (jupyter_client's
``wait_for_ready``, about 0.2 s each time).
"""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

from jupyter_client.blocking import BlockingKernelClient
from jupyter_client.manager import KernelManager
from traitlets import DottedObjectName

WARM_UP = "import helpers.analysis.bundle, helpers.presentation.render"
ADDED_CELLS = {"injected-parameters", "papermill-error-cell-tag"}  # cells Papermill inserts


class LastingClient(BlockingKernelClient):
    """A client that connects and waits for the kernel once: doing either again does nothing."""

    _ready = False

    def start_channels(self, *args, **kwargs):
        if not self.channels_running:
            super().start_channels(*args, **kwargs)

    def wait_for_ready(self, timeout=None):
        if not self._ready:
            super().wait_for_ready(timeout=timeout)
            self._ready = True


class WarmKernel(KernelManager):
    """A kernel manager that hands out the same connected client every time."""

    client_class = DottedObjectName("helpers.pipeline.kernels.LastingClient")
    _lasting = None

    def client(self, **kwargs):
        if self._lasting is None:
            self._lasting = super().client(**kwargs)
        return self._lasting


class Kernels:
    """``count`` Python kernels: ``start`` them early, ``run`` notebooks in them, ``close`` them."""

    def __init__(self, count: int):
        self.count, self._kernels, self._lock = count, [], threading.Lock()

    def start(self) -> None:
        """Launch the kernel processes (once); this returns at once and they boot by themselves."""
        if self._kernels:
            return
        for _ in range(self.count):
            kernel = WarmKernel(kernel_name="python3")
            # The kernel's own start-up chatter (a TCP warning) is not for the analyst; cell errors
            # come back through the messaging protocol and are reported by Papermill.
            # No IPython history database: the executed notebooks are the record, and it saves
            # each kernel opening (and both contending for) one SQLite file.
            kernel.start_kernel(
                stderr=subprocess.DEVNULL,
                extra_arguments=[f"--IPKernelApp.exec_lines={[WARM_UP]!r}", "--HistoryManager.enabled=False"],
            )
            self._kernels.append(kernel)

    def ready(self) -> list[KernelManager]:
        """The kernels, once each answers (its warm-up imports done)."""
        self.start()
        for kernel in self._kernels:
            client = kernel.client()
            client.start_channels()
            client.wait_for_ready(timeout=120)
        return list(self._kernels)

    @staticmethod
    def run(kernel: KernelManager, sources: list[Path], folder: Path, parameters: dict) -> str | None:
        """Run notebooks one after another in ``kernel``, written into ``folder`` with the same
        names, working in ``folder``; None, or a one-line failure naming the notebook and cell."""
        import papermill

        kernel.client().execute_interactive(f"import os; os.chdir({str(folder)!r})", timeout=60, store_history=False)
        for source in sources:
            output = folder / source.name
            try:
                papermill.execute_notebook(
                    str(source),
                    str(output),
                    parameters=parameters,
                    kernel_name="python3",
                    progress_bar=False,
                    km=kernel,
                )
            except Exception as error:  # reported as one line
                return failure_message(source.name, error, output)
        return None

    def close(self) -> None:
        """Shut every kernel down; safe to call again, from any thread, and never blocks for long.

        The kernel processes are killed first. Closing a client's channels terminates its ZeroMQ
        context, which waits for every socket of it to close: after an interrupt in the middle of a
        notebook, one may never be, so the channels are closed in a daemon thread given a few seconds."""
        with self._lock:
            kernels, self._kernels = self._kernels, []
        for kernel in kernels:
            try:
                kernel.shutdown_kernel(now=True)
            except Exception:  # already gone
                pass
        clients = [kernel._lasting for kernel in kernels if kernel._lasting is not None]  # never waited for: none
        if clients:
            closing = threading.Thread(target=_stop_channels, args=(clients,), daemon=True)
            closing.start()
            closing.join(timeout=5)


def _stop_channels(clients: list) -> None:
    for client in clients:
        try:
            client.stop_channels()
        except Exception:  # already closed
            pass


def failure_message(name: str, error: BaseException, executed: Path) -> str:
    """'section notebook 01_reduce_crime.ipynb failed at cell 4 (...): KeyError: ...'."""
    import nbformat

    cell = "an unknown cell"
    if executed.exists():
        book = nbformat.read(executed, as_version=4)
        own = [c for c in book.cells if not ADDED_CELLS & set(c.metadata.get("tags", []))]
        for number, c in enumerate(own, start=1):
            if any(o.get("output_type") == "error" for o in c.get("outputs", [])):
                first = c.source.strip().splitlines()[0][:60] if c.source.strip() else "empty"
                cell = f"cell {number} ({first})"
                break
    detail = f"{getattr(error, 'ename', type(error).__name__)}: {getattr(error, 'evalue', error)}"
    return f"section notebook {name} failed at {cell}: {detail}"
