"""helpers.inputs.boundaries: the district boundaries file, checked before the map is drawn."""

from __future__ import annotations

import json

import pytest

import board
from helpers.errors import InputError
from helpers.inputs.boundaries import missing_boundaries, read_boundaries


def feature(code: str, name: str, geometry_type: str = "MultiPolygon") -> dict:
    square = [[[0, 0], [1, 0], [1, 1], [0, 0]]]
    return {
        "type": "Feature",
        "properties": {"LAD23CD": code, "LAD23NM": name, "LONG": 0.5, "LAT": 0.5},
        "geometry": {"type": geometry_type, "coordinates": [square]},
    }


def write(tmp_path, features: list) -> object:
    path = tmp_path / "lad.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, indent=1))
    return path


def every_district() -> list[dict]:
    return [feature(code, name) for name, code in board.DISTRICTS.items()]


def three() -> list[dict]:
    return [feature("E07000130", "Charnwood"), feature("E06000016", "Leicester"), feature("E07000129", "Blaby")]


def names(shapes: dict) -> list[str]:
    return [f["properties"]["LAD23NM"] for f in shapes["features"]]


def test_without_codes_every_feature_is_returned_in_the_file_order(tmp_path):
    path = write(tmp_path, three())
    shapes = read_boundaries(path)
    assert names(shapes) == ["Charnwood", "Leicester", "Blaby"] and shapes["type"] == "FeatureCollection"


def test_only_the_wanted_districts_are_returned_in_the_order_asked(tmp_path):
    path = write(tmp_path, three())
    assert names(read_boundaries(path, ["E07000129", "E07000130"])) == ["Blaby", "Charnwood"]


def test_a_district_without_a_boundary_is_reported_not_raised(tmp_path):
    path = write(tmp_path, [feature("E07000130", "Charnwood"), feature("E07000129", "Blaby")])
    wanted = ["E07000129", "E06000063", "E07000130", "E06000064"]
    shapes = read_boundaries(path, wanted)
    assert names(shapes) == ["Blaby", "Charnwood"]
    assert missing_boundaries(shapes, wanted) == ["E06000063", "E06000064"]
    assert missing_boundaries(shapes, ["E07000130"]) == []


def test_the_bundled_file_has_every_district_of_the_partnership_and_of_england_and_wales():
    every = read_boundaries()
    codes = [f["properties"]["LAD23CD"] for f in every["features"]]
    assert len(codes) == len(set(codes)) == 318
    assert {code[:3] for code in codes} == {"E06", "E07", "E08", "E09", "W06"}
    wanted = list(board.DISTRICTS.values())
    assert missing_boundaries(read_boundaries(codes=wanted), wanted) == []


def test_broken_json_names_the_file_and_line(tmp_path):
    path = tmp_path / "lad.geojson"
    path.write_text('{"type": "FeatureCollection",\n "features": [\n  {"type": "Feature",}\n ]}')
    with pytest.raises(InputError, match=r"lad.geojson, row 3: not valid GeoJSON"):
        read_boundaries(path)


@pytest.mark.parametrize(
    "change, problem",
    [
        (lambda fs: fs[0]["properties"].pop("LAD23CD"), r"feature 1: has no LAD23CD"),
        (
            lambda fs: fs[2]["geometry"].update(type="Point"),
            r"feature 3 \(Harborough\): geometry must be a MultiPolygon",
        ),
    ],
)
def test_a_malformed_feature_is_named_even_when_not_wanted(tmp_path, change, problem):
    features = every_district()
    change(features)
    with pytest.raises(InputError, match=problem):
        read_boundaries(write(tmp_path, features), ["E06000017"])


def test_not_a_feature_collection(tmp_path):
    path = tmp_path / "lad.geojson"
    path.write_text("[1, 2]")
    with pytest.raises(InputError, match="not a GeoJSON feature collection"):
        read_boundaries(path)
