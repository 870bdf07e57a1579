"""From tidy inputs to indicator values: monthly numerators, rolling 12 months, the quarter's table.

A 12-month value exists only when every month (or, for quarterly indicators, every
quarter) of the window is present for every district it sums: a partial year is
never shown as a full one.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..inputs.catalogue import Indicator
from ..quarters import Quarter, period_label
from .gaps import period_months
from .wording import NO_LOCAL_EXTRACT, NO_PARTNER_DATA, join_words, missing_cause

if TYPE_CHECKING:
    from ..inputs.partnerships import Area


def monthly_numerators(
    police_counts: pd.DataFrame,
    local: pd.DataFrame,
    catalogue: dict[str, Indicator],
    police_months: list[str],
    areas: list[Area],
) -> pd.DataFrame:
    """indicator_id, area, month, numerator, denominator for every one of ``areas``: its districts
    counted, the others summed from them.

    police.uk indicators are counted for every month a file was read (zero when a
    district had none of those crimes); local indicators for the rows supplied.
    """
    frames = []
    districts = list(dict.fromkeys(name for area in areas for name in area.districts))
    grid = pd.MultiIndex.from_product([police_months, districts], names=["month", "area"])
    types = police_counts["crime_type"].unique()
    for indicator in catalogue.values():
        if indicator.source == "police_uk":
            chosen = police_counts[police_counts["crime_type"].isin(indicator.counted_types(types))]
            counts = chosen.groupby(["month", "district"])["count"].sum().rename_axis(["month", "area"])
            frame = counts.reindex(grid, fill_value=0).rename("numerator").reset_index()
            frame["denominator"] = np.nan
        else:
            frame = local.loc[
                (local["indicator_id"] == indicator.id) & local["area"].isin(districts),
                ["month", "area", "numerator", "denominator"],
            ]
        frames.append(frame.assign(indicator_id=indicator.id))
    counted = pd.concat(frames, ignore_index=True)
    counted[["numerator", "denominator"]] = counted[["numerator", "denominator"]].astype(float)
    totals = [_sum_areas(counted, list(area.districts), area.name) for area in areas if area.type != "district"]
    table = pd.concat([counted, *totals], ignore_index=True)
    return table[["indicator_id", "area", "month", "numerator", "denominator"]].sort_values(
        ["indicator_id", "area", "month"], ignore_index=True
    )


def _sum_areas(districts: pd.DataFrame, members: list[str], name: str) -> pd.DataFrame:
    """Sum members' values per indicator and month; only where every member reported."""
    subset = districts[districts["area"].isin(members)]
    grouped = subset.groupby(["indicator_id", "month"])
    summed = grouped[["numerator", "denominator"]].sum(min_count=1)
    complete = grouped["area"].nunique() == len(members)
    return summed[complete].reset_index().assign(area=name)


def population_table(population: pd.DataFrame, areas: list[Area]) -> pd.DataFrame:
    """Population by year (rows) for each of ``areas`` (columns): a group sums its districts
    (NaN in a year any of them lacks)."""
    by_code = population.pivot(index="year", columns="area_code", values="population")
    columns = {
        area.name: by_code.reindex(columns=list(area.districts.values())).sum(axis=1, min_count=len(area.districts))
        for area in areas
    }
    return pd.DataFrame(columns, index=by_code.index)


# When each ONS mid-year estimate was first published, for params' ``population_vintage: as_published``.
# The releases our population files come from (data/SOURCES.md) and ONS's release calendar: mid-2019 on
# 24 June 2020 and mid-2020 on 25 June 2021; mid-2021 was delayed by the Census 2021 rebasing to 21 December
# 2022, mid-2022 came in the UK tables of 26 March 2024 and mid-2023 on 15 July 2024. A year not listed is
# assumed published on 30 June of the following year, ONS's usual timetable before 2022.
ESTIMATE_PUBLISHED = {
    2019: dt.date(2020, 6, 24),
    2020: dt.date(2021, 6, 25),
    2021: dt.date(2022, 12, 21),
    2022: dt.date(2024, 3, 26),
    2023: dt.date(2024, 7, 15),
}


def published(year: int) -> dt.date:
    """The day the mid-``year`` estimate was (or is assumed) first published."""
    return ESTIMATE_PUBLISHED.get(year, dt.date(year + 1, 6, 30))


def population_year(
    period_end: pd.Period, years: list[int], months: int = 12, published_by: dt.date | None = None
) -> tuple[int, str]:
    """The mid-year estimate nearest the middle of the ``months`` ending ``period_end``.

    With ``published_by``, only estimates published by that day count. Returns (year, why):
    ``why`` is "" for the nearest estimate, else says why another stood in.
    """
    start = period_end - (months - 1)
    middle = start.start_time + (period_end.end_time - start.start_time) / 2
    nearest = min(range(middle.year - 1, middle.year + 2), key=lambda y: abs(pd.Timestamp(y, 6, 30) - middle))
    usable = [y for y in years if published_by is None or published(y) <= published_by] or list(years)
    if nearest in usable:
        return nearest, ""
    if nearest in years:  # held, but published after ``published_by``
        why = f"mid-{nearest}, nearest its middle, was first published on {_day(published(nearest))}"
    else:
        why = f"mid-{nearest}, nearest its middle, is not in the population files"
    earlier = [y for y in usable if y < nearest]
    if earlier:
        return max(earlier), why + ("" if nearest in years else "; the latest available used")
    return min(usable), f"{why}; the earliest available used"


