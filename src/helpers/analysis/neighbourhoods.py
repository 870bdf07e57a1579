"""Below the district: every police.uk indicator by neighbourhood (MSOA) and by LSOA, the change on last
year and its significance, small counts of sensitive indicators suppressed, and the busiest street locations.

police.uk names each LSOA "<district> <MSOA number><letter>" (2011 and 2021 LSOAs alike): the MSOA, a
neighbourhood of roughly 7,000-10,000 residents, is the name less its last letter ("Charnwood 012A" lies in
"Charnwood 012"), so no other data is needed. Figures are counts; where ONS's small-area population is given
(``small_area_population``), each area also has its rate per 10,000 residents.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..quarters import Quarter, window
from .stats import normalise_confidence, poisson_rate_test

COLUMNS = ["indicator_id", "district", "level", "neighbourhood", "lsoa", "lsoa_count", "numerator",
           "previous_numerator", "change_pct", "p_value", "significant", "suppressed", "population", "rate",
           "previous_rate"]
CSV_COLUMNS = ["indicator_id", "district", "neighbourhood", "lsoa_count", "numerator", "previous_numerator",
               "change_pct", "p_value", "significant", "suppressed", "rate", "previous_rate"]
PER = 10_000  # rates per this many residents
STREETS = 10
# The police.uk indicators the Where chapter maps, in its order (those the catalogue holds).
HEADLINE = ["total_crime", "burglary_total", "vehicle_offences", "violence_sexual", "asb_total",
            "criminal_damage_arson", "shoplifting"]


def headline_ids(catalogue: dict) -> list[str]:
    """The ``HEADLINE`` indicators the catalogue holds, counted from police.uk."""
    return [i for i in HEADLINE if i in catalogue and catalogue[i].source == "police_uk"]


def district_of(lsoa_names: pd.Series) -> pd.Series:
    """The district: the LSOA name less its last token ('Charnwood 012A' -> 'Charnwood'), as ingest counts it."""
    return lsoa_names.str.rsplit(" ", n=1).str[0]


def msoa_of(lsoa_names: pd.Series) -> pd.Series:
    """The neighbourhood (MSOA) of each LSOA name: the name less its last letter ('Charnwood 012A' -> 'Charnwood 012')."""
    return lsoa_names.str[:-1]


def _years(quarter: Quarter) -> tuple[list[str], list[str]]:
    """The months of this 12-month period and of the 12 months before."""
    return [str(m) for m in window(quarter.end_month, 12)], [str(m) for m in window(quarter.end_month - 12, 12)]


def suppress(counts: pd.Series, threshold: int) -> pd.Series:
    """Counts from 1 to ``threshold`` - 1 removed (NA): small numbers that could identify a victim."""
    return counts.astype("Int64").mask((counts >= 1) & (counts < threshold))


def neighbourhood_table(lsoa_counts: pd.DataFrame, catalogue: dict, quarter: Quarter, districts: dict[str, str],
                        confidence, suppress_below: int, population: pd.Series | None = None) -> pd.DataFrame:
    """Every police.uk indicator by neighbourhood (level 'neighbourhood') and by LSOA (level 'lsoa') in
    ``districts`` (name -> code): this year's and last year's 12-month counts, the change and the exact test.

    ``lsoa_counts``: month, lsoa_name, crime_type, count (``PoliceData.lsoa_counts``). Every LSOA seen in the
    data has a row for each indicator, zero counts included. The test is the exact conditional test of two
    Poisson counts with equal exposure (``stats.poisson_rate_test``: the binomial test of this year's count
    given both years', p = 0.5). For an indicator the catalogue marks ``sensitive``, each count from 1 to
    ``suppress_below`` - 1 is withheld (NA) and its row's change and test are not computed (``suppressed``).

    ``population`` (LSOA code -> residents, ``ingest.read_lsoa_population``): each area's ``population`` is the sum
    of its LSOAs' (by police.uk's LSOA code), and ``rate`` and ``previous_rate`` are its counts per ``PER``
    residents, the same population both years. An area with an LSOA the population lacks, and a withheld
    count, have no rate (NA); without ``population`` no area has one.
    """
    level = normalise_confidence(confidence)
    counts = lsoa_counts.assign(district=district_of(lsoa_counts["lsoa_name"]))
    counts = counts[counts["district"].isin(districts)]
    this_year, last_year = _years(quarter)
    areas = counts[["district", "lsoa_name"]].drop_duplicates().sort_values("lsoa_name", ignore_index=True)
    areas["neighbourhood"] = msoa_of(areas["lsoa_name"])
    areas["lsoa_count"] = areas.groupby("neighbourhood")["lsoa_name"].transform("size")
    areas["population"] = areas["lsoa_name"].map(_residents(counts, population))
    residents = areas.groupby("neighbourhood")["population"].agg(_whole_sum)
    frames = []
    for indicator in catalogue.values():
        if indicator.source != "police_uk":
            continue
        chosen = counts[counts["crime_type"].isin(indicator.counted_types(counts["crime_type"].unique()))]
        by_lsoa = areas.copy()
        for column, months in (("numerator", this_year), ("previous_numerator", last_year)):
            summed = chosen[chosen["month"].isin(months)].groupby("lsoa_name")["count"].sum()
            by_lsoa[column] = by_lsoa["lsoa_name"].map(summed).fillna(0).astype("int64")
        by_msoa = by_lsoa.groupby(["district", "neighbourhood", "lsoa_count"], as_index=False)[
            ["numerator", "previous_numerator"]].sum()
        by_msoa["population"] = by_msoa["neighbourhood"].map(residents)
        both = pd.concat([by_msoa.assign(level="neighbourhood", lsoa=""),
                          by_lsoa.rename(columns={"lsoa_name": "lsoa"}).assign(level="lsoa")], ignore_index=True)
        frames.append(_compare(both.assign(indicator_id=indicator.id), indicator.sensitive, suppress_below, level))
    if not frames:
        return pd.DataFrame(columns=COLUMNS)
    return pd.concat(frames, ignore_index=True)[COLUMNS]


def _compare(rows: pd.DataFrame, sensitive: bool, suppress_below: int, level: float) -> pd.DataFrame:
    """The change and exact test of each row, then its small counts withheld if ``sensitive``."""
    now, before = rows["numerator"], rows["previous_numerator"]
    pairs = {pair: poisson_rate_test(pair[0], 1, pair[1], 1) for pair in set(zip(now, before))}
    rows["p_value"] = [pairs[pair] for pair in zip(now, before)]
    rows["change_pct"] = ((now - before) / before.where(before > 0) * 100).astype(float)
    rows["significant"] = rows["p_value"] < 1 - level
    rows["suppressed"] = False
    if sensitive:
        for column in ("numerator", "previous_numerator"):
            rows[column] = suppress(rows[column], suppress_below)
        rows["suppressed"] = rows["numerator"].isna() | rows["previous_numerator"].isna()
        rows.loc[rows["suppressed"], ["change_pct", "p_value"]] = np.nan
        rows["significant"] = rows["significant"].astype(object).where(~rows["suppressed"], None)
    for column in ("numerator", "previous_numerator"):
        rows[column] = rows[column].astype("Int64")
    rows["rate"] = rows["numerator"].astype(float) / rows["population"] * PER
    rows["previous_rate"] = rows["previous_numerator"].astype(float) / rows["population"] * PER
    return rows


def _residents(counts: pd.DataFrame, population: pd.Series | None) -> pd.Series:
    """LSOA name -> residents: the population of its LSOA code(s) in ``counts``; NaN where one is missing."""
    if population is None:
        return pd.Series(dtype=float)
    codes = counts[["lsoa_name", "lsoa_code"]].drop_duplicates()
    return codes.assign(population=codes["lsoa_code"].map(population)).groupby("lsoa_name")["population"].agg(_whole_sum)


def _whole_sum(values: pd.Series) -> float:
    """The sum, or NaN if any value is missing (an area's population is known only when all its parts' are)."""
    return values.sum(skipna=False)


def top_streets(street_counts: pd.DataFrame, catalogue: dict, quarter: Quarter, districts: dict[str, str],
                suppress_below: int, ids: list[str]) -> pd.DataFrame:
    """The ``STREETS`` street locations ("On or near …") with the most crimes of each indicator in ``ids`` this
    year, per district: indicator_id, district, location, neighbourhood, count. A street is one Location within
    one neighbourhood (the same street name recurs across towns); a Location naming no place ("On or near"
    alone, "No location") is left out, and for a sensitive indicator so are locations with fewer than
    ``suppress_below``."""
    this_year, _ = _years(quarter)
    named = street_counts["location"].fillna("").str.strip().str.lower().str.removeprefix("on or near").str.strip()
    rows = street_counts[street_counts["month"].isin(this_year) & ~named.isin(["", "no location"])]
    rows = rows.assign(district=district_of(rows["lsoa_name"]), neighbourhood=msoa_of(rows["lsoa_name"]))
    rows = rows[rows["district"].isin(districts)]
    frames = []
    for indicator_id in ids:
        indicator = catalogue[indicator_id]
        summed = (rows[rows["crime_type"].isin(indicator.counted_types(rows["crime_type"].unique()))]
                  .groupby(["district", "location", "neighbourhood"], as_index=False)["count"].sum())
        if indicator.sensitive:
            summed = summed[summed["count"] >= suppress_below]
        ranked = summed.sort_values(["district", "count", "location"], ascending=[True, False, True])
        frames.append(ranked.groupby("district").head(STREETS).assign(indicator_id=indicator_id))
    columns = ["indicator_id", "district", "location", "neighbourhood", "count"]
    return pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)


def year_points(points: pd.DataFrame, quarter: Quarter) -> pd.DataFrame:
    """The map points of this 12-month period: district, neighbourhood, crime_type (categorical), longitude,
    latitude (float32)."""
    this_year, _ = _years(quarter)
    chosen = points[points["month"].isin(this_year)]
    return pd.DataFrame({"district": chosen["district"].astype(str).astype("category"),
                         "neighbourhood": msoa_of(chosen["lsoa_name"].astype(str)).astype("category"),
                         "crime_type": chosen["crime_type"].astype(str).astype("category"),
                         "longitude": chosen["longitude"], "latitude": chosen["latitude"]}).reset_index(drop=True)
