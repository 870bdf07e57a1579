"""District boundaries for the map: the ONS GeoJSON file, checked before anything is drawn."""
from __future__ import annotations

import json
from pathlib import Path

from .. import config
from ..errors import InputError
from .files import read_text

PROPERTIES = ("LAD23CD", "LAD23NM", "LONG", "LAT")  # code, name and label point of each district


def read_boundaries(path: Path | None = None, codes: list[str] | None = None) -> dict:
    """The GeoJSON feature collection of the districts of ``codes`` (all when None) that the file holds,
    each checked for a MultiPolygon, code, name and label point; anything else is an InputError.
    A district the file lacks is left out: the report says so instead of drawing the map."""
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
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        missing = [key for key in PROPERTIES if not isinstance(properties, dict) or key not in properties]
        if missing:
            raise InputError(f"has no {', '.join(missing)}", file=path, row=f"feature {number}")
        if not (isinstance(geometry, dict) and geometry.get("type") == "MultiPolygon"
                and isinstance(geometry.get("coordinates"), list)):
            raise InputError("geometry must be a MultiPolygon", file=path, row=f"feature {number} ({properties['LAD23NM']})")
    if codes is not None:
        shapes = {**shapes, "features": [f for f in features if f["properties"]["LAD23CD"] in codes]}
    return shapes
