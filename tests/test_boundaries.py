"""helpers.inputs.boundaries: the district boundaries file, checked before the map is drawn."""
from __future__ import annotations

import json

import pytest

from helpers import config
from helpers.errors import InputError
from helpers.inputs.boundaries import read_boundaries


def feature(code: str, name: str, geometry_type: str = "MultiPolygon") -> dict:
    square = [[[0, 0], [1, 0], [1, 1], [0, 0]]]
    return {"type": "Feature", "properties": {"LAD23CD": code, "LAD23NM": name, "LONG": 0.5, "LAT": 0.5},
            "geometry": {"type": geometry_type, "coordinates": [square]}}


def write(tmp_path, features: list) -> object:
    path = tmp_path / "lad.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, indent=1))
    return path


def every_district() -> list[dict]:
    return [feature(code, name) for name, code in config.DISTRICTS.items()]


def test_a_file_with_every_district_is_returned_whole(tmp_path):
    path = write(tmp_path, every_district() + [feature("E06000016", "Leicester")])
    shapes = read_boundaries(path)
    assert [f["properties"]["LAD23NM"] for f in shapes["features"]] == [*config.DISTRICTS, "Leicester"]


def test_the_bundled_file_has_every_partnership_district():
    codes = {f["properties"]["LAD23CD"] for f in read_boundaries()["features"]}
    assert set(config.DISTRICTS.values()) <= codes


def test_broken_json_names_the_file_and_line(tmp_path):
    path = tmp_path / "lad.geojson"
    path.write_text('{"type": "FeatureCollection",\n "features": [\n  {"type": "Feature",}\n ]}')
    with pytest.raises(InputError, match=r"lad.geojson, row 3: not valid GeoJSON"):
        read_boundaries(path)


@pytest.mark.parametrize("change, problem", [
    (lambda fs: fs[0]["properties"].pop("LAD23CD"), r"feature 1: has no LAD23CD"),
    (lambda fs: fs[2]["geometry"].update(type="Point"), r"feature 3 \(Harborough\): geometry must be a MultiPolygon"),
    (lambda fs: fs.pop(7), r"no boundary for Rutland"),
])
def test_a_missing_district_or_malformed_feature_is_named(tmp_path, change, problem):
    features = every_district()
    change(features)
    with pytest.raises(InputError, match=problem):
        read_boundaries(write(tmp_path, features))


def test_not_a_feature_collection(tmp_path):
    path = tmp_path / "lad.geojson"
    path.write_text("[1, 2]")
    with pytest.raises(InputError, match="not a GeoJSON feature collection"):
        read_boundaries(path)
