"""The phrasebook: the sentences a reader sees about missing data, the rules in force, SPC signals, data breaks
and the baseline, each filled in with figures the computing modules pass (``indicators``, ``gaps``, ``assess``,
``spc``, ``breaks``, ``context``).

Nothing here finds anything: a function takes what was found and says it. The marks and words of single judgements are
the vocabulary's (``vocabulary``). Missing data: ``indicators.quarter_table`` writes each row's ``reason`` with
``missing_cause``; the key points, board paper, data-quality notes and "what changed" group rows that share a
reason with ``cause_lines`` and ``last_quarter_lines``, so a cause shared by many indicators is stated once, with
the indicators it affects.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from .vocabulary import Direction, GroupPlace, Side

# Lists and months ----------------------------------------------------------------------------------------------


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


# Missing data (``indicators``, ``gaps``) -----------------------------------------------------------------------

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


# The direction-of-travel rule (``assess.describe_rule``) -------------------------------------------------------

CHANGE_RULES = {
    "significance": "a change is called higher or lower when it is statistically significant at the {conf}% level, whatever its size",
    "percent_band": "a change is called higher or lower when it is more than {band}% up or down, whether or not it is statistically significant",
    "both": "a change is called higher or lower only when it is both statistically significant at the {conf}% level and more than {band}% up or down",
}
DISPERSION = (
    "; the significance test allows for figures that vary more than chance alone would make them: when "
    "an indicator's 24 monthly (or 8 quarterly) figures change from one to the next more than chance "
    "would make them (judged from their average month-to-month change, as the SPC limits are: Laney's "
    "method), the test's variance is multiplied by how many times more (quasi-Poisson)"
)


def change_rule(rule: str, confidence: float, band: float, widened: bool) -> str:
    """The rule (``significance``, ``percent_band`` or ``both``) at ``confidence`` (%) and ``band`` (%), with the
    over-dispersion clause when the test is ``widened``."""
    return CHANGE_RULES[rule].format(conf=f"{confidence:g}", band=f"{band:g}") + (DISPERSION if widened else "")


# Districts against their group (``assess.describe_comparison``) ------------------------------------------------

GROUP_RULES = {
    "significance": "the difference is statistically significant at the {conf}% level",
    "percent_band": "it differs by more than {band}%",
    "both": "the difference is both statistically significant at the {conf}% level and more than {band}%",
}


def comparison(
    group: str,
    areas: int,
    rule: str,
    confidence: float,
    band: float,
    overdispersion: bool,
    funnel_from: int,
    sums: list[tuple[str, int]],
) -> str:
    """How each of a ``group``'s ``areas`` districts is compared with the rest, by ``rule`` at ``confidence`` (%)
    and ``band`` (%): on a funnel from ``funnel_from`` districts, else against the rest of the group. ``sums``:
    (name, districts) of the areas that are sums of districts, not compared."""
    above, below, level = GroupPlace.ABOVE, GroupPlace.BELOW, GroupPlace.IN_LINE
    marks = (
        f"It reads {above} ({above.mark}) or {below} ({below.mark}) only when "
        f"{GROUP_RULES[rule].format(conf=f'{confidence:g}', band=f'{band:g}')}, the rule a change on last year must "
        f"meet; otherwise it is {level} ({level.mark}). These marks and words are not the {Direction.arrows()} "
        "arrows, which compare with last year"
    )
    spiegelhalter = (
        f"Spiegelhalter's between-area adjustment (2005), which OHID's funnel plots and FunnelPlotR use, "
        "estimates the spread between areas from the areas themselves after pulling in the most extreme "
        f"tenth at each end, so it is used only for a group of {funnel_from} or more districts: "
        f"with fewer, that trims less than two areas a side, and one far-off district (a city among rural "
        "districts) sets the spread it is then judged against, so that almost every district reads in line"
    )
    if areas >= funnel_from:
        words = (
            f"Each district is compared with the {group} value, the pooled average of its {areas} districts, "
            f"on a funnel plot as OHID's Fingertips does (PHEindicatormethods). {marks}"
        )
        if overdispersion:
            words += f". Because districts differ for many reasons besides chance, {spiegelhalter[0].lower()}{spiegelhalter[1:]}"
    else:
        words = (
            f"Each district is compared with the rest of {group}: the other {areas - 1} districts together, so "
            f"that a large district is not compared with a total it is much of. {marks}. The test is the "
            "conditional test of two Poisson rates given their total (Przyborski and Wilenski 1940) in its normal "
            "(score) form, or the pooled two-proportion test for percentages (Altman 1991)"
        )
        if overdispersion:
            words += (
                "; its variance is multiplied by how much more the figures vary than chance would make them, measured, "
                "as for the change on last year, from the district's and the rest's own 24 monthly figures "
                "(Laney's method; quasi-Poisson, McCullagh and Nelder 1989), never by less than chance alone. "
                + spiegelhalter
            )
        words += ". The chart shows, for each district, the range of values that would read in line with the rest"
    return (
        words
        + "".join(
            f". {name} is not compared: it is {districts} of the {areas} districts, "
            "so it can hardly differ from their total"
            for name, districts in sums
        )
        + "."
    )


# SPC: the rules (``assess.describe_spc``) and the latest signal (``spc.latest_signal``) ------------------------


def spc_method(steps: list[str], baseline: str, baseline_points: int, run: int, trend: int, min_points: int) -> str:
    """How the limits are set and what counts as a signal: ``steps``, each period's first month and why
    ("March 2020 (lockdown)"); ``baseline``, the declared baseline months ("" without one)."""
    periods = f"A new period, with its own limits, starts in {join_words(steps)}. " if steps else ""
    base = f"Each period's limits come from its first {baseline_points} months" + (
        f", except the period holding {baseline}, whose limits come from those months" if baseline else ""
    )
    return (
        f"{periods}{base}: the usual level is their average and the usual range runs 2.66 times their average "
        "month-to-month change either side of it. Later months are judged against these limits, which are not "
        f"recalculated as months are added (NHS England's Making Data Count). A month outside the usual range is "
        f"unusually high or low; {run} or more months in a row above (below) the usual level are a run above "
        f"(below) it; {trend} or more months in a row each higher (lower) than the last are a rising (falling) "
        "trend; two of three months in a row beyond two thirds of the way to the same limit are months close to "
        f"that limit. A period needs {min_points} baseline months before its months are judged, and no signal "
        "runs across the start of a period."
    )


NUMBERS = {2: "two", 3: "three"}


def signal_description(rule: str, side: str, count: int) -> str:
    """The latest point's signal in plain words: ``rule`` on ``side`` over ``count`` months ("a run of 9 months above
    the usual level"; for ``two_of_three``, how many of the last three months are close to the limit)."""
    high = side == Side.HIGH
    if rule == "beyond_limits":
        return f"the latest month was unusually {side}, {'above' if high else 'below'} the usual range"
    if rule == "run":
        return f"a run of {count} months {'above' if high else 'below'} the usual level"
    if rule == "trend":
        return f"a trend of {count} months {'rising' if high else 'falling'}"
    return f"{NUMBERS[count]} of the last three months close to the {'upper' if high else 'lower'} limit"


