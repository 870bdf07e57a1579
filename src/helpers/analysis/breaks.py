"""Breaks in the police.uk data: a step in the share of records without a location, or a month
with unusually few records. Both change what is counted, so a comparison across them is not like
with like; the data-quality section lists them and each police.uk indicator whose 24 months span
one says so (``assess``).

The rules, stated in the report (``describe_breaks``):

* a step in the share without a location starts at a month when that month and the next two each
  differ from each of the three months before by more than one percentage point, all in the same
  direction, and the pooled shares of the two sets of three months differ at the 0.1% level
  (``two_proportion_test``); of neighbouring months that both qualify, the one with the larger
  difference is the break (a single odd month is not a step: its neighbours do not move with it);
* a month has unusually few records when it holds fewer than half the median of the (up to) six
  months either side of it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..quarters import Quarter, window
from . import wording
from .significance import two_proportion_test

SIDE = 3  # months each side of a step
STEP_POINTS = 0.01  # each month moves by more than one percentage point
STEP_P = 0.001
FEW_ROWS = 0.5  # under half the usual number of records
NEIGHBOURS = 6
COLUMNS = ["month", "kind", "before", "after", "words", "short"]


def describe_breaks() -> str:
    """The two rules in words, for the methods and data-quality sections."""
    return wording.breaks_rule(NEIGHBOURS)


def data_breaks(quality: pd.DataFrame, quarter: Quarter) -> pd.DataFrame:
    """The breaks that fall in the quarter's 24 months, found from the months up to its end.

    ``quality`` has one row per month read: month, rows, no_location. A step counts when it starts
    after the first of the 24 months (so months on both sides are compared); a month with few
    records when it is one of them. Columns: month, kind ('no_location' or 'few_rows'), before (the
    share before the step, or the usual records a month), after (the share after it, or the month's
    records), words (a sentence for the data-quality section), short (a phrase for a key point).
    """
    months = [str(m) for m in window(quarter.end_month, 24)]
    known = quality[quality["month"] <= months[-1]].set_index("month").sort_index()
    found = [b for b in _steps(known) if months[0] < b["month"] <= months[-1]]
    found += [b for b in _few_rows(known) if b["month"] in months]
    return pd.DataFrame(found, columns=COLUMNS).sort_values("month", ignore_index=True)


def break_note(breaks: pd.DataFrame) -> str:
    """The sentence a police.uk indicator's key point adds when its 24 months span ``breaks`` ("" if none)."""
    return wording.break_note(list(breaks["short"])) if len(breaks) else ""


def _consecutive(months: list[str]) -> bool:
    ordinals = [pd.Period(m, "M").ordinal for m in months]
    return all(b - a == 1 for a, b in zip(ordinals, ordinals[1:]))


def _steps(known: pd.DataFrame) -> list[dict]:
    labels, rows, missing = list(known.index), known["rows"].to_numpy(float), known["no_location"].to_numpy(float)
    share = np.divide(missing, rows, out=np.zeros_like(rows), where=rows > 0)
    candidates = []
    for i in range(SIDE, len(labels) - SIDE + 1):
        before, after = share[i - SIDE : i], share[i : i + SIDE]
        rose, fell = after.min() - before.max() > STEP_POINTS, before.min() - after.max() > STEP_POINTS
        if not _consecutive(labels[i - SIDE : i + SIDE]) or not (rose or fell):
            continue
        pooled_before, pooled_after = (
            missing[i - SIDE : i].sum() / rows[i - SIDE : i].sum(),
            missing[i : i + SIDE].sum() / rows[i : i + SIDE].sum(),
        )
        p = two_proportion_test(
            missing[i : i + SIDE].sum(), rows[i : i + SIDE].sum(), missing[i - SIDE : i].sum(), rows[i - SIDE : i].sum()
        )
        if p < STEP_P:
            candidates.append(
                {
                    "position": i,
                    "month": labels[i],
                    "before": float(np.median(before)),
                    "after": float(np.median(after)),
                    "size": abs(pooled_after - pooled_before),
                }
            )
    chosen: list[dict] = []
    for previous, candidate in zip([None, *candidates], candidates):  # neighbours are one step: keep the larger
        if (
            previous
            and candidate["position"] - previous["position"] == 1
            and (candidate["after"] > candidate["before"]) == (previous["after"] > previous["before"])
        ):
            if candidate["size"] > chosen[-1]["size"]:
                chosen[-1] = candidate
            continue
        chosen.append(candidate)
    return [
        {
            "month": c["month"],
            "kind": "no_location",
            "before": c["before"],
            "after": c["after"],
            "words": wording.step_words(_month(c["month"]), c["before"], c["after"]),
            "short": wording.step_short(_month(c["month"]), c["before"], c["after"]),
        }
        for c in chosen
    ]


def _month(month: str) -> str:
    """``2021-05`` as "May 2021"."""
    return pd.Period(month, "M").strftime("%B %Y")


def _few_rows(known: pd.DataFrame) -> list[dict]:
    labels, rows = list(known.index), known["rows"].to_numpy(float)
    found = []
    for i, month in enumerate(labels):
        around = np.concatenate([rows[max(0, i - NEIGHBOURS) : i], rows[i + 1 : i + 1 + NEIGHBOURS]])
        usual = float(np.median(around)) if len(around) else np.nan
        if len(around) and rows[i] < FEW_ROWS * usual:
            found.append(
                {
                    "month": month,
                    "kind": "few_rows",
                    "before": usual,
                    "after": rows[i],
                    "words": wording.few_rows_words(_month(month), rows[i], usual),
                    "short": wording.few_rows_short(_month(month)),
                }
            )
    return found
