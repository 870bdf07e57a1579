"""End to end: build the default quarter from the bundled data and check what a reviewer gets."""
from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser

import pandas as pd
import pytest

from helpers import config
from helpers.build import browser, orchestrate as build_module
from helpers.build.orchestrate import build
from helpers.errors import BuildError
from helpers.presentation.narrative import figure

pytestmark = pytest.mark.slow
QUARTER = "2022-23-Q2"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("outputs")
    result = build(QUARTER, out=out)
    return result.folder


@pytest.fixture(scope="module")
def table(built):
    return pd.read_csv(built / "indicators.csv")


@pytest.fixture(scope="module")
def html(built):
    return (built / "report.html").read_text(encoding="utf-8")


class _Images(HTMLParser):
    def __init__(self):
        super().__init__()
        self.images, self.external = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs)
        for key in ("src", "href"):
            value = attrs.get(key) or ""
            if tag in ("script", "link", "img", "iframe") and re.match(r"^(https?:)?//", value):
                self.external.append((tag, value))


def test_outputs_are_all_there(built):
    names = {p.name for p in built.iterdir()}
    assert {"report.html", "indicators.csv", "dashboard.xlsx", "notebooks"} <= names
    assert sorted(p.stem for p in (built / "notebooks").glob("*.ipynb")) == build_module.SECTION_NOTEBOOKS


def test_indicators_csv_has_every_indicator_and_area(table):
    required = {"indicator_id", "area", "period_end", "numerator", "denominator", "value", "previous_numerator",
                "previous_value", "change_pct", "status", "ci_low", "ci_high", "previous_ci_low", "previous_ci_high",
                "significant", "direction", "judgement", "vs_partnership", "target_status", "spc_signal"}
    assert required <= set(table.columns)
    assert set(table["area"]) == set(config.AREAS)
    assert "Leicester" not in set(table["area"])
    assert (table["period_end"] == "2022-09").all()
    ids = {"total_crime", "asb_total", "burglary_total", "vehicle_offences"}
    assert ids <= set(table["indicator_id"])


def test_totals_add_up(table):
    """County = 7 districts; partnership = county + Rutland (police.uk indicators, real data)."""
    crime = table[table["indicator_id"] == "total_crime"].set_index("area")["numerator"]
    assert crime[config.COUNTY] == sum(crime[d] for d in config.COUNTY_DISTRICTS)
    assert crime[config.PARTNERSHIP] == crime[config.COUNTY] + crime["Rutland"]


def test_html_is_self_contained_and_has_no_code(html):
    parser = _Images()
    parser.feed(html)
    assert parser.external == []
    assert "<script" not in html
    assert "load(quarter" not in html and "import " not in html
    assert len(parser.images) >= 25
    assert all(img.get("alt", "").strip() for img in parser.images)
    assert all(img["src"].startswith("data:image/svg+xml;base64,") for img in parser.images)


def test_html_reads_like_a_board_report(html):
    for text in ("Leicestershire &amp; Rutland Safer Communities Strategy Board", "2022/23 Quarter 2",
                 "12 months to September 2022", "Key points", "Contents", "District breakdown", "Methods",
                 "Provenance", "Byar", "Wilson", "Illustrative sample", "change of recording system"):
        assert text in html, text


def test_key_points_match_the_csv(html, table):
    """Every key point's figures are the CSV's values, formatted once."""
    partnership = table[(table["area"] == config.PARTNERSHIP) & (table["status"] == "available")]
    for row in partnership.to_dict("records"):
        now, before = figure(row["value"], row["measure"]), figure(row["previous_value"], row["measure"])
        pattern = rf"{re.escape(row['title'].replace('&', '&amp;'))} is [^<]*{re.escape(before)}[^<]*{re.escape(now)}|" \
                  rf"{re.escape(row['title'].replace('&', '&amp;'))} is {re.escape(now)}, [^<]*{re.escape(before)}"
        assert re.search(pattern, html), row["indicator_id"]


def test_dashboard_arrows_come_from_the_direction_column(html, table):
    row = table[(table["area"] == config.PARTNERSHIP) & (table["indicator_id"] == "total_crime")].iloc[0]
    arrow = {"higher": "▲ Higher", "lower": "▼ Lower", "similar": "► Similar"}[row["direction"]]
    cells = re.search(r"#total_crime['\"]>Total recorded crime</a></th>(.*?)</tr>", html).group(1)
    assert arrow in cells and row["judgement"].capitalize() in cells


