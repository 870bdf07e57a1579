"""The analyst's commentary: the figures it quotes, checked against ``indicators.csv`` but only warned about.

The commentary (``commentary:`` summary, sections and indicators in the quarter's params)
is the analyst's own prose. Generated sentences are checked strictly
(``paper.check_consistency``: a mismatch there is the tool's bug); the commentary never
fails a build. ``check_commentary`` returns one warning for each figure, period or quarter
in it that disagrees with the table; the build prints them, lists them in
``review-notes.md`` beside the outputs, and ``safer-report build --strict`` stops on them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from ..quarters import Quarter, period_label
from .narrative import change_text, with_unit

if TYPE_CHECKING:
    from ..inputs.params import Commentary

_NUMBER = r"(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
# A number (not part of a word, code, date, range or sum of money) and the unit after it. A bare
# number counts only with decimals and when no other noun follows ("3.5 days" is not a value).
_FIGURE = re.compile(
    r"(?<![\w.,/£$€–-])[+−-]?" + _NUMBER + r"(?![\w/])"
    r"(?:(?P<percent>\s?(?:%|per ?cent\b))"
    r"|(?P<points>\s(?:percentage\s)?points?\b)"
    r"|(?:\s[a-z][a-z-]*){0,2}?\sper\s(?P<base>\d{1,3}(?:,\d{3})+|\d+)\b"
    r"|(?=\s*(?:[,;:)]|[.!?](?!\d)|$|(?:to|from|and|in|last|this|than|compared)\b)))"
)
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_PERIOD = re.compile(rf"\b(?:12|twelve) months (?:to|ending) (?P<month>(?:{_MONTHS}) \d{{4}})\b", re.I)
_QUARTER = re.compile(
    r"\b(?:(?P<y1>\d{4})\s?[/–-]\s?(?P<yy1>\d{2})\s(?:Q|Quarter\s)(?P<q1>[1-4])"
    r"|(?:Q|Quarter\s)(?P<q2>[1-4])\s(?P<y2>\d{4})\s?[/–-]\s?(?P<yy2>\d{2}))\b",
    re.I,
)
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
# Sentence contexts (see check_commentary).
_THIS_REPORT = re.compile(
    r"\bthis (?:quarter|report|dashboard|paper)\b|\bthe Board (?:notes?|(?:is|are) asked)\b", re.I
)
_LOOKS_BACK = re.compile(
    r"\b(?:as reported|previously|(?:last|previous) quarter|pre-pandemic|before the pandemic|"
    r"years ago)\b",
    re.I,
)
_COMPARES = re.compile(r"\b(?:since|than|compared (?:with|to)|unlike)\b", re.I)
_SENTENCE_END = re.compile(r"(?<!\be\.g\.)(?<!\bi\.e\.)(?<=[.!?…])[\"”’)]?\s+(?=[\"“‘(]?[A-Z0-9])")


@dataclass(frozen=True)
class _Sentence:
    where: str  # "commentary: sections: reduce_crime"
    text: str
    indicator: str | None  # the indicator an indicator note is about


def check_commentary(
    commentary: Commentary, table: pd.DataFrame, area: str, quarter: Quarter, targets: dict | None = None
) -> list[str]:
    """One warning for each figure, period or quarter in the commentary that disagrees with the table.

    Figures: a value with its unit ("676.92 per 10,000"), a percentage, a change in points,
    or a bare decimal, quoted in a sentence that names an indicator (its title, the title
    without a bracketed part, with "and" for "&", "ASB" for "anti-social behaviour", or its
    id in words, such as "hate crime"); in an indicator's own note, a sentence naming none is
    about that indicator. Each figure belongs to the indicator named last before it (the
    first named, if none precedes it). It agrees when, rounded as quoted, it is ``area``'s
    (the partnership's) current or previous value in the same unit, the change (% or points) or
    the indicator's target bounds. Whole numbers without a unit (counts, years) are not read.

    History versus a slip: a quarter ("2021/22 Q2") or period ("12 months to June 2022") is
    checked only when the sentence presents it as this report's: it speaks of "this
    quarter/report/dashboard/paper" or is the recommendation ("the Board note", "the Board is
    asked"), and it does not look back or compare ("as reported", "previously", "last
    quarter", "since", "than", "compared with" ...). Any other date is history: "As reported
    to the Board in 2021/22 Q4, the 12 months to June 2022 ..." draws no warning, "The Board
    note the 2021/22 Q2 performance dashboard" does. Likewise a sentence that looks back,
    or names a time other than this report's quarter, financial year and two 12-month
    periods, speaks of another time, so its figures are not compared with this quarter's.

    ``targets`` maps indicator ids to their catalogue target ranges (``{"low": 28, "high": 40}``).
    """
    rows = {r["indicator_id"]: r for r in table[table["area"] == area].to_dict("records")}
    names = {i: _name_pattern(r) for i, r in rows.items()}
    warnings = []
    for sentence in _sentences(commentary):
        text = sentence.text
        other_times = _other_times(text, quarter)
        if _THIS_REPORT.search(text) and not (_LOOKS_BACK.search(text) or _COMPARES.search(text)):
            warnings += [
                f'{sentence.where}: "{named}" in "{_short(text)}": indicators.csv is for '
                f"{quarter.short_title}, the {period_label(quarter.end_month)}"
                for named in other_times
                if not _YEAR.fullmatch(named)
            ]
        if other_times or _LOOKS_BACK.search(text):
            continue
        own = sentence.indicator  # a note on one indicator is about it unless it names another
        mentions = _mentions(text, names) or ([(0, own)] if own is not None and own in rows else [])
        for match in _FIGURE.finditer(text):
            if not mentions or not (
                match.group("percent") or match.group("points") or match.group("base") or "." in match.group("number")
            ):
                continue
            before = [i for start, i in mentions if start < match.start()]
            row = rows[before[-1] if before else mentions[0][1]]
            if not _agrees(match, row, (targets or {}).get(row["indicator_id"])):
                warnings.append(f'{sentence.where}: "{match.group().strip()}" in "{_short(text)}": {_holds(row)}')
    return warnings


def _sentences(commentary: Commentary) -> list[_Sentence]:
    """Each commentary text as plain sentences: Markdown marks dropped, paragraphs and list items apart."""
    texts: list[tuple[str, str | None, str | None]] = [("commentary: summary", commentary.summary, None)]
    texts += [(f"commentary: sections: {k}", v, None) for k, v in commentary.sections.items()]
    texts += [(f"commentary: indicators: {k}", v, k) for k, v in commentary.indicators.items()]
    sentences = []
    for where, text, indicator in texts:
        for block in re.split(r"\n\s*\n|\n(?=\s{0,3}(?:[-+*]|\d+[.)])\s)", str(text or "")):
            block = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", block)  # links and images: their words
            block = re.sub(r"^\s{0,3}(?:#+|>|[-+*]|\d+[.)])\s|\*\*|__|[*`]", "", block, flags=re.M)
            parts = _SENTENCE_END.split(" ".join(block.split()))
            sentences += [_Sentence(where, part, indicator) for part in parts if part]
    return sentences


def _other_times(text: str, quarter: Quarter) -> list[str]:
    """The times a sentence names other than this report's quarter, financial year and two 12-month periods:
    quarters and periods as written, then any other year."""
    periods = {quarter.end_month, quarter.end_month - 12}
    other = [
        m.group()
        for m in _PERIOD.finditer(text)
        if pd.Period(dt.datetime.strptime(m.group("month").title(), "%B %Y"), "M") not in periods
    ]
    for match in _QUARTER.finditer(text):
        n = "1" if match.group("y1") else "2"
        if f"{match.group('y' + n)}/{match.group('yy' + n)} Q{match.group('q' + n)}" != quarter.short_title:
            other.append(match.group())
    year = quarter.start_year
    rest = re.sub(rf"\b{year}\s?[/–-]\s?{(year + 1) % 100:02d}\b", " ", _QUARTER.sub(" ", _PERIOD.sub(" ", text)))
    return other + _YEAR.findall(rest)


def _mentions(text: str, names: dict[str, re.Pattern]) -> list[tuple[int, str]]:
    """(start, indicator id) of each indicator named, the longest name winning where names overlap."""
    found = sorted((m.start(), -len(m.group()), i) for i, pattern in names.items() for m in pattern.finditer(text))
    mentions, end = [], 0
    for start, minus_length, indicator in found:
        if start >= end:
            mentions.append((start, indicator))
            end = start - minus_length
    return mentions


def _name_pattern(row: dict) -> re.Pattern:
    """The indicator's names in prose, longest first, any letter case, an "s" ending optional."""
    names = {row["title"], row["indicator_id"].replace("_", " ")}
    names |= {re.sub(r"\s*\([^)]*\)", "", n) for n in names}
    names |= {n.replace(" & ", " and ") for n in names} | {n.replace(" and ", " & ") for n in names}
    names |= {re.sub(r"(?i)\banti-social behaviour\b", "ASB", n) for n in names}
    names |= {re.sub(r"(?i)\bASB\b", "anti-social behaviour", n) for n in names}
    words = [
        r"\s+".join(map(re.escape, n.split())) + ("?" if n.endswith("s") else "")
        for n in sorted(names, key=len, reverse=True)
        if len(n) > 2
    ]
    return re.compile(rf"\b(?:{'|'.join(words)})\b", re.I)


def _agrees(match: re.Match, row: dict, target: dict | None) -> bool:
    """Whether the quoted figure, rounded as quoted, is one the table holds for the indicator."""
    if row["status"] != "available":
        return False
    rate = row["measure"] == "rate"
    if match.group("base"):
        same_unit = rate and int(match.group("base").replace(",", "")) == int(row["unit"].split()[-1].replace(",", ""))
        candidates = [row["value"], row["previous_value"], row["change_abs"]] if same_unit else []
    elif match.group("points"):
        candidates = [] if rate else [row["change_abs"]]
    elif match.group("percent") and rate:
        candidates = [row["change_pct"]]
    elif match.group("percent"):
        bounds = (target["low"], target["high"]) if target else ()
        candidates = [row["value"], row["previous_value"], row["change_pct"], row["change_abs"], *bounds]
    else:
        candidates = [row["value"], row["previous_value"], row["change_abs"], row["change_pct"]]
    number = match.group("number").replace(",", "")
    places = len(number.partition(".")[2])
    return any(pd.notna(c) and f"{abs(c):.{places}f}" == number for c in candidates)


def _holds(row: dict) -> str:
    """What ``indicators.csv`` holds for the indicator, in words."""
    if row["status"] != "available":
        return f"indicators.csv has no figure for {row['title']} this quarter ({row['status']})"
    now = with_unit(row["value"], row["measure"], row["unit"])
    if pd.isna(row["previous_value"]):
        return f"indicators.csv has {row['title']} at {now} (not compared with the previous year)"
    before = with_unit(row["previous_value"], row["measure"], row["unit"])
    return f"indicators.csv has {row['title']} at {now}, previous year {before}, change {change_text(row)}"


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def review_note(quarter: Quarter, warnings: list[str], source: str) -> str:
    """``review-notes.md``, beside the outputs: the warnings for the analyst, or that there are none."""
    lines = [
        f"# Review notes: {quarter.title}",
        "",
        f"Figures, periods and quarters quoted in the analyst's commentary ({source}), compared with "
        "`indicators.csv`. For the analyst: these notes are not part of the report or the board paper.",
        "",
    ]
    if warnings:
        lines += [
            f"{len(warnings)} to check. The report was built with the commentary as written; correct it and "
            "rebuild (`safer-report build --strict` stops on these):",
            "",
        ]
        lines += [f"- {w}" for w in warnings]
    else:
        lines.append("Nothing to check: no figure in the commentary disagrees with `indicators.csv`.")
    return "\n".join(lines) + "\n"
