"""The board paper as an editable Word document (``board-paper.docx``), and its text for the
consistency check.

Written with python-docx from the paper's blocks (``paper.paper_blocks``), so it holds the
same words as ``board-paper.md``, as a committee clerk expects a paper: the numbered paragraphs are
one Word numbered list (cut a paragraph and Word renumbers the rest), the board and the meeting date
are in the page header, "Page N of M" (PAGE and NUMPAGES fields) in the footer, and the main figures
are a small table. A committee template (``paper_template`` in params, read by the build) gives the
styles: its Heading 1–4 for the headings (those it lacks are made from its Normal), its Normal for the
paragraphs and its Table Grid, when it has one, for tables. The template's own body text is dropped;
its page set-up stays, and so do its header and footer when they have text (a page number is added to
a footer without one). Without a template the paper is on A4 in Arial, its headings as in
``board-paper.html``.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import zipfile

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor
from docx.table import Table as WordTable

from ..analysis.wording import join_words
from ..quarters import Quarter
from ..xlsx import NAVY, _quarter_time
from .paper import Block, Heading, Paragraph, Table, inline_parts

log = logging.getLogger(__name__)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # characters XML cannot hold
_HANG = 567  # twentieths of a point (1 cm): a paragraph's number hangs to the left of its text
_TABLE_PT = 9  # the figures table's text
_FIGURE_COLUMNS = (
    2.3,
    2.3,
    1.8,
    3.8,
)  # cm: a table's last columns (figures, change, judgement); the first takes the rest
_SCALE = {1: 1.5, 2: 1.3, 3: 1.15}  # a heading style made for a template: its size against Normal's


def word_paper(blocks: list[Block], title: str, quarter: Quarter, template: bytes | None = None) -> bytes:
    """The paper as .docx bytes, dated the quarter's last day: the same blocks give the same bytes."""
    document = Document(io.BytesIO(template) if template else None)
    body = document.element.body
    for element in list(body):
        if element.tag != qn("w:sectPr"):  # keep the page set-up
            body.remove(element)
    if template is None:
        _house_style(document)
    _add_missing_headings(document, {block.level for block in blocks if isinstance(block, Heading)})
    numbering = _numbered_list(document)
    for block in blocks:
        if isinstance(block, Heading):
            document.add_paragraph(_clean(block.text), style=f"Heading {block.level}")
        elif isinstance(block, Paragraph):
            _paragraph(document, block, numbering)
        else:
            _table(document, block)
    board = next((b.text for b in blocks if isinstance(b, Heading) and b.level == 1), "")
    date = next((b.text for b in blocks if isinstance(b, Paragraph) and b.label == "Date:"), "")
    _header_and_footer(document, " – ".join(_clean(t) for t in (board, date) if t))
    properties = document.core_properties
    properties.author = properties.last_modified_by = "safer-report"
    properties.title = title
    properties.created = properties.modified = _quarter_time(quarter)
    properties.revision = 1
    saved = io.BytesIO()
    document.save(saved)
    return _fixed_times(saved.getvalue(), _quarter_time(quarter))


def _house_style(document) -> None:
    """Without a committee template: A4, Arial, headings as in ``board-paper.html``."""
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for name, size, colour in (
        ("Normal", 11, "0B0C0C"),
        ("Heading 1", 14, "0B0C0C"),
        ("Heading 2", 14, NAVY),
        ("Heading 3", 12, NAVY),
        ("Heading 4", 11, "0B0C0C"),
    ):
        style = document.styles[name]
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        fonts.attrib.clear()  # a theme font would win over the named one
        style.font.name, style.font.size = "Arial", Pt(size)
        style.font.color.rgb = RGBColor.from_string(colour)
        if name != "Normal":
            style.font.italic = False
            style.paragraph_format.space_before, style.paragraph_format.space_after = Pt(6), Pt(2)
    document.styles["Normal"].paragraph_format.space_after = Pt(3)
    section.left_margin = section.right_margin = Cm(1.8)
    section.top_margin = section.bottom_margin = Cm(1.8)


