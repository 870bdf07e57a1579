"""The covering board paper, generated from the indicator table, and the check that it agrees.

The paper has the board's own shape: purpose, introduction, key points per priority,
recommendations, officer to contact and background papers, in numbered paragraphs. Each priority
has one to three key points for a board member: the indicators that changed most (by the stated
``messages.RANKING_RULE``), each with its parts (``part_of`` in the catalogue) in a clause, then the
rest in a sentence or two. The analyst's commentary follows: the summary under the key points, each
priority's under its key points. A small table gives the main figures. The paper is a list of blocks
(headings, numbered paragraphs, tables), written as Markdown here and as Word by ``word``. Every
figure is formatted by ``narrative.figure`` from the indicator table; ``check_consistency`` proves the
written files agree with ``indicators.csv`` at every build. The analyst's commentary is not part of that
proof: it is checked, and only warned about, by ``commentary.check_commentary``.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import pandas as pd

from .. import config
from ..analysis.results import Results
from ..analysis.vocabulary import Direction
from ..analysis.wording import cause_lines, join_words, section_line
from ..errors import BuildError
from .fragments import render
from .messages import at_a_glance, baseline_line, break_line, ranking
from .narrative import JUDGED, change_text, figure, key_point, long_date, markdown, unavailable_sentence

MOST_POINTS = 3  # key points a priority has at most


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
    commentary: bool = False  # the analyst's own words (Markdown), left out of the consistency check


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


Block = Heading | Paragraph | Table


def paper_blocks(results: Results) -> list[Block]:
    """The board paper: headings, numbered paragraphs and a table, in order."""
    quarter, settings, catalogue = results.quarter, results.settings, results.catalogue
    rows = results.rows()
    period = rows["period"].iloc[0]
    meeting = settings.meeting_date
    commentary = settings.commentary
    numbers: list[int] = []

    def para(text: str, analyst: bool = False) -> Paragraph:
        numbers.append(len(numbers) + 1)
        return Paragraph(text, numbers[-1], commentary=analyst)

    title = f"Safer Communities Performance {quarter.title} Report"
    blocks: list[Block] = [
        Heading(1, results.partnership.board),
        Paragraph(long_date(meeting) if meeting else "to be confirmed", label="Date:"),
        Heading(2, title),
        Heading(3, "Purpose of the report"),
        para(
            f"The purpose of this report is to present the Board with an overview of performance against the "
            f"Safer Communities priorities for {quarter.title} ({period})."
        ),
        Heading(3, "Introduction"),
        para(
            f"The performance dashboard (Appendix A) and the full performance report (Appendix B) are attached. "
            f"Each indicator's value for the {period} is compared with the 12 months to "
            f"{(quarter.end_month - 12).strftime('%B %Y')} and judged improving, deteriorating or stable; only a "
            "change beyond normal variation counts. Rates are per 10,000 population unless stated."
        ),
    ]
    baseline, period_stated = baseline_line(rows)
    sample = int(rows["illustrative"].fillna(False).astype(bool).sum())
    notes = [
        baseline,
        break_line(rows, results.breaks, "the report's data-quality section"),
        f"{sample} partner indicator{'s are' if sample > 1 else ' is'} an illustrative sample, not partner data."
        if sample
        else "",
    ]
    if any(notes):
        blocks.append(para(" ".join(note for note in notes if note)))
    gaps = results.gaps()
    causes = [para(line) for line in cause_lines(gaps)]  # each cause once; the priorities refer to it
    cited = [str(p.number) for p in causes]
    see = f"see paragraph{'s' if len(cited) > 1 else ''} {join_words(cited)}"
    blocks += causes
    blocks += [
        Heading(3, "Key points"),
        *(para(text, True) for text in commentary_paragraphs(commentary.summary)),
        para(at_a_glance(rows, catalogue)),
    ]
    points = {section: priority_points(results, section, period_stated, see) for section in config.SECTIONS}
    leads = [lead for section in config.SECTIONS for _, lead in points[section]]
    figures = figures_table(results, leads)
    blocks += [figures] if figures.rows else []
    for section, heading in config.SECTIONS.items():
        blocks += [Heading(4, heading), *(para(text) for text, _ in points[section])]
        notes = [commentary.sections.get(section, "")]
        notes += [
            text for i, text in commentary.indicators.items() if i in catalogue and catalogue[i].section == section
        ]
        blocks += [para(text, True) for note in notes for text in commentary_paragraphs(note)]
    blocks += [Heading(3, "Recommendations"), para(f"The Board note the {quarter.short_title} performance dashboard.")]
    contact = settings.contact
    lines = [str(contact[k]) for k in ("name", "role", "email", "phone") if contact.get(k)]
    if lines:  # none configured: the build warns (``missing_contact``), and the paper names no one
        blocks += [Heading(3, "Officer to contact"), Paragraph("\n".join(lines))]
    blocks += [
        Heading(3, "Background papers"),
        Paragraph(
            "Appendix A: the performance dashboard (dashboard.xlsx). Appendix B: the full performance report "
            "(report.pdf). The indicator table (indicators.csv) holds every figure in this paper, for each "
            "area."
        ),
    ]
    return blocks


def missing_contact(results: Results) -> str:
    """The build's warning when the partnership names no officer to contact ("" when it does)."""
    if any(results.settings.contact.values()):
        return ""
    return (
        f"{results.partnership.name}: the board paper names no officer to contact: give the partnership a "
        "contact in params/partnerships.yaml"
    )


