"""Checks of a built report that only scripts/check_report.py and the tests use: axe-core
accessibility rules and screenshots, each in one short-lived headless Chromium.

They use Chromium's own command-line modes (``--screenshot``, ``--dump-dom``), with the
build's flags and a fresh profile (``helpers.pipeline.browser``). Chromium exits 0 even
when a page fails to load or a file cannot be written, so success is judged by the output
itself, and failures raise ``BuildError`` with a one-line reason. A missing Chromium or
axe-core raises ``ToolMissing`` saying what to install.
"""

from __future__ import annotations

import html
import json
import os
import re
import secrets
import subprocess
import tempfile
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from helpers import config
from helpers.errors import BuildError, ToolMissing
from helpers.pipeline import browser

AXE_ENV = "AXE_CORE_JS"
DEFAULT_AXE_JS = config.ROOT / "node_modules" / "axe-core" / "axe.min.js"

# Virtual time lets images and fonts load before a screenshot; it is fast-forwarded,
# so a budget costs real time only while the page is actually busy.
SCREENSHOT_BUDGET_MS = 2000
AXE_BUDGET_MS = 15000

_INSTALL_AXE = (
    "install axe-core: run `npm install` in the repository root "
    "(package.json pins it), or set AXE_CORE_JS to axe.min.js"
)
_TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).parent), autoescape=True, undefined=StrictUndefined)


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


def screenshot(html_path, png_path, width: int = 1280, height: int = 2000, timeout: float = 60) -> Path:
    """Save a PNG of the top width x height pixels of an HTML page (a tall window shows more).

    Chromium writes a temp file beside ``png_path``, checked and then renamed into place.
    """
    html_path, png_path = Path(html_path), Path(png_path)
    what = f"screenshot {html_path.name}"
    url = browser.page_url(html_path, what)
    png_path.parent.mkdir(parents=True, exist_ok=True)
    # Chromium picks the image format from the extension, so keep it on the temp name.
    fd, tmp = tempfile.mkstemp(prefix=f".{png_path.stem}.", suffix=".png", dir=png_path.parent)
    os.close(fd)
    os.unlink(tmp)  # Chromium must create it: an empty leftover would look like output.
    tmp = Path(tmp)
    try:
        proc = browser.run_chromium(
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
            raise BuildError(f"{what}: Chromium wrote no file ({browser.chromium_reason(proc)})")
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
    return _TEMPLATES.get_template("axe_page.html.j2").render(
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
    browser.page_url(html_path, what)
    axe_path = _require_axe(axe_js)
    browser.require_chromium()
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
        proc = browser.run_chromium(
            ["--dump-dom", f"--virtual-time-budget={AXE_BUDGET_MS}", tmp.as_uri()], timeout, what
        )
    finally:
        tmp.unlink(missing_ok=True)
    return _parse_dump(proc, marker, what)


def _parse_dump(proc: subprocess.CompletedProcess, marker: str, what: str) -> list[dict]:
    found = re.search(rf'<pre\b([^>]*\bid="{marker}"[^>]*)>(.*?)</pre>', proc.stdout, re.DOTALL)
    if not found:
        if not proc.stdout.strip():
            raise BuildError(f"{what}: Chromium dumped no page ({browser.chromium_reason(proc)})")
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
