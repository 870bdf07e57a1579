"""Every path and fixed fact of the partnership in one place.

Paths are relative to the repository root (the folder holding ``pyproject.toml``),
or to ``SAFER_REPORT_HOME`` when the package is installed elsewhere. ``SAFER_REPORT_CACHE``
and ``SAFER_REPORT_OUTPUTS`` move the results cache and the default output folder (the tests
point them at a temporary folder; builds, kernels and commands started from there inherit them).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Section:
    """One section of the report and the notebook that makes it."""

    id: str
    title: str
    notebook: str         # notebooks/<notebook>.ipynb
    cost: float           # seconds its cells take in a warm kernel (benchmarks/README.md): shares out the kernels
    priority: bool = True  # a board priority, holding indicators (the summary is not)


# The report's sections in board order. Adding one is an entry here and its notebook; the
# build's list of notebooks and the kernels' shares follow from this.
REPORT_SECTIONS = (
    Section("summary", "Summary", "00_summary", cost=0.07, priority=False),
    Section("reduce_crime", "Reduce crime", "01_reduce_crime", cost=1.01),
    Section("protect_vulnerable", "Protect the vulnerable", "02_protect_vulnerable", cost=0.54),
    Section("reduce_asb", "Reduce anti-social behaviour", "03_reduce_asb", cost=0.44),
    Section("cohesion", "Prevent terrorism & radicalisation, and community cohesion", "04_cohesion", cost=0.29),
    Section("where", "Where in the district", "05_where", cost=0.6, priority=False),
)
# The board's priorities (catalogue sections, report chapters, commentary): id -> title.
SECTIONS = {s.id: s.title for s in REPORT_SECTIONS if s.priority}