def commentary_paragraphs(text: str | None) -> list[str]:
    """The analyst's Markdown as paragraphs of the paper: one per paragraph or list item, each on one line,
    list marks and heading marks dropped (the paper numbers its paragraphs itself)."""
    paragraphs = []
    for block in re.split(r"\n\s*\n|\n(?=\s{0,3}(?:[-+*]|\d+[.)])\s)", str(text or "")):
        block = re.sub(r"^\s{0,3}(?:#+|>|[-+*]|\d+[.)])\s+", "", block.strip())
        if block:
            paragraphs.append(" ".join(block.split()))
    return paragraphs


_INLINE = re.compile(
    r"(\*\*|__)(?P<bold>.+?)\1|(?<![\w*])(\*|_)(?P<italic>[^*_\s](?:.*?[^*_\s])?)\3(?![\w*])"
    r"|!?\[(?P<link>[^\]]*)\]\([^)]*\)|`(?P<code>[^`]*)`"
)


def inline_parts(text: str) -> list[tuple[str, str]]:
    """Markdown's inline marks as (text, "bold" | "italic" | ""): a link or image is its words."""
    parts, end = [], 0
    for match in _INLINE.finditer(text):
        parts.append((text[end : match.start()], ""))
        kind = next(k for k in ("bold", "italic", "link", "code") if match.group(k) is not None)
        parts.append((match.group(kind), kind if kind in ("bold", "italic") else ""))
        end = match.end()
    return [part for part in [*parts, (text[end:], "")] if part[0]]


def plain(text: str) -> str:
    """Markdown's inline text without its marks, as Word shows it."""
    return "".join(words for words, _ in inline_parts(text))


# --- Key points: one to three a priority ---


def _name(title: str) -> str:
    """A title inside a sentence: ``burglary residential``, but ``ASB nuisance`` and ``MARAC …`` as written."""
    first = title.split()[0]
    return title if first.isupper() and len(first) > 1 else title[:1].lower() + title[1:]


def _compared(row: dict) -> bool:
    return row["status"] == "available" and pd.notna(row["previous_value"])


def _state(row: dict) -> str:
    """The words for where an indicator went: its judgement, or for one without polarity its direction."""
    if row["judgement"] in JUDGED:
        return row["judgement"]
    return f"{(Direction.of(row['direction']) or Direction.SIMILAR).relation} last year"


def _significant(row: dict) -> str:
    """``rise`` or ``fall`` when the change on last year is statistically significant, else ""."""
    direction = Direction.of(row.get("direction"))
    if row.get("significant") is not True or direction not in (Direction.HIGHER, Direction.LOWER):  # numpy's True too
        return ""
    return direction.movement


