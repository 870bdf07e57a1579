"""Headless Chromium for the build: HTML to PDF.

PDFs are printed by a ``Printer``: one Chromium driven over its DevTools pipe, which
a build starts early and keeps for the print, with a fresh profile; no puppeteer,
driver or network is needed. A failed print raises ``BuildError`` with a one-line
reason; a missing Chromium raises ``ToolMissing`` saying what to install. (The
accessibility and screenshot checks of a built report are scripts/page_checks.py.)
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import secrets
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from helpers.errors import BuildError, ToolMissing

CHROMIUM_ENV = "SAFER_CHROMIUM"

# The real binary first: the Debian wrapper only adds flags and noise.
_CANDIDATES = ("/usr/lib/chromium/chromium", "/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")

# Flags every run needs on these machines: no sandbox (root in a container), no
# GPU, and nothing that tries to reach the network or a profile of its own.
BASE_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)

_INSTALL_CHROMIUM = "install Debian's chromium (apt-get install chromium)"


def find_chromium() -> str | None:
    """Path of a Chromium binary: $SAFER_CHROMIUM if set (and nothing else then), else the usual names."""
    override = os.environ.get(CHROMIUM_ENV)
    if override:
        return _executable(override)
    for name in _CANDIDATES:
        found = _executable(name)
        if found:
            return found
    return None


def _executable(name: str) -> str | None:
    if os.sep in name:
        return name if os.path.isfile(name) and os.access(name, os.X_OK) else None
    return shutil.which(name)


def require_chromium() -> str:
    """Path of Chromium, or ToolMissing saying in one line what to install or fix."""
    found = find_chromium()
    if found:
        return found
    override = os.environ.get(CHROMIUM_ENV)
    if override:
        raise ToolMissing(
            f"Chromium not found at {CHROMIUM_ENV}={override}: fix or unset {CHROMIUM_ENV}, or {_INSTALL_CHROMIUM}"
        )
    raise ToolMissing(f"Chromium not found: {_INSTALL_CHROMIUM} or set {CHROMIUM_ENV}")


def page_url(html_path: Path, what: str) -> str:
    if not html_path.is_file():
        raise BuildError(f"{what}: {html_path} does not exist")
    return html_path.resolve().as_uri()


_TRAMPOLINE = (
    "import os, sys; r, w = int(sys.argv[1]), int(sys.argv[2]); os.dup2(r, 3); os.dup2(w, 4); "
    "os.close(r); os.close(w); os.execv(sys.argv[3], sys.argv[3:])"
)


class Printer:
    """One headless Chromium kept running to print PDFs, driven over its DevTools pipe.

    Start it before the page is ready (it boots in about 0.3 s, overlapping other work);
    ``print_pdf`` then only loads and prints. ``--remote-debugging-pipe`` reads commands on
    file descriptor 3 and writes replies on 4, each a JSON message ended by a NUL byte
    (Chrome DevTools Protocol: Target, Page and Runtime domains).
    """

    def __init__(self):
        binary = require_chromium()
        self._profile = tempfile.TemporaryDirectory(prefix="safer-chromium-")
        to_chromium, from_chromium = os.pipe(), os.pipe()
        # Chromium's ends go to descriptors 3 and 4 through a tiny Python trampoline (a preexec_fn
        # is unsafe with threads running); moved above 10 first so neither dup2 overwrites the other.
        theirs = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in (to_chromium[0], from_chromium[1])]
        for fd in (to_chromium[0], from_chromium[1]):
            os.close(fd)
        try:
            self._proc = subprocess.Popen(
                [
                    sys.executable,
                    "-I",
                    "-S",
                    "-c",
                    _TRAMPOLINE,
                    *map(str, theirs),
                    binary,
                    *BASE_FLAGS,
                    f"--user-data-dir={self._profile.name}",
                    "--remote-debugging-pipe",
                    "about:blank",
                ],
                pass_fds=theirs,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        except OSError as exc:
            self._profile.cleanup()
            raise BuildError(f"could not start Chromium {binary}: {exc.strerror or exc}") from exc
        finally:
            for fd in theirs:
                os.close(fd)
        self._send, self._receive = to_chromium[1], from_chromium[0]
        self._buffer, self._next_id, self._lock = b"", 0, threading.Lock()
        self._what, self._timeout, self._deadline = "Chromium", 60.0, 0.0  # set by each print_pdf

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def print_pdf(self, html_path, pdf_path, timeout: float = 60) -> Path:
        """Print an HTML file to PDF; page size, margins and page numbers come from its @page CSS."""
        html_path, pdf_path = Path(html_path), Path(pdf_path)
        what = f"print {html_path.name}"
        url = page_url(html_path, what)
        with self._lock:
            self._what, self._timeout, self._deadline = what, timeout, time.monotonic() + timeout
            target = self._call("Target.createTarget", {"url": "about:blank"})["targetId"]
            session = self._call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            self._call("Page.enable", None, session)
            navigated = self._call("Page.navigate", {"url": url}, session)
            if navigated.get("errorText"):
                raise BuildError(f"{what}: Chromium could not load the page ({navigated['errorText']})")
            self._read(lambda m: m.get("method") == "Page.loadEventFired" and m.get("sessionId") == session)
            self._call(
                "Runtime.evaluate",
                {"expression": "document.fonts.ready.then(() => true)", "awaitPromise": True},
                session,
            )
            printed = self._call(
                "Page.printToPDF",
                {
                    "printBackground": True,
                    "preferCSSPageSize": True,
                    "generateTaggedPDF": True,
                    "generateDocumentOutline": True,
                },
                session,
            )
            self._call("Target.closeTarget", {"targetId": target})
        data = base64.b64decode(printed.get("data", ""))
        if not data.startswith(b"%PDF-"):
            raise BuildError(f"{what}: Chromium returned something that is not a .pdf file")
        write_replacing(pdf_path, data)
        return pdf_path

    def close(self) -> None:
        """Stop Chromium and remove its profile; safe to call again."""
        if self._proc.poll() is None:
            try:
                os.killpg(self._proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self._proc.wait()
        for fd in (self._send, self._receive):
            if fd >= 0:
                os.close(fd)
        # Never close the same numbers twice: by then they may belong to another thread's file.
        self._send = self._receive = -1
        self._profile.cleanup()

    def _call(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        """Send one command and return its result (events arriving meanwhile are dropped)."""
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        try:
            os.write(self._send, json.dumps(message).encode() + b"\0")
        except OSError:
            raise BuildError(f"{self._what}: {self._gone()}") from None
        reply = self._read(lambda m: m.get("id") == message["id"])
        if "error" in reply:
            raise BuildError(
                f"{self._what}: Chromium refused {method}: {reply['error'].get('message', reply['error'])}"
            )
        return reply.get("result", {})

    def _read(self, wanted) -> dict:
        """The next message ``wanted`` accepts (others are dropped); BuildError past the deadline."""
        while True:
            while b"\0" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\0", 1)
                message = json.loads(raw)
                if wanted(message):
                    return message
            left = self._deadline - time.monotonic()
            if left <= 0 or not select.select([self._receive], [], [], left)[0]:
                self.close()
                raise BuildError(f"{self._what}: Chromium took longer than {self._timeout:g} s")
            chunk = os.read(self._receive, 1 << 20)
            if not chunk:
                raise BuildError(f"{self._what}: {self._gone()}")
            self._buffer += chunk

    def _gone(self) -> str:
        try:
            code = self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return "Chromium stopped answering"
        return f"Chromium exited (code {code}) before it printed"


def write_replacing(path: Path, data: bytes) -> None:
    """Write ``data`` to a new file beside ``path``, then rename it into place: a reader never sees half a file.

    The file is created with mode 0o666 less the user's umask, as ``open`` would make it (``tempfile.mkstemp``
    makes 0o600, which colleagues on a shared drive cannot read).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.stem}.{secrets.token_hex(6)}{path.suffix}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def print_pdf(html_path, pdf_path, timeout: float = 60) -> Path:
    """Print an HTML file to PDF with a Chromium started for this one page."""
    with Printer() as printer:
        return printer.print_pdf(html_path, pdf_path, timeout)
