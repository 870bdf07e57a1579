"""Compute everything a quarter's report needs, once, from the raw inputs.

``compute`` reads the inputs and returns a ``Results`` bundle; ``save``/``load`` hand
it to the section notebooks as one pickle so they do no heavy work themselves.
"""
from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import config
from .assess import assess
from .catalogue import Indicator, load_catalogue
from .errors import InputError
from .indicators import monthly_numerators, quarter_table, rolling_values
from .ingest import SourceFile, population_year, read_local_extract, read_police_uk, read_population
from .params import load_params
from .quarters import Quarter, parse_quarter, quarter_of_month, window

SERIES_MONTHS = 24


@dataclass
class Results:
    """What the notebooks, report and workbook draw on for one quarter."""

    quarter: Quarter
    params: dict
    catalogue: dict[str, Indicator]
    table: pd.DataFrame        # one row per indicator x area (indicators.csv)
    series: pd.DataFrame       # rolling 12-month values for the trajectory charts
    monthly: pd.DataFrame      # monthly numerators (SPC and the local data check)
    quality: pd.DataFrame      # police.uk rows per month: located, outside, no location
    files: list[SourceFile] = field(default_factory=list)
    population_note: str = ""

    def rows(self, area: str = config.PARTNERSHIP, section: str | None = None) -> pd.DataFrame:
        """The table for one area (and section), in catalogue order."""
        chosen = self.table[(self.table["area"] == area) & ((self.table["section"] == section) if section else True)]
        return chosen.reset_index(drop=True)


def latest_full_quarter(months: list[str]) -> Quarter:
    """The latest quarter whose 12 months and the previous 12 are all in ``months``."""
    have = set(months)
    quarter = quarter_of_month(pd.Period(max(months), "M"))
    for _ in range(40):
        needed = {str(m) for m in window(quarter.end_month, 24)}
        if needed <= have:
            return quarter
        quarter = quarter.previous()
    raise InputError(f"the police.uk files cover {min(months)} to {max(months)}: no quarter has the 24 months "
                     "(this year and the previous year) a report needs")


def compute(quarter: Quarter | str | None = None, police_uk: Path | None = None, params_file: Path | None = None,
            local: Path | None = None, catalogue_file: Path | None = None) -> Results:
    """Read every input and compute the quarter's indicator table, series and checks."""
    catalogue = load_catalogue(catalogue_file)
    police = read_police_uk(police_uk or config.POLICE_UK)
    quarter = parse_quarter(quarter) if isinstance(quarter, str) else (quarter or latest_full_quarter(police.months))
    params = load_params(quarter.label, params_file, catalogue)
    local_path = Path(local or config.ROOT / params["local_extract"])
    local_rows = read_local_extract(local_path, catalogue)
    population = read_population(config.POPULATION)
    monthly = monthly_numerators(police.counts, local_rows, catalogue, police.months)
    ends = list(window(quarter.end_month, SERIES_MONTHS))
    rolling = rolling_values(monthly, catalogue, population, ends)
    table = quarter_table(rolling, catalogue, quarter, params["unavailable"], bool(params.get("local_extract_is_sample")))
    table = assess(table, monthly, catalogue, params, quarter)
    series = rolling[rolling["period_end"].isin([str(e) for e in ends])].reset_index(drop=True)
    _, population_note = population_year(quarter.end_month, sorted(population["year"].unique()))
    files = police.files + [_source(local_path), *(_source(p) for p in sorted(config.POPULATION.glob("*.csv")))]
    return Results(quarter, params, catalogue, table, series, monthly, police.quality, files, population_note)


def _source(path: Path) -> SourceFile:
    return SourceFile(str(path), hashlib.sha256(Path(path).read_bytes()).hexdigest())


def save(results: Results, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        pickle.dump(results, handle, protocol=pickle.HIGHEST_PROTOCOL)


def load(quarter: str | None = None, results_path: str | Path | None = None) -> Results:
    """The bundle a section notebook works from: the built one if given, else computed now."""
    if results_path:
        with open(results_path, "rb") as handle:
            return pickle.load(handle)
    return compute(quarter)