def _phrase(row: dict, state: bool = False, significance: bool = True) -> str:
    """``burglary residential 18.27 to 25.78 (+41.1%, significant)``: an indicator in a clause, its state if asked."""
    name = _name(row["title"])
    if row["status"] != "available":
        return f"{name} not available"
    if not _compared(row):
        return f"{name} {figure(row['value'], row['measure'])} (not compared with last year)"
    words = (", significant" if significance and _significant(row) else "") + (f", {_state(row)}" if state else "")
    return (
        f"{name} {figure(row['previous_value'], row['measure'])} to {figure(row['value'], row['measure'])} "
        f"({change_text(row)}{words})"
    )


def _each_significant(rows: list[dict]) -> str:
    """``, each a significant rise`` when every row changed significantly the same way (two rows at least)."""
    ways = {_significant(row) for row in rows}
    return f", each a significant {ways.pop()}" if len(rows) > 1 and len(ways) == 1 and "" not in ways else ""


def _parts_clause(parts: list[dict]) -> str:
    """`` Within it, both deteriorating, each a significant rise: burglary residential 18.27 to 25.78 (+41.1%) and …``."""
    if not parts:
        return ""
    states = {_state(r) for r in parts if _compared(r)}
    if len(parts) > 1 and len(states) == 1 and all(_compared(r) for r in parts):
        every, each = "both" if len(parts) == 2 else "all", _each_significant(parts)
        return (
            f" Within it, {every} {states.pop()}{each}: {join_words(_phrase(r, significance=not each) for r in parts)}."
        )
    return f" Within it: {join_words(_phrase(r, state=True) for r in parts)}."


def _last_quarter(changes: pd.DataFrame, ids: list[str]) -> str:
    """`` Last quarter, burglary residential was stable.``: the judgements of ``ids`` that changed."""
    judged = list(JUDGED)
    changed = changes[
        changes["indicator_id"].isin(ids)
        & changes["judgement"].isin(judged)
        & changes["judgement_before"].isin(judged)
        & (changes["judgement"] != changes["judgement_before"])
    ]
    return "".join(
        f" Last quarter, {join_words(_name(t) for t in group['title'])} "
        f"{'was' if len(group) == 1 else 'were'} {before}."
        for before, group in changed.groupby("judgement_before", sort=False)
    )


