"""helpers.pipeline.browser: PDF printing in headless Chromium.

Tests that need Chromium take the ``chromium`` fixture (conftest.py): they skip when the tool is absent, unless REQUIRE_ALL_TOOLS=1 (as CI sets),
when they fail instead. The failure tests use a fake Chromium and run everywhere.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

import pytest

from helpers.errors import BuildError, ToolMissing
from helpers.pipeline import browser

FIXTURES = Path(__file__).parent / "fixtures" / "a11y"


@pytest.fixture
def pypdf():
    import pypdf  # a test dependency (pyproject [test])

    return pypdf


def fake_chromium(tmp_path: Path, body: str) -> str:
    script = tmp_path / "fake-chromium"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(0o755)
    return str(script)


# --- finding the tools -------------------------------------------------------


def test_find_chromium_uses_safer_chromium_first(tmp_path, monkeypatch):
    fake = fake_chromium(tmp_path, "exit 0")
    monkeypatch.setenv("SAFER_CHROMIUM", fake)
    assert browser.find_chromium() == fake


def test_find_chromium_does_not_fall_back_when_safer_chromium_is_wrong(tmp_path, monkeypatch):
    monkeypatch.setenv("SAFER_CHROMIUM", str(tmp_path / "no-such-chromium"))
    assert browser.find_chromium() is None


def test_tool_missing_when_safer_chromium_points_nowhere(tmp_path, monkeypatch):
    monkeypatch.setenv("SAFER_CHROMIUM", str(tmp_path / "no-such-chromium"))
    with pytest.raises(ToolMissing) as caught:
        browser.print_pdf(FIXTURES / "good.html", tmp_path / "x.pdf")
    message = str(caught.value)
    assert "\n" not in message
    assert "apt-get install chromium" in message and "SAFER_CHROMIUM" in message
    assert list(tmp_path.iterdir()) == []


def test_tool_missing_when_no_chromium_anywhere(tmp_path, monkeypatch):
    monkeypatch.delenv("SAFER_CHROMIUM", raising=False)
    monkeypatch.setattr(browser, "find_chromium", lambda: None)
    with pytest.raises(ToolMissing, match=r"^Chromium not found: install Debian's chromium"):
        browser.print_pdf(FIXTURES / "pages.html", tmp_path / "x.pdf")


# --- failures without a real Chromium ----------------------------------------

# A stand-in for Chromium that writes ``half`` where --print-to-pdf says and exits 0.
WRITES_HALF = 'for a in "$@"; do case "$a" in --print-to-pdf=*) printf half > "${a#--print-to-pdf=}";; esac; done'


@pytest.fixture
def own_tmp(tmp_path, monkeypatch):
    """A temp folder of this test's own, for the files Python's tempfile makes."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_a_failed_print_is_one_line_naming_the_file_and_leaves_nothing(tmp_path, own_tmp, monkeypatch):
    chromium = "echo '[1207/212800.000001:ERROR:headless_shell.cc(42)] cannot open display' >&2; exit 1"
    monkeypatch.setenv("SAFER_CHROMIUM", fake_chromium(tmp_path, chromium))
    out = tmp_path / "out"
    with pytest.raises(BuildError) as caught:
        browser.print_pdf(FIXTURES / "pages.html", out / "report.pdf")
    assert str(caught.value) == "print pages.html: Chromium printed no PDF (cannot open display)"
    assert not out.exists()
    assert list(own_tmp.iterdir()) == []  # neither the profile nor the printed file is left


def test_print_pdf_keeps_the_old_pdf_when_chromium_writes_garbage(tmp_path, own_tmp, monkeypatch):
    monkeypatch.setenv("SAFER_CHROMIUM", fake_chromium(tmp_path, WRITES_HALF))
    (tmp_path / "report.pdf").write_bytes(b"%PDF-old")
    with pytest.raises(BuildError, match=r"^print pages.html: Chromium wrote something that is not a .pdf file$"):
        browser.print_pdf(FIXTURES / "pages.html", tmp_path / "report.pdf")
    assert (tmp_path / "report.pdf").read_bytes() == b"%PDF-old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fake-chromium", "report.pdf", "tmp"]
    assert list(own_tmp.iterdir()) == []


def test_print_pdf_times_out_with_build_error(tmp_path, monkeypatch):
    monkeypatch.setenv("SAFER_CHROMIUM", fake_chromium(tmp_path, "sleep 30"))
    with pytest.raises(BuildError, match=r"^print pages.html: Chromium took longer than 0.5 s$"):
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


def test_the_pdf_is_tagged_and_its_outline_follows_the_headings(chromium, pypdf, page, tmp_path):
    reader = pypdf.PdfReader(browser.print_pdf(page("pages.html"), tmp_path / "pages.pdf"))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "en-GB"  # from <html lang>
    first, rest = reader.outline
    assert first.title == "First page"
    assert [item.title for item in rest] == ["Second page", "Third page"]  # the h2s under the h1
    assert [reader.get_destination_page_number(item) for item in (first, *rest)] == [0, 1, 2]


def test_one_printer_prints_several_pages_and_leaves_nothing_behind(chromium, pypdf, page, tmp_path, own_tmp):
    printer = browser.Printer()
    first = printer.print_pdf(page("pages.html"), tmp_path / "one.pdf")
    second = printer.print_pdf(page("good.html"), tmp_path / "two.pdf")
    printer.close()
    assert len(pypdf.PdfReader(first).pages) == 3 and len(pypdf.PdfReader(second).pages) >= 1
    assert "Alpha" in pypdf.PdfReader(first).pages[0].extract_text()
    assert list(own_tmp.iterdir()) == []  # no profile or printed file left


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
