"""Missing data: the months a figure lacks, the rows without figures for want of data, and the months an
area's figures cover. Their words are the phrasebook's (``wording``: ``missing_cause``, ``cause_lines``)."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from .wording import month_ranges


def period_months(periods: str, quarterly: bool) -> list[pd.Period]:
    """The calendar months of rolling_values' ``missing`` text ("2022-03, 2022-06"); a quarter,
    named by its last month, is its three months."""
    ends = [pd.Period(p, "M") for p in periods.split(", ") if p]
    return [end - back for end in ends for back in ((2, 1, 0) if quarterly else (0,))]


def data_gaps(rows: pd.DataFrame, unavailable: dict) -> pd.DataFrame:
    """The rows whose reason is missing data (not a reason given in params' ``unavailable``)."""
    return rows[(rows["reason"] != "") & ~rows["indicator_id"].isin(list(unavailable))]


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
