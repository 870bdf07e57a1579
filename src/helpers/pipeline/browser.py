"""Headless Chromium for the build: HTML to PDF.

Every run of Chromium is one command (``run_chromium``): the base flags, a fresh profile, no
network. PDFs are printed by a ``Printer`` with Chromium's own ``--print-to-pdf``, one command a
file. Chromium exits 0 even when a page fails to load or a file cannot be written, so success is
judged by the output itself; a failure raises ``BuildError`` with a one-line reason naming the
file, and a missing Chromium raises ``ToolMissing`` saying what to install. (The accessibility and
screenshot checks of a built report are scripts/page_checks.py.)
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import subprocess
import tempfile
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

# The print: page size, margins and page numbers from the page's @page CSS, no header or footer of
# Chromium's own, and an outline (bookmarks) from the headings; the PDF is tagged as it comes.
PRINT_FLAGS = ("--no-pdf-header-footer", "--generate-pdf-document-outline")

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


def run_chromium(args: list[str], timeout: float, what: str) -> subprocess.CompletedProcess[str]:
    """Run Chromium with the base flags and a throw-away profile; kill its whole group on timeout."""
    binary = require_chromium()
    with tempfile.TemporaryDirectory(prefix="safer-chromium-") as profile:
        cmd = [binary, *BASE_FLAGS, f"--user-data-dir={profile}", *args]
        try:
            proc = subprocess.Popen(
                cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, start_new_session=True
            )
        except OSError as exc:
            raise BuildError(f"{what}: could not start Chromium {binary}: {exc.strerror or exc}") from exc
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.communicate()
            raise BuildError(f"{what}: Chromium took longer than {timeout:g} s") from None
    return subprocess.CompletedProcess(
        cmd, proc.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")
    )


_LOG_LINE = re.compile(r"^\[[\d:/.]+:(\w+):[^\]]*\]\s*(.*)$")


def chromium_reason(proc: subprocess.CompletedProcess[str]) -> str:
    """Chromium's own reason in one line: its last ERROR log line that is not D-Bus noise."""
    lines = [line.strip() for line in proc.stderr.splitlines() if line.strip()]
    errors = []
    for line in lines:
        match = _LOG_LINE.match(line)
        if match and match.group(1) in ("ERROR", "FATAL") and "dbus" not in line.lower():
            errors.append(match.group(2))
    if errors:
        return errors[-1][:300]
    if proc.returncode:
        return f"Chromium exited with code {proc.returncode}"
    return "Chromium reported no error"


class Printer:
    """Prints HTML files to PDF, one ``chromium --headless --print-to-pdf`` command a file.

    Made once for a build, which prints with it in the background; ``ToolMissing`` when there is
    no Chromium.
    """

    def __init__(self) -> None:
        require_chromium()

    def print_pdf(
        self, html_path: str | os.PathLike[str], pdf_path: str | os.PathLike[str], timeout: float = 60
    ) -> Path:
        """Print an HTML file to PDF; page size, margins and page numbers come from its @page CSS.

        The PDF is printed into a temporary folder, checked, then written into place whole: a failed
        print leaves ``pdf_path`` as it was.
        """
        html_path, pdf_path = Path(html_path), Path(pdf_path)
        what = f"print {html_path.name}"
        url = page_url(html_path, what)
        with tempfile.TemporaryDirectory(prefix="safer-pdf-") as folder:
            printed = Path(folder) / "printed.pdf"
            proc = run_chromium([*PRINT_FLAGS, f"--print-to-pdf={printed}", url], timeout, what)
            data = printed.read_bytes() if printed.is_file() else b""
        if not data:
            raise BuildError(f"{what}: Chromium printed no PDF ({chromium_reason(proc)})")
        if not data.startswith(b"%PDF-"):
            raise BuildError(f"{what}: Chromium wrote something that is not a .pdf file")
        write_replacing(pdf_path, data)
        return pdf_path

    def close(self) -> None:
        """Nothing to stop: each print's Chromium has exited when ``print_pdf`` returns."""


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


def print_pdf(html_path: str | os.PathLike[str], pdf_path: str | os.PathLike[str], timeout: float = 60) -> Path:
    """Print an HTML file to PDF (one Chromium command)."""
    return Printer().print_pdf(html_path, pdf_path, timeout)