def priority_points(results: Results, section: str, period_stated: str, see: str) -> list[tuple[str, dict]]:
    """A priority's key points, each with the row it leads with: the indicators that changed beyond normal
    variation, signal a concern or improvement or miss their target (RANKING_RULE) each get a point, up to
    two (three when nothing else is left); the rest share one, led by the highest ranked of them."""
    catalogue = results.catalogue
    by_id = {row["indicator_id"]: row for row in results.rows(section=section).to_dict("records")}
    gaps = set(results.gaps().query("status != 'available'")["indicator_id"])
    missing = [row["title"] for i, row in by_id.items() if i in gaps]  # said once, in the priority's last point
    items = [
        [i, *(j for j in by_id if catalogue[j].part_of == i and j not in gaps)]
        for i in by_id
        if catalogue[i].part_of not in by_id or catalogue[i].part_of in gaps
    ]
    rank = {
        item[0]: max(
            (ranking(by_id[i], catalogue) for i in item if _compared(by_id[i])), default=(False, False, False, -1.0)
        )
        for item in items
    }
    ranked = sorted(items, key=lambda item: rank[item[0]], reverse=True)  # stable: catalogue order on ties
    own = [item for item in ranked if any(rank[item[0]][:3])][: MOST_POINTS - 1]
    rest = [item for item in items if item not in own]
    if len(rest) == 1 and rest[0][0] not in gaps:
        own, rest = own + rest, []

    def lead_sentence(item: list[str]) -> str:
        return (
            key_point(by_id[item[0]], catalogue[item[0]], False, period_stated, badge=False)
            + _parts_clause([by_id[i] for i in item[1:]])
            + _last_quarter(results.changes, item)
        )

    points = [(lead_sentence(item), by_id[item[0]]) for item in own]
    if not rest:
        if missing:
            points[-1] = (f"{points[-1][0]} {section_line(missing, see)}", points[-1][1])
        return points
    said = {_state(row) for _, row in points if _compared(row)}
    ordered = sorted(rest, key=lambda item: rank[item[0]], reverse=True)
    lead = next((item for item in ordered if _compared(by_id[item[0]])), None)
    text = lead_sentence(lead) if lead else ""
    said |= {_state(by_id[lead[0]])} if lead else set()
    groups: dict[str, list[list[str]]] = {}
    for item in rest:
        row = by_id[item[0]]
        if item is lead or row["status"] != "available":
            continue
        if catalogue[item[0]].target is not None:  # against its range, in a sentence of its own
            text += " " + lead_sentence(item)
            continue
        groups.setdefault(_state(row) if _compared(row) else "not compared with last year (data missing)", []).append(
            item
        )
    for state, members in groups.items():
        every = [by_id[i] for item in members for i in item]
        each = _each_significant(every)
        phrases = []
        for item in members:
            parts = [_phrase(by_id[i], state=_state(by_id[i]) != state, significance=not each) for i in item[1:]]
            phrases.append(
                _phrase(by_id[item[0]], significance=not each) + (f", of which {join_words(parts)}" if parts else "")
            )
        words = f"Also {state}" if state in said else state[:1].upper() + state[1:]
        listed = (
            "; ".join(phrases[:-1]) + f"; and {phrases[-1]}"
            if "of which" in "".join(phrases) and len(phrases) > 1
            else join_words(phrases)
        )  # a part's clause ends at a semicolon
        text += f" {words}{each}: {listed}."
    unavailable = [by_id[item[0]] for item in rest if by_id[item[0]]["status"] != "available"]
    text += "".join(
        " " + unavailable_sentence(catalogue[r["indicator_id"]].subject, r["reason"])
        for r in unavailable
        if r["indicator_id"] not in gaps
    )
    if missing:
        text += " " + section_line(missing, see)
    return [*points, (text.strip(), by_id[lead[0]] if lead else unavailable[0])]


def figures_table(results: Results, leads: list[dict]) -> Table:
    """The main figures: the indicator each key point leads with, this year against last."""
    quarter = results.quarter
    header = (
        "Indicator (per 10,000 unless %)",
        f"12 months to {(quarter.end_month - 12).strftime('%b %Y')}",
        f"12 months to {quarter.end_month.strftime('%b %Y')}",
        "Change",
        "Judgement",
    )
    body = []
    for row in (row for row in leads if _compared(row)):
        target = results.catalogue[row["indicator_id"]].target
        judged = (
            f"{row['target_status'].capitalize()} range ({target['low']:g}–{target['high']:g}%)"
            if target
            else _state(row)[:1].upper() + _state(row)[1:]
        )
        body.append(
            (
                row["title"],
                figure(row["previous_value"], row["measure"]),
                figure(row["value"], row["measure"]),
                change_text(row),
                judged,
            )
        )
    return Table(header, tuple(body))


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


def _generated_text(document: str, commentary: tuple[str, ...] = ()) -> str:
    """The document's text without the analyst's commentary: the report's commentary blocks, and the paper's
    commentary paragraphs (``commentary``, as Markdown and as plain text)."""
    text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", _COMMENTARY_BLOCK.sub(" ", document))))
    for paragraph in sorted(commentary, key=len, reverse=True):
        text = text.replace(" ".join(paragraph.split()), " ")
    return text


def commentary_texts(blocks: list[Block]) -> tuple[str, ...]:
    """The paper's commentary paragraphs as the Markdown paper and the Word paper hold them."""
    return tuple(
        text
        for block in blocks
        if isinstance(block, Paragraph) and block.commentary
        for text in (block.text, plain(block.text))
    )


_FIGURES = r"(-?[\d,]+\.\d+%?) to (-?[\d,]+\.\d+%?)"


