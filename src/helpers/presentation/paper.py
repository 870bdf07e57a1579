"""The covering board paper, generated from the indicator table, and the check that it agrees.

The paper follows the board's usual shape: numbered paragraphs, purpose, how the
dashboard works, key points per priority, what changed, data availability,
recommendation and officer contact. Its figures are the report's key-point sentences,
so paper, report and ``indicators.csv`` cannot disagree; ``check_consistency`` proves it
on the written files at every build. The analyst's commentary is not part of that proof:
it is checked, and only warned about, by ``commentary.check_commentary``.
"""
from __future__ import annotations

import html
import re

import pandas as pd

from .. import config
from ..analysis.gaps import cause_lines, join_words, last_quarter_lines, section_line
from ..analysis.results import Results
from ..errors import BuildError
from .narrative import change_words, figure, key_point, long_date, markdown, no_change


def paper_markdown(results: Results) -> str:
    """The board paper as Markdown with numbered paragraphs."""
    quarter, params = results.quarter, results.params
    rows = results.rows()
    period = rows["period"].iloc[0]
    meeting = params.get("meeting_date")
    contact = params.get("contact", {})
    numbers: list[int] = []

    def para(text: str) -> str:
        numbers.append(len(numbers) + 1)
        return f"{numbers[-1]}. {text}"

    lines = [f"# {params.get('board', config.PARTNERSHIP)}", "",
             f"**Date:** {long_date(meeting) if meeting else 'to be confirmed'}", "",
             f"## Safer Communities Performance {quarter.title} Report", "",
             "### Purpose of the report", "",
             para(f"The purpose of this report is to present the Board with an overview of performance against the "
                  f"Safer Communities priorities for {quarter.title} ({period})."), "",
             "### Introduction", "",
             para("The performance dashboard shows every indicator on one page with its current value, the previous "
                  "year's value, the direction of travel and whether that is improving, deteriorating or stable. Rates "
                  "are per 10,000 population unless stated."),
             para(f"Each value is for the rolling 12 months, here the {period} compared with the 12 months to "
                  f"{(quarter.end_month - 12).strftime('%B %Y')}; the trajectory charts show the rolling 12-month value "
                  "month by month, which smooths seasonal variation."),
             para(f"A district breakdown compares each district with {config.PARTNERSHIP} as a whole on a funnel plot "
                  "(OHID's method, with 95% and 99.8% limits). Localities can differ from county-wide trends, and the "
                  "district pages of the report should be read alongside the headline figures."), ""]
    lines += ["### Key points", ""]
    gaps = results.gaps()
    causes = [para(line) for line in cause_lines(gaps)]  # each cause once; the sections refer to it
    cited = [str(n) for n in numbers[len(numbers) - len(causes):]]
    see = f"see paragraph{'s' if len(cited) > 1 else ''} {join_words(cited)}"
    lines += causes + ([""] if causes else [])
    missing = set(gaps.loc[gaps["status"] != "available", "indicator_id"])
    for section, title in config.SECTIONS.items():
        lines += [f"#### {title}", ""]
        section_rows = results.rows(config.PARTNERSHIP, section)
        for row in section_rows.to_dict("records"):
            if row["indicator_id"] not in missing:
                lines.append(para(key_point(row, results.catalogue[row["indicator_id"]])))
        absent = section_rows.loc[section_rows["indicator_id"].isin(missing), "title"]
        if len(absent):
            lines.append(para(section_line(list(absent), see)))
        lines.append("")
    lines += ["### What changed since last quarter", ""]
    lines += [para(line) for line in last_quarter_lines(results.last_quarter_gaps)]
    if len(results.changes):
        for change in results.changes.to_dict("records"):
            lines.append(para(f"{change['title']}: {change_words(change)}."))
    else:
        lines.append(para(no_change(results)))
    lines += ["", "### Data availability", ""]
    unavailable = rows[rows["status"] != "available"]
    if causes:
        lines.append(para(f"Missing data: {see}."))
    for row in unavailable[~unavailable["indicator_id"].isin(gaps["indicator_id"])].to_dict("records"):
        lines.append(para(key_point(row, results.catalogue[row['indicator_id']])))
    sample = [r["title"] for r in rows.to_dict("records") if r["illustrative"]]
    if sample:
        lines.append(para("The following figures are an illustrative sample, not partner data: " + ", ".join(sample) + "."))
    if not causes and not len(unavailable) and not sample:
        lines.append(para("All indicators are available this quarter."))
    lines += ["", "### Recommendations", "",
              para(f"The Board note the {quarter.short_title} performance dashboard."), "",
              "### Officer to contact", ""]
    lines += [f"{contact[k]}  " for k in ("name", "role", "email", "phone") if contact.get(k)]
    return "\n".join(lines).rstrip() + "\n"


def paper_html(markdown_text: str, title: str) -> str:
    """The paper as a small, self-contained, printable HTML page."""
    return ("<!DOCTYPE html><html lang='en-GB'><head><meta charset='utf-8'>"
            f"<title>{html.escape(title)}</title><style>"
            "body{font-family:Arial,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.45;color:#0b0c0c}"
            "h1{font-size:1.4rem}h2{font-size:1.3rem;color:#12436d}h3{font-size:1.1rem;color:#12436d}"
            "h4{font-size:1rem}@page{size:A4;margin:18mm}"
            f"</style></head><body><main>{markdown(markdown_text, headings=True)}</main></body></html>")


# --- Consistency ------------------------------------------------------------------

_COMMENTARY_BLOCK = re.compile(r"<div class=['\"]commentary['\"]>.*?</div>", re.S)  # rendered commentary holds no <div>


def _generated_text(document: str) -> str:
    """The document's text without the analyst's commentary blocks."""
    return html.unescape(re.sub(r"<[^>]+>", " ", _COMMENTARY_BLOCK.sub(" ", document)))


def check_consistency(table: pd.DataFrame, documents: dict[str, str], quarter) -> None:
    """Fail the build if a generated sentence in any document disagrees with ``indicators.csv``.

    For every partnership indicator, each sentence about it must carry the table's
    current and previous values and its unit; every period and quarter named must be
    the report's own. The analyst's commentary blocks are left out (see ``commentary``).
    """
    problems = []
    rows = table[table["area"] == config.PARTNERSHIP]
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
                units = set(re.findall(r"per (1,?000|10,?000|100,?000)\b", sentence))
                if row["measure"] == "rate" and units != {f"{int(row['unit'].split()[-1].replace(',', '')):,}"}:
                    problems.append(f"{name}: {row['indicator_id']} should be {row['unit']}: '{sentence[:100]}'")
        for month in set(re.findall(r"12 months to ([A-Z][a-z]+ \d{4})", text)):
            if pd.Period(pd.Timestamp(month), "M") not in allowed_ends:
                problems.append(f"{name}: names the period '12 months to {month}', not this report's")
        allowed_quarters = {quarter.short_title, quarter.previous().short_title}  # "what changed" names the last one
        for named in set(re.findall(r"\b(\d{4}/\d{2}) (?:Q|Quarter )([1-4])\b", text)):
            if f"{named[0]} Q{named[1]}" not in allowed_quarters:
                problems.append(f"{name}: names the quarter {named[0]} Q{named[1]}, not {quarter.short_title}")
    if problems:
        raise BuildError(f"figures disagree with indicators.csv ({len(problems)}): " + "; ".join(problems[:3]))
