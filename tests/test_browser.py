"""helpers.pipeline.browser: PDF printing, screenshots and axe-core checks in headless Chromium.

Tests that need Chromium or axe-core (``npm ci``) take the ``chromium``, ``axe_core`` or ``axe``
fixture (conftest.py): they skip when the tool is absent, unless REQUIRE_ALL_TOOLS=1 (as CI sets),
when they fail instead. The failure tests use a fake Chromium and run everywhere.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.errors import BuildError, ToolMissing
from helpers.pipeline import browser

FIXTURES = Path(__file__).parent / "fixtures" / "a11y"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def pypdf():
    import pypdf  # a test dependency (pyproject [test])

    return pypdf


@pytest.fixture
def page(tmp_path):
    """Copy a fixture into tmp_path, so nothing is written beside the committed fixtures."""

    def copy(name: str) -> Path:
        return Path(shutil.copy(FIXTURES / name, tmp_path / name))

    return copy


def fake_chromium(tmp_path: Path, body: str) -> str:
    script = tmp_path / "fake-chromium"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(0o755)
    return str(script)


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


# --- finding the tools -------------------------------------------------------


def test_find_chromium_uses_safer_chromium_first(tmp_path, monkeypatch):
    fake = fake_chromium(tmp_path, "exit 0")
    monkeypatch.setenv("SAFER_CHROMIUM", fake)
    assert browser.find_chromium() == fake


def test_find_chromium_does_not_fall_back_when_safer_chromium_is_wrong(tmp_path, monkeypatch):
    monkeypatch.setenv("SAFER_CHROMIUM", str(tmp_path / "no-such-chromium"))
    assert browser.find_chromium() is None


@pytest.mark.parametrize(
    "call",
    [
        lambda src, out: browser.print_pdf(src, out / "x.pdf"),
        lambda src, out: browser.screenshot(src, out / "x.png"),
        lambda src, out: browser.run_axe(src, axe_js=FIXTURES / "good.html"),  # any existing file will do
    ],
)
def test_tool_missing_when_safer_chromium_points_nowhere(call, tmp_path, monkeypatch):
    monkeypatch.setenv("SAFER_CHROMIUM", str(tmp_path / "no-such-chromium"))
    with pytest.raises(ToolMissing) as caught:
        call(FIXTURES / "good.html", tmp_path)
    message = str(caught.value)
    assert "\n" not in message
    assert "apt-get install chromium" in message and "SAFER_CHROMIUM" in message
    assert list(tmp_path.iterdir()) == []


def test_tool_missing_when_no_chromium_anywhere(tmp_path, monkeypatch):
    monkeypatch.delenv("SAFER_CHROMIUM", raising=False)
    monkeypatch.setattr(browser, "find_chromium", lambda: None)
    with pytest.raises(ToolMissing, match=r"^Chromium not found: install Debian's chromium"):
        browser.print_pdf(FIXTURES / "pages.html", tmp_path / "x.pdf")


def test_tool_missing_when_no_axe(tmp_path, monkeypatch):
    monkeypatch.delenv("AXE_CORE_JS", raising=False)
    with pytest.raises(ToolMissing) as caught:
        browser.run_axe(FIXTURES / "bad.html", axe_js=tmp_path / "axe.min.js")
    assert "\n" not in str(caught.value) and "npm install" in str(caught.value)
    monkeypatch.setenv("AXE_CORE_JS", str(tmp_path / "missing.js"))
    assert browser.find_axe() is None
    with pytest.raises(ToolMissing, match="missing.js"):
        browser.run_axe(FIXTURES / "bad.html")


def test_serious_violations_keeps_serious_and_critical():
    found = [
        {"id": i, "impact": impact}
        for i, impact in [("a", "minor"), ("b", "moderate"), ("c", "serious"), ("d", "critical"), ("e", None)]
    ]
    assert [v["id"] for v in browser.serious_violations(found)] == ["c", "d"]


def test_axe_scripts_go_before_the_last_body_end_tag_and_cannot_close_their_element():
    page = '<!DOCTYPE html><html><HEAD lang="en"><title>t</title></head><body><p>x</p></BODY></html>'
    scripts = ['var end = "</script><!--";', "run();"]
    injected = browser._inject(page, scripts, 'file:///tmp/a "b"/')
    assert injected == (
        '<!DOCTYPE html><html><HEAD lang="en"><base href="file:///tmp/a &#34;b&#34;/"><title>t</title></head>'
        '<body><p>x</p><script>var end = "\\x3C/script>\\x3C!--";</script><script>run();</script></BODY></html>'
    )
    assert browser._inject("<p>x", ["run();"], None) == "<p>x<script>run();</script>"  # no body tag: at the end


# --- failures without a real Chromium ----------------------------------------

# A stand-in for Chromium's DevTools pipe: answers every command on fd 4, fires the load
# event after Page.navigate, and "prints" the bytes b"half".
FAKE_DEVTOOLS = """
import base64, json, os
replies = {"Target.createTarget": {"targetId": "t"}, "Target.attachToTarget": {"sessionId": "s"},
           "Page.printToPDF": {"data": base64.b64encode(b"half").decode()}}
