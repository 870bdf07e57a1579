"""Headless Chromium for the report: HTML to PDF, screenshots, and axe-core checks.

PDFs are printed by a ``Printer``: one Chromium driven over its DevTools pipe, which
a build starts early and keeps for the print. Screenshots and axe-core checks use
Chromium's own command-line modes (``--screenshot``, ``--dump-dom``), one short-lived
process per call. Every Chromium gets a fresh profile; no puppeteer, driver or
network is needed.

Chromium exits 0 even when a page fails to load or a file cannot be written, so
success is judged by the output itself, and failures raise ``BuildError`` with a
one-line reason. A missing Chromium or axe-core raises ``ToolMissing`` saying what
to install.
"""

from __future__ import annotations

import base64
import fcntl
import html
import json
import os
import re
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

from markupsafe import Markup

from helpers.errors import BuildError, ToolMissing
from helpers.presentation.fragments import render

CHROMIUM_ENV = "SAFER_CHROMIUM"
AXE_ENV = "AXE_CORE_JS"
REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_AXE_JS = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"

# The real binary first: the Debian wrapper only adds flags and noise.
_CANDIDATES = ("/usr/lib/chromium/chromium", "/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")

# Flags every run needs on these machines: no sandbox (root in a container), no
# GPU, and nothing that tries to reach the network or a profile of its own.
_BASE_FLAGS = (
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

# Virtual time lets images and fonts load before a screenshot; it is fast-forwarded,
# so a budget costs real time only while the page is actually busy.
SCREENSHOT_BUDGET_MS = 2000
AXE_BUDGET_MS = 15000

_INSTALL_CHROMIUM = "install Debian's chromium (apt-get install chromium)"
_INSTALL_AXE = (
    "install axe-core: run `npm install` in the repository root "
    "(package.json pins it), or set AXE_CORE_JS to axe.min.js"
)


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


def find_axe(axe_js: str | os.PathLike | None = None) -> Path | None:
    """Path of axe.min.js: the argument, else $AXE_CORE_JS, else <repo>/node_modules/axe-core."""
    for candidate in (axe_js, os.environ.get(AXE_ENV) or None, DEFAULT_AXE_JS):
        if candidate:
            path = Path(candidate)
            return path if path.is_file() else None
    return None


def axe_version(axe_js: str | os.PathLike | None = None) -> str | None:
    """axe-core's version from the banner of axe.min.js ("/*! axe v4.14.1"), or None."""
    path = find_axe(axe_js)
    if path is None:
        return None
    with path.open(encoding="utf-8", errors="replace") as fh:
        found = re.search(r"axe v(\d[\w.\-]*)", fh.read(200))
    return found.group(1) if found else None


def _require_axe(axe_js) -> Path:
    found = find_axe(axe_js)
    if found:
        return found
    where = axe_js or os.environ.get(AXE_ENV) or DEFAULT_AXE_JS
    raise ToolMissing(f"axe-core not found at {where}: {_INSTALL_AXE}")


def _run_chromium(args: list[str], timeout: float, what: str) -> subprocess.CompletedProcess:
    """Run Chromium with the base flags and a throw-away profile; kill its whole group on timeout."""
    binary = require_chromium()
    with tempfile.TemporaryDirectory(prefix="safer-chromium-") as profile:
        cmd = [binary, *_BASE_FLAGS, f"--user-data-dir={profile}", *args]
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


def _reason(proc: subprocess.CompletedProcess) -> str:
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


def _page_url(html_path: Path, what: str) -> str:
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
                    *_BASE_FLAGS,
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
        url = _page_url(html_path, what)
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


def screenshot(html_path, png_path, width: int = 1280, height: int = 2000, timeout: float = 60) -> Path:
    """Save a PNG of the top width x height pixels of an HTML page (a tall window shows more).

    Chromium writes a temp file beside ``png_path``, checked and then renamed into place.
    """
    html_path, png_path = Path(html_path), Path(png_path)
    what = f"screenshot {html_path.name}"
    url = _page_url(html_path, what)
    png_path.parent.mkdir(parents=True, exist_ok=True)
    # Chromium picks the image format from the extension, so keep it on the temp name.
    fd, tmp = tempfile.mkstemp(prefix=f".{png_path.stem}.", suffix=".png", dir=png_path.parent)
    os.close(fd)
    os.unlink(tmp)  # Chromium must create it: an empty leftover would look like output.
    tmp = Path(tmp)
    try:
        proc = _run_chromium(
            [
                f"--window-size={int(width)},{int(height)}",
                f"--virtual-time-budget={SCREENSHOT_BUDGET_MS}",
                f"--screenshot={tmp}",
                url,
            ],
            timeout,
            what,
        )
        if not tmp.is_file() or tmp.stat().st_size == 0:
            raise BuildError(f"{what}: Chromium wrote no file ({_reason(proc)})")
        with tmp.open("rb") as fh:
            if fh.read(8) != b"\x89PNG\r\n\x1a\n":
                raise BuildError(f"{what}: Chromium wrote something that is not a .png file")
        os.replace(tmp, png_path)
    finally:
        tmp.unlink(missing_ok=True)
    return png_path


# Runs after the page's own markup. axe.run is asynchronous; when it settles the
# runner appends <pre id=...> holding the JSON, and --dump-dom (which waits for the
# virtual-time budget) serialises the DOM with it.
_RUNNER = """
(function () {
  function report(status, text) {
    var out = document.createElement('pre');
    out.id = '%(id)s';
    out.hidden = true;
    out.setAttribute('data-status', status);
    out.textContent = text;
    (document.body || document.documentElement).appendChild(out);
  }
  try {
    axe.run(document, {resultTypes: ['violations']}).then(
      function (r) { report('done', JSON.stringify({version: axe.version, violations: r.violations})); },
      function (e) { report('error', String(e && e.stack || e)); });
  } catch (e) { report('error', String(e && e.stack || e)); }
})();
"""


def _inline_script(source: str) -> Markup:
    """JavaScript safe inside a script element: only ``</script`` and ``<!--`` end or confuse one there,
    and ``\\x3C`` means '<' in JS strings and regexes."""
    source = re.sub(r"</(script)", r"\\x3C/\1", source, flags=re.IGNORECASE)
    return Markup(source.replace("<!--", "\\x3C!--"))


_HEAD = re.compile(r"<head\b[^>]*>", re.IGNORECASE)
_BODY_END = re.compile(r"</body\s*>", re.IGNORECASE)


def _inject(page: str, scripts: list[str], base_href: str | None) -> str:
    """``page`` with ``scripts`` inlined before its last ``</body>`` (or at its end) and, if
    ``base_href``, a base element after its head tag (or at its start)."""
    head = _HEAD.search(page) if base_href else None
    ends = [found.start() for found in _BODY_END.finditer(page)]
    start, end = head.end() if head else 0, ends[-1] if ends else len(page)
    return render(
        "axe_page",
        before=Markup(page[:start]),
        base_href=base_href,
        middle=Markup(page[start:end]),
        scripts=[_inline_script(source) for source in scripts],
        after=Markup(page[end:]),
    )


def run_axe(html_path, axe_js=None, timeout: float = 120) -> list[dict]:
    """Run axe-core on an HTML page in Chromium and return its violations.

    Each violation is ``{"id", "impact", "help", "help_url", "nodes": count, "targets": [selector]}``.
    """
    html_path = Path(html_path)
    what = f"axe {html_path.name}"
    _page_url(html_path, what)
    axe_path = _require_axe(axe_js)
    require_chromium()
    marker = f"axe-results-{secrets.token_hex(6)}"
    scripts = [axe_path.read_text(encoding="utf-8"), _RUNNER % {"id": marker}]
    page = html_path.read_text(encoding="utf-8", errors="replace")

    # The copy sits beside the original so relative images and CSS resolve as they do
    # for the real page; if that folder is read-only, use a temp dir and a <base>.
    src_dir = html_path.resolve().parent
    try:
        fd, tmp = tempfile.mkstemp(prefix=".axe-", suffix=".html", dir=src_dir)
        base = None
    except OSError:
        fd, tmp = tempfile.mkstemp(prefix="axe-", suffix=".html")
        base = src_dir.as_uri() + "/"
    tmp = Path(tmp)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(_inject(page, scripts, base))
        proc = _run_chromium(["--dump-dom", f"--virtual-time-budget={AXE_BUDGET_MS}", tmp.as_uri()], timeout, what)
    finally:
        tmp.unlink(missing_ok=True)
    return _parse_dump(proc, marker, what)


def _parse_dump(proc: subprocess.CompletedProcess, marker: str, what: str) -> list[dict]:
    found = re.search(rf'<pre\b([^>]*\bid="{marker}"[^>]*)>(.*?)</pre>', proc.stdout, re.DOTALL)
    if not found:
        if not proc.stdout.strip():
            raise BuildError(f"{what}: Chromium dumped no page ({_reason(proc)})")
        raise BuildError(
            f"{what}: axe-core did not finish within the {AXE_BUDGET_MS} ms virtual-time "
            "budget (or the page blocks inline scripts)"
        )
    status = re.search(r'data-status="(\w+)"', found.group(1))
    text = html.unescape(found.group(2))
    if not status or status.group(1) != "done":
        first = text.strip().splitlines()[0] if text.strip() else "unknown error"
        raise BuildError(f"{what}: axe-core failed: {first[:300]}")
    try:
        result = json.loads(text)
    except ValueError as exc:
        raise BuildError(f"{what}: could not read axe-core's results: {exc}") from exc
    return [_violation(v) for v in result["violations"]]


def _violation(raw: dict) -> dict:
    targets = []
    for node in raw.get("nodes", []):
        # A target is a list of selectors: more than one steps into iframes or shadow roots.
        parts = [" ".join(p) if isinstance(p, list) else str(p) for p in node.get("target", [])]
        targets.append(" >> ".join(parts))
    return {
        "id": raw.get("id"),
        "impact": raw.get("impact"),
        "help": raw.get("help"),
        "help_url": raw.get("helpUrl"),
        "nodes": len(targets),
        "targets": targets,
    }


def serious_violations(violations: list[dict]) -> list[dict]:
    """Only the violations axe rates serious or critical (the ones that fail a check)."""
    return [v for v in violations if v.get("impact") in ("serious", "critical")]