def population_note(
    uses: list[tuple[str, int, str]],
    published_by: dt.date | None,
    meeting_unknown: bool,
    whose: str = "the meeting date",
) -> str:
    """Which estimates the rates use and why, as a clause: ``uses`` holds (what, year, why) per period; ``whose``
    names the date ``published_by`` is."""
    if published_by:
        rule = f"those published by {_day(published_by)}, {whose}"
    elif meeting_unknown:
        rule = "the latest available (no meeting date is set to limit them to those published by then)"
    else:
        rule = "the latest available"
    parts = [f"mid-{year} for {what}" + (f" ({why})" if why else "") for what, year, why in uses]
    return f"{rule}; for each period the one nearest its middle, unless stated: {join_words(parts)}"


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def rolling_values(
    monthly: pd.DataFrame,
    catalogue: dict[str, Indicator],
    population: pd.DataFrame,
    end_months: list[pd.Period],
    areas: list[Area],
    published_by: dt.date | None = None,
) -> pd.DataFrame:
    """12-month values ending at each of ``end_months`` for every indicator and area.

    Quarterly indicators get a value only at quarter ends (the sum of 4 quarters). Rates use
    the population estimate of ``population_year`` (only those published by ``published_by``, if given).
    Columns: indicator_id, area, period_end, numerator, denominator, value,
    population_year, missing (the months or quarters absent from the window, if any).
    """
    pop = population_table(population, areas)
    names = [area.name for area in areas]
    first = min(pd.Period(monthly["month"].min(), "M"), end_months[0] - 11)
    last = max(pd.Period(monthly["month"].max(), "M"), end_months[-1])
    every_month = [str(m) for m in pd.period_range(first, last, freq="M")]
    ends = [str(e) for e in end_months]
    years = {end: population_year(pd.Period(end, "M"), list(pop.index), published_by=published_by)[0] for end in ends}
    frames = []
    for indicator in catalogue.values():
        n = indicator.periods_per_year
        periods = every_month if n == 12 else [m for m in every_month if int(m[5:]) % 3 == 0]
        wide = monthly[monthly["indicator_id"] == indicator.id].pivot(
            index="month", columns="area", values=["numerator", "denominator"]
        )
        # An indicator with no rows at all (absent from the local extract) is all missing.
        wide = wide.reindex(columns=pd.MultiIndex.from_product([["numerator", "denominator"], names])).astype(float)
        numerators = wide["numerator"].reindex(index=periods, columns=names)
        chosen = [e for e in ends if e in numerators.index]
        rolled = numerators.rolling(n, min_periods=n).sum().loc[chosen].stack(future_stack=True)
        frame = rolled.rename("numerator").rename_axis(["period_end", "area"]).reset_index()
        frame.insert(0, "indicator_id", indicator.id)
        if indicator.measure == "rate":
            frame["population_year"] = frame["period_end"].map(years)
            frame["denominator"] = (
                pop.stack()
                .reindex(pd.MultiIndex.from_arrays([frame["population_year"], frame["area"]]))
                .to_numpy(dtype=float)
            )
            frame["value"] = frame["numerator"] / frame["denominator"] * indicator.per
        else:
            denominators = wide["denominator"].reindex(index=periods, columns=names)
            frame["denominator"] = (
                denominators.rolling(n, min_periods=n).sum().loc[chosen].stack(future_stack=True).to_numpy()
            )
            frame["value"] = frame["numerator"] / frame["denominator"] * 100
            frame["population_year"] = np.nan
        gaps = frame["numerator"].isna()
        frame.loc[gaps, ["denominator", "value", "population_year"]] = np.nan
        absent = numerators.isna()
        frame["missing"] = ""
        position = {p: i for i, p in enumerate(periods)}
        column = {a: j for j, a in enumerate(names)}
        holes = absent.to_numpy()
        frame.loc[gaps, "missing"] = [
            ", ".join(
                periods[i] for i in range(max(0, position[end] - n + 1), position[end] + 1) if holes[i, column[area]]
            )
            for end, area in zip(frame.loc[gaps, "period_end"], frame.loc[gaps, "area"])
        ]
        frames.append(frame)
    columns = ["indicator_id", "area", "period_end", "numerator", "denominator", "value", "population_year", "missing"]
    return pd.concat(frames, ignore_index=True)[columns]


