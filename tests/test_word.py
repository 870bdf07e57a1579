"""board-paper.docx: the paper's blocks in Word, a committee template's styles, the template's checks,
and the consistency check on the Word text."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

import board
from helpers import config
from helpers.analysis.compute import compute
from helpers.errors import BuildError, InputError
from helpers.inputs.params import load_settings, paper_template
from helpers.presentation.excel import write_csv
from helpers.presentation.paper import Heading, Paragraph, Table, blocks_markdown, check_consistency, paper_blocks
from helpers.presentation.word import docx_text, word_paper
from helpers.quarters import parse_quarter

TITLE = "Safer Communities Performance 2022/23 Quarter 2 Report"


@pytest.fixture(scope="module")
def results():
    return compute("2022-23-Q2")


@pytest.fixture(scope="module")
def blocks(results):
    return paper_blocks(results)


@pytest.fixture(scope="module")
def word(blocks, results) -> bytes:
    return word_paper(blocks, TITLE, results.quarter)


@pytest.fixture(scope="module")
def table(results, tmp_path_factory) -> pd.DataFrame:
    """indicators.csv as written and read back."""
    path = tmp_path_factory.mktemp("csv") / "indicators.csv"
    write_csv(results.table, path)
    return pd.read_csv(path)


def numbered(paragraphs) -> list[tuple[int, str]]:
    """The paragraphs of Word's numbered list, numbered as Word numbers them (one list, from 1)."""
    listed = [p for p in paragraphs if p._p.xpath("w:pPr/w:numPr/w:numId")]
    return [(n, p.text) for n, p in enumerate(listed, start=1)]


def make_template(path: Path, drop: tuple[str, ...] = ()) -> Path:
    """A committee template: Georgia 13 pt Normal, dark red Heading 1, a header, and body text that is not the paper's."""
    document = Document()
    document.styles["Normal"].font.name, document.styles["Normal"].font.size = "Georgia", Pt(13)
    document.styles["Heading 1"].font.color.rgb = RGBColor(0x99, 0, 0)
    document.sections[0].header.paragraphs[0].text = "Committee header"
    document.add_paragraph("Placeholder: type the paper here")
    for name in drop:
        document.styles[name].delete()
    document.save(path)
    return path


