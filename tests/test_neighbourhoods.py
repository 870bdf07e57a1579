"""Counts below the district: neighbourhoods (MSOA) from LSOA names and their Library names, the test against the
district with its false discovery control, no comparison of a partial year, small-number protection, the street
locations, the main town, the hotspot maps and the Where chapter."""

from __future__ import annotations

import base64
import collections
import csv
import re
import types

import numpy as np
import pandas as pd
import pytest
from markupsafe import escape

from helpers.analysis.neighbourhoods import (
    neighbourhood_table,
    suppress,
    top_streets,
    year_points,
)
from helpers.errors import InputError
from helpers.inputs.catalogue import Indicator
from helpers.inputs.police_uk import read_police_uk
from helpers.inputs.population import read_lsoa_population, read_msoa_names
from helpers.presentation import hotspots, where
from helpers.quarters import parse_quarter, window

QUARTER = parse_quarter("2022-23-Q2")  # this year: Oct 2021 - Sep 2022; the year before: Oct 2020 - Sep 2021
EVERY_MONTH = [str(m) for m in window(QUARTER.end_month, 24)]  # the files hold all 24 months
DISTRICTS = {"Charnwood": "E07000130", "Melton": "E07000133"}


def indicator(id_, types, sensitive=False, headline=None):
    return Indicator(
        id_,
        id_.title(),
        "reduce_crime",
        "rate",
        "lower_is_better",
        "police_uk",
        "x",
        per=10000,
        crime_types=tuple(types),
        sensitive=sensitive,
        headline=headline,
    )


CATALOGUE = {
    "total_crime": indicator("total_crime", ["Burglary", "Vehicle crime", "Violence and sexual offences"], headline=1),
    "burglary_total": indicator("burglary_total", ["Burglary"], headline=3),
    "violence_sexual": indicator("violence_sexual", ["Violence and sexual offences"], sensitive=True),
    "asb_total": indicator("asb_total", ["Anti-social behaviour"], headline=2),
}

ROWS = {  # month -> (lsoa name, crime type, how many)
    "2021-09": [
        ("Charnwood 012A", "Burglary", 3),
        ("Charnwood 012B", "Burglary", 2),
        ("Melton 001A", "Vehicle crime", 4),
        ("Charnwood 012A", "Violence and sexual offences", 7),
        ("Melton 001A", "Violence and sexual offences", 6),
    ],
    "2022-09": [
        ("Charnwood 012A", "Burglary", 4),
        ("Charnwood 012C", "Burglary", 5),
        ("Charnwood 003A", "Vehicle crime", 1),
        ("Leicester 020A", "Burglary", 9),
        ("Charnwood 012B", "Violence and sexual offences", 2),
        ("Melton 001A", "Violence and sexual offences", 8),
        ("Charnwood 003A", "Anti-social behaviour", 6),
    ],
}


@pytest.fixture
def police(tmp_path, write_street_csv):
    folder = tmp_path / "police"
    for month, rows in ROWS.items():
        expanded = [(f"{month}-{n}-{i}", lsoa, kind) for n, (lsoa, kind, many) in enumerate(rows) for i in range(many)]
        write_street_csv(folder, month, expanded + [("", "", "Burglary")])  # and one row without a location
    return folder


def independent(folder, types):
    """(district, MSOA) -> [this year's count, last year's], with csv alone."""
    counts = collections.defaultdict(lambda: [0, 0])
    for path in sorted(folder.glob("*.csv")):
        with open(path, newline="") as handle:
            for record in csv.DictReader(handle):
                lsoa = record["LSOA name"]
                district = lsoa.rsplit(" ", 1)[0]
                if district in DISTRICTS and record["Crime type"] in types:
                    counts[(district, lsoa[:-1])][0 if record["Month"] == "2022-09" else 1] += 1
    return dict(counts)


def table(folder, suppress_below=5):
    return neighbourhood_table(
        read_police_uk(folder, DISTRICTS).lsoa_counts, CATALOGUE, QUARTER, DISTRICTS, 95, suppress_below, EVERY_MONTH
    )