buffer = b""
while chunk := os.read(3, 65536):
    buffer += chunk
    while b"\\0" in buffer:
        raw, buffer = buffer.split(b"\\0", 1)
        message = json.loads(raw)
        out = [{"id": message["id"], "result": replies.get(message["method"], {})}]
        if message["method"] == "Page.navigate":
            out.append({"method": "Page.loadEventFired", "sessionId": "s", "params": {}})
        os.write(4, b"".join(json.dumps(m).encode() + b"\\0" for m in out))
"""


def test_print_pdf_raises_build_error_and_leaves_no_file_when_chromium_fails(tmp_path, monkeypatch):
    monkeypatch.setenv("SAFER_CHROMIUM", fake_chromium(tmp_path, "echo 'cannot open display' >&2; exit 1"))
    out = tmp_path / "out"
    with pytest.raises(BuildError) as caught:
        browser.print_pdf(FIXTURES / "pages.html", out / "report.pdf")
    assert str(caught.value) == "print pages.html: Chromium exited (code 1) before it printed"
    assert not out.exists()


def test_print_pdf_keeps_the_old_pdf_when_chromium_returns_garbage(tmp_path, monkeypatch):
    script = tmp_path / "fake-chromium"
    script.write_text(f"#!{sys.executable}\n{FAKE_DEVTOOLS}")
    script.chmod(0o755)
    monkeypatch.setenv("SAFER_CHROMIUM", str(script))
    (tmp_path / "report.pdf").write_bytes(b"%PDF-old")
    with pytest.raises(BuildError, match="not a .pdf file"):
        browser.print_pdf(FIXTURES / "pages.html", tmp_path / "report.pdf")
    assert (tmp_path / "report.pdf").read_bytes() == b"%PDF-old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fake-chromium", "report.pdf"]


def test_print_pdf_times_out_with_build_error(tmp_path, monkeypatch):
    monkeypatch.setenv("SAFER_CHROMIUM", fake_chromium(tmp_path, "sleep 30"))
    with pytest.raises(BuildError, match="longer than 0.5 s"):
        browser.print_pdf(FIXTURES / "pages.html", tmp_path / "x.pdf", timeout=0.5)


def test_missing_html_is_a_build_error(tmp_path, monkeypatch):
    monkeypatch.setenv("SAFER_CHROMIUM", fake_chromium(tmp_path, "sleep 30"))  # the page is checked first
    with pytest.raises(BuildError, match="does not exist"):
        browser.print_pdf(tmp_path / "nope.html", tmp_path / "x.pdf")


# --- real Chromium -------------------------------------------------------------


def test_print_pdf_pages_follow_breaks_and_carry_page_numbers(chromium, pypdf, page, tmp_path):
    pdf = browser.print_pdf(page("pages.html"), tmp_path / "out" / "pages.pdf")
    reader = pypdf.PdfReader(pdf)
    assert len(reader.pages) == 3  # one per section: break-before: page
    for number, pdf_page in enumerate(reader.pages, start=1):
        text = pdf_page.extract_text()
        assert f"Page {number} of 3" in text  # the @page @bottom-center margin box
        assert ["Alpha", "Beta", "Gamma"][number - 1] in text
        width, height = float(pdf_page.mediabox.width), float(pdf_page.mediabox.height)
        assert (round(width), round(height)) == (595, 842)  # A4 from @page { size: A4 }
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["pages.pdf"]  # no temp files left


def test_one_printer_prints_several_pages_and_leaves_nothing_behind(chromium, pypdf, page, tmp_path):
    with browser.Printer() as printer:
        profile = Path(printer._profile.name)
        first = printer.print_pdf(page("pages.html"), tmp_path / "one.pdf")
        second = printer.print_pdf(page("good.html"), tmp_path / "two.pdf")
    assert len(pypdf.PdfReader(first).pages) == 3 and len(pypdf.PdfReader(second).pages) >= 1
    assert "Alpha" in pypdf.PdfReader(first).pages[0].extract_text()
    assert not profile.exists()
    assert printer._proc.poll() is not None


def test_print_pdf_replaces_an_existing_pdf(chromium, page, tmp_path):
    target = tmp_path / "report.pdf"
    target.write_bytes(b"old")
    browser.print_pdf(page("pages.html"), target)
    assert target.read_bytes().startswith(b"%PDF-")


@pytest.fixture
def umask_027():
    old = os.umask(0o027)
    yield
    os.umask(old)


def test_a_replaced_file_takes_the_users_umask_like_any_other_output(umask_027, tmp_path):
    """mkstemp's 0o600 would keep colleagues on a shared drive out of report.pdf."""
    (tmp_path / "report.html").write_text("<p>report</p>")
    browser.write_replacing(tmp_path / "report.pdf", b"%PDF-1.7 new")
    assert (tmp_path / "report.pdf").read_bytes() == b"%PDF-1.7 new"
    assert stat.S_IMODE((tmp_path / "report.pdf").stat().st_mode) == 0o640
    assert stat.S_IMODE((tmp_path / "report.html").stat().st_mode) == 0o640
    assert not list(tmp_path.glob(".report.*"))  # no temp file left behind


