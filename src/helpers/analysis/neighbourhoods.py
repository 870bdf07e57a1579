"""Below the district: every police.uk indicator by neighbourhood (MSOA) and by LSOA, the change on last
year tested against the district's own change, small counts of sensitive indicators suppressed, and the busiest
street locations.

police.uk names each LSOA "<district> <MSOA number><letter>" (2011 and 2021 LSOAs alike): the MSOA, a
neighbourhood of roughly 7,000-10,000 residents, is the name less its last letter, and the House of Commons
Library's name for it ("Loughborough Storer & Queen's Park" for "Charnwood 003") is looked up by that name.
Figures are counts; where ONS's small-area population is given (``small_area_population``), each area also has
its rate per 10,000 residents.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd

from ..quarters import Quarter, window
from .places import district_of, msoa_of
from .significance import benjamini_hochberg, poisson_rate_tests
from .validation import normalise_confidence
from .wording import missing_cause

COLUMNS = [
    "indicator_id",
    "district",
    "level",
    "neighbourhood",
    "name",
    "lsoa",
    "lsoa_count",
    "numerator",
    "previous_numerator",
    "change_pct",
    "district_change_pct",
    "share_pct",
    "previous_share_pct",
    "p_value",
    "q_value",
    "significant",
    "suppressed",
    "reason",
    "population",
    "rate",
    "previous_rate",
]
CSV_COLUMNS = [c for c in COLUMNS if c not in ("level", "lsoa", "population")]  # neighbourhoods.csv
PER = 10_000  # rates per this many residents
STREETS = 10


def _years(quarter: Quarter) -> tuple[list[str], list[str]]:
    """The months of this 12-month period and of the 12 months before."""
    return [str(m) for m in window(quarter.end_month, 12)], [str(m) for m in window(quarter.end_month - 12, 12)]


def suppress(counts: pd.Series, threshold: int) -> pd.Series:
    """Counts from 1 to ``threshold`` - 1 removed (NA): small numbers that could identify a victim."""
    return counts.astype("Int64").mask((counts >= 1) & (counts < threshold))


def neighbourhood_table(
    lsoa_counts: pd.DataFrame,
    catalogue: dict,
    quarter: Quarter,
    districts: dict[str, str],
    confidence,
    suppress_below: int,
    months: Collection[str],
    names: pd.Series | None = None,
    population: pd.Series | None = None,
) -> pd.DataFrame:
    """Every police.uk indicator by neighbourhood (level 'neighbourhood') and by LSOA (level 'lsoa') in
    ``districts`` (name -> code): this year's and last year's 12-month counts, the change, and whether the area
    moved differently from its district.

    ``lsoa_counts``: month, lsoa_name, crime_type, count (``PoliceData.lsoa_counts``). Every LSOA seen in the
    data has a row for each indicator, zero counts included. ``months``: the months the police.uk files hold; a
    year lacking any is never compared (a partial year): without this year's months no counts are given, without
    last year's no previous count, change or test, and ``reason`` says which files are missing.

    The test (``_against_district``) asks whether the area's share of its district's count changed, so that a
    rise the whole district shares is not flagged; Benjamini-Hochberg controls the false discovery rate over each
    district's tests at one level. ``names`` (ONS MSOA name -> Library name, ``population.read_msoa_names``) gives
    ``name`` ("" where it has none). For an indicator the catalogue marks ``sensitive``, each count from 1 to
    ``suppress_below`` - 1 is withheld (NA) with its row's change, share and test (``suppressed``).

    ``population`` (LSOA code -> residents, ``population.read_lsoa_population``): each area's ``population`` is the sum
    of its LSOAs' (by police.uk's LSOA code), and ``rate`` and ``previous_rate`` are its counts per ``PER``
    residents, the same population both years. An area with an LSOA the population lacks, and a withheld
    count, have no rate (NA); without ``population`` no area has one.
    """
    alpha = 1 - normalise_confidence(confidence)
    counts = lsoa_counts.assign(district=district_of(lsoa_counts["lsoa_name"]))
    counts = counts[counts["district"].isin(districts)]
    this_year, last_year = _years(quarter)
    held = set(months)
    gaps = {
        year: [pd.Period(m, "M") for m in wanted if m not in held]
        for year, wanted in (("this", this_year), ("last", last_year))
    }
    reason = missing_cause("police_uk", gaps["this"] or gaps["last"]) if gaps["this"] or gaps["last"] else ""
    areas = counts[["district", "lsoa_name"]].drop_duplicates().sort_values("lsoa_name", ignore_index=True)
    areas["neighbourhood"] = msoa_of(areas["lsoa_name"])
    areas["name"] = areas["neighbourhood"].map(lambda msoa: names.get(msoa, "") if names is not None else "")
    areas["lsoa_count"] = areas.groupby("neighbourhood")["lsoa_name"].transform("size")
    areas["population"] = areas["lsoa_name"].map(_residents(counts, population))
    residents = areas.groupby("neighbourhood")["population"].agg(_whole_sum)
    frames = []
    for indicator in catalogue.values():
        if indicator.source != "police_uk":
            continue
        chosen = counts[counts["crime_type"].isin(indicator.counted_types(counts["crime_type"].unique()))]
        by_lsoa = areas.copy()
        for column, year in (("numerator", this_year), ("previous_numerator", last_year)):
            summed = chosen[chosen["month"].isin(year)].groupby("lsoa_name")["count"].sum()
            by_lsoa[column] = by_lsoa["lsoa_name"].map(summed).fillna(0).astype("int64")
        by_msoa = by_lsoa.groupby(["district", "neighbourhood", "name", "lsoa_count"], as_index=False)[
            ["numerator", "previous_numerator"]
        ].sum()
        by_msoa["population"] = by_msoa["neighbourhood"].map(residents)
        both = pd.concat(
            [
                by_msoa.assign(level="neighbourhood", lsoa=""),
                by_lsoa.rename(columns={"lsoa_name": "lsoa"}).assign(level="lsoa"),
            ],
            ignore_index=True,
        )
        frames.append(_compare(both.assign(indicator_id=indicator.id), indicator.sensitive, suppress_below))
    if not frames:
        return pd.DataFrame(columns=COLUMNS)
    table = pd.concat(frames, ignore_index=True)
    table["q_value"] = table.groupby(["district", "level"])["p_value"].transform(benjamini_hochberg)
    table["significant"] = (table["q_value"] < alpha).astype(object).where(table["q_value"].notna(), None)
    table["reason"] = reason
    if gaps["this"] or gaps["last"]:
        blank = [
            "previous_numerator",
            "change_pct",
            "district_change_pct",
            "share_pct",
            "previous_share_pct",
            "p_value",
            "q_value",
            "previous_rate",
        ]
        if gaps["this"]:
            blank += ["numerator", "rate"]
        everything = np.ones(len(table), dtype=bool)
        for column in blank:
            table[column] = table[column].mask(everything)
        table["significant"] = None
    return table[COLUMNS]


def _compare(rows: pd.DataFrame, sensitive: bool, suppress_below: int) -> pd.DataFrame:
    """The change, the shares of the district and the test against the district of each row, then its small
    counts withheld if ``sensitive``."""
    now, before = rows["numerator"], rows["previous_numerator"]
    district = rows[rows["level"] == "lsoa"].groupby("district")[["numerator", "previous_numerator"]].sum()
    whole_now, whole_before = (
        rows["district"].map(district["numerator"]),
        rows["district"].map(district["previous_numerator"]),
    )
    rows["p_value"] = _against_district(now, before, whole_now - now, whole_before - before)
    rows["change_pct"] = ((now - before) / before.where(before > 0) * 100).astype(float)
    rows["district_change_pct"] = ((whole_now - whole_before) / whole_before.where(whole_before > 0) * 100).astype(
        float
    )
    rows["share_pct"] = (now / whole_now.where(whole_now > 0) * 100).astype(float)
    rows["previous_share_pct"] = (before / whole_before.where(whole_before > 0) * 100).astype(float)
    rows["suppressed"] = False
    if sensitive:
        for column in ("numerator", "previous_numerator"):
            rows[column] = suppress(rows[column], suppress_below)
        rows["suppressed"] = rows["numerator"].isna() | rows["previous_numerator"].isna()
        rows.loc[rows["suppressed"], ["change_pct", "share_pct", "previous_share_pct", "p_value"]] = np.nan
    for column in ("numerator", "previous_numerator"):
        rows[column] = rows[column].astype("Int64")
    rows["rate"] = rows["numerator"].astype(float) / rows["population"] * PER
    rows["previous_rate"] = rows["previous_numerator"].astype(float) / rows["population"] * PER
    return rows


def _against_district(now: pd.Series, before: pd.Series, rest_now: pd.Series, rest_before: pd.Series) -> np.ndarray:
    """Two-sided p-value that an area's change differs from the rest of its district's: the conditional binomial
    test (Przyborski and Wilenski, 1940; ``significance.poisson_rate_tests``) with the rest of the district's two
    counts as the exposures. Given the area's two-year total n, this year's count is Binomial(n, R1 / (R1 + R0))
    when its share of the district is unchanged (R1, R0: the rest's counts this year and last). The rest's own
    chance variation is ignored, as it is many times the area's. NaN where there is nothing to test (no crimes in
    the area either year, or none in the rest of the district in one year)."""
    x1, x0, r1, r0 = (np.asarray(counts, dtype=float) for counts in (now, before, rest_now, rest_before))
    tested = (x1 + x0 > 0) & (r1 > 0) & (r0 > 0)
    p_values = np.full(len(x1), np.nan)
    p_values[tested] = poisson_rate_tests(x1[tested], r1[tested], x0[tested], r0[tested])
    return p_values


def _residents(counts: pd.DataFrame, population: pd.Series | None) -> pd.Series:
    """LSOA name -> residents: the population of its LSOA code(s) in ``counts``; NaN where one is missing."""
    if population is None:
        return pd.Series(dtype=float)
    codes = counts[["lsoa_name", "lsoa_code"]].drop_duplicates()
    return (
        codes.assign(population=codes["lsoa_code"].map(population)).groupby("lsoa_name")["population"].agg(_whole_sum)
    )


def _whole_sum(values: pd.Series) -> float:
    """The sum, or NaN if any value is missing (an area's population is known only when all its parts' are)."""
    return values.sum(skipna=False)


def top_streets(
    street_counts: pd.DataFrame,
    catalogue: dict,
    quarter: Quarter,
    districts: dict[str, str],
    suppress_below: int,
    ids: list[str],
) -> pd.DataFrame:
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
        summed = (
            rows[rows["crime_type"].isin(indicator.counted_types(rows["crime_type"].unique()))]
            .groupby(["district", "location", "neighbourhood"], as_index=False)["count"]
            .sum()
        )
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
    return pd.DataFrame(
        {
            "district": chosen["district"].astype(str).astype("category"),
            "neighbourhood": msoa_of(chosen["lsoa_name"].astype(str)).astype("category"),
            "crime_type": chosen["crime_type"].astype(str).astype("category"),
            "longitude": chosen["longitude"],
            "latitude": chosen["latitude"],
        }
    ).reset_index(drop=True)
