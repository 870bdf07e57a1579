"""District boundaries for the map: the ONS GeoJSON file, checked before anything is drawn."""

from __future__ import annotations

import json
from pathlib import Path

from .. import config
from ..errors import InputError
from .files import read_text

PROPERTIES = ("LAD23CD", "LAD23NM", "LONG", "LAT")  # code, name and label point of each district


def read_boundaries(path: Path | None = None, codes: list[str] | None = None) -> dict:
    """The GeoJSON feature collection holding the features of ``codes``, in that order (None: every
    feature, in the file's order). Every feature of the file must have a MultiPolygon, a code, a name
    and a label point, else it is an InputError; a code without a feature is not an error
    (``missing_boundaries`` names them)."""
    path = Path(path or config.BOUNDARIES)
    try:
        shapes = json.loads(read_text(path, "boundaries file"))
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid GeoJSON ({exc.msg})", file=path, row=exc.lineno) from None
    features = shapes.get("features") if isinstance(shapes, dict) else None
    if not isinstance(features, list):
        raise InputError("not a GeoJSON feature collection (no list of 'features')", file=path)
    for number, feature in enumerate(features, start=1):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        properties = properties if isinstance(properties, dict) else {}
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        missing = [key for key in PROPERTIES if key not in properties]
        if missing:
            raise InputError(f"has no {', '.join(missing)}", file=path, row=f"feature {number}")
        if not (
            isinstance(geometry, dict)
            and geometry.get("type") == "MultiPolygon"
            and isinstance(geometry.get("coordinates"), list)
        ):
            raise InputError(
                "geometry must be a MultiPolygon", file=path, row=f"feature {number} ({properties['LAD23NM']})"
            )
    return shapes if codes is None else select(shapes, codes)


def select(shapes: dict, codes: list[str]) -> dict:
    """The collection of ``shapes``' features of ``codes``, in that order (a code without one is left out);
    ``shapes`` itself is unchanged."""
    by_code = {feature["properties"]["LAD23CD"]: feature for feature in shapes["features"]}
    return {**shapes, "features": [by_code[code] for code in codes if code in by_code]}


def missing_boundaries(shapes: dict, codes: list[str]) -> list[str]:
    """The ``codes`` with no feature in ``shapes`` (``read_boundaries``'): their report has no map."""
    held = {feature["properties"]["LAD23CD"] for feature in shapes["features"]}
    return [code for code in codes if code not in held]
