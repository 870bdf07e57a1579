"""The ``Results`` bundle: everything a quarter's report draws on, computed once.

A build saves it beside the section notebooks and each notebook loads it (``bundle``). Presentation reads
this bundle, never an input file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from ..quarters import Quarter
from .gaps import data_gaps

if TYPE_CHECKING:
    from ..inputs.catalogue import Indicator
    from ..inputs.files import SourceFile
    from ..inputs.params import Settings
    from ..inputs.partnerships import Partnership


@dataclass(kw_only=True)
class Results:
    """What the notebooks, report and workbook draw on for one quarter of one pack, built with keywords."""

    quarter: Quarter
    settings: Settings  # the pack's settings for the quarter (inputs.params)
    partnership: Partnership  # who the pack is for: its areas, comparison group and excluded districts
    catalogue: dict[str, Indicator]
    table: pd.DataFrame  # one row per indicator x area (indicators.csv)
    series: pd.DataFrame  # rolling 12-month values for the trajectory charts
    monthly: pd.DataFrame  # monthly numerators (SPC and the local data check)
    quality: pd.DataFrame  # police.uk rows per month: located, outside, no location
    files: list[SourceFile] = field(default_factory=list)
    population_note: str = ""
    changes: pd.DataFrame = field(default_factory=pd.DataFrame)  # judgement / SPC changes since last quarter
    last_quarter_gaps: pd.DataFrame = field(
        default_factory=pd.DataFrame
    )  # last quarter's rows missing data (gaps.data_gaps)
    boundaries: dict = field(default_factory=dict)  # district shapes (GeoJSON) for the map
    baseline_note: str = ""  # the baseline period and how it is used, in words (context.Baseline.describe)
    spc: pd.DataFrame = field(default_factory=pd.DataFrame)  # SPC points per indicator and area (assess.spc_points)
    breaks: pd.DataFrame = field(default_factory=pd.DataFrame)  # data breaks in the 24 months (breaks.data_breaks)
    # Below the district (neighbourhoods.py): counts by neighbourhood and LSOA with the Library's names and the test
    # against the district, small sensitive counts withheld;
    # the busiest street locations; this year's map points.
    neighbourhoods: pd.DataFrame = field(default_factory=pd.DataFrame)
    streets: pd.DataFrame = field(default_factory=pd.DataFrame)
    points: pd.DataFrame = field(default_factory=pd.DataFrame)
    data_warnings: list[str] = field(default_factory=list)  # about the police.uk files as read (PoliceData.warnings)

    def rows(self, area: str | None = None, section: str | None = None) -> pd.DataFrame:
        """The table for one area (default: the partnership as a whole) and section, in catalogue order."""
        area = area or self.partnership.total.name
        chosen = self.table[(self.table["area"] == area) & ((self.table["section"] == section) if section else True)]
        return chosen.reset_index(drop=True)

    def gaps(self) -> pd.DataFrame:
        """The partnership rows not available or not compared because data is missing (``gaps.data_gaps``)."""
        return data_gaps(self.rows(), self.settings.unavailable)