def local_coverage(
    monthly: pd.DataFrame, catalogue: dict[str, Indicator], districts: list[str]
) -> dict[str, tuple[pd.Period, pd.Period]]:
    """The first and last month the local extract holds figures for ``districts``, per local indicator that has any."""
    coverage = {}
    for indicator in catalogue.values():
        rows = monthly[
            (monthly["indicator_id"] == indicator.id) & monthly["area"].isin(districts) & monthly["numerator"].notna()
        ]
        if indicator.source == "local" and len(rows):
            first = pd.Period(rows["month"].min(), "M") - (2 if indicator.frequency == "quarterly" else 0)
            coverage[indicator.id] = (first, pd.Period(rows["month"].max(), "M"))
    return coverage


TABLE_COLUMNS = [
    "indicator_id",
    "title",
    "section",
    "measure",
    "unit",
    "polarity",
    "source",
    "illustrative",
    "area",
    "area_code",
    "area_type",
    "period",
    "period_end",
    "numerator",
    "denominator",
    "value",
    "previous_period_end",
    "previous_numerator",
    "previous_denominator",
    "previous_value",
    "change_abs",
    "change_pct",
    "population_year",
    "status",
    "reason",
]


def quarter_table(
    rolling: pd.DataFrame,
    monthly: pd.DataFrame,
    catalogue: dict[str, Indicator],
    quarter: Quarter,
    unavailable: dict[str, str],
    local_is_sample: bool,
    areas: list[Area],
    has_extract: bool = True,
) -> pd.DataFrame:
    """One row per indicator and area (in the order of ``areas``) for the quarter: this year, last year and the change.

    ``reason`` says why a row is not available or not compared: params' ``unavailable``
    text, the missing months and their cause (``gaps.missing_cause``), or no partner data at all for the
    area's districts in any local indicator (``has_extract`` False: the pack reads no local extract). Only a row with figures from the sample
    extract (``local_is_sample``) is ``illustrative``.
    """
    end, previous_end = quarter.end_month, quarter.end_month - 12
    current = rolling[rolling["period_end"] == str(end)].set_index(["indicator_id", "area"]).to_dict("index")
    previous = rolling[rolling["period_end"] == str(previous_end)].set_index(["indicator_id", "area"]).to_dict("index")
    covered = local_coverage(monthly, catalogue, [a.name for a in areas if a.type == "district"])
    extract = (min(c[0] for c in covered.values()), max(c[1] for c in covered.values())) if covered else None
    local = {i.id for i in catalogue.values() if i.source == "local"}
    supplied = set(monthly.loc[monthly["indicator_id"].isin(local) & monthly["numerator"].notna(), "area"])

    def cause(indicator: Indicator, area: Area, year: dict) -> str:
        """Why ``year`` (``current`` or ``previous``) lacks months for this row, in words."""
        if indicator.source == "local" and supplied.isdisjoint(area.districts):
            return NO_PARTNER_DATA if has_extract else NO_LOCAL_EXTRACT

        def months(where: str) -> list[pd.Period]:
            return period_months(year[(indicator.id, where)]["missing"], indicator.frequency == "quarterly")

        members = list(area.districts) if area.type != "district" else []
        return missing_cause(
            indicator.source, months(area.name), {d: months(d) for d in members}, covered.get(indicator.id), extract
        )

    rows = []
    for indicator in catalogue.values():
        for area in areas:
            now, before = current[(indicator.id, area.name)], previous[(indicator.id, area.name)]
            row = {
                "indicator_id": indicator.id,
                "title": indicator.title,
                "section": indicator.section,
                "measure": indicator.measure,
                "unit": indicator.unit,
                "polarity": indicator.polarity,
                "source": indicator.source,
                "illustrative": indicator.source == "local" and local_is_sample,
                "area": area.name,
                "area_code": area.code,
                "area_type": area.type,
                "period": period_label(end),
                "period_end": str(end),
                "numerator": now["numerator"],
                "denominator": now["denominator"],
                "value": now["value"],
                "previous_period_end": str(previous_end),
                "previous_numerator": before["numerator"],
                "previous_denominator": before["denominator"],
                "previous_value": before["value"],
                "population_year": now["population_year"],
            }
            reason = unavailable.get(indicator.id)
            if reason is None and now["missing"]:
                reason = cause(indicator, area, current)
            if reason:
                for key in (
                    "numerator",
                    "denominator",
                    "value",
                    "previous_numerator",
                    "previous_denominator",
                    "previous_value",
                ):
                    row[key] = np.nan
                row.update(status="not available", reason=reason)
            elif before["missing"]:  # this year is whole: show it, without a comparison
                row.update(status="available", reason=cause(indicator, area, previous))
            else:
                row.update(status="available", reason="")
            row["illustrative"] = row["illustrative"] and row["status"] == "available"
            rows.append(row)
    table = pd.DataFrame(rows)
    table["change_abs"] = table["value"] - table["previous_value"]
    # No relative change from a previous value of 0 (never inf): the words say "new".
    table["change_pct"] = (table["change_abs"] / table["previous_value"] * 100).where(table["previous_value"] != 0)
    return table[TABLE_COLUMNS]
