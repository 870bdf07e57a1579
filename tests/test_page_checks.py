"""scripts/page_checks.py: screenshots and axe-core checks of a page in headless Chromium, and
scripts/check_report.py, which runs them on a built report.

Tests that need Chromium or axe-core (``npm ci``) take the ``chromium``, ``axe_core`` or ``axe``
fixture (conftest.py): they skip when the tool is absent, unless REQUIRE_ALL_TOOLS=1 (as CI sets),
when they fail instead.
"""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

import page_checks
from helpers.errors import BuildError, ToolMissing

FIXTURES = Path(__file__).parent / "fixtures" / "a11y"
REPO = Path(__file__).resolve().parents[1]


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize(
    "call",
    [
        lambda src, out: page_checks.screenshot(src, out / "x.png"),
        lambda src, out: page_checks.run_axe(src, axe_js=FIXTURES / "good.html"),  # any existing file will do
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


def test_tool_missing_when_no_axe(tmp_path, monkeypatch):
    monkeypatch.delenv("AXE_CORE_JS", raising=False)
    with pytest.raises(ToolMissing) as caught:
        page_checks.run_axe(FIXTURES / "bad.html", axe_js=tmp_path / "axe.min.js")
    assert "\n" not in str(caught.value) and "npm install" in str(caught.value)
    monkeypatch.setenv("AXE_CORE_JS", str(tmp_path / "missing.js"))
    assert page_checks.find_axe() is None
    with pytest.raises(ToolMissing, match="missing.js"):
        page_checks.run_axe(FIXTURES / "bad.html")


def test_serious_violations_keeps_serious_and_critical():
    found = [
        {"id": i, "impact": impact}
        for i, impact in [("a", "minor"), ("b", "moderate"), ("c", "serious"), ("d", "critical"), ("e", None)]
    ]
    assert [v["id"] for v in page_checks.serious_violations(found)] == ["c", "d"]


def test_axe_scripts_go_before_the_last_body_end_tag_and_cannot_close_their_element():
    page = '<!DOCTYPE html><html><HEAD lang="en"><title>t</title></head><body><p>x</p></BODY></html>'
    scripts = ['var end = "</script><!--";', "run();"]
    injected = page_checks._inject(page, scripts, 'file:///tmp/a "b"/')
    assert injected == (
        '<!DOCTYPE html><html><HEAD lang="en"><base href="file:///tmp/a &#34;b&#34;/"><title>t</title></head>'
        '<body><p>x</p><script>var end = "\\x3C/script>\\x3C!--";</script><script>run();</script></BODY></html>'
    )
    assert page_checks._inject("<p>x", ["run();"], None) == "<p>x<script>run();</script>"  # no body tag: at the end


def test_screenshot_is_a_png_of_the_window_size(chromium, page, tmp_path):
    png = page_checks.screenshot(page("good.html"), tmp_path / "shots" / "good.png", width=800, height=600)
    assert png_size(png) == (800, 600)
    assert [p.name for p in png.parent.iterdir()] == ["good.png"]


def test_run_axe_finds_the_known_violations(axe, page):
    violations = page_checks.run_axe(page("bad.html"))
    by_id = {v["id"]: v for v in violations}
    assert by_id["image-alt"]["impact"] == "critical"
    assert by_id["image-alt"]["nodes"] == 1 and by_id["image-alt"]["targets"] == ["img"]
    assert by_id["color-contrast"]["impact"] == "serious"
    assert by_id["image-alt"]["help"] and by_id["image-alt"]["help_url"].startswith("https://")
    assert {v["id"] for v in page_checks.serious_violations(violations)} >= {"image-alt", "color-contrast"}


def test_run_axe_passes_the_accessible_page(axe, page):
    path = page("good.html")
    assert page_checks.serious_violations(page_checks.run_axe(path)) == []
    assert sorted(p.name for p in path.parent.iterdir()) == ["good.html"]  # temp copy removed


def test_axe_version_reads_the_banner(axe_core):
    pinned = json.loads((REPO / "package.json").read_text())["devDependencies"]["axe-core"]
    assert page_checks.axe_version() == pinned


def test_run_axe_reports_an_axe_that_never_finishes(chromium, page, tmp_path):
    stub = tmp_path / "hang.js"
    stub.write_text("window.axe = {version: '0', run: function () { return new Promise(function () {}); }};")
    with pytest.raises(BuildError, match="did not finish"):
        page_checks.run_axe(page("good.html"), axe_js=stub)


def test_run_axe_reports_an_axe_error_in_one_line(chromium, page, tmp_path):
    # The message holds </script> and <!--, which must not break the inlined script.
    stub = tmp_path / "reject.js"
    stub.write_text(
        "window.axe = {version: '0', run: function () { return Promise.reject(new Error('boom </script> <!-- x')); }};"
    )
    with pytest.raises(BuildError) as caught:
        page_checks.run_axe(page("good.html"), axe_js=stub)
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
        real_mkstemp = page_checks.tempfile.mkstemp

        def mkstemp(*args, **kwargs):
            if kwargs.get("dir") == tmp_path:
                raise PermissionError(13, "Permission denied")
            return real_mkstemp(*args, **kwargs)

        monkeypatch.setattr(page_checks.tempfile, "mkstemp", mkstemp)
    found = {v["id"] for v in page_checks.run_axe(path)}
    assert "color-contrast" in found
    assert sorted(p.name for p in tmp_path.iterdir()) == ["faint.css", "report.html"]
