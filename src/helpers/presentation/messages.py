"""The opening of the key points, exceptions first: an at-a-glance line, the messages that matter most
ranked by a stated rule, indicators of a priority that move together, and the data break said once.

The report's key points (``render.key_points``) and the board paper (``paper.paper_blocks``) both open
with ``opening``; the full list of key points per priority follows it. The methods state ``RANKING_RULE``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from .. import config
from ..analysis.vocabulary import BaselinePlace, Direction, Reading, TargetStatus
from ..analysis.wording import join_words
from .narrative import key_point

if TYPE_CHECKING:
    from ..inputs.catalogue import Indicator

MOST, FEWEST = 6, 3  # main messages shown: up to MOST, at least FEWEST when that many are compared
RANKING_RULE = (
    f"The main messages are the indicators that matter most, up to {MOST}, ranked by a fixed rule: first a change on "
    "the previous year beyond normal variation (the direction-of-travel rule, which allows for figures that vary more "
    "than chance), then an unusual pattern in the latest monthly counts that reads as a concern or an improvement "
    "(statistical process control), then a target range missed, then the size of the change. An indicator with none "
    f"of the first three is a main message only to make up {FEWEST}."
)
RULE_NOTE = (
    "Ranked by: a change beyond normal variation first, then an unusual pattern in the latest months, then a "
    "missed target, then the size of the change (see Methods)."
)


@dataclass(frozen=True)
class Opening:
    glance: str  # how many indicators improve, hold, worsen; targets missed
    baseline: str  # what "the pre-pandemic level" in the sentences means ("" without one)
    messages: list[tuple[str, str]]  # (judgement, sentence) of the main messages, most important first
    together: list[str]  # a sentence per priority whose indicators move together
    break_note: str  # the data break, said once ("" without one)
    period_stated: str  # the baseline period ``baseline`` names, left out of each sentence


def opening(rows: pd.DataFrame, catalogue: dict[str, Indicator], breaks: pd.DataFrame) -> Opening:
    """The opening for the partnership's ``rows`` (one per indicator) and the quarter's data ``breaks``."""
    baseline, period = baseline_line(rows)
    whole = full_year_baseline(rows)
    messages = [
        (row["judgement"], key_point(row, catalogue[row["indicator_id"]], False, period, baseline=whole))
        for row in main_messages(rows, catalogue).to_dict("records")
    ]
    return Opening(
        at_a_glance(rows, catalogue), baseline, messages, moving_together(rows, whole), break_line(rows, breaks), period
    )


def full_year_baseline(rows: pd.DataFrame) -> bool:
    """Whether the baseline holds a whole year (12 months or more): a shorter one holds only some seasons, so the
    main messages leave it out."""
    months = rows["baseline_months"].dropna()
    return bool(len(months)) and months.min() >= 12


def at_a_glance(rows: pd.DataFrame, catalogue: dict[str, Indicator]) -> str:
    """``Of the 21 indicators, 9 are deteriorating, 6 stable and none improving; …. Targets: none missed.``"""
    targeted = rows["indicator_id"].map(lambda i: catalogue[i].target is not None) & (rows["status"] == "available")
    judged = rows.loc[~targeted, "judgement"].value_counts()
    count = lambda word: judged.get(word, 0)  # noqa: E731
    words = (
        f"Of the {len(rows)} indicators, {_number(count('deteriorating'))} deteriorating, "
        f"{_number(count('stable'), False)} stable and {_number(count('improving'), False)} improving"
    )
    others = [
        (count("no judgement"), "no polarity (a rise or fall is neither good nor bad)", "has", "have"),
        (targeted.sum(), "judged against a target range", "is", "are"),
        (count("not compared"), "not compared with last year (data missing)", "is", "are"),
        (count("not available"), "not available", "is", "are"),
    ]
    words += "".join(f"; {n} {one if n == 1 else many} {what}" for n, what, one, many in others if n)
    if not targeted.any():
        return words + "."
    chosen = rows[targeted]
    missed = chosen[chosen["target_status"].isin([TargetStatus.BELOW, TargetStatus.ABOVE])]
    if len(missed):
        named = join_words(
            f"{r['title']} ({r['target_status']} the {_target(catalogue[r['indicator_id']])})"
            for r in missed.to_dict("records")
        )
        return f"{words}. Target missed: {named}."
    return f"{words}. Targets: none missed ({join_words(chosen['title'])}: within range)."


def _number(n: int, verb: bool = True) -> str:
    return ("none" if n == 0 else str(n)) + (" is" if verb and n < 2 else " are" if verb else "")


def _target(indicator: Indicator) -> str:
    target = indicator.target or {}
    return f"{target.get('label', 'target range')} of {target['low']:g}–{target['high']:g}%"


def ranking(row: dict, catalogue: dict[str, Indicator]) -> tuple[bool, bool, bool, float]:
    """The row's place by RANKING_RULE (larger first): changed beyond normal variation, an SPC concern or
    improvement, a target missed, the size of the change (relative; in points for a percentage)."""
    size = row["change_abs"] if row["measure"] == "percentage" else row["change_pct"]
    return (
        row["direction"] in (Direction.HIGHER, Direction.LOWER),
        row.get("spc_reading") in (Reading.CONCERN, Reading.IMPROVEMENT),
        catalogue[row["indicator_id"]].target is not None
        and row["target_status"] in (TargetStatus.BELOW, TargetStatus.ABOVE),
        abs(size) if pd.notna(size) else 0.0,
    )


def main_messages(rows: pd.DataFrame, catalogue: dict[str, Indicator]) -> pd.DataFrame:
    """The rows that matter most, most important first (RANKING_RULE): those changed, signalling or off
    target, up to MOST; made up to FEWEST by the largest changes among the rest. One row of a family (an
    indicator and its parts, ``part_of`` in the catalogue: burglary and its residential and business parts), the
    whole where it is flagged too, else the part that ranks first, in the place of the family's first."""
    compared = rows[(rows["status"] == "available") & rows["previous_value"].notna()]
    if compared.empty:
        return compared
    ranks = [ranking(row, catalogue) for row in compared.to_dict("records")]
    ids = list(compared["indicator_id"])
    order, families = [], set()
    for i in sorted(range(len(ranks)), key=lambda i: ranks[i], reverse=True):  # stable: catalogue order on ties
        family = catalogue[ids[i]].part_of or ids[i]
        if family in families:
            continue
        families.add(family)
        whole = ids.index(family) if family in ids else i
        order.append(whole if any(ranks[whole][:3]) else i)
    flagged = [i for i in order if any(ranks[i][:3])]
    chosen = flagged[:MOST]
    chosen += [i for i in order if i not in chosen][: max(0, FEWEST - len(chosen))]
    return compared.iloc[chosen]