# Breaks in the police.uk data (``breaks``) ---------------------------------------------------------------------


def breaks_rule(neighbours: int) -> str:
    """The two rules, for the methods and data-quality sections."""
    return (
        "a step in the share of records without a location is a month from which it and the next two months each "
        "differ from each of the three months before by more than one percentage point, in the same direction and "
        "significantly (at the 0.1% level); a month has unusually few records when it holds fewer than half the "
        f"median of the {neighbours} months either side of it"
    )


def break_note(shorts: list[str]) -> str:
    """The sentence a police.uk indicator's key point adds when its 24 months span breaks (their ``short`` words)."""
    return f"The figures span a break in the police.uk data ({join_words(shorts)}); see the data-quality section."


def step_words(month: str, before: float, after: float) -> str:
    """A step in the share without a location from ``month`` ("May 2021"), ``before`` to ``after`` (shares)."""
    rose = after > before
    effect = (
        "these records are in no district's figures, so counts from then on are lower than they would otherwise be"
        if rose
        else "more records are placed in a district from then on, so counts are higher than they would otherwise be"
    )
    return (
        f"From {month} the share of police.uk records without a location {'rose' if rose else 'fell'} from "
        f"{before:.1%} to {after:.1%} a month: {effect}."
    )


def step_short(month: str, before: float, after: float) -> str:
    """The step as a phrase for a key point."""
    return f"{'more' if after > before else 'fewer'} records without a location from {month}"


def few_rows_words(month: str, rows: float, usual: float) -> str:
    """A ``month`` ("May 2021") holding only ``rows`` records against the ``usual`` number."""
    return (
        f"{month} holds only {rows:,.0f} police.uk records, under "
        f"half the usual {usual:,.0f} a month: its file may be incomplete, and that month's counts too low."
    )


def few_rows_short(month: str) -> str:
    """The month with few records as a phrase for a key point."""
    return f"unusually few records in {month}"


# The baseline (``context.Baseline.describe``) ------------------------------------------------------------------


def baseline_method(
    label: str,
    asked: str,
    declared: bool,
    default_months: int,
    held: str | None,
    months: int,
    extreme_years: int,
    note: str,
) -> str:
    """The ``label`` baseline for the methods: the months ``asked`` for (set in params when ``declared``, else the
    ``default_months`` before the previous year), the months the data hold (``held``, None for none; ``months`` of
    them), the run a highest or lowest needs (``extreme_years``) and params' ``note``."""
    if declared:
        text = f"The {label} baseline is {asked} (set in the parameters)"
    else:
        text = f"The {label} baseline is the {default_months} months before the previous year's 12 months, {asked}"
    if held is None:
        return f"{text}, but the data hold none of those months, so no indicator has a baseline."
    text += "." if held == asked else f", as far as the data go: {held}."
    text += (
        " Each indicator's baseline is its average monthly level over those months, on its 12-month scale; "
        "this year's value is called above or below it only by the direction-of-travel rule (the same test, "
        "allowing for the indicator's own variation, and the same percent band), and back to it only when "
        "within that band; otherwise the sentence gives the gap in %."
    )
    if months < 12:
        text += (
            f" With only {months} months it holds only some seasons, so its level is biased by their "
            "seasonal highs or lows; it is left out of the main messages."
        )
    text += (
        " A value is called the highest or lowest 12-month figure since a month only when the unbroken run of "
        f"12-month figures behind it covers at least {extreme_years} years."
    )
    return f"{text} {note}".strip()
