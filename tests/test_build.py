"""End to end: build the default quarter from the bundled data and check what a reviewer gets."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from markupsafe import escape

import board
import page_checks
from helpers import config
from helpers.errors import BuildError
from helpers.pipeline import browser
from helpers.pipeline import orchestrate as build_module
from helpers.pipeline.orchestrate import build
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
    assert {
        "report.html",
        "indicators.csv",
        "series.csv",
        "dashboard.xlsx",
        "board-paper.md",
        "board-paper.docx",
        "notebooks",
    } <= names
    assert sorted(p.stem for p in (built / "notebooks").glob("*.ipynb")) == build_module.SECTION_NOTEBOOKS


def test_the_word_paper_holds_the_markdown_papers_paragraphs(built):
    from helpers.presentation.paper import plain
    from helpers.presentation.word import docx_text

    words = docx_text((built / "board-paper.docx").read_bytes())
    paper = (built / "board-paper.md").read_text(encoding="utf-8")
    assert (
        re.findall(r"^(\d+)\.\t(.*)$", words, re.M)
        == [(n, plain(text)) for n, text in re.findall(r"^(\d+)\. (.*)$", paper, re.M)]
        != []
    )


def test_indicators_csv_has_every_indicator_and_area(table):
    required = {
        "indicator_id",
        "area",
        "period_end",
        "numerator",
        "denominator",
        "value",
        "previous_numerator",
        "previous_value",
        "change_pct",
        "status",
        "ci_low",
        "ci_high",
        "previous_ci_low",
        "previous_ci_high",
        "significant",
        "direction",
        "judgement",
        "vs_partnership",
        "target_status",
        "spc_signal",
    }
    assert required <= set(table.columns)
    assert set(table["area"]) == set(board.AREAS)
    assert "Leicester" not in set(table["area"])
    assert (table["period_end"] == "2022-09").all()
    ids = {"total_crime", "asb_total", "burglary_total", "vehicle_offences"}
    assert ids <= set(table["indicator_id"])


def test_totals_add_up(table):
    """County = 7 districts; partnership = county + Rutland (police.uk indicators, real data)."""
    crime = table[table["indicator_id"] == "total_crime"].set_index("area")["numerator"]
    assert crime[board.COUNTY] == sum(crime[d] for d in board.COUNTY_DISTRICTS)
    assert crime[board.PARTNERSHIP] == crime[board.COUNTY] + crime["Rutland"]


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
    for text in (
        "Leicestershire &amp; Rutland Safer Communities Strategy Board",
        "2022/23 Quarter 2",
        "12 months to September 2022",
        "Key points",
        "Contents",
        "District breakdown",
        "Methods",
        "Provenance",
        "Byar",
        "Wilson",
        "Illustrative sample",
        "change of recording system",
    ):
        assert text in html, text


def test_statistics_are_in_plain_words(built, html, table):
    paper = (built / "board-paper.md").read_text(encoding="utf-8")
    assert "sigma" not in html.lower() and "sigma" not in paper.lower()
    for text in ("Making Data Count", "the usual level", "against the rest of", "Breaks in the police.uk data"):
        assert text in html, text
    # every SPC signal quoted is in the words of one of the four kinds of signal
    signals = table.loc[~table["spc_signal"].isin(["none"]) & table["spc_signal"].notna(), "spc_signal"]
    kinds = ("the latest month was unusually", "a run of", "a trend of", "of the last three months close to the")
    assert all(any(kind in signal for kind in kinds) for signal in signals)


def test_key_points_match_the_csv(html, table):
    """Every key point's figures are the CSV's values, formatted once."""
    partnership = table[(table["area"] == board.PARTNERSHIP) & (table["status"] == "available")]
    for row in partnership.to_dict("records"):
        now, before = figure(row["value"], row["measure"]), figure(row["previous_value"], row["measure"])
        title = re.escape(row["title"].replace("&", "&amp;"))
        pattern = (
            rf"{title} (?:is|are) [^<]*{re.escape(before)}[^<]*{re.escape(now)}|"
            rf"{title} (?:is|are) {re.escape(now)}, [^<]*{re.escape(before)}"
        )
        assert re.search(pattern, html), row["indicator_id"]


def test_dashboard_arrows_come_from_the_direction_column(html, table):
    row = table[(table["area"] == board.PARTNERSHIP) & (table["indicator_id"] == "total_crime")].iloc[0]
    arrow = {"higher": "▲ Higher", "lower": "▼ Lower", "similar": "► Similar"}[row["direction"]]
    cells = re.search(r"#total_crime['\"]>Total recorded crime</a></th>(.*?)</tr>", html, re.S).group(1)
    assert arrow in cells and row["judgement"].capitalize() in cells


def test_pdf_is_short_with_key_points_and_dashboard_first_and_page_numbers(built, chromium):
    import pypdf

    reader = pypdf.PdfReader(built / "report.pdf")
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]
    assert len(pages) <= 20
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert abs(width - 595) < 2 and abs(height - 842) < 2  # A4 portrait in points
    assert f"Page 2 of {len(pages)}" in pages[1]
    first_four = " ".join(pages[:4])
    assert "The main messages" in first_four and "All priorities, Leicestershire & Rutland:" in first_four
    # every priority starts a page; the per-indicator detail (SPC charts, figures) is on screen only
    assert all(
        any(page.startswith(title) or f" {title} " in page[:200] for page in pages)
        for title in config.SECTIONS.values()
    )
    assert not any("Figures behind the chart" in page for page in pages)


def test_each_priority_has_one_figure_of_trajectories_and_its_detail_folded(html):
    details = re.findall(r"<details class='indicator-details'>(.*?)</details>", html, re.S)
    assert len(details) == len(config.SECTIONS)
    assert all("Figures behind the chart" in block and "Monthly SPC signal" in block for block in details)
    assert "details.indicator-details { display: none; }" in html  # not printed
    for title in config.SECTIONS.values():
        assert f"{title.replace('&', '&amp;')}: the rolling 12-month value of each indicator" in html, title


def test_cover_leaves_population_to_methods_and_parameters_read_as_settings(html):
    cover = html[: html.index("id='contents-heading'")]
    assert "Population estimates" not in cover and "ONS" not in cover
    methods = html[html.index("id='methods'") : html.index("id='provenance'")]
    assert "Rates use ONS mid-year population estimates" in methods
    parameters = html[html.index("<caption>Parameters used</caption>") : html.index("Input files (SHA-256)")]
    assert "{" not in parameters and "': " not in parameters and ">None<" not in parameters
    assert "start 2019-12" in parameters  # params' baseline mapping, as words


def test_accessibility_no_serious_violations(built, axe):
    serious = page_checks.serious_violations(page_checks.run_axe(built / "report.html"))
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
    assert lines[0] == up_to_date and lines[1].startswith(f"{QUARTER}: seconds taken: check ") and len(lines) == 2


def test_a_rebuild_with_nothing_changed_loads_no_heavy_library(built):
    # It answers from the cache's summary and the stamps; the warnings it repeats are checked with the commentary's.
    command = (
        "import sys, pathlib; from helpers import config; from helpers.cli import main; "
        f"config.PARTNERSHIPS = pathlib.Path({str(board.PARTNERSHIPS_FILE)!r}); "  # as the built fixture's build had it
        f"code = main(['build', '--quarter', '{QUARTER}', '--out', {str(built.parent)!r}]); "
        "print(code, sorted({'pandas', 'matplotlib', 'papermill', 'nbclient'} & set(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", command], capture_output=True, text=True, timeout=120)
    assert done.stdout.split("\n")[-2] == "0 []", done.stderr
    assert done.stderr == f"{QUARTER}: outputs are up to date (nothing changed); use --force to rebuild\n"


def test_failing_notebook_keeps_previous_outputs(built, tmp_path, monkeypatch):
    """A notebook that raises: non-zero, names notebook, cell and exception; outputs untouched."""
    broken = tmp_path / "notebooks"
    broken.mkdir()
    for path in config.NOTEBOOKS.glob("0*.ipynb"):
        text = path.read_text()
        if path.stem == "03_reduce_asb":
            text = text.replace(
                "render.trajectories(results, SECTION)", "render.trajectories(results, SECTION) and 1 / 0"
            )
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
        run = subprocess.run(
            [sys.executable, "-m", "helpers.cli", "build", "--quarter", bad, "--out", str(tmp_path)],
            capture_output=True,
            text=True,
        )
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
    assert err.splitlines() == [
        f"{QUARTER}, {board.PARTNERSHIP}: running {len(build_module.SECTION_NOTEBOOKS)} section notebooks"
    ]
    notes = [line for line in out.splitlines() if line.startswith("Not built")]
    assert len(notes) == 1 and "report.pdf" in notes[0] and "apt-get install chromium" in notes[0]
    log = (folder / "build.log").read_text(encoding="utf-8")
    assert f"INFO {QUARTER}, {board.PARTNERSHIP}: computed from " in log
    assert f"INFO read {config.POLICE_UK / 'leicestershire' / '2022-09-leicestershire-street.csv.gz'} (sha256 " in log
    assert f"INFO {QUARTER}, {board.PARTNERSHIP}: wrote board-paper.docx, board-paper.html, board-paper.md, " in log
    assert "INFO not built: report.pdf (Chromium not found" in log

    # Again with nothing changed and Chromium still missing: up to date, and the same one line.
    before = (folder / "report.html").stat().st_mtime_ns
    assert main(["build", "--quarter", QUARTER, "--out", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert "outputs are up to date" in captured.err
    assert [line for line in captured.out.splitlines() if line.startswith("Not built")] == notes
    assert (folder / "report.html").stat().st_mtime_ns == before


def test_up_to_date_until_chromium_can_print_the_skipped_pdf(tmp_path, monkeypatch):
    """No report.pdf in a folder built from these inputs is the record that Chromium was missing."""
    (tmp_path / ".build-key").write_text("key")
    monkeypatch.delenv(browser.CHROMIUM_ENV, raising=False)
    monkeypatch.setattr(browser, "find_chromium", lambda: None)
    still_missing = build_module._up_to_date(tmp_path, "key")
    assert still_missing.up_to_date and still_missing.folder == tmp_path
    assert still_missing.skipped == [
        "report.pdf (Chromium not found: install Debian's chromium (apt-get install chromium) or set SAFER_CHROMIUM)"
    ]
    assert build_module._up_to_date(tmp_path, "other inputs") is None

    monkeypatch.setattr(browser, "find_chromium", lambda: "/usr/bin/chromium")  # installed since
    assert build_module._up_to_date(tmp_path, "key") is None

    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.7")
    assert build_module._up_to_date(tmp_path, "key").skipped == []
    monkeypatch.setattr(browser, "find_chromium", lambda: None)  # removed again: no rebuild for that
    assert build_module._up_to_date(tmp_path, "key").skipped == []


def test_installing_chromium_later_prints_the_pdf_without_force(built, chromium, tmp_path):
    """A build folder whose report.pdf was skipped (here: the built one without it) gets it next build."""
    folder = tmp_path / QUARTER
    shutil.copytree(built, folder)
    (folder / "report.pdf").unlink()
    result = build(QUARTER, out=tmp_path)
    assert not result.up_to_date and result.skipped == []
    assert (folder / "report.pdf").read_bytes().startswith(b"%PDF-")
    assert build(QUARTER, out=tmp_path).up_to_date


def _params_with_commentary(path, summary: str, sections: dict) -> str:
    """The bundled quarter's params with the analyst's commentary replaced."""
    import yaml

    document = yaml.safe_load((config.PARAMS / f"{QUARTER}.yaml").read_text())
    document["commentary"] = {"summary": summary, "sections": sections}
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return str(path)


def test_commentary_figures_warn_never_fail_and_strict_fails_in_one_line(tmp_path, monkeypatch, capsys):
    """The issue's prose builds with no warning; its three slips give one warning each, on stderr and in the review
    note; ``--strict`` stops on them in one line and leaves the outputs as they were."""
    from helpers.cli import main

    monkeypatch.setattr(browser, "find_chromium", lambda: None)  # the PDF is not what is checked here
    prose = (
        "Shoplifting is now the fastest-growing crime in the county. Total recorded crime is back above its "
        "pre-pandemic level."
    )
    history = "As reported to the Board in 2021/22 Q4, the 12 months to June 2022 …"
    out, folder = tmp_path / "out", tmp_path / "out" / QUARTER
    build_args = ["build", "--quarter", QUARTER, "--out", str(out), "--params"]

    clean = _params_with_commentary(tmp_path / "clean.yaml", prose, {"reduce_crime": history})
    assert main([*build_args, clean, "--strict"]) == 0
    assert "warning" not in capsys.readouterr().err
    assert "Nothing to check" in (folder / "review-notes.md").read_text()

    slips = [
        "Total recorded crime stands at 67.69 per 1,000 population.",
        "The MARAC repeat referral rate is 41.7%.",
        "The Board note the 2021/22 Q2 performance dashboard.",
    ]
    slipped = _params_with_commentary(
        tmp_path / "slips.yaml",
        f"{prose} {slips[0]}",
        {"reduce_crime": history, "protect_vulnerable": slips[1], "cohesion": slips[2]},
    )
    assert main([*build_args, slipped]) == 0
    warnings = [line for line in capsys.readouterr().err.splitlines() if "warning" in line]
    assert len(warnings) == 3 and all(line.startswith("safer-report: warning: commentary: ") for line in warnings)
    for line, slip, quoted in zip(warnings, slips, ['"67.69 per 1,000"', '"41.7%"', '"2021/22 Q2"']):
        assert f'{quoted} in "{slip}"' in line and "indicators.csv " in line
    note = (folder / "review-notes.md").read_text()
    assert [line[2:] for line in note.splitlines() if line.startswith("- ")] == [
        w[len("safer-report: warning: ") :] for w in warnings
    ]
    report = (folder / "report.html").read_text(encoding="utf-8")
    assert "67.69 per 1,000 population" in report and "Review notes" not in report  # as written; no note

    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    assert main([*build_args, slipped, "--strict", "--force"]) == 2
    [error] = capsys.readouterr().err.splitlines()
    assert (
        error.startswith("safer-report: error: the analyst's commentary quotes 3 figures that disagree")
        and "--strict" in error
        and '"67.69 per 1,000"' in error
    )
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()} == before

    assert main([*build_args, slipped]) == 0  # up to date: nothing rebuilt, the same warnings still said
    assert [line for line in capsys.readouterr().err.splitlines() if "warning" in line] == warnings
    assert main([*build_args, slipped, "--strict"]) == 2  # up to date, and --strict still stops on them
    assert capsys.readouterr().err.startswith("safer-report: error: the analyst's commentary quotes 3 figures")
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()} == before


def test_the_committee_template_named_in_params_styles_the_word_paper(tmp_path, monkeypatch, capsys):
    """A template that is not a .docx stops the build in one line before anything is built; a real one gives its
    Normal style to board-paper.docx."""
    import yaml
    from docx import Document

    from helpers.cli import main

    monkeypatch.setattr(browser, "find_chromium", lambda: None)  # the PDF is not what is checked here
    template, params, out = tmp_path / "committee.docx", tmp_path / "params.yaml", tmp_path / "out"
    document = yaml.safe_load((config.PARAMS / f"{QUARTER}.yaml").read_text())
    params.write_text(yaml.safe_dump({**document, "paper_template": str(template)}), encoding="utf-8")
    template.write_text("not a Word document")
    assert main(["build", "--quarter", QUARTER, "--out", str(out), "--params", str(params)]) == 2
    [error] = capsys.readouterr().err.splitlines()
    assert (
        error
        == f"safer-report: error: {template}: is not a Word document: save the committee template from Word as a .docx"
    )
    assert not out.exists() or not any(out.iterdir())

    committee = Document()
    committee.styles["Normal"].font.name = "Georgia"
    committee.save(template)
    assert main(["build", "--quarter", QUARTER, "--out", str(out), "--params", str(params)]) == 0
    paper = Document(out / QUARTER / "board-paper.docx")
    assert paper.styles["Normal"].font.name == "Georgia"
    assert {p.style.name for p in paper.paragraphs if p._p.xpath("w:pPr/w:numPr")} == {"Normal"}


def test_all_partnerships_build_each_pack_in_its_folder_and_an_index(tmp_path, monkeypatch, capsys):
    """Three packs (the board's, a district's and the force area's) through ``--all-partnerships``: the default's
    files where they always were, the others in <quarter>/<id>/, an index linking them; a later build of the
    default alone keeps the others."""
    import yaml

    from helpers.cli import main

    ours = yaml.safe_load(board.PARTNERSHIPS_FILE.read_text(encoding="utf-8"))
    ours["partnerships"] = {pid: ours["partnerships"][pid] for pid in (board.BOARD.id, "charnwood", "force-area")}
    trimmed = tmp_path / "partnerships.yaml"
    trimmed.write_text(yaml.safe_dump(ours, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(config, "PARTNERSHIPS", trimmed)
    monkeypatch.setenv("SAFER_CHROMIUM", str(tmp_path / "no-chromium"))
    out = tmp_path / "out"
    assert main(["build", "--quarter", QUARTER, "--out", str(out), "--all-partnerships"]) == 0
    folder = out / QUARTER
    names = {"report.html", "indicators.csv", "dashboard.xlsx", "board-paper.md", "board-paper.docx", "review-notes.md"}
    for pack in (folder, folder / "charnwood", folder / "force-area"):
        assert names <= {p.name for p in pack.iterdir()}, pack
    stdout = capsys.readouterr().out
    assert stdout.count("Not built: report.pdf") == 1 and f"index: {folder / 'index.html'}" in stdout

    charnwood = pd.read_csv(folder / "charnwood" / "indicators.csv")
    assert list(charnwood["area"].unique()) == [
        "Charnwood",
        *[d for d in board.COUNTY_DISTRICTS if d != "Charnwood"],
        board.COUNTY,
    ]
    assert list(charnwood.columns) == list(pd.read_csv(folder / "indicators.csv").columns)
    paper = (folder / "charnwood" / "board-paper.md").read_text(encoding="utf-8")
    assert paper.startswith("# Charnwood Community Safety Partnership") and "Community Safety Manager" in paper
    assert "Charnwood Community Safety Partnership" in (folder / "charnwood" / "report.html").read_text(
        encoding="utf-8"
    )
    force = pd.read_csv(folder / "force-area" / "indicators.csv")
    assert "Leicester" in set(force["area"]) and "Leicester, Leicestershire & Rutland" in set(force["area"])

    index = (folder / "index.html").read_text(encoding="utf-8")
    for name in (board.PARTNERSHIP.replace("&", "&amp;"), "Charnwood", "Leicester, Leicestershire &amp; Rutland"):
        assert f"<h2>{name}</h2>" in index
    links = re.findall(r"href='([^']+)'", index)
    assert "charnwood/report.html" in links and "report.html" in links
    assert all((folder / link).is_file() for link in links)
    assert "deteriorating" in index and "Of the 21 indicators" in index

    # the default alone, rebuilt: the other packs and the index stay
    assert main(["build", "--quarter", QUARTER, "--out", str(out), "--force"]) == 0
    assert (folder / "charnwood" / "report.html").is_file() and (folder / "index.html").is_file()
    assert not [p.name for p in out.iterdir() if ".building-" in p.name or ".old-" in p.name]


def test_with_small_area_population_the_where_chapter_and_csv_give_rates_per_10000(tmp_path, monkeypatch):
    """tests/fixtures/lsoa_population_melton.csv has made-up populations (not ONS figures) for the LSOA codes that
    police.uk's data gives Melton 001 (six LSOAs, 10,500 residents) and Melton 002 (five, 8,000), and for one of
    Melton 003's: every other neighbourhood has no rate."""
    import yaml

    from helpers.cli import main

    monkeypatch.setattr(browser, "find_chromium", lambda: None)  # the PDF is not what is checked here
    population, params, out = (
        Path(__file__).parent / "fixtures" / "lsoa_population_melton.csv",
        tmp_path / "params.yaml",
        tmp_path / "out",
    )
    document = yaml.safe_load((config.PARAMS / f"{QUARTER}.yaml").read_text())
    params.write_text(yaml.safe_dump({**document, "small_area_population": str(population)}), encoding="utf-8")
    assert main(["build", "--quarter", QUARTER, "--out", str(out), "--params", str(params)]) == 0

    rows = pd.read_csv(out / QUARTER / "neighbourhoods.csv")
    assert list(rows.columns[-2:]) == ["rate", "previous_rate"]
    total = rows[rows["indicator_id"] == "total_crime"].set_index("neighbourhood")
    for neighbourhood, residents in (("Melton 001", 10500), ("Melton 002", 8000)):
        row = total.loc[neighbourhood]
        assert row["rate"] == pytest.approx(row["numerator"] / residents * 10000)
        assert row["previous_rate"] == pytest.approx(row["previous_numerator"] / residents * 10000)
    unrated = total["rate"].isna()
    assert unrated["Melton 003"] and unrated.sum() == len(total) - 2

    html = (out / QUARTER / "report.html").read_text(encoding="utf-8")
    chapter = html[html.index("id='where'") : html.index("id='key'")]
    assert (
        "Neighbourhood figures are rates per 10,000 residents (ONS small-area estimates,\nlsoa_population_melton.csv)"
        in chapter
    )
    assert f"{unrated.sum()} neighbourhoods have\nan LSOA missing from that file" in chapter
    assert "not rates" not in chapter and "Per 10,000, 12 months to Sep 2022" in chapter
    methods = html[html.index("id='methods'") :]
    assert (
        "Neighbourhood figures are rates per 10,000 residents (ONS small-area estimates, lsoa_population_melton.csv)"
        in methods
    )


def test_the_where_chapter_and_no_small_sensitive_count_below_district_level_in_any_output(built, html):
    from openpyxl import load_workbook

    from helpers.inputs.catalogue import load_catalogue

    sensitive = {i for i, entry in load_catalogue().items() if entry.sensitive}
    csv_rows = pd.read_csv(built / "neighbourhoods.csv")
    assert {"total_crime", "burglary_total"} <= set(csv_rows["indicator_id"])
    ours = csv_rows[csv_rows["indicator_id"].isin(sensitive)]
    assert len(ours)
    for column in ("numerator", "previous_numerator"):
        assert not ours[column].between(1, 4).any()
    assert ours.loc[ours["suppressed"], "change_pct"].isna().all()

    sheet = load_workbook(built / "dashboard.xlsx", read_only=True)["Neighbourhoods"]
    header, *rows = sheet.iter_rows(values_only=True)
    at = {name: header.index(name) for name in ("indicator_id", "numerator", "previous_numerator")}
    cells = [
        row[at[c]] for row in rows if row[at["indicator_id"]] in sensitive for c in ("numerator", "previous_numerator")
    ]
    assert "fewer than 5" in cells and not any(isinstance(v, (int, float)) and 1 <= v <= 4 for v in cells)

    chapter = html[html.index("id='where'") : html.index("id='key'")]
    assert (
        "Neighbourhood figures are\ncounts of crimes, not rates" in chapter
        and "Hotspot maps of burglary (all)" in chapter
    )
    busiest = chapter[chapter.index("table class='where busiest'") :]
    busiest = busiest[: busiest.index("</table>")]
    column = re.findall(r"<th scope='col'>(.*?)</th>", busiest).index("Violence and sexual offences") - 1
    shown = [
        re.findall(r"<br><span class='figures'>([\d,]+|fewer than 5)", row)[column]
        for row in re.findall(r"<tr><th scope='row'>.*?</tr>", busiest)
    ]
    assert len(shown) == len(board.DISTRICTS)
    assert all(c == "fewer than 5" or int(c.replace(",", "")) >= 5 for c in shown)
    assert (
        "Neighbourhoods rising significantly faster than their district" in html[: html.index("id='where'")]
    )  # key points

    # every neighbourhood carries its Library name beside its ONS name, in the CSV and the chapter
    assert csv_rows["name"].notna().all()
    top = chapter[chapter.index("<table class='where'>") :]
    shown = re.findall(r"<th scope='row'>(.*?)</th>", top[: top.index("</table>")])
    labels = {f"{escape(r['name'])} ({r['neighbourhood']})" for r in csv_rows.to_dict("records")}
    assert shown and set(shown) <= labels
    # the MSOA is explained with an LSOA and neighbourhood of the pack's own data
    example = re.search(
        r'places crimes in the LSOA "(.+?)", one of the (\d+)\s+LSOAs of the neighbourhood "(.+?)"', chapter
    )
    lsoa, count, neighbourhood = example.groups()
    assert lsoa[:-1] == neighbourhood and neighbourhood in set(csv_rows["neighbourhood"])
    assert csv_rows.set_index("neighbourhood").loc[neighbourhood, "lsoa_count"].iloc[0] == int(count)
    # the flagged share: the test against the district with its false discovery control keeps it small
    assert csv_rows["significant"].eq(True).mean() <= 0.12


def test_a_partnership_without_a_contact_warns_and_its_paper_names_no_one(tmp_path, monkeypatch, capsys):
    """No placeholder, and not params/defaults.yaml's council: one warning line, and no "Officer to contact"."""
    import yaml

    from helpers.cli import main

    ours = yaml.safe_load(board.PARTNERSHIPS_FILE.read_text(encoding="utf-8"))
    del ours["partnerships"][board.BOARD.id]["contact"]
    trimmed = tmp_path / "partnerships.yaml"
    trimmed.write_text(yaml.safe_dump(ours, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(config, "PARTNERSHIPS", trimmed)
    monkeypatch.setattr(browser, "find_chromium", lambda: None)  # the PDF is not what is checked here
    assert main(["build", "--quarter", QUARTER, "--out", str(tmp_path / "out")]) == 0
    warnings = [line for line in capsys.readouterr().err.splitlines() if "warning" in line]
    assert warnings == [
        f"safer-report: warning: {board.PARTNERSHIP}: the board paper names no officer to contact: "
        "give the partnership a contact in params/partnerships.yaml"
    ]
    folder = tmp_path / "out" / QUARTER
    paper = (folder / "board-paper.md").read_text(encoding="utf-8")
    assert "Officer to contact" not in paper and "County Council" not in paper
    assert "Nothing to check" in (folder / "review-notes.md").read_text()  # the note is about the commentary only