def _add_missing_headings(document, levels: set[int]) -> None:
    """Heading styles the template lacks (Word saves only the styles a document uses), made from its
    Normal: bold, larger, kept with the next paragraph, at their outline level."""
    names = {style.name for style in document.styles}
    missing = sorted(level for level in levels if f"Heading {level}" not in names)
    normal = document.styles["Normal"]
    default = document.styles.element.xpath("w:docDefaults/w:rPrDefault/w:rPr/w:sz/@w:val")  # half-points
    points = normal.font.size.pt if normal.font.size else int(default[0]) / 2 if default else 10  # Word's own: 10
    for level in missing:
        style = document.styles.add_style(f"Heading {level}", WD_STYLE_TYPE.PARAGRAPH, builtin=True)
        style.base_style = style.next_paragraph_style = normal
        style.font.bold, style.font.size = True, Pt(round(points * _SCALE.get(level, 1) * 2) / 2)
        style.paragraph_format.keep_with_next, style.paragraph_format.space_before = True, Pt(12)
        outline = OxmlElement("w:outlineLvl")  # Word's navigation pane and contents list read it
        outline.set(qn("w:val"), str(level - 1))
        style.element.get_or_add_pPr().append(outline)
    if missing:
        log.info(
            "board-paper.docx: the paper template has no style for heading level%s %s; made from its Normal",
            "s" if len(missing) > 1 else "",
            join_words([str(level) for level in missing]),
        )


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _numbered_list(document) -> int:
    """A one-level decimal list ("1.", "2.", …, the number hanging 1 cm) in the document's numbering part:
    its numId."""
    numbering = document.part.numbering_part.element
    abstract_id = 1 + max((int(v) for v in numbering.xpath("w:abstractNum/@w:abstractNumId")), default=-1)
    num_id = 1 + max((int(v) for v in numbering.xpath("w:num/@w:numId")), default=0)
    abstract = _element("w:abstractNum", {"w:abstractNumId": abstract_id})
    abstract.append(_element("w:multiLevelType", {"w:val": "singleLevel"}))
    level = _element("w:lvl", {"w:ilvl": 0})
    for tag, value in (("w:start", 1), ("w:numFmt", "decimal"), ("w:lvlText", "%1."), ("w:lvlJc", "left")):
        level.append(_element(tag, {"w:val": value}))
    indent = _element("w:pPr")
    tabs = _element("w:tabs")
    tabs.append(_element("w:tab", {"w:val": "num", "w:pos": _HANG}))
    indent.append(tabs)
    indent.append(_element("w:ind", {"w:left": _HANG, "w:hanging": _HANG}))
    level.append(indent)
    abstract.append(level)
    nums = numbering.xpath("w:num")
    if nums:  # the schema puts every abstractNum before the first num
        nums[0].addprevious(abstract)
    else:
        numbering.append(abstract)
    num = _element("w:num", {"w:numId": num_id})
    num.append(_element("w:abstractNumId", {"w:val": abstract_id}))
    numbering.append(num)
    return num_id


def _element(tag: str, attributes: dict | None = None):
    element = OxmlElement(tag)
    for name, value in (attributes or {}).items():
        element.set(qn(name), str(value))
    return element


def _paragraph(document, block: Paragraph, numbering: int) -> None:
    paragraph = document.add_paragraph(style="Normal")
    if block.label:
        paragraph.add_run(_clean(block.label)).bold = True
        paragraph.add_run(" ")
    if block.number:
        properties = paragraph._p.get_or_add_pPr().get_or_add_numPr()
        properties.get_or_add_ilvl().val = 0
        properties.get_or_add_numId().val = numbering
    if block.commentary:  # the analyst's Markdown: its bold and italic kept
        for text, mark in inline_parts(block.text):
            run = paragraph.add_run(_clean(text))
            run.bold, run.italic = mark == "bold" or None, mark == "italic" or None
    else:
        paragraph.add_run(_clean(block.text))  # python-docx writes "\n" as a line break


