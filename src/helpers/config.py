"""Every path and fixed fact of the partnership in one place.

Paths are relative to the repository root (the folder holding ``pyproject.toml``),
or to ``SAFER_REPORT_HOME`` when the package is installed elsewhere. ``SAFER_REPORT_CACHE``
and ``SAFER_REPORT_OUTPUTS`` move the results cache and the default output folder (the tests
point them at a temporary folder; builds, kernels and commands started from there inherit them).
"""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(os.environ.get("SAFER_REPORT_HOME", Path(__file__).resolve().parents[2]))
DATA = ROOT / "data"
POLICE_UK = DATA / "police_uk"
POPULATION = DATA / "population"
BOUNDARIES = DATA / "boundaries" / "leicestershire_rutland_lad.geojson"
LOCAL_SAMPLE = DATA / "local" / "local_extract_sample.csv"
PARAMS = ROOT / "params"
CATALOGUE = PARAMS / "indicators.yaml"
NOTEBOOKS = ROOT / "notebooks"
OUTPUTS = Path(os.environ.get("SAFER_REPORT_OUTPUTS") or ROOT / "outputs")
CACHE = Path(os.environ.get("SAFER_REPORT_CACHE") or ROOT / ".cache")

PARTNERSHIP = "Leicestershire & Rutland"
COUNTY = "Leicestershire"

# ONS codes of the partnership's districts (SPEC §2). Leicester city is not a member.
DISTRICTS = {
    "Blaby": "E07000129",
    "Charnwood": "E07000130",
    "Harborough": "E07000131",
    "Hinckley and Bosworth": "E07000132",
    "Melton": "E07000133",
    "North West Leicestershire": "E07000134",
    "Oadby and Wigston": "E07000135",
    "Rutland": "E06000017",
}
COUNTY_DISTRICTS = [d for d in DISTRICTS if d != "Rutland"]
AREAS = [*DISTRICTS, COUNTY, PARTNERSHIP]
AREA_CODES = {**DISTRICTS, COUNTY: "E10000018", PARTNERSHIP: "E10000018+E06000017"}
EXCLUDED = {"Leicester": "E06000016"}

# Sections of the report in board order: id -> title.
SECTIONS = {
    "reduce_crime": "Reduce crime",
    "protect_vulnerable": "Protect the vulnerable",
    "reduce_asb": "Reduce anti-social behaviour",
    "cohesion": "Prevent terrorism & radicalisation, and community cohesion",
}