@pytest.mark.parametrize("indicator_id", ["total_crime", "burglary_total"])
def test_neighbourhood_counts_equal_an_independent_count_of_the_files(police, indicator_id):
    rows = table(police)
    rows = rows[(rows["indicator_id"] == indicator_id) & (rows["level"] == "neighbourhood")]
    ours = {
        (r["district"], r["neighbourhood"]): [r["numerator"], r["previous_numerator"]] for r in rows.to_dict("records")
    }
    expected = independent(police, CATALOGUE[indicator_id].crime_types)
    assert {k: v for k, v in ours.items() if v != [0, 0]} == expected
    assert "Leicester 020" not in set(rows["neighbourhood"])


def test_lsoa_rows_and_lsoa_count(police):
    rows = table(police)
    burglary = rows[rows["indicator_id"] == "burglary_total"].set_index(["level", "lsoa"])
    assert burglary.loc[("lsoa", "Charnwood 012A"), ["numerator", "previous_numerator"]].tolist() == [4, 3]
    assert burglary.loc[("neighbourhood", ""), :].set_index("neighbourhood").loc["Charnwood 012", "lsoa_count"] == 3


def district_counts():
    """Charnwood burglary by neighbourhood, this year (2022-09) and last (2021-09): 001 10 and 2, 002 30 and 30,
    003 5 and 5 (the district 45 and 37), and Melton's 8 and 8."""
    rows = [
        ("2022-09", "Charnwood 001A", 10),
        ("2021-09", "Charnwood 001A", 2),
        ("2022-09", "Charnwood 002A", 30),
        ("2021-09", "Charnwood 002A", 30),
        ("2022-09", "Charnwood 003A", 5),
        ("2021-09", "Charnwood 003A", 5),
        ("2022-09", "Melton 001A", 8),
        ("2021-09", "Melton 001A", 8),
    ]
    codes = {
        "Charnwood 001A": "E01000001",
        "Charnwood 002A": "E01000002",
        "Charnwood 003A": "E01000003",
        "Melton 001A": "E01000004",
    }
    return pd.DataFrame(
        [(m, codes[lsoa], lsoa, "Burglary", n) for m, lsoa, n in rows],
        columns=["month", "lsoa_code", "lsoa_name", "crime_type", "count"],
    )


BURGLARY = {"burglary_total": CATALOGUE["burglary_total"]}


def test_each_neighbourhood_is_tested_against_the_rest_of_its_district_with_a_false_discovery_control():
    rows = neighbourhood_table(district_counts(), BURGLARY, QUARTER, DISTRICTS, 95, 5, EVERY_MONTH)
    rows = rows[rows["level"] == "neighbourhood"].set_index("neighbourhood")
    # Charnwood 001: 10 and 2; the rest of Charnwood 35 and 35, so unchanged share means Binomial(12, 1/2):
    # P(X >= 10) = (66 + 12 + 1) / 4096, two-sided twice that
    one = rows.loc["Charnwood 001"]
    assert one["p_value"] == pytest.approx(158 / 4096)
    assert (one["change_pct"], one["district_change_pct"]) == (pytest.approx(400.0), pytest.approx(8 / 37 * 100))
    assert (one["share_pct"], one["previous_share_pct"]) == (pytest.approx(10 / 45 * 100), pytest.approx(2 / 37 * 100))
    # Benjamini-Hochberg over Charnwood's three tests: 002's p (30 and 30 against the rest's 15 and 7) is the
    # smallest, 001's second: q = p x 3 / 2 = 0.0579, so 001 is not flagged though its p is below 0.05
    two, three = rows.loc["Charnwood 002"], rows.loc["Charnwood 003"]
    assert two["p_value"] < one["p_value"] < three["p_value"]
    assert one["q_value"] == pytest.approx(158 / 4096 * 3 / 2) and not one["significant"]
    assert two["q_value"] == pytest.approx(two["p_value"] * 3) and two["significant"]
    assert two["share_pct"] < two["previous_share_pct"]  # level with last year while its district rose: a fall
    # Melton has one neighbourhood: no rest of the district to test against
    melton = rows.loc["Melton 001"]
    assert np.isnan(melton["p_value"]) and melton["significant"] is None and melton["reason"] == ""


