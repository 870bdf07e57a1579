"""helpers.analysis.places: an LSOA's district and neighbourhood, a neighbourhood's label, a district's main town,
the Where chapter's indicators."""

from __future__ import annotations

import pandas as pd

from helpers.analysis.places import headline_ids, labelled, main_town, msoa_of
from helpers.inputs.catalogue import Indicator


def indicator(id_: str, headline: int | None = None) -> Indicator:
    return Indicator(id_, id_.title(), "reduce_crime", "rate", "lower_is_better", "police_uk", "x", headline=headline)


def test_the_headline_indicators_are_those_given_a_headline_place_in_its_order():
    catalogue = {
        "total_crime": indicator("total_crime", headline=1),
        "burglary_total": indicator("burglary_total", headline=3),
        "violence_sexual": indicator("violence_sexual"),
        "asb_total": indicator("asb_total", headline=2),
    }
    assert headline_ids(catalogue) == ["total_crime", "asb_total", "burglary_total"]
    assert headline_ids({"violence_sexual": catalogue["violence_sexual"]}) == []


def test_msoa_is_the_lsoa_name_less_its_last_letter():
    assert msoa_of(pd.Series(["Charnwood 012A", "Hinckley and Bosworth 004E"])).tolist() == [
        "Charnwood 012",
        "Hinckley and Bosworth 004",
    ]


def test_a_neighbourhood_is_labelled_with_the_library_name_beside_the_ons_name():
    assert (
        labelled("Loughborough Dishley & Hathern", "Charnwood 001") == "Loughborough Dishley & Hathern (Charnwood 001)"
    )
    assert labelled("", "Charnwood 003") == "Charnwood 003"


def test_the_main_town_is_the_place_most_names_begin_with():
    names = pd.Series(
        {
            "A 001": "Melton Mowbray North",
            "A 002": "Melton Mowbray West",
            "A 003": "Asfordby, Frisby",
            "A 004": "Bottesford, Harby & Croxton",
            "A 005": "Melton Mowbray South",
        }
    )
    town, members = main_town(names, pd.Series({"A 001": 900, "A 003": 100}))
    assert (town, members) == ("Melton Mowbray", ["A 001", "A 002", "A 005"])  # not "Melton": the longer place
    # a city of many named suburbs (no place names a fifth of it): its busiest neighbourhood
    suburbs = pd.Series(
        {f"L {i:03d}": f"Suburb{i} North" for i in range(10)} | {"L 010": "Belgrave East", "L 011": "Belgrave West"}
    )
    assert main_town(suburbs, pd.Series({"L 004": 50, "L 010": 20})) == ("Suburb4 North", ["L 004"])