def test_the_printed_pdf_has_the_mode_of_its_html(umask_027, chromium, page, tmp_path):
    html_page = page("pages.html")
    html_page.chmod(0o666 & ~0o027)
    browser.print_pdf(html_page, tmp_path / "report.pdf")
    assert stat.S_IMODE((tmp_path / "report.pdf").stat().st_mode) == stat.S_IMODE(html_page.stat().st_mode) == 0o640


def test_screenshot_is_a_png_of_the_window_size(chromium, page, tmp_path):
    png = browser.screenshot(page("good.html"), tmp_path / "shots" / "good.png", width=800, height=600)
    assert png_size(png) == (800, 600)
    assert [p.name for p in png.parent.iterdir()] == ["good.png"]


def test_run_axe_finds_the_known_violations(axe, page):
    violations = browser.run_axe(page("bad.html"))
    by_id = {v["id"]: v for v in violations}
    assert by_id["image-alt"]["impact"] == "critical"
    assert by_id["image-alt"]["nodes"] == 1 and by_id["image-alt"]["targets"] == ["img"]
    assert by_id["color-contrast"]["impact"] == "serious"
    assert by_id["image-alt"]["help"] and by_id["image-alt"]["help_url"].startswith("https://")
    assert {v["id"] for v in browser.serious_violations(violations)} >= {"image-alt", "color-contrast"}


def test_run_axe_passes_the_accessible_page(axe, page):
    path = page("good.html")
    assert browser.serious_violations(browser.run_axe(path)) == []
    assert sorted(p.name for p in path.parent.iterdir()) == ["good.html"]  # temp copy removed


def test_axe_version_reads_the_banner(axe_core):
    pinned = json.loads((REPO / "package.json").read_text())["devDependencies"]["axe-core"]
    assert browser.axe_version() == pinned


def test_run_axe_reports_an_axe_that_never_finishes(chromium, page, tmp_path):
    stub = tmp_path / "hang.js"
    stub.write_text("window.axe = {version: '0', run: function () { return new Promise(function () {}); }};")
    with pytest.raises(BuildError, match="did not finish"):
        browser.run_axe(page("good.html"), axe_js=stub)


def test_run_axe_reports_an_axe_error_in_one_line(chromium, page, tmp_path):
    # The message holds </script> and <!--, which must not break the inlined script.
    stub = tmp_path / "reject.js"
    stub.write_text(
        "window.axe = {version: '0', run: function () { return Promise.reject(new Error('boom </script> <!-- x')); }};"
    )
    with pytest.raises(BuildError) as caught:
        browser.run_axe(page("good.html"), axe_js=stub)
    assert str(caught.value) == "axe good.html: axe-core failed: Error: boom </script> <!-- x"


# --- scripts/check_report.py ------------------------------------------------


def test_check_report_exit_status_and_screenshots(axe, tmp_path):
    report = tmp_path / "2022-23-Q2"
    report.mkdir()
    shutil.copy(FIXTURES / "bad.html", report / "report.html")
    script = [sys.executable, str(REPO / "scripts" / "check_report.py")]
    shots = tmp_path / "shots"
    bad = subprocess.run(
        [*script, str(report), "--screenshots", str(shots), "--height", "1000", "--tile", "500"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 1, bad.stderr
    assert "critical  image-alt" in bad.stdout
    assert (shots / "html-1.png").is_file() and not (shots / "html-full.png").exists()

    shutil.copy(FIXTURES / "good.html", report / "report.html")
    good = subprocess.run([*script, str(report)], capture_output=True, text=True, timeout=120)
    assert good.returncode == 0, good.stderr
    assert "0 serious or critical" in good.stdout

    missing = subprocess.run([*script, str(tmp_path / "nope")], capture_output=True, text=True)
    assert missing.returncode == 2 and "does not exist" in missing.stderr


@pytest.mark.parametrize("folder_writable", [True, False])
def test_run_axe_sees_the_page_relative_stylesheet(folder_writable, axe, tmp_path, monkeypatch):
    # Low contrast comes only from faint.css, so axe reports it only if the link resolved:
    # from a copy beside the page, or (read-only folder) from a temp copy with a <base>.
    (tmp_path / "faint.css").write_text("p { color: #dddddd; background: #ffffff; }")
    path = tmp_path / "report.html"
    path.write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>t</title>'
        '<link rel="stylesheet" href="faint.css"></head>'
        "<body><main><h1>t</h1><p>Faint text</p></main></body></html>"
    )
    if not folder_writable:
        real_mkstemp = browser.tempfile.mkstemp

        def mkstemp(*args, **kwargs):
            if kwargs.get("dir") == tmp_path:
                raise PermissionError(13, "Permission denied")
            return real_mkstemp(*args, **kwargs)

        monkeypatch.setattr(browser.tempfile, "mkstemp", mkstemp)
    found = {v["id"] for v in browser.run_axe(path)}
    assert "color-contrast" in found
    assert sorted(p.name for p in tmp_path.iterdir()) == ["faint.css", "report.html"]