def test_word_paper_has_the_papers_headings_and_numbered_paragraphs(word, blocks, results):
    paper = blocks_markdown(blocks)
    document = Document(io.BytesIO(word))
    headings = [(int(p.style.name[-1]), p.text) for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [(len(m[1]), m[2]) for m in re.finditer(r"^(#+) (.*)$", paper, re.M)]
    assert [text for level, text in headings if level == 4] == list(config.SECTIONS.values())
    assert [text for level, text in headings if level == 3] == [
        "Purpose of the report",
        "Introduction",
        "Key points",
        "Recommendations",
        "Officer to contact",
        "Background papers",
    ]
    paragraphs = numbered(document.paragraphs)
    commentary = re.compile(r"\*\*(.*?)\*\*")  # the analyst's Markdown bold is Word's bold
    assert paragraphs == [(int(m[1]), commentary.sub(r"\1", m[2])) for m in re.finditer(r"^(\d+)\. (.*)$", paper, re.M)]
    assert not any(re.match(r"\d+\.", text) for _, text in paragraphs)  # the numbers are Word's, not typed
    meeting = results.settings.meeting_date
    assert document.paragraphs[1].text == f"Date: {meeting.day} {meeting:%B %Y}" and document.paragraphs[1].runs[0].bold
    contact = results.settings.contact
    at = [p.text for p in document.paragraphs].index("Officer to contact")
    assert document.paragraphs[at + 1].text == "\n".join(contact[k] for k in ("name", "role", "email"))
    bold = [run.text for p in document.paragraphs for run in p.runs if run.bold]
    assert "Business Crime Group" in bold


def test_numbered_paragraphs_are_one_word_list_and_pages_are_numbered(word, results):
    """Word's own numbering (a decimal list, so cutting a paragraph renumbers the rest), the board and date in the
    header, and "Page N of M" from PAGE and NUMPAGES fields in the footer."""
    document = Document(io.BytesIO(word))
    ids = {
        p._p.xpath("string(w:pPr/w:numPr/w:numId/@w:val)") for p in document.paragraphs if p._p.xpath("w:pPr/w:numPr")
    }
    [num_id] = ids
    numbering = document.part.numbering_part.element
    abstract = numbering.xpath(f"w:num[@w:numId='{num_id}']/w:abstractNumId/@w:val")[0]
    level = numbering.xpath(f"w:abstractNum[@w:abstractNumId='{abstract}']/w:lvl[@w:ilvl='0']")[0]
    assert [level.find(qn(f"w:{tag}")).get(qn("w:val")) for tag in ("numFmt", "lvlText")] == ["decimal", "%1."]
    section = document.sections[0]
    assert section.header.paragraphs[0].text == f"{results.partnership.board} – 17 November 2022"
    footer = section.footer._element
    assert [t.text.strip() for t in footer.xpath(".//w:instrText")] == ["PAGE", "NUMPAGES"]
    assert section.footer.paragraphs[0].text.startswith("Page ")


def test_the_main_figures_are_a_small_table(word, table):
    document = Document(io.BytesIO(word))
    [figures] = document.tables
    rows = [[cell.text for cell in row.cells] for row in figures.rows]
    assert rows[0] == [
        "Indicator (per 10,000 unless %)",
        "12 months to Sep 2021",
        "12 months to Sep 2022",
        "Change",
        "Judgement",
    ]
    row = table[(table["indicator_id"] == "total_crime") & (table["area"] == board.PARTNERSHIP)].iloc[0]
    assert [
        "Total recorded crime",
        f"{row['previous_value']:,.2f}",
        f"{row['value']:,.2f}",
        "+18.6%",
        "Deteriorating",
    ] in rows
    assert 3 <= len(rows) - 1 <= 12 and figures.rows[0].cells[0].paragraphs[0].runs[0].font.size == Pt(9)


def test_a_key_point_carries_the_figures_of_indicators_csv(word, table):
    row = table[(table["indicator_id"] == "total_crime") & (table["area"] == board.PARTNERSHIP)].iloc[0]
    sentence = next(
        text
        for _, text in numbered(Document(io.BytesIO(word)).paragraphs)
        if text.startswith("Total recorded crime is")
    )
    change = (row["value"] - row["previous_value"]) / row["previous_value"] * 100
    assert f"{row['previous_value']:,.2f} to {row['value']:,.2f} per 10,000" in sentence
    assert f"({change:+.1f}%)" in sentence and row["judgement"] in sentence


def test_word_paper_is_dated_the_quarters_last_day_and_the_same_every_time(word, blocks, results):
    document = Document(io.BytesIO(word))
    properties = document.core_properties
    assert properties.author == "safer-report" and properties.title == TITLE
    assert properties.created == properties.modified == dt.datetime(2022, 9, 30, tzinfo=dt.timezone.utc)
    with zipfile.ZipFile(io.BytesIO(word)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2022, 9, 30, 0, 0, 0)}
    assert word_paper(blocks, TITLE, results.quarter) == word
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)  # A4 without a template
    assert document.styles["Normal"].font.name == "Arial"


def test_a_committee_templates_styles_header_and_page_are_used(tmp_path, blocks, results):
    template = paper_template(str(make_template(tmp_path / "committee.docx")))
    data = word_paper(blocks, TITLE, results.quarter, template)
    document = Document(io.BytesIO(data))
    normal = document.styles["Normal"]
    assert normal.font.name == "Georgia" and normal.font.size == Pt(13)
    assert document.styles["Heading 1"].font.color.rgb == RGBColor(0x99, 0, 0)
    assert document.paragraphs[0].style.name == "Heading 1"
    assert {p.style.name for p in document.paragraphs if p._p.xpath("w:pPr/w:numPr")} == {"Normal"}
    assert "Placeholder" not in docx_text(data)
    assert document.sections[0].header.paragraphs[0].text == "Committee header"
    assert round(document.sections[0].page_width.mm) == 216  # the template's US Letter, not made A4
    assert len(numbered(document.paragraphs)) == sum(isinstance(b, Paragraph) and b.number is not None for b in blocks)


def test_tables_and_characters_xml_cannot_hold(tmp_path):
    blocks = [
        Heading(1, "Board"),
        Paragraph("Counts\x01 of judgements:", 1),
        Table(("Judgement", "Indicators"), (("Improving", "3"), ("Stable | similar", "12"))),
    ]
    assert blocks_markdown(blocks) == (
        "# Board\n\n1. Counts\x01 of judgements:\n\n| Judgement | Indicators |\n"
        "| --- | --- |\n| Improving | 3 |\n| Stable \\| similar | 12 |\n"
    )
    data = word_paper(blocks, "t", parse_quarter("2022-23-Q2"))
    document = Document(io.BytesIO(data))
    [table] = document.tables
    assert [[c.text for c in row.cells] for row in table.rows] == [
        ["Judgement", "Indicators"],
        ["Improving", "3"],
        ["Stable | similar", "12"],
    ]
    assert table.style.name == "Table Grid" and table.rows[0].cells[0].paragraphs[0].runs[0].bold
    assert "<w:tblHeader" in table.rows[0]._tr.xml
    assert (
        docx_text(data)
        == "Board\n1.\tCounts of judgements:\nJudgement | Indicators\nImproving | 3\nStable | similar | 12"
    )