def test_a_district_wide_rise_flags_no_neighbourhood():
    """Every neighbourhood doubles with its district: large, significant rises on their own last year, none
    against the district."""
    counts = district_counts()
    counts.loc[counts["month"] == "2022-09", "count"] = counts.loc[counts["month"] == "2021-09", "count"].to_numpy() * 2
    rows = neighbourhood_table(counts, BURGLARY, QUARTER, DISTRICTS, 95, 5, EVERY_MONTH)
    charnwood = rows[(rows["district"] == "Charnwood") & (rows["level"] == "neighbourhood")]
    assert (charnwood["change_pct"] == 100).all() and not charnwood["significant"].any()


@pytest.mark.parametrize(
    "absent, blanked", [("2021-03", ["previous_numerator"]), ("2022-03", ["numerator", "previous_numerator"])]
)
def test_a_year_lacking_months_is_never_compared(absent, blanked):
    months = [m for m in EVERY_MONTH if m != absent]
    rows = neighbourhood_table(district_counts(), BURGLARY, QUARTER, DISTRICTS, 95, 5, months)
    assert (rows["reason"] == "the police.uk files for March " + absent[:4] + " are missing.").all()
    assert rows[blanked].isna().all().all()
    for column in ("change_pct", "district_change_pct", "share_pct", "p_value", "q_value"):
        assert rows[column].isna().all()
    assert rows["significant"].isna().all()
    if absent == "2021-03":  # this year is whole: its counts stay
        assert rows.set_index(["level", "neighbourhood"]).loc[("neighbourhood", "Charnwood 001"), "numerator"] == 10


def test_neighbourhoods_carry_the_library_name_beside_the_ons_name():
    names = pd.Series({"Charnwood 001": "Loughborough Dishley & Hathern", "Charnwood 002": "Shepshed West"})
    rows = neighbourhood_table(district_counts(), BURGLARY, QUARTER, DISTRICTS, 95, 5, EVERY_MONTH, names)
    named = rows[rows["level"] == "neighbourhood"].set_index("neighbourhood")["name"]
    assert named.to_dict() == {
        "Charnwood 001": "Loughborough Dishley & Hathern",
        "Charnwood 002": "Shepshed West",
        "Charnwood 003": "",
        "Melton 001": "",
    }


def test_read_msoa_names_joins_2011_and_2021_and_refuses_a_name_given_two_meanings(tmp_path):
    old, new = tmp_path / "hocl_msoa11_names.csv", tmp_path / "hocl_msoa21_names.csv"
    old.write_text(
        "msoa11cd,msoa11nm,msoa11nmw,msoa11hclnm,msoa11hclnmw\n"
        "E02005347,Charnwood 003,Charnwood 003,Loughborough Storer & Queen's Park,\n"
        "E02005346,Charnwood 002,Charnwood 002,Loughborough Lemyngton & Hastings,\n"
    )
    new.write_text(
        "msoa21cd,msoa21nm,msoa21nmw,msoa21hclnm,msoa21hclnmw\n"
        "E02005347,Charnwood 003,Charnwood 003,Loughborough Storer & Queen's Park,\n"
        "E02007000,Charnwood 023,Charnwood 023,Loughborough Forest,\n"
    )
    assert read_msoa_names([old, new]).to_dict() == {
        "Charnwood 003": "Loughborough Storer & Queen's Park",
        "Charnwood 002": "Loughborough Lemyngton & Hastings",
        "Charnwood 023": "Loughborough Forest",
    }
    new.write_text(
        "msoa21cd,msoa21nm,msoa21nmw,msoa21hclnm,msoa21hclnmw\nE02005347,Charnwood 002,Charnwood 002,Shepshed West,\n"
    )
    with pytest.raises(InputError) as error:
        read_msoa_names([old, new])
    message = str(error.value)
    assert "hocl_msoa21_names.csv" in message and "row 2" in message
    assert "Charnwood 002 is named 'Shepshed West' here but 'Loughborough Lemyngton & Hastings'" in message


