"""Compute everything a quarter's report needs, once, from the raw inputs.

``compute`` reads the inputs and returns a ``Results`` bundle (``results.py``), which a
build hands to the section notebooks so they do no heavy work themselves.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pandas as pd

from .. import config
from ..inputs.boundaries import read_boundaries
from ..inputs.catalogue import load_catalogue
from ..errors import InputError
from .gaps import data_gaps
from .context import add_context, find_baseline
from .neighbourhoods import headline_ids, neighbourhood_table, top_streets, year_points
from .indicators import monthly_numerators, population_note, population_year, quarter_table, rolling_values
from ..inputs.files import SourceFile
from ..inputs.ingest import read_local_extract, read_police_uk, read_population
from ..inputs.params import load_params
from ..quarters import Quarter, parse_quarter, quarter_of_month, window
from .results import Results

SERIES_MONTHS = 24


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
    from .assess import assess, spc_charts, spc_points  # scipy is imported only when computing, not by notebooks
    from .breaks import data_breaks                       # loading a bundle

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
    years = sorted(population["year"].unique())
    published_by = _published_by(params)
    monthly = monthly_numerators(police.counts, local_rows, catalogue, police.months)
    ends = list(window(quarter.end_month, SERIES_MONTHS))
    # every month end from the first data: the charts show the last 24, context finds the highest and lowest
    every_end = pd.period_range(min(pd.Period(min(police.months), "M"), ends[0]), quarter.end_month, freq="M")
    rolling = rolling_values(monthly, catalogue, population, list(every_end), published_by)
    sample = bool(params.get("local_extract_is_sample")) and local is None  # --local gives partner data
    baseline = find_baseline(params, quarter, sorted(monthly["month"].unique()), years, published_by)
    charts, breaks = spc_charts(monthly, catalogue, params, quarter), data_breaks(police.quality, quarter)
    table = add_context(assess(quarter_table(rolling, monthly, catalogue, quarter, params["unavailable"], sample), monthly,
                               catalogue, params, quarter, charts, breaks),
                        monthly, rolling, catalogue, population, quarter, params, baseline, published_by)
    last = quarter.previous()
    last_params = load_params(last.label, None, catalogue)
    last_table = assess(quarter_table(rolling, monthly, catalogue, last, last_params["unavailable"], sample), monthly,
                        catalogue, last_params, last, breaks=data_breaks(police.quality, last))
    last_gaps = data_gaps(last_table[last_table["area"] == config.PARTNERSHIP], last_params["unavailable"])[
        ["indicator_id", "title", "status", "reason"]]
    series = rolling[rolling["period_end"].isin([str(e) for e in ends])].reset_index(drop=True)
    uses = [(f"the 12 months to {end.strftime('%B %Y')}", *population_year(end, years, published_by=published_by))
            for end in (quarter.end_month, quarter.end_month - 12)]
    if baseline.population_year:
        uses.append((f"the {baseline.label} baseline", baseline.population_year, baseline.population_why))
    note = population_note(uses, published_by, params.get("population_vintage") == "as_published" and not published_by)
    boundaries = read_boundaries(config.BOUNDARIES)
    files = police.files + [_source(local_path), *(_source(p) for p in sorted(config.POPULATION.glob("*.csv"))),
                            _source(config.BOUNDARIES)]
    neighbourhoods = neighbourhood_table(police.lsoa_counts, catalogue, quarter, config.DISTRICTS, params["confidence"],
                                         params["suppress_below"])
    streets = top_streets(police.street_counts, catalogue, quarter, config.DISTRICTS, params["suppress_below"],
                          headline_ids(catalogue))
    return Results(quarter, params, catalogue, table, series, monthly, police.quality, files, note,
                   changes_since(last_table, table, last_gaps), last_gaps, boundaries,
                   baseline_note=baseline.describe(), spc=spc_points(charts), breaks=breaks,
                   neighbourhoods=neighbourhoods, streets=streets, points=year_points(police.points, quarter))


def _published_by(params: dict) -> dt.date | None:
    """The day population estimates must have been published by (params' ``population_vintage``), or None for the latest."""
    if params.get("population_vintage") == "as_published":
        return params.get("meeting_date")
    return None


def changes_since(before: pd.DataFrame, now: pd.DataFrame, gaps_before: pd.DataFrame) -> pd.DataFrame:
    """Partnership indicators whose judgement or SPC reading differs from the previous quarter's.

    Indicators in ``gaps_before`` (last quarter's figures or comparison missing data) are left
    out: a change from a quarter that could not be computed is not a change.
    """
    keys = ["indicator_id", "area"]
    merged = now[keys + ["title", "judgement", "spc_signal", "spc_reading"]].merge(
        before[keys + ["judgement", "spc_signal", "spc_reading"]], on=keys, suffixes=("", "_before"))
    merged = merged[(merged["area"] == config.PARTNERSHIP) & ~merged["indicator_id"].isin(gaps_before["indicator_id"])]
    # An SPC signal changes when its reading does (a run growing from 7 to 8 months is the same signal).
    changed = (merged["judgement"] != merged["judgement_before"]) | (merged["spc_reading"] != merged["spc_reading_before"])
    return merged[changed].reset_index(drop=True)


def _source(path: Path) -> SourceFile:
    return SourceFile(str(path), hashlib.sha256(Path(path).read_bytes()).hexdigest())
