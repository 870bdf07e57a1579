"""The board paper as an editable Word document (``board-paper.docx``), and its text for the
consistency check.

Written with python-docx from the paper's blocks (``paper.paper_blocks``), so it holds the
same words as ``board-paper.md``. A committee template (``paper_template`` in params, read
by the build) gives the styles: its Heading 1–4 for the headings (those it lacks are made
from its Normal), its Normal for the paragraphs and its Table Grid, when it has one, for
tables. The template's own body text is
dropped; its page set-up, headers and footers stay. Without a template the paper is on A4 in
Arial, its headings as in ``board-paper.html``. Paragraph numbers are text ("5."), as in the
Markdown paper and as its own references ("see paragraph 5") expect.
"""
from __future__ import annotations

import datetime as dt
import io
import logging
import re
import zipfile

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor
from docx.table import Table as WordTable

from ..analysis.gaps import join_words
from ..quarters import Quarter
from ..xlsx import NAVY, _quarter_time
from .paper import Block, Heading, Paragraph, Table

log = logging.getLogger(__name__)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # characters XML cannot hold
_HANG = Cm(1)  # a paragraph's number hangs to the left of its text
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
    for block in blocks:
        if isinstance(block, Heading):
            document.add_paragraph(_clean(block.text), style=f"Heading {block.level}")
        elif isinstance(block, Paragraph):
            _paragraph(document, block)
        else:
            _table(document, block)
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
    for name, size, colour in (("Normal", 11, "0B0C0C"), ("Heading 1", 15, "0B0C0C"), ("Heading 2", 14, NAVY),
                               ("Heading 3", 12, NAVY), ("Heading 4", 11, "0B0C0C")):
        style = document.styles[name]
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        fonts.attrib.clear()  # a theme font would win over the named one
        style.font.name, style.font.size = "Arial", Pt(size)
        style.font.color.rgb = RGBColor.from_string(colour)
        if name != "Normal":
            style.font.italic = False


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
        log.info("board-paper.docx: the paper template has no style for heading level%s %s; made from its Normal",
                 "s" if len(missing) > 1 else "", join_words([str(level) for level in missing]))


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _paragraph(document, block: Paragraph) -> None:
    paragraph = document.add_paragraph(style="Normal")
    if block.label:
        paragraph.add_run(_clean(block.label)).bold = True
        paragraph.add_run(" ")
    if block.number:
        paragraph.paragraph_format.left_indent, paragraph.paragraph_format.first_line_indent = _HANG, -_HANG
        paragraph.paragraph_format.tab_stops.add_tab_stop(_HANG)
        paragraph.add_run(f"{block.number}.\t")
    paragraph.add_run(_clean(block.text))  # python-docx writes "\n" as a line break


def _table(document, block: Table) -> None:
    styles = {style.name for style in document.styles}
    table = document.add_table(rows=1 + len(block.rows), cols=len(block.header))
    if "Table Grid" in styles:
        table.style = "Table Grid"
    for r, cells in enumerate([block.header, *block.rows]):
        for c, text in enumerate(cells):
            run = table.cell(r, c).paragraphs[0].add_run(_clean(text))
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
            target.writestr(zipfile.ZipInfo(item.filename, when.timetuple()[:6]), source.read(item),
                            zipfile.ZIP_DEFLATED)
    return out.getvalue()


def docx_text(data: bytes) -> str:
    """A .docx's text in reading order, a line per paragraph and table cell."""
    lines = []
    for item in Document(io.BytesIO(data)).iter_inner_content():
        if isinstance(item, WordTable):
            lines += [cell.text for row in item.rows for cell in row.cells]
        else:
            lines.append(item.text)
    return "\n".join(lines)