def test_small_counts_of_a_sensitive_indicator_are_withheld_with_their_change(police):
    rows = table(police).set_index(["indicator_id", "level", "neighbourhood", "lsoa"])
    # Charnwood 012 violence: 2 this year (withheld), 7 last year (shown); no change or test
    row = rows.loc[("violence_sexual", "neighbourhood", "Charnwood 012", "")]
    assert pd.isna(row["numerator"]) and row["previous_numerator"] == 7 and row["suppressed"]
    assert np.isnan(row["change_pct"]) and np.isnan(row["p_value"]) and row["significant"] is None
    row = rows.loc[("violence_sexual", "neighbourhood", "Melton 001", "")]  # 8 and 6: shown
    assert (row["numerator"], row["previous_numerator"], row["suppressed"]) == (8, 6, False)
    # the same count of a crime not marked sensitive is shown: 1 vehicle crime in Charnwood 003
    row = rows.loc[("total_crime", "lsoa", "Charnwood 003", "Charnwood 003A")]
    assert row["numerator"] == 1 and not row["suppressed"]
    sensitive = table(police).query("indicator_id == 'violence_sexual'")
    counts = pd.concat([sensitive["numerator"], sensitive["previous_numerator"]]).dropna()
    assert not counts.between(1, 4).any()


def small_area_counts():
    """lsoa_counts as ingest gives them, each LSOA with its own code."""
    rows = [
        ("2022-09", "E01000011", "Charnwood 012A", "Burglary", 6),
        ("2021-09", "E01000011", "Charnwood 012A", "Burglary", 3),
        ("2022-09", "E01000012", "Charnwood 012B", "Burglary", 4),
        ("2021-09", "E01000012", "Charnwood 012B", "Burglary", 5),
        ("2022-09", "E01000021", "Melton 001A", "Burglary", 8),
        ("2022-09", "E01000022", "Melton 001B", "Burglary", 2),
        ("2022-09", "E01000011", "Charnwood 012A", "Violence and sexual offences", 3),
        ("2021-09", "E01000011", "Charnwood 012A", "Violence and sexual offences", 9),
        ("2022-09", "E01000012", "Charnwood 012B", "Anti-social behaviour", 12),
    ]
    return pd.DataFrame(rows, columns=["month", "lsoa_code", "lsoa_name", "crime_type", "count"])


def test_rates_per_10000_residents_from_ons_small_area_population(tmp_path):
    ons = tmp_path / "sapelsoa.csv"  # ONS's layout; Melton 001B (E01000022) is not in it
    ons.write_text(
        "LSOA 2021 Code,LSOA 2021 Name,Total\nE01000011,Charnwood 012A,1600\nE01000012,Charnwood 012B,2400\n"
        "E01000021,Melton 001A,1500\n"
    )
    rows = neighbourhood_table(
        small_area_counts(), CATALOGUE, QUARTER, DISTRICTS, 95, 5, EVERY_MONTH, population=read_lsoa_population(ons)
    )
    rows = rows.set_index(["indicator_id", "level", "neighbourhood", "lsoa"])
    # Charnwood 012 burglary: 6 + 4 = 10 this year, 3 + 5 = 8 last, among 1,600 + 2,400 = 4,000 residents
    row = rows.loc[("burglary_total", "neighbourhood", "Charnwood 012", "")]
    assert (row["population"], row["rate"], row["previous_rate"]) == (4000, pytest.approx(25.0), pytest.approx(20.0))
    row = rows.loc[("burglary_total", "lsoa", "Charnwood 012", "Charnwood 012A")]  # 6 and 3 among 1,600
    assert (row["rate"], row["previous_rate"]) == (pytest.approx(37.5), pytest.approx(18.75))
    # Melton 001 lacks Melton 001B's population: no rate, though Melton 001A has its own (8 among 1,500)
    row = rows.loc[("burglary_total", "neighbourhood", "Melton 001", "")]
    assert pd.isna(row["population"]) and pd.isna(row["rate"]) and row["numerator"] == 10
    assert rows.loc[("burglary_total", "lsoa", "Melton 001", "Melton 001A"), "rate"] == pytest.approx(8 / 1500 * 10000)
    # violence is sensitive: this year's 3 is withheld and has no rate; last year's 9 is shown, 9 among 4,000
    row = rows.loc[("violence_sexual", "neighbourhood", "Charnwood 012", "")]
    assert row["suppressed"] and pd.isna(row["rate"]) and row["previous_rate"] == pytest.approx(22.5)
    # the test stays the exact test on the counts
    counts_only = neighbourhood_table(small_area_counts(), CATALOGUE, QUARTER, DISTRICTS, 95, 5, EVERY_MONTH)
    assert counts_only["p_value"].equals(rows.reset_index()["p_value"])
    assert counts_only[["population", "rate", "previous_rate"]].isna().all().all()


