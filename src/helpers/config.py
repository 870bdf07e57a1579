"""Every path and the report's sections in one place (who the reports are for is params/partnerships.yaml).

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
BOUNDARIES = DATA / "boundaries" / "england_wales_lad_may2023_buc.geojson"
LAD_SUCCESSORS = DATA / "lookups" / "lad_successors.csv"  # district codes replaced since 2019
# House of Commons Library neighbourhood (MSOA) names, 2011 and 2021 MSOAs
MSOA_NAMES = (DATA / "lookups" / "hocl_msoa11_names.csv", DATA / "lookups" / "hocl_msoa21_names.csv")
LOCAL_SAMPLE = DATA / "local" / "local_extract_sample.csv"
PARAMS = ROOT / "params"
CATALOGUE = PARAMS / "indicators.yaml"
PARTNERSHIPS = PARAMS / "partnerships.yaml"  # who the reports are for: districts, boards, comparisons
NOTEBOOKS = ROOT / "notebooks"
OUTPUTS = Path(os.environ.get("SAFER_REPORT_OUTPUTS") or ROOT / "outputs")
CACHE = Path(os.environ.get("SAFER_REPORT_CACHE") or ROOT / ".cache")


@dataclass(frozen=True)
class Section:
    """One section of the report and the notebook that makes it."""

    id: str
    title: str
    notebook: str  # notebooks/<notebook>.ipynb
    cost: float  # seconds its cells take in a warm kernel (benchmarks/README.md): shares out the kernels
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
