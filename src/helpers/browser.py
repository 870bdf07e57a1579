"""Headless Chromium for the report: HTML to PDF, screenshots, and axe-core checks.

Everything runs Chromium's own command-line modes (``--print-to-pdf``,
``--screenshot``, ``--dump-dom``), one short-lived process per call with a fresh
profile, so no puppeteer, driver or network is needed.

Chromium exits 0 even when a page fails to load or a file cannot be written, so
success is judged by the output itself, and failures raise ``BuildError`` with
Chromium's own one-line reason. A missing Chromium or axe-core raises
``ToolMissing`` saying what to install.
"""
from __future__ import annotations

import html
import json
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
AXE_ENV = "AXE_CORE_JS"
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_AXE_JS = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"

# The real binary first: the Debian wrapper only adds flags and noise.
_CANDIDATES = ("/usr/lib/chromium/chromium", "/usr/bin/chromium", "chromium",
               "chromium-browser", "google-chrome")

# Flags every run needs on these machines: no sandbox (root in a container), no
# GPU, and nothing that tries to reach the network or a profile of its own.
_BASE_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
               "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--hide-scrollbars")

# Virtual time lets images and fonts load before printing; it is fast-forwarded,
# so a budget costs real time only while the page is actually busy.
PRINT_BUDGET_MS = 2000
AXE_BUDGET_MS = 15000

_INSTALL_CHROMIUM = "install Debian's chromium (apt-get install chromium)"
_INSTALL_AXE = ("install axe-core: run `npm install` in the repository root "
                "(package.json pins it), or set AXE_CORE_JS to axe.min.js")


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


def _require_chromium() -> str:
    found = find_chromium()
    if found:
        return found
    override = os.environ.get(CHROMIUM_ENV)
    if override:
        raise ToolMissing(f"Chromium not found at {CHROMIUM_ENV}={override}: fix or unset "
                          f"{CHROMIUM_ENV}, or {_INSTALL_CHROMIUM}")
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
    binary = _require_chromium()
    with tempfile.TemporaryDirectory(prefix="safer-chromium-") as profile:
        cmd = [binary, *_BASE_FLAGS, f"--user-data-dir={profile}", *args]
        try:
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
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
    return subprocess.CompletedProcess(cmd, proc.returncode,
                                       out.decode("utf-8", "replace"), err.decode("utf-8", "replace"))


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


def _render_to(kind: str, html_path, out_path, flags: list[str], magic: bytes, timeout: float) -> Path:
    """Render into a temp file beside out_path, check its first bytes, then rename into place."""
    html_path, out_path = Path(html_path), Path(out_path)
    what = f"{kind} {html_path.name}"
    url = _page_url(html_path, what)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    # Chromium picks the image format from the extension, so keep it on the temp name.
    fd, tmp = tempfile.mkstemp(prefix=f".{out_path.stem}.", suffix=out_path.suffix, dir=out_path.parent)
    os.close(fd)
    os.unlink(tmp)  # Chromium must create it: an empty leftover would look like output.
    tmp = Path(tmp)
    try:
        flag = "--print-to-pdf" if kind == "print" else "--screenshot"
        proc = _run_chromium([*flags, f"{flag}={tmp}", url], timeout, what)
        if not tmp.is_file() or tmp.stat().st_size == 0:
            raise BuildError(f"{what}: Chromium wrote no file ({_reason(proc)})")
        with tmp.open("rb") as fh:
            if fh.read(len(magic)) != magic:
                raise BuildError(f"{what}: Chromium wrote something that is not a {out_path.suffix} file")
        os.replace(tmp, out_path)
    finally:
        tmp.unlink(missing_ok=True)
    return out_path


def print_pdf(html_path, pdf_path, timeout: float = 60) -> Path:
    """Print an HTML file to PDF; page size, margins and page numbers come from the page's @page CSS."""
    return _render_to("print", html_path, pdf_path,
                      ["--no-pdf-header-footer", f"--virtual-time-budget={PRINT_BUDGET_MS}"],
                      b"%PDF-", timeout)


def screenshot(html_path, png_path, width: int = 1280, height: int = 2000, timeout: float = 60) -> Path:
    """Save a PNG of the top width x height pixels of an HTML page (a tall window shows more)."""
    return _render_to("screenshot", html_path, png_path,
                      [f"--window-size={int(width)},{int(height)}",
                       f"--virtual-time-budget={PRINT_BUDGET_MS}"],
                      b"\x89PNG", timeout)


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


def _inline_script(source: str) -> str:
    # Only these sequences end or confuse an inline <script>; \\x3C means '<' in JS strings and regexes.
    source = re.sub(r"</(script)", r"\\x3C/\1", source, flags=re.IGNORECASE)
    return "<script>" + source.replace("<!--", "\\x3C!--") + "</script>"


def _inject(page: str, scripts: str, base_href: str | None) -> str:
    if base_href:
        head = re.search(r"<head\b[^>]*>", page, re.IGNORECASE)
        base = f'<base href="{html.escape(base_href)}">'
        page = page[:head.end()] + base + page[head.end():] if head else base + page
    end = page.lower().rfind("</body>")
    return page[:end] + scripts + page[end:] if end >= 0 else page + scripts


def run_axe(html_path, axe_js=None, timeout: float = 120) -> list[dict]:
    """Run axe-core on an HTML page in Chromium and return its violations.

    Each violation is ``{"id", "impact", "help", "help_url", "nodes": count, "targets": [selector]}``.
    """
    html_path = Path(html_path)
    what = f"axe {html_path.name}"
    _page_url(html_path, what)
    axe_path = _require_axe(axe_js)
    _require_chromium()
    marker = f"axe-results-{secrets.token_hex(6)}"
    scripts = _inline_script(axe_path.read_text(encoding="utf-8")) + _inline_script(_RUNNER % {"id": marker})
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
        proc = _run_chromium(["--dump-dom", f"--virtual-time-budget={AXE_BUDGET_MS}", tmp.as_uri()],
                             timeout, what)
    finally:
        tmp.unlink(missing_ok=True)
    return _parse_dump(proc, marker, what)


def _parse_dump(proc: subprocess.CompletedProcess, marker: str, what: str) -> list[dict]:
    found = re.search(rf'<pre\b([^>]*\bid="{marker}"[^>]*)>(.*?)</pre>', proc.stdout, re.DOTALL)
    if not found:
        if not proc.stdout.strip():
            raise BuildError(f"{what}: Chromium dumped no page ({_reason(proc)})")
        raise BuildError(f"{what}: axe-core did not finish within the {AXE_BUDGET_MS} ms virtual-time "
                         "budget (or the page blocks inline scripts)")
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
    return {"id": raw.get("id"), "impact": raw.get("impact"), "help": raw.get("help"),
            "help_url": raw.get("helpUrl"), "nodes": len(targets), "targets": targets}


def serious_violations(violations: list[dict]) -> list[dict]:
    """Only the violations axe rates serious or critical (the ones that fail a check)."""
    return [v for v in violations if v.get("impact") in ("serious", "critical")]