def _clause_problems(name: str, text: str, rows: list[dict]) -> list[str]:
    """Figures after an indicator named in a clause ("burglary residential 18.27 to 25.78") that are not its
    previous and current values; where names overlap the longest is the one named."""
    found = sorted(
        (m.start(), -len(m.group()), row["indicator_id"])
        for row in rows
        for m in re.finditer(rf"(?<![\w-]){re.escape(row['title'])}(?![\w-])", text, re.I)
    )
    mentions, end = [], 0
    for start, minus, indicator in found:
        if start >= end:
            mentions.append((start, start - minus, indicator))
            end = start - minus
    by_id = {row["indicator_id"]: row for row in rows}
    problems = []
    for n, (start, stop, indicator) in enumerate(mentions):
        following = text[stop : mentions[n + 1][0] if n + 1 < len(mentions) else len(text)]
        quoted = re.match(rf"[^\d;]{{0,40}}?{_FIGURES}", following)
        row = by_id[indicator]
        if not quoted:
            continue
        expected = (figure(row["previous_value"], row["measure"]), figure(row["value"], row["measure"]))
        if row["status"] != "available" or quoted.groups() != expected:
            problems.append(
                f"{name}: {indicator} should be {expected[0]} to {expected[1]}: "
                f"'{text[start : stop + quoted.end()][:100]}'"
            )
    return problems


def check_consistency(
    table: pd.DataFrame, area: str, documents: dict[str, str], quarter, commentary: tuple[str, ...] = ()
) -> None:
    """Fail the build if a generated sentence in any document disagrees with ``indicators.csv``.

    For every indicator of ``area`` (the partnership as a whole), each sentence about it must carry the table's
    current and previous values and its unit, any baseline level it quotes must be the table's, and an
    indicator named in a clause with figures ("burglary residential 18.27 to 25.78") or in a table row must be
    followed by its previous and current values; every period and quarter named must be the report's own (a quarter the data is
    "expected back in" aside). The analyst's commentary is left out: the report's commentary blocks, and the
    paper's ``commentary`` paragraphs (``commentary_texts``; see ``commentary``).
    """
    problems = []
    rows = table[table["area"] == area]
    allowed_ends = {quarter.end_month, quarter.end_month - 12}
    for name, document in documents.items():
        text = _generated_text(document, commentary)
        problems += _clause_problems(name, text, rows.to_dict("records"))
        for row in rows.to_dict("records"):  # the figures table: "| Burglary (all) | 26.59 | 38.27 |"
            expected = (figure(row["previous_value"], row["measure"]), figure(row["value"], row["measure"]))
            for cells in re.findall(rf"(?<![\w-]){re.escape(row['title'])} \| ([^|]*?) \| ([^|]*?) \|", text):
                if cells != expected:
                    problems.append(
                        f"{name}: {row['indicator_id']} in the table should be {' and '.join(expected)}, "
                        f"not {' and '.join(cells)}"
                    )
        for row in rows.to_dict("records"):
            for sentence in re.findall(rf"{re.escape(row['title'])} (?:is|are) [^.]*(?:\.\d+[^.]*)*\.", text):
                if row["status"] != "available":
                    if "not available" not in sentence:
                        problems.append(f"{name}: '{sentence[:80]}' gives figures for an unavailable indicator")
                    continue
                for label, value in (("current", row["value"]), ("previous", row["previous_value"])):
                    if pd.notna(value) and figure(value, row["measure"]) not in sentence:
                        problems.append(
                            f"{name}: {row['indicator_id']} {label} value should be "
                            f"{figure(value, row['measure'])}: '{sentence[:100]}'"
                        )
                for quoted in re.findall(r"level of (-?[\d,]+\.\d+%?)", sentence):
                    if quoted != figure(row["baseline_value"], row["measure"]):
                        problems.append(
                            f"{name}: {row['indicator_id']} baseline should be "
                            f"{figure(row['baseline_value'], row['measure'])}: '{sentence[:100]}'"
                        )
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
