"""The covering board paper, generated from the indicator table, and the check that it agrees.

The paper follows the board's usual shape: numbered paragraphs, purpose, how the
dashboard works, key points per priority, what changed, data availability,
recommendation and officer contact. It is first a list of blocks (headings, numbered
paragraphs, tables), written as Markdown here and as Word by ``word``. Its figures are the
report's key-point sentences, so paper, report and ``indicators.csv`` cannot disagree;
``check_consistency`` proves it on the written files at every build. The analyst's commentary is not part of that proof:
it is checked, and only warned about, by ``commentary.check_commentary``.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass

import pandas as pd

from .. import config
from ..analysis.gaps import cause_lines, join_words, last_quarter_lines, section_line
from ..analysis.results import Results
from ..errors import BuildError
from .fragments import render
from .messages import RULE_NOTE, opening
from .narrative import change_words, figure, key_point, long_date, markdown, no_change


# --- The paper as blocks: the Markdown (and HTML) and the Word paper are written from them ---

@dataclass(frozen=True)
class Heading:
    level: int  # 1 the board, 2 the report's title, 3 a part (Purpose, Key points, …), 4 a priority
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str  # lines of an address block are separated by "\n"
    number: int | None = None  # the board's numbered paragraphs: 1, 2, …
    label: str = ""  # a bold lead-in such as "Date:"


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


Block = Heading | Paragraph | Table


def paper_blocks(results: Results) -> list[Block]:
    """The board paper: headings, numbered paragraphs and tables, in order."""
    quarter, params = results.quarter, results.params
    rows = results.rows()
    period = rows["period"].iloc[0]
    meeting = params.get("meeting_date")
    contact = params.get("contact", {})
    numbers: list[int] = []

    def para(text: str) -> Paragraph:
        numbers.append(len(numbers) + 1)
        return Paragraph(text, numbers[-1])

    blocks: list[Block] = [
        Heading(1, params["board"]),
        Paragraph(long_date(meeting) if meeting else "to be confirmed", label="Date:"),
        Heading(2, f"Safer Communities Performance {quarter.title} Report"),
        Heading(3, "Purpose of the report"),
        para(f"The purpose of this report is to present the Board with an overview of performance against the "
             f"Safer Communities priorities for {quarter.title} ({period})."),
        Heading(3, "Introduction"),
        para("The performance dashboard shows every indicator on one page with its current value, the previous "
             "year's value, the direction of travel and whether that is improving, deteriorating or stable. Rates "
             "are per 10,000 population unless stated."),
        para(f"Each value is for the rolling 12 months, here the {period} compared with the 12 months to "
             f"{(quarter.end_month - 12).strftime('%B %Y')}; the trajectory charts show the rolling 12-month value "
             "month by month, which smooths seasonal variation."),
        para(f"A district breakdown compares each district with the rest of {results.partnership.compared_with.name} (the "
             "other districts together): above (+), below (−) or in line (=) with it by the same rule as a change on "
             "last year, allowing for how much each area's figures vary from month to month (see the report's methods). "
             "These marks are not the ▲ ▼ ► arrows, which compare with last year. Localities can differ from county-wide "
             "trends, and the district pages of the report should be read alongside the headline figures."),
        para(f"Rates use ONS mid-year population estimates: {results.population_note}."),
        Heading(3, "Key points")]
    first = opening(rows, results.catalogue, results.breaks)
    blocks.append(para(f"At a glance: {first.glance[:1].lower()}{first.glance[1:]}"))
    if first.messages:
        blocks += [Heading(4, "The main messages"), *(para(text) for _, text in first.messages)]
    note = f"{RULE_NOTE if first.messages else ''} {first.baseline}".strip()
    if note:
        blocks.append(para(note))
    wider = [*first.together, *([first.break_note] if first.break_note else [])]
    if wider:
        blocks += [Heading(4, "The wider picture"), *(para(line) for line in wider)]
    gaps = results.gaps()
    causes = [para(line) for line in cause_lines(gaps)]  # each cause once; the sections refer to it
    cited = [str(p.number) for p in causes]
    see = f"see paragraph{'s' if len(cited) > 1 else ''} {join_words(cited)}"
    blocks += causes
    missing = set(gaps.loc[gaps["status"] != "available", "indicator_id"])
    for section, title in config.SECTIONS.items():
        blocks.append(Heading(4, title))
        section_rows = results.rows(section=section)
        for row in section_rows.to_dict("records"):
            if row["indicator_id"] not in missing:
                indicator = results.catalogue[row["indicator_id"]]
                explanation = f" {indicator.explanation}" if indicator.explanation else ""
                blocks.append(para(key_point(row, indicator, False, first.period_stated) + explanation))
        absent = section_rows.loc[section_rows["indicator_id"].isin(missing), "title"]
        if len(absent):
            blocks.append(para(section_line(list(absent), see)))
    blocks.append(Heading(3, "What changed since last quarter"))
    blocks += [para(line) for line in last_quarter_lines(results.last_quarter_gaps)]
    if len(results.changes):
        for change in results.changes.to_dict("records"):
            blocks.append(para(f"{change['title']}: {change_words(change)}."))
    else:
        blocks.append(para(no_change(results)))
    blocks.append(Heading(3, "Data availability"))
    unavailable = rows[rows["status"] != "available"]
    if causes:
        blocks.append(para(f"Missing data: {see}."))
    for row in unavailable[~unavailable["indicator_id"].isin(gaps["indicator_id"])].to_dict("records"):
        blocks.append(para(key_point(row, results.catalogue[row['indicator_id']])))
    sample = [r["title"] for r in rows.to_dict("records") if r["illustrative"]]
    if sample:
        blocks.append(para("The following figures are an illustrative sample, not partner data: " + ", ".join(sample) + "."))
    if not causes and not len(unavailable) and not sample:
        blocks.append(para("All indicators are available this quarter."))
    blocks += [Heading(3, "Recommendations"),
               para(f"The Board note the {quarter.short_title} performance dashboard."),
               Heading(3, "Officer to contact")]
    lines = [str(contact[k]) for k in ("name", "role", "email", "phone") if contact.get(k)]
    if lines:
        blocks.append(Paragraph("\n".join(lines)))
    return blocks


def blocks_markdown(blocks: list[Block]) -> str:
    """Blocks as Markdown: a run of numbered paragraphs is one list, everything else a block of its own."""
    def text(block: Block) -> str:
        if isinstance(block, Heading):
            return f"{'#' * block.level} {block.text}"
        if isinstance(block, Table):
            cells = [block.header, tuple("---" for _ in block.header), *block.rows]
            return "\n".join("| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in cells)
        lead = f"{block.number}. " if block.number else f"**{block.label}** " if block.label else ""
        return lead + block.text.replace("\n", "  \n")

    numbered = [isinstance(b, Paragraph) and b.number is not None for b in blocks]
    out = ""
    for i, block in enumerate(blocks):
        out += ("" if i == 0 else "\n" if numbered[i] and numbered[i - 1] else "\n\n") + text(block)
    return out + "\n"


def paper_markdown(results: Results) -> str:
    """The board paper as Markdown with numbered paragraphs."""
    return blocks_markdown(paper_blocks(results))


def paper_html(markdown_text: str, title: str) -> str:
    """The paper as a small, self-contained, printable HTML page."""
    return render("board_paper", title=title, body=markdown(markdown_text, headings=True))


# --- Consistency ------------------------------------------------------------------

_COMMENTARY_BLOCK = re.compile(r"<div class=['\"]commentary['\"]>.*?</div>", re.S)  # rendered commentary holds no <div>


def _generated_text(document: str) -> str:
    """The document's text without the analyst's commentary blocks."""
    return html.unescape(re.sub(r"<[^>]+>", " ", _COMMENTARY_BLOCK.sub(" ", document)))


def check_consistency(table: pd.DataFrame, area: str, documents: dict[str, str], quarter) -> None:
    """Fail the build if a generated sentence in any document disagrees with ``indicators.csv``.

    For every indicator of ``area`` (the partnership as a whole), each sentence about it must carry the table's
    current and previous values and its unit, and any baseline level it quotes must be the
    table's; every period and quarter named must be the report's own (a quarter the data is
    "expected back in" aside). The analyst's commentary blocks are left out (see ``commentary``).
    """
    problems = []
    rows = table[table["area"] == area]
    allowed_ends = {quarter.end_month, quarter.end_month - 12}
    for name, document in documents.items():
        text = re.sub(r"\s+", " ", _generated_text(document))
        for row in rows.to_dict("records"):
            for sentence in re.findall(rf"{re.escape(row['title'])} (?:is|are) [^.]*(?:\.\d+[^.]*)*\.", text):
                if row["status"] != "available":
                    if "not available" not in sentence:
                        problems.append(f"{name}: '{sentence[:80]}' gives figures for an unavailable indicator")
                    continue
                for label, value in (("current", row["value"]), ("previous", row["previous_value"])):
                    if pd.notna(value) and figure(value, row["measure"]) not in sentence:
                        problems.append(f"{name}: {row['indicator_id']} {label} value should be "
                                        f"{figure(value, row['measure'])}: '{sentence[:100]}'")
                for quoted in re.findall(r"level of (-?[\d,]+\.\d+%?)", sentence):
                    if quoted != figure(row["baseline_value"], row["measure"]):
                        problems.append(f"{name}: {row['indicator_id']} baseline should be "
                                        f"{figure(row['baseline_value'], row['measure'])}: '{sentence[:100]}'")
                units = set(re.findall(r"per (1,?000|10,?000|100,?000)\b", sentence))
                if row["measure"] == "rate" and units != {f"{int(row['unit'].split()[-1].replace(',', '')):,}"}:
                    problems.append(f"{name}: {row['indicator_id']} should be {row['unit']}: '{sentence[:100]}'")
        for month in set(re.findall(r"12 months to ([A-Z][a-z]+ \d{4})", text)):
            if pd.Period(pd.Timestamp(month), "M") not in allowed_ends:
                problems.append(f"{name}: names the period '12 months to {month}', not this report's")
        allowed_quarters = {quarter.short_title, quarter.previous().short_title}  # "what changed" names the last one
        for named in set(re.findall(r"(?<!expected back in )\b(\d{4}/\d{2}) (?:Q|Quarter )([1-4])\b", text)):
            if f"{named[0]} Q{named[1]}" not in allowed_quarters:
                problems.append(f"{name}: names the quarter {named[0]} Q{named[1]}, not {quarter.short_title}")
    if problems:
        raise BuildError(f"figures disagree with indicators.csv ({len(problems)}): " + "; ".join(problems[:3]))