def test_pdf_has_a_page_per_chapter_and_page_numbers(built, chromium):
    import pypdf
    reader = pypdf.PdfReader(built / "report.pdf")
    assert len(reader.pages) >= 10  # cover, contents and 10 chapters each start a page
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert abs(width - 595) < 2 and abs(height - 842) < 2  # A4 portrait in points
    assert f"Page 2 of {len(reader.pages)}" in reader.pages[1].extract_text()


def test_accessibility_no_serious_violations(built, axe):
    serious = browser.serious_violations(browser.run_axe(built / "report.html"))
    assert serious == [], serious


def test_rebuild_with_nothing_changed_is_skipped(built):
    before = (built / "report.html").stat().st_mtime_ns
    result = build(QUARTER, out=built.parent)
    assert result.up_to_date
    assert (built / "report.html").stat().st_mtime_ns == before


def test_cli_shows_progress_as_plain_lines_and_timings_with_debug(built, capsys):
    from helpers.cli import main

    up_to_date = f"{QUARTER}: outputs are up to date (nothing changed); use --force to rebuild"
    assert main(["build", "--quarter", QUARTER, "--out", str(built.parent)]) == 0
    assert capsys.readouterr().err.splitlines() == [up_to_date]
    assert main(["--debug", "build", "--quarter", QUARTER, "--out", str(built.parent)]) == 0
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == up_to_date and lines[1].startswith(f"{QUARTER}: seconds taken: compute ") and len(lines) == 2


def test_failing_notebook_keeps_previous_outputs(built, tmp_path, monkeypatch):
    """A notebook that raises: non-zero, names notebook, cell and exception; outputs untouched."""
    broken = tmp_path / "notebooks"
    broken.mkdir()
    for path in config.NOTEBOOKS.glob("0*.ipynb"):
        text = path.read_text()
        if path.stem == "03_reduce_asb":
            text = text.replace("render.indicators(results, SECTION)", "render.indicators(results, SECTION) and 1 / 0")
        (broken / path.name).write_text(text)
    monkeypatch.setattr(config, "NOTEBOOKS", broken)
    before = {p.name: p.read_bytes() for p in built.iterdir() if p.is_file()}
    with pytest.raises(BuildError) as error:
        build(QUARTER, out=built.parent, force=True)
    message = str(error.value)
    assert "03_reduce_asb.ipynb" in message and "cell 5" in message and "ZeroDivisionError" in message
    assert {p.name: p.read_bytes() for p in built.iterdir() if p.is_file()} == before
    assert (built / "failed" / "03_reduce_asb.ipynb").exists()
    assert not list(built.parent.glob(f".{QUARTER}.building-*"))


def test_cli_rejects_bad_quarter_in_one_line(tmp_path):
    for bad in ("2022-Q2", "../../x"):
        run = subprocess.run([sys.executable, "-m", "helpers.cli", "build", "--quarter", bad, "--out", str(tmp_path)],
                             capture_output=True, text=True)
        assert run.returncode != 0
        assert run.stderr.strip().count("\n") == 0 and "2022-23-Q2" in run.stderr
        assert "Traceback" not in run.stderr
    assert list(tmp_path.iterdir()) == []


def test_without_chromium_everything_else_is_built_and_one_line_says_what_to_install(tmp_path, monkeypatch, capsys):
    from helpers.cli import main

    monkeypatch.setenv("SAFER_CHROMIUM", str(tmp_path / "no-chromium"))
    assert main(["build", "--quarter", QUARTER, "--out", str(tmp_path)]) == 0
    folder = tmp_path / QUARTER
    assert {"report.html", "indicators.csv", "dashboard.xlsx", "board-paper.md"} <= {p.name for p in folder.iterdir()}
    assert not (folder / "report.pdf").exists()
    out, err = capsys.readouterr()
    assert err.splitlines() == [f"{QUARTER}: running {len(build_module.SECTION_NOTEBOOKS)} section notebooks"]
    notes = [line for line in out.splitlines() if line.startswith("Not built")]
    assert len(notes) == 1 and "report.pdf" in notes[0] and "apt-get install chromium" in notes[0]