def moving_together(rows: pd.DataFrame, baseline: bool = True) -> list[str]:
    """A sentence for each priority where more than half of its compared indicators (two at least) went the same
    way on last year, with where those sit against the baseline: ``Reduce crime: 9 of the 10 indicators are
    higher than a year ago; of these, 4 are above their pre-pandemic level, 1 is at it and 4 are still below
    it (…).``; without ``baseline``, the sentence leaves the baseline out."""
    lines = []
    for section, title in config.SECTIONS.items():
        compared = rows[(rows["section"] == section) & rows["direction"].isin(list(Direction))]
        if len(compared) < 2:
            continue
        direction, size = compared["direction"].value_counts().index[0], compared["direction"].value_counts().iloc[0]
        if size < 2 or size * 2 <= len(compared):
            continue
        share = ("both" if size == 2 else f"all {size}") if size == len(compared) else f"{size} of the {len(compared)}"
        way = Direction.read(direction).relation
        line = f"{title}: {share} indicators compared are {way} a year ago"
        moved = compared[compared["direction"] == direction]
        if direction != Direction.SIMILAR and baseline:
            contrary = BaselinePlace.BELOW if direction == Direction.HIGHER else BaselinePlace.ABOVE
            line += _against_baseline(moved, contrary=contrary)
        lines.append(line + ".")
    return lines


def _against_baseline(moved: pd.DataFrame, contrary: str) -> str:
    """``; of these, 4 are above their pre-pandemic level, 1 is at it and 4 are still below it (A, B …)``."""
    placed = moved[moved["vs_baseline"] != ""]
    if placed.empty:
        return ""
    label = placed["baseline_label"].iloc[0]
    parts, first = [], True
    for place, words in (
        (BaselinePlace.ABOVE, "above"),
        (BaselinePlace.LEVEL, "at"),
        (BaselinePlace.SIMILAR, "not clearly different from"),
        (BaselinePlace.BELOW, "below"),
    ):
        chosen = placed[placed["vs_baseline"] == place]
        if chosen.empty:
            continue
        verb = "is" if len(chosen) == 1 else "are"
        where = f"{words} their {label} level" if first else f"{words} it"
        names = f" ({join_words(chosen['title'])})" if place == contrary else ""
        parts.append(f"{len(chosen)} {verb} {'still ' if place == contrary else ''}{where}{names}")
        first = False
    return f"; of these, {join_words(parts)}"


def baseline_line(rows: pd.DataFrame) -> tuple[str, str]:
    """What the sentences' baseline level is, and the period it names (the most common one): ("", "") without one."""
    placed = rows[rows["vs_baseline"].fillna("") != ""]
    if placed.empty:
        return "", ""
    period = placed["baseline_period"].mode().iloc[0]
    months = int(placed.loc[placed["baseline_period"] == period, "baseline_months"].iloc[0])
    short = (
        (
            f"; only {months} months, so it holds only those months' seasons and is biased by their seasonal highs "
            "or lows: read it as a rough guide (the main messages leave it out)"
        )
        if months < 12
        else ""
    )
    return (
        f"An indicator's {placed['baseline_label'].iloc[0]} level is its average over {period}, on the same "
        f"12-month scale{short}."
    ), period


def break_line(rows: pd.DataFrame, breaks: pd.DataFrame, where: str = "the data-quality section") -> str:
    """The data break once for every indicator it touches: ``The 7 police.uk indicators span a break …``;
    ``where`` the reader finds more."""
    touched = rows[rows["data_break"].fillna("") != ""]
    if touched.empty or not len(breaks):
        return ""
    which = (
        f"The {len(touched)} police.uk indicators"
        if len(touched) > 1
        else f"The police.uk figures for {touched['title'].iloc[0]}"
    )
    return (
        f"{which} span a break in the data ({join_words(breaks['short'])}), so their comparisons with last year "
        f"are not quite like with like; see {where}."
    )