def test_consistency_check_reads_the_word_paper(word, table, results):
    check_consistency(table, board.PARTNERSHIP, {"board-paper.docx": docx_text(word)}, results.quarter)
    row = table[(table["indicator_id"] == "total_crime") & (table["area"] == board.PARTNERSHIP)].iloc[0]
    document = Document(io.BytesIO(word))
    paragraph = next(p for p in document.paragraphs if "Total recorded crime is" in p.text)
    assert docx_text(word).count("Total recorded crime is") == 1 and "\tTotal recorded crime is" in docx_text(word)
    paragraph.runs[-1].text = paragraph.runs[-1].text.replace(f"{row['value']:,.2f}", f"{row['value'] + 1:,.2f}")
    doctored = io.BytesIO()
    document.save(doctored)
    with pytest.raises(BuildError, match="total_crime current value"):
        check_consistency(
            table, board.PARTNERSHIP, {"board-paper.docx": docx_text(doctored.getvalue())}, results.quarter
        )


def params_error(tmp_path, template: str) -> str:
    path = tmp_path / "2022-23-Q3.yaml"
    path.write_text(f"paper_template: {template}\n")
    with pytest.raises(InputError) as caught:
        load_settings("2022-23-Q3", path)
    assert "\n" not in str(caught.value)
    return str(caught.value)


def test_a_missing_template_is_one_line_naming_it(tmp_path):
    assert (
        params_error(tmp_path, str(tmp_path / "committee.docx"))
        == f"{tmp_path / 'committee.docx'}: paper template not found"
    )


def test_a_template_that_is_not_a_word_document_is_one_line_naming_it(tmp_path):
    from openpyxl import Workbook

    (tmp_path / "notes.docx").write_text("typed, not saved from Word")
    Workbook().save(tmp_path / "book.docx")  # a zip of the wrong Office kind
    for name in ("notes.docx", "book.docx"):
        assert (
            params_error(tmp_path, str(tmp_path / name))
            == f"{tmp_path / name}: is not a Word document: save the committee template from Word as a .docx"
        )


def test_heading_styles_a_template_lacks_are_made_from_its_normal(tmp_path, blocks, results, caplog):
    """Word saves only the styles a document uses: a template may style Normal and nothing else."""
    path = make_template(tmp_path / "committee.docx", drop=("Heading 3", "Heading 4"))
    with caplog.at_level("INFO", logger="helpers"):
        document = Document(io.BytesIO(word_paper(blocks, TITLE, results.quarter, paper_template(str(path)))))
    assert caplog.messages == [
        "board-paper.docx: the paper template has no style for heading levels 3 and 4; made from its Normal"
    ]
    made = document.styles["Heading 3"]
    assert made.base_style.name == "Normal" and made.font.bold and made.font.name is None  # Georgia, from Normal
    assert made.font.size == Pt(15)  # 1.15 times Normal's 13 pt, to the half point
    assert made.element.xpath("w:pPr/w:outlineLvl/@w:val") == ["2"]
    assert document.styles["Heading 1"].font.color.rgb == RGBColor(0x99, 0, 0)  # the template's own, kept
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 3"][0] == "Purpose of the report"


def test_a_template_path_is_read_from_the_project_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "ROOT", tmp_path)
    (tmp_path / "params").mkdir()
    make_template(tmp_path / "params" / "committee.docx")
    assert paper_template("params/committee.docx") == (tmp_path / "params" / "committee.docx").read_bytes()
    assert paper_template(None) is None


@pytest.mark.slow
def test_libreoffice_opens_the_word_paper(word, table, tmp_path, soffice_writer):
    (tmp_path / "board-paper.docx").write_bytes(word)
    profile = Path(tempfile.mkdtemp(prefix="lo-profile-"))
    try:
        subprocess.run(
            [
                soffice_writer,
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(tmp_path),
                str(tmp_path / "board-paper.docx"),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    from pypdf import PdfReader

    pages = PdfReader(tmp_path / "board-paper.pdf").pages
    assert (round(float(pages[0].mediabox.width)), round(float(pages[0].mediabox.height))) == (595, 842)  # A4
    text = " ".join(" ".join(page.extract_text() for page in pages).split())
    row = table[(table["indicator_id"] == "total_crime") & (table["area"] == board.PARTNERSHIP)].iloc[0]
    assert f"{row['previous_value']:,.2f} to {row['value']:,.2f} per 10,000" in text
    assert "Officer to contact" in text and "The Board note the 2022/23 Q2 performance dashboard." in text
