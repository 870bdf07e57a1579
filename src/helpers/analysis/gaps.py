"""Missing data in words: months as ranges, the cause, and one line per cause.

The one place for this wording. ``quarter_table`` writes each row's ``reason`` with
``missing_cause``; the key points, board paper, data-quality notes and "what changed"
group rows that share a reason with ``cause_lines`` and ``last_quarter_lines``, so a
cause shared by many indicators is stated once, with the indicators it affects.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd


def join_words(items: Iterable[str]) -> str:
    """``A``, ``A and B``, ``A, B and C``."""
    items = list(items)
    return f"{', '.join(items[:-1])} and {items[-1]}" if len(items) > 1 else "".join(items)


def month_ranges(months: Iterable[str | pd.Period]) -> str:
    """Months as ranges in words, naming each year once.

    ``2024-05 … 2024-12`` is "May to December 2024"; ``2024-11 … 2025-02`` is "November 2024
    to February 2025"; ``2025-01 … 2025-03, 2025-06`` is "January to March and June 2025".
    """
    runs: list[list[pd.Period]] = []
    for month in sorted({pd.Period(m, "M") for m in months}):
        if runs and month == runs[-1][1] + 1:
            runs[-1][1] = month
        else:
            runs.append([month, month])
    groups: list[tuple[int | None, list[str]]] = []  # runs within one year share its number
    for first, last in runs:
        if first.year != last.year:
            groups.append((None, [f"{first.strftime('%B %Y')} to {last.strftime('%B %Y')}"]))
            continue
        text = first.strftime("%B") if first == last else f"{first.strftime('%B')} to {last.strftime('%B')}"
        if groups and groups[-1][0] == first.year:
            groups[-1][1].append(text)
        else:
            groups.append((first.year, [text]))
    return join_words(f"{join_words(texts)} {year}" if year else texts[0] for year, texts in groups)


def period_months(periods: str, quarterly: bool) -> list[pd.Period]:
    """The calendar months of rolling_values' ``missing`` text ("2022-03, 2022-06"); a quarter,
    named by its last month, is its three months."""
    ends = [pd.Period(p, "M") for p in periods.split(", ") if p]
    return [end - back for end in ends for back in ((2, 1, 0) if quarterly else (0,))]


NO_PARTNER_DATA = "no partner data for these districts (the local extract holds none of their figures)."
NO_LOCAL_EXTRACT = "no partner data (this pack reads no local extract: local_extract: none)."


def missing_cause(
    source: str,
    months: list[pd.Period],
    members: dict[str, list[pd.Period]] | None = None,
    covered: tuple[pd.Period, pd.Period] | None = None,
    extract: tuple[pd.Period, pd.Period] | None = None,
) -> str:
    """Why ``months`` have no figures, as a clause (a row's ``reason``).

    police.uk: "the police.uk files for May to December 2024 are missing". Local: "no local
    figures for January to December 2025 (the local extract ends September 2022)". ``covered``
    is the first and last month the extract holds for the indicator (None: none at all),
    ``extract`` the same for the whole extract. For a total, ``members`` gives each district's
    missing months: a gap inside ``covered`` names the districts that lack it, unless all do.
    """
    if source == "police_uk":
        return f"the police.uk files for {month_ranges(months)} are missing."
    if covered is None:
        return f"no local figures for {month_ranges(months)} (not in the local extract)."
    (first, last), (start, end), members = covered, extract or covered, members or {}
    inside = [m for m in months if first <= m <= last]
    short = [d for d, gaps in members.items() if set(gaps) & set(inside)]
    where = f"from {join_words(short)} " if 0 < len(short) < len(members) else ""
    parts = [  # (months, who, note) in time order
        (
            [m for m in months if m < first],
            "",
            f" (the local extract {'starts' if first == start else 'has none before'} {first.strftime('%B %Y')})",
        ),
        (inside, where, ""),
        (
            [m for m in months if m > last],
            "",
            f" (the local extract {'ends' if last == end else 'has none after'} {last.strftime('%B %Y')})",
        ),
    ]
    clauses = [f"{who}for {month_ranges(chosen)}{note}" for chosen, who, note in parts if chosen]
    return f"no local figures {', and none '.join(clauses)}."


def short_cause(source: str) -> str:
    """The dashboard's few words for an indicator without figures because data is missing."""
    return "police.uk files missing" if source == "police_uk" else "local figures missing"


def sentence(reason: str) -> str:
    """A reason clause as a sentence of its own: "The police.uk files for May 2024 are missing."."""
    return reason[:1].upper() + reason[1:]


def _how_many(count: int) -> str:
    return "one indicator is" if count == 1 else f"{count} indicators are"


def data_gaps(rows: pd.DataFrame, unavailable: dict) -> pd.DataFrame:
    """The rows whose reason is missing data (not a reason given in params' ``unavailable``)."""
    return rows[(rows["reason"] != "") & ~rows["indicator_id"].isin(list(unavailable))]


def cause_lines(gaps: pd.DataFrame) -> list[str]:
    """One sentence per cause, naming the indicators it affects (``data_gaps`` rows of one area)."""
    lines = []
    for (status, reason), group in gaps.groupby(["status", "reason"], sort=False):
        titles, cause = join_words(group["title"]), sentence(reason).rstrip(".")
        if status == "available":
            lines.append(
                f"{cause}, so {_how_many(len(group))} shown for this year only, not compared with "
                f"the previous year: {titles}."
            )
        else:
            lines.append(f"{cause}, so {_how_many(len(group))} not available: {titles}.")
    return lines


def section_line(titles: list[str], see: str) -> str:
    """The key points' line for a section's indicators not available for missing data."""
    return f"Not available (data missing, {see}): {join_words(titles)}."


def last_quarter_lines(gaps: pd.DataFrame) -> list[str]:
    """Why indicators cannot be compared with last quarter (``data_gaps`` rows of last quarter)."""
    lines = []
    for (status, reason), group in gaps.groupby(["status", "reason"], sort=False):
        titles = join_words(group["title"])
        if status == "available":
            lines.append(f"Last quarter had no comparison with the previous year for {titles}: {reason}")
        else:
            lines.append(f"Last quarter's figures could not be computed for {titles}: {reason}")
    return lines


def months_held(monthly: pd.DataFrame, indicator_ids: Iterable[str], areas: Iterable[str]) -> dict[str, str]:
    """Area -> the months its figures of ``indicator_ids`` cover, in words, and the months missing between
    the first and the last ("December 2019 to September 2022 (34 months)", "…; missing: May 2021")."""
    chosen = monthly[monthly["indicator_id"].isin(list(indicator_ids)) & monthly["numerator"].notna()]
    held = chosen.groupby("area")["month"].agg(lambda months: sorted({pd.Period(m, "M") for m in months}))
    words = {}
    for area in areas:
        months = held.get(area, [])
        if not months:
            words[area] = "no months"
            continue
        missing = sorted(set(pd.period_range(months[0], months[-1], freq="M")) - set(months))
        span = month_ranges(months) if len(months) == 1 else f"{months[0]:%B %Y} to {months[-1]:%B %Y}"
        words[area] = f"{span} ({len(months)} month{'s' if len(months) > 1 else ''})" + (
            f"; missing: {month_ranges(missing)}" if missing else ""
        )
    return words