def test_a_neighbourhood_rising_faster_than_its_district_says_so_with_its_rates(tmp_path):
    ons = tmp_path / "sapelsoa.csv"
    ons.write_text("LSOA Code,All Ages\nE01000001,1600\nE01000002,2400\nE01000004,1500\n")
    rows = neighbourhood_table(
        district_counts(),
        BURGLARY,
        QUARTER,
        DISTRICTS,
        80,
        5,
        EVERY_MONTH,
        pd.Series({"Charnwood 001": "Loughborough Dishley & Hathern"}),
        read_lsoa_population(ons),
    )
    rises = where.significant_rises(types.SimpleNamespace(neighbourhoods=rows, catalogue=BURGLARY))
    # at 80%, Charnwood 001's q of 0.058 is flagged: 2 to 10 burglaries among 1,600 residents while Charnwood rose
    # 8 / 37 = 22%; Charnwood 002 (flagged, its share fell) is not a rise
    assert rises == [
        "Loughborough Dishley & Hathern (Charnwood 001): Burglary_Total up from 2 to 10 (+400%; Charnwood "
        "+22%; 12.5 to 62.5 per 10,000 residents), significantly above its district's change"
    ]


def test_suppress_below_is_the_threshold():
    assert suppress(pd.Series([0, 1, 2, 3, 4, 5]), 3).tolist() == [0, pd.NA, pd.NA, 3, 4, 5]


def test_top_streets_leave_out_unnamed_places_and_small_sensitive_counts(police):
    streets = read_police_uk(police, DISTRICTS).street_counts
    top = top_streets(streets, CATALOGUE, QUARTER, DISTRICTS, 5, ["burglary_total", "violence_sexual"])
    burglary = top[top["indicator_id"] == "burglary_total"]
    # every fixture row is "On or near High Street": one location per neighbourhood
    assert burglary[["district", "neighbourhood", "location", "count"]].values.tolist() == [
        ["Charnwood", "Charnwood 012", "On or near High Street", 9]
    ]
    violence = top[top["indicator_id"] == "violence_sexual"]
    assert violence[["neighbourhood", "count"]].values.tolist() == [["Melton 001", 8]]  # Charnwood 012's 2 left out


def square(name, west, south, size):
    ring = [[west, south], [west + size, south], [west + size, south + size], [west, south + size], [west, south]]
    return {
        "type": "Feature",
        "properties": {"LAD23NM": name},
        "geometry": {"type": "MultiPolygon", "coordinates": [[ring]]},
    }


def test_hotspot_maps_say_their_message_in_alt_text():
    boundaries = {"features": [square("Melton", -1.0, 52.7, 0.1), square("Charnwood", -1.3, 52.7, 0.1)]}
    points = pd.DataFrame(
        {
            "district": ["Melton"] * 3 + ["Charnwood"],
            "neighbourhood": ["Melton 004"] * 3 + ["Charnwood 012"],
            "longitude": [-0.95, -0.95, -0.94, -1.25],
            "latitude": [52.75, 52.75, 52.76, 52.75],
        }
    )
    html, alt = hotspots.small_multiples(
        points,
        {"Charnwood": ["Charnwood 012"], "Melton": ["Melton 004"]},
        boundaries,
        "Burglary",
        "the 12 months to September 2022",
    )
    assert alt.startswith(
        "Hotspot maps of burglary in the 12 months to September 2022, one per district, all drawn at the same scale"
    )
    assert "Charnwood: Charnwood 012; Melton: Melton 004" in alt
    assert f'alt="{escape(alt)}"' in str(html)
    html, alt = hotspots.district_hotspot(
        points[points["district"] == "Melton"],
        ["Melton 004"],
        boundaries,
        "Melton",
        "Burglary",
        "2022",
        hotspots.Town("Melton Mowbray", -0.95, 52.76),
    )
    assert "numbered on the map: 1 Melton 004. The main town, named in italics: Melton Mowbray." in alt
    svg = base64.b64decode(re.search(r"base64,([^\"]+)", str(html)).group(1)).decode()
    assert "in italics, the main town" in str(html) and ">1 km<" in svg  # the scale bar: 1 km of a 7 km square