def _header_and_footer(document, heading: str) -> None:
    """The board and date in the header, "Page N of M" in the footer, unless the template has its own."""
    section = document.sections[0]
    header = section.header
    if not any(p.text.strip() for p in header.paragraphs):
        paragraph = header.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        run = paragraph.add_run(heading)
        run.font.size = Pt(9)
    footer = section.footer
    if footer._element.xpath(".//w:instrText[contains(., 'PAGE')] | .//w:fldSimple[contains(@w:instr, 'PAGE')]"):
        return
    paragraph = footer.paragraphs[0] if not footer.paragraphs[0].text.strip() else footer.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for part in ("Page ", "PAGE", " of ", "NUMPAGES"):
        if part.isupper():
            _field(paragraph, part)
        else:
            paragraph.add_run(part).font.size = Pt(9)


def _field(paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word and LibreOffice work out when they lay out the page."""
    for kind, text in (("begin", None), (None, f" {instruction} "), ("separate", None), (None, "1"), ("end", None)):
        run = paragraph.add_run()
        run.font.size = Pt(9)
        if kind:
            run._r.append(_element("w:fldChar", {"w:fldCharType": kind}))
        elif text and text.strip() == instruction:
            code = _element("w:instrText", {"xml:space": "preserve"})
            code.text = text
            run._r.append(code)
        else:
            run.text = text


def _table(document, block: Table) -> None:
    """A small table of figures: the header row bold and repeated on each page, numbers to the right."""
    styles = {style.name for style in document.styles}
    table = document.add_table(rows=1 + len(block.rows), cols=len(block.header))
    if "Table Grid" in styles:
        table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    section = document.sections[0]
    widths = [Cm(w) for w in _FIGURE_COLUMNS[-len(block.header) + 1 :]] if len(block.header) > 1 else []
    first = section.page_width - section.left_margin - section.right_margin - sum(widths)
    table.autofit = False
    for column, width in zip(table.columns, [first, *widths]):
        column.width = width  # the grid, which LibreOffice reads; Word reads the cells
        for cell in column.cells:
            cell.width = width
    for r, cells in enumerate([block.header, *block.rows]):
        for c, text in enumerate(cells):
            paragraph = table.cell(r, c).paragraphs[0]
            paragraph.paragraph_format.space_after = Pt(0)
            if c and c < len(cells) - 1:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            run = paragraph.add_run(_clean(text))
            run.font.size = Pt(_TABLE_PT)
            if r == 0:
                run.bold = True
    repeat = OxmlElement("w:tblHeader")  # the header row repeats on every page and is read as one
    repeat.set(qn("w:val"), "true")
    table.rows[0]._tr.get_or_add_trPr().append(repeat)


def _fixed_times(data: bytes, when: dt.datetime) -> bytes:
    """The .docx with every part dated ``when`` (python-docx dates them now), so equal papers are equal bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(
                zipfile.ZipInfo(item.filename, when.timetuple()[:6]), source.read(item), zipfile.ZIP_DEFLATED
            )
    return out.getvalue()


def docx_text(data: bytes) -> str:
    """A .docx's text in reading order as printed, a line per paragraph and table row: a paragraph of the
    numbered list starts "N.\t", a table row's cells are joined by " | "."""
    lines, number = [], 0
    for item in Document(io.BytesIO(data)).iter_inner_content():
        if isinstance(item, WordTable):
            lines += [" | ".join(cell.text for cell in row.cells) for row in item.rows]
        elif item._p.xpath("w:pPr/w:numPr/w:numId"):
            number += 1
            lines.append(f"{number}.\t{item.text}")
        else:
            lines.append(item.text)
    return "\n".join(lines)
