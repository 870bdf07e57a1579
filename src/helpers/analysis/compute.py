"""Compute everything a quarter's report needs, once, from the raw inputs.

``compute`` reads the inputs and returns a ``Results`` bundle; ``save``/``load`` hand
it to the section notebooks as one pickle so they do no heavy work themselves.
"""
from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import config
from ..inputs.catalogue import Indicator, load_catalogue
from ..errors import InputError
from ..inputs.files import cached_results_path
from .indicators import monthly_numerators, quarter_table, rolling_values
from ..inputs.ingest import SourceFile, population_year, read_local_extract, read_police_uk, read_population
from ..inputs.params import load_params
from ..quarters import Quarter, parse_quarter, quarter_of_month, window

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
    changes: pd.DataFrame = field(default_factory=pd.DataFrame)  # judgement / SPC changes since last quarter

    def rows(self, area: str = config.PARTNERSHIP, section: str | None = None) -> pd.DataFrame:
        """The table for one area (and section), in catalogue order."""
        chosen = self.table[(self.table["area"] == area) & ((self.table["section"] == section) if section else True)]
        return chosen.reset_index(drop=True)


def latest_full_quarter(months: list[str]) -> Quarter:
    """The latest quarter whose 12 months and the previous 12 are all in ``months``; failing
    that, the latest whose own 12 months are (shown without a comparison)."""
    have = set(months)
    for span in (24, 12):
        quarter = quarter_of_month(pd.Period(max(months), "M"))
        for _ in range(40):
            if {str(m) for m in window(quarter.end_month, span)} <= have:
                return quarter
            quarter = quarter.previous()
    raise InputError(f"the police.uk files cover {min(months)} to {max(months)}: no quarter has the 12 months "
                     "a report needs")


def compute(quarter: Quarter | str | None = None, police_uk: Path | None = None, params_file: Path | None = None,
            local: Path | None = None, catalogue_file: Path | None = None) -> Results:
    """Read every input and compute the quarter's indicator table, series and checks."""
    from .assess import assess  # scipy is imported only when computing, not by notebooks loading a bundle

    catalogue = load_catalogue(catalogue_file)
    police = read_police_uk(police_uk or config.POLICE_UK)
    quarter = parse_quarter(quarter) if isinstance(quarter, str) else (quarter or latest_full_quarter(police.months))
    needed = [str(m) for m in window(quarter.end_month, 24)]
    if not set(needed) & set(police.months) or str(quarter.end_month) not in police.months:
        raise InputError(f"the police.uk files cover {min(police.months)} to {max(police.months)}, but {quarter.label} needs "
                         f"{needed[0]} to {needed[-1]}: add the missing months or choose an earlier quarter",
                         file=police_uk or config.POLICE_UK)
    params = load_params(quarter.label, params_file, catalogue)
    local_path = Path(local or config.ROOT / params["local_extract"])
    if local_path.suffix.lower() in (".xlsx", ".xlsm"):
        from ..inputs.partners_return import read_return  # openpyxl only when a return is given
        local_rows = read_return(local_path, catalogue)
    else:
        local_rows = read_local_extract(local_path, catalogue)
    population = read_population(config.POPULATION)
    monthly = monthly_numerators(police.counts, local_rows, catalogue, police.months)
    ends = list(window(quarter.end_month, SERIES_MONTHS))
    rolling = rolling_values(monthly, catalogue, population, ends)
    sample = bool(params.get("local_extract_is_sample")) and local is None  # --local gives partner data
    table = assess(quarter_table(rolling, catalogue, quarter, params["unavailable"], sample), monthly, catalogue, params, quarter)
    last = quarter.previous()
    last_params = load_params(last.label, None, catalogue)
    last_table = assess(quarter_table(rolling, catalogue, last, last_params["unavailable"], sample), monthly, catalogue,
                        last_params, last)
    series = rolling[rolling["period_end"].isin([str(e) for e in ends])].reset_index(drop=True)
    _, population_note = population_year(quarter.end_month, sorted(population["year"].unique()))
    files = police.files + [_source(local_path), *(_source(p) for p in sorted(config.POPULATION.glob("*.csv")))]
    return Results(quarter, params, catalogue, table, series, monthly, police.quality, files, population_note,
                   changes_since(last_table, table))


def changes_since(before: pd.DataFrame, now: pd.DataFrame) -> pd.DataFrame:
    """Partnership indicators whose judgement or SPC reading differs from the previous quarter's."""
    keys = ["indicator_id", "area"]
    merged = now[keys + ["title", "judgement", "spc_signal", "spc_reading"]].merge(
        before[keys + ["judgement", "spc_signal", "spc_reading", "reason"]], on=keys, suffixes=("", "_before"))
    # Last quarter's data may simply not be in the inputs (a return covers 24 months): not a change.
    no_data_before = merged["reason"].str.startswith("Data missing")
    merged = merged[(merged["area"] == config.PARTNERSHIP) & ~no_data_before]
    # An SPC signal changes when its reading does (a run growing from 7 to 8 months is the same signal).
    changed = (merged["judgement"] != merged["judgement_before"]) | (merged["spc_reading"] != merged["spc_reading_before"])
    return merged[changed].reset_index(drop=True)


CACHE_ENTRIES = 8  # a back catalogue of quarters rebuilt in turn still hits


def compute_cached(key: str, quarter: str | None, police_uk: Path | None = None, params_file: Path | None = None,
                   local: Path | None = None) -> Results:
    """``compute``, or the result saved under ``key`` (``files.input_key`` of the same inputs)."""
    cached = cached_results_path(key)
    if cached.exists():
        try:
            return load(results_path=cached)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
            cached.unlink(missing_ok=True)
    results = compute(quarter, police_uk=police_uk, params_file=params_file, local=local)
    save(results, cached)
    entries = sorted(config.CACHE.glob("results-*.pkl"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[CACHE_ENTRIES:]:
        old.unlink(missing_ok=True)
    return results


def _source(path: Path) -> SourceFile:
    return SourceFile(str(path), hashlib.sha256(Path(path).read_bytes()).hexdigest())


def save(results: Results, path: Path) -> None:
    """Write the bundle via a temporary name, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    with open(partial, "wb") as handle:
        pickle.dump(results, handle, protocol=pickle.HIGHEST_PROTOCOL)
    partial.replace(path)


def load(quarter: str | None = None, results_path: str | Path | None = None) -> Results:
    """The bundle a section notebook works from: the built one if given, else computed now."""
    if results_path:
        with open(results_path, "rb") as handle:
            return pickle.load(handle)
    return compute(quarter)