def test_year_points_keep_this_years_points_with_their_neighbourhood(police):
    points = year_points(read_police_uk(police, DISTRICTS).points, QUARTER)
    assert len(points) == sum(n for lsoa, _, n in ROWS["2022-09"] if not lsoa.startswith("Leicester"))
    assert points["longitude"].dtype == np.float32
    assert set(points["neighbourhood"]) == {"Charnwood 012", "Charnwood 003", "Melton 001"}


def test_a_year_lacking_months_shows_dashes_not_withheld_counts():
    months = [m for m in EVERY_MONTH if m != "2021-03"]
    rows = neighbourhood_table(district_counts(), BURGLARY, QUARTER, DISTRICTS, 95, 5, months)
    row = rows[(rows["level"] == "neighbourhood") & (rows["neighbourhood"] == "Charnwood 001")].iloc[0].to_dict()
    line = where._line(row, 1, 5)
    assert (line["count"], line["previous"], line["change"], line["mark"]) == ("10", "—", "—", "")
    assert (
        where.not_compared(types.SimpleNamespace(neighbourhoods=rows))
        == "the police.uk files for March 2021 are missing."
    )


def test_small_maps_share_one_scale():
    """Two districts of 0.1 and 0.05 degrees: both frames are the larger's size in km, so the smaller draws half as wide."""
    from matplotlib.figure import Figure

    boundaries = {"features": [square("Melton", -1.0, 52.7, 0.1), square("Rutland", -0.7, 52.6, 0.05)]}
    points = pd.DataFrame(
        {
            "district": ["Melton", "Rutland"],
            "neighbourhood": ["Melton 004", "Rutland 001"],
            "longitude": [-0.95, -0.68],
            "latitude": [52.75, 52.62],
        }
    )
    outlines = {d: hotspots.district_outline(boundaries, d) for d in ("Melton", "Rutland")}
    span = hotspots._span_km(outlines["Melton"])
    assert span == (pytest.approx(0.1 * 111.32 * np.cos(np.radians(52.75))), pytest.approx(0.1 * 111.32))
    axes = Figure().subplots(1, 2)
    for ax, district in zip(axes, outlines):
        chosen = points[points["district"] == district]
        hotspots._draw(ax, chosen, outlines[district], [], hotspots.centres(chosen), 8, None, span)
    for ax in axes:
        (west, east), (south, north) = ax.get_xlim(), ax.get_ylim()
        km_wide = (east - west) * 111.32 * np.cos(np.radians((south + north) / 2))
        assert (km_wide, (north - south) * 111.32) == (pytest.approx(span[0], rel=1e-3), pytest.approx(span[1]))


def test_numbers_closer_than_their_width_are_moved_apart():
    # two at the same place go 1 apart along the x axis, each half way; a third far away stays put
    moved = hotspots.spread(np.array([[0.0, 0.0], [0.0, 0.0], [10.0, 10.0]]), 1.0)
    assert moved.tolist() == [[-0.5, 0.0], [0.5, 0.0], [10.0, 10.0]]
    # a pair 0.6 apart on a diagonal: pushed to 1 apart along it, about their middle
    moved = hotspots.spread(np.array([[0.0, 0.0], [0.6, 0.8]]) * 0.6, 1.0)
    assert np.hypot(*(moved[1] - moved[0])) == pytest.approx(1.0) and moved.mean(axis=0) == pytest.approx([0.18, 0.24])
    # a cluster of five ends with no two closer than the gap
    cluster = hotspots.spread(np.array([[0, 0], [0.1, 0], [0, 0.1], [0.1, 0.1], [0.05, 0.05]]), 1.0)
    assert min(np.hypot(*(a - b)) for i, a in enumerate(cluster) for b in cluster[i + 1 :]) >= 1.0 - 1e-6
