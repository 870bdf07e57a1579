"""Compute everything a quarter's report needs, once, from the raw inputs.

``compute`` reads the inputs and returns a ``Results`` bundle (``results.py``), which a
build hands to the section notebooks so they do no heavy work themselves.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .. import config
from ..errors import InputError
from ..inputs.boundaries import read_boundaries, select
from ..inputs.catalogue import load_catalogue
from ..inputs.files import SourceFile
from ..inputs.local_extract import read_local_extract
from ..inputs.params import NO_EXTRACT, AnalysisKey, Settings, check_spc_baseline, defaults, load_settings
from ..inputs.partnerships import Area, Partnership, choose, every_area, load_partnerships
from ..inputs.police_uk import PoliceData, read_police_uk
from ..inputs.population import (
    missing_population,
    missing_population_message,
    read_lsoa_population,
    read_msoa_names,
    read_population,
)
from ..quarters import Quarter, parse_quarter, quarter_of_month, window
from .context import Baseline, add_context, baseline_values, find_baseline, series_extremes
from .gaps import data_gaps
from .indicators import monthly_numerators, population_note, population_year, quarter_table, rolling_values
from .neighbourhoods import neighbourhood_table, top_streets, year_points
from .places import headline_ids
from .results import Results

log = logging.getLogger(__name__)

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
    raise InputError(
        f"the police.uk files cover {min(months)} to {max(months)}: no quarter has the 12 months a report needs"
    )


@dataclass
class Inputs:
    """Everything read once for every pack of a quarter, and the figures that depend on no pack's settings."""

    catalogue: dict
    police: PoliceData
    quarter: Quarter
    local_path: Path | None  # None: local_extract: none
    population: pd.DataFrame
    monthly: pd.DataFrame  # monthly numerators of every area of every pack
    local_given: bool  # --local: partners' data, not the sample
    areas: list[Area]  # every area of every pack
    partnerships: list[Partnership]  # the packs
    msoa_names: pd.Series  # neighbourhood (ONS MSOA name) -> House of Commons Library name
    vintage: tuple[
        dt.date | None, str
    ]  # the quarter's population estimates: published by (None: latest), by whose date
    rolling: pd.DataFrame  # every area's 12-month values at every month end from the first data
    extremes: pd.DataFrame  # every area's highest and lowest 12-month values (context.series_extremes)
    points: pd.DataFrame  # this year's crimes as map points (neighbourhoods.year_points)


@dataclass(frozen=True)
class GroupFigures:
    """Every area's figures and judgements for the packs that share one ``AnalysisKey`` this quarter and last."""

    baseline: Baseline
    charts: dict  # (indicator id, area) -> XmR chart, this quarter
    breaks: pd.DataFrame  # data breaks in this quarter's 24 months
    table: pd.DataFrame  # every area's rows, judged and set in context, not yet compared with a group
    last_table: pd.DataFrame  # last quarter's, judged
    neighbourhoods: pd.DataFrame  # every pack's districts below the district
    streets: pd.DataFrame


def compute(
    quarter: Quarter | str | None = None,
    police_uk: Path | None = None,
    params_file: Path | None = None,
    local: Path | None = None,
    catalogue_file: Path | None = None,
    partnership: str | None = None,
    partnerships_file: Path | None = None,
) -> Results:
    """Read every input and compute one partnership's quarter (default: ``choose``'s)."""
    return compute_packs([partnership], quarter, police_uk, params_file, local, catalogue_file, partnerships_file)[0]


def compute_packs(
    partnership_ids: list[str | None],
    quarter: Quarter | str | None = None,
    police_uk: Path | None = None,
    params_file: Path | None = None,
    local: Path | None = None,
    catalogue_file: Path | None = None,
    partnerships_file: Path | None = None,
) -> list[Results]:
    """Each partnership's quarter (None: the default), reading the inputs and counting every area once for all.

    ``params_file`` replaces the quarter's params file of a single partnership; ``partnerships_file`` is where the
    partnerships are configured (default: params/partnerships.yaml)."""
    partnerships_file = Path(partnerships_file or config.PARTNERSHIPS)
    configured = load_partnerships(partnerships_file)
    partnerships = [choose(pid, configured, partnerships_file) for pid in partnership_ids]
    if params_file and len(partnerships) > 1:
        raise InputError(
            "--params names one partnership's quarter file: build the partnerships one at a time", file=params_file
        )
    known = {n: c for p in configured.values() for n, c in p.districts.items()}  # a local extract may name any of these
    shared = read_inputs(partnerships, known, quarter, police_uk, local, catalogue_file, params_file, partnerships_file)
    last = shared.quarter.previous()
    settings = {
        p.id: (
            load_settings(shared.quarter.label, params_file, shared.catalogue, p),
            load_settings(last.label, None, shared.catalogue, p),
        )
        for p in partnerships
    }
    for now, _ in settings.values():
        check_spc_baseline(now, shared.police.months)
    # Packs grouped by the settings their figures depend on, this quarter and last: each group computed once.
    groups: dict[tuple[AnalysisKey, AnalysisKey], GroupFigures] = {}
    figures: dict[str, GroupFigures] = {}
    for p in partnerships:
        now, before = settings[p.id]
        key = (now.analysis_key, before.analysis_key)
        if key not in groups:
            groups[key] = group_figures(shared, now, before)
        figures[p.id] = groups[key]
    log.info(
        "%s: %d pack(s) share %d set(s) of the settings figures depend on: every area computed once for each",
        shared.quarter.label,
        len(partnerships),
        len(groups),
    )
    from .assess import compare_districts  # scipy only when computing, not by notebooks loading a bundle

    # Districts compared with their comparison group once for each set of this quarter's settings (the table's only
    # settings): every pack compared with that group takes its rows.
    compared: dict[tuple[AnalysisKey, str, tuple[str, ...]], pd.DataFrame] = {}
    tables: dict[str, pd.DataFrame] = {}
    for p in partnerships:
        now, group = settings[p.id][0], p.compared_with
        comparison = (now.analysis_key, group.name, tuple(group.districts.values()))
        if comparison not in compared:
            compared[comparison] = compare_districts(
                figures[p.id].table, shared.monthly, shared.catalogue, now, shared.quarter, group
            )
        tables[p.id] = compared[comparison]
    shapes = {path: read_boundaries(path) for path in dict.fromkeys(p.boundaries for p in partnerships)}
    return [compute_pack(shared, p, *settings[p.id], figures[p.id], tables[p.id], shapes) for p in partnerships]


def read_inputs(
    partnerships: list[Partnership],
    known: dict[str, str],
    quarter: Quarter | str | None = None,
    police_uk: Path | None = None,
    local: Path | None = None,
    catalogue_file: Path | None = None,
    params_file: Path | None = None,
    partnerships_file: Path | None = None,
) -> Inputs:
    """Read the police.uk files, the local extract (rows for any of the ``known`` districts, name -> code) and the
    population once, and count every area of ``partnerships``."""
    catalogue = load_catalogue(catalogue_file)
    areas = every_area(partnerships)
    districts = {name: code for area in areas for name, code in area.districts.items()}
    police = read_police_uk(
        police_uk or config.POLICE_UK,
        small_areas={n for p in partnerships for n in p.districts},
        duplicates=defaults().duplicates,
    )
    quarter = parse_quarter(quarter) if isinstance(quarter, str) else (quarter or latest_full_quarter(police.months))
    needed = [str(m) for m in window(quarter.end_month, 24)]
    if not set(needed) & set(police.months) or str(quarter.end_month) not in police.months:
        raise InputError(
            f"the police.uk files cover {min(police.months)} to {max(police.months)}, but {quarter.label} needs "
            f"{needed[0]} to {needed[-1]}: add the missing months or choose an earlier quarter",
            file=police_uk or config.POLICE_UK,
        )
    partnerships_file = Path(partnerships_file or config.PARTNERSHIPS)
    counted = set(police.counts["district"])
    for name, code in districts.items():
        if name not in counted:
            raise InputError(
                f"no rows for {name} ({code}): add the police.uk street-level files of the force that "
                f"covers it, or check the district's name in {partnerships_file.name}",
                file=police_uk or config.POLICE_UK,
            )
    local_path, local_given = _local_extract(partnerships, quarter, catalogue, params_file, local)
    if local_path is None:
        local_rows = pd.DataFrame(columns=["indicator_id", "area", "month", "numerator", "denominator"])
    elif local_path.suffix.lower() in (".xlsx", ".xlsm"):
        from ..inputs.partners_return import read_return  # openpyxl only when a return is given

        local_rows = read_return(local_path, catalogue, known)
    else:
        local_rows = read_local_extract(local_path, catalogue, known)
    population = read_population(config.POPULATION, {code: name for name, code in districts.items()})
    _check_codes(districts, set(population["area_code"]), partnerships_file)
    monthly = monthly_numerators(police.counts, local_rows, catalogue, police.months, areas)
    default = choose(None, path=partnerships_file)
    vintage = _vintage(
        quarter, catalogue, params_file if [p.id for p in partnerships] == [default.id] else None, default.name
    )
    # every month end from the first data: the charts show the last 24, context finds the highest and lowest
    ends = pd.period_range(
        min(pd.Period(min(police.months), "M"), quarter.end_month - (SERIES_MONTHS - 1)), quarter.end_month, freq="M"
    )
    rolling = rolling_values(monthly, catalogue, population, list(ends), areas, vintage[0])
    return Inputs(
        catalogue=catalogue,
        police=police,
        quarter=quarter,
        local_path=local_path,
        population=population,
        monthly=monthly,
        local_given=local_given,
        areas=areas,
        partnerships=partnerships,
        msoa_names=read_msoa_names(),
        vintage=vintage,
        rolling=rolling,
        extremes=series_extremes(rolling, quarter.end_month),
        points=year_points(police.points, quarter),
    )


def _local_extract(
    partnerships: list[Partnership], quarter: Quarter, catalogue: dict, params_file: Path | None, local: Path | None
) -> tuple[Path | None, bool]:
    """The local extract every pack reads (None: ``local_extract: none``) and whether it is partners' data rather
    than the shipped sample: ``--local``, else the ``local_extract`` of the packs' params (``--params`` or their
    quarter files, over params/defaults.yaml); packs naming different extracts are built one at a time."""
    if local:
        return Path(local), True
    named = {load_settings(quarter.label, params_file, catalogue, p).local_extract: p for p in partnerships}
    if len(named) > 1:
        (first, one), (second, other) = list(named.items())[:2]
        raise InputError(
            f"the packs read different local extracts ({one.id}: {first}; {other.id}: {second}): build "
            "them one at a time, or use --local",
            file=config.PARAMS,
        )
    (path,) = named
    if path.strip().lower() == NO_EXTRACT:
        return None, True
    return config.ROOT / path, path != defaults().local_extract


def _vintage(quarter: Quarter, catalogue: dict, params_file: Path | None, name: str) -> tuple[dt.date | None, str]:
    """The day every pack's population estimates must have been published by, and whose date it is: the default
    partnership's (``name``) meeting date for the quarter (its params file, or ``params_file`` when that pack alone is
    built), so that a district has the same population, and so the same rates, in every pack of a quarter. (None, "")
    for the latest estimates (``population_vintage: latest``); (None, "unknown") when no meeting date is set."""
    settings = load_settings(quarter.label, params_file, catalogue)
    if settings.population_vintage != "as_published":
        return None, ""
    if not settings.meeting_date:
        return None, "unknown"
    return settings.meeting_date, f"the {name} board's meeting date, for every pack alike"


def _check_codes(districts: dict[str, str], with_population: set[str], partnerships_file: Path) -> None:
    """Each district's code is the ONS code of that name, with population estimates: a misspelt code stops here."""
    ons = {f["properties"]["LAD23CD"]: f["properties"]["LAD23NM"] for f in read_boundaries()["features"]}
    by_name = {name: code for code, name in ons.items()}
    for name, code in districts.items():
        hint = f" ({name} is {by_name[name]})" if name in by_name and by_name[name] != code else ""
        if code in ons and ons[code] != name:
            raise InputError(
                f"{code}, given for {name}, is {ons[code]} in ONS's files{hint}: check the code", file=partnerships_file
            )
        if code not in with_population:
            raise InputError(
                f"{code}, given for {name}, is not a district code in the ONS population files{hint}: check the code",
                file=partnerships_file,
            )


def group_figures(shared: Inputs, settings: Settings, last_settings: Settings) -> GroupFigures:
    """Every area's figures and judgements under one group's settings (this quarter's and last quarter's): the
    packs whose ``analysis_key``s are these take their own areas' rows."""
    from .assess import assess, spc_charts  # scipy only when computing, not by notebooks loading a bundle
    from .breaks import data_breaks

    catalogue, quarter, police, monthly = shared.catalogue, shared.quarter, shared.police, shared.monthly
    published_by = shared.vintage[0]
    years = sorted(shared.population["year"].unique())
    sample = settings.local_extract_is_sample and not shared.local_given
    baseline = find_baseline(settings, quarter, sorted(monthly["month"].unique()), years, published_by)
    charts, breaks = spc_charts(monthly, catalogue, settings, quarter), data_breaks(police.quality, quarter)
    with_partner_data = shared.local_path is not None
    table = add_context(
        assess(
            quarter_table(
                shared.rolling,
                monthly,
                catalogue,
                quarter,
                settings.unavailable,
                sample,
                shared.areas,
                with_partner_data,
            ),
            monthly,
            catalogue,
            settings,
            quarter,
            charts,
            breaks,
            compare=False,
        ),
        monthly,
        catalogue,
        shared.population,
        quarter,
        settings,
        published_by,
        shared.areas,
        baseline_values(monthly, catalogue, shared.population, baseline, shared.areas),
        shared.extremes,
    )
    last = quarter.previous()
    last_table = assess(
        quarter_table(
            shared.rolling,
            monthly,
            catalogue,
            last,
            last_settings.unavailable,
            sample,
            shared.areas,
            with_partner_data,
        ),
        monthly,
        catalogue,
        last_settings,
        last,
        spc_charts(monthly, catalogue, last_settings, last),
        data_breaks(police.quality, last),
        compare=False,
    )
    # Below the district a pack shows its own districts only: counted once for the districts of every pack.
    small = {name: code for p in shared.partnerships for name, code in p.districts.items()}
    small_area_file = settings.small_area_population  # ONS's LSOA estimates: neighbourhood rates
    residents = read_lsoa_population(config.ROOT / small_area_file) if small_area_file else None
    neighbourhoods = neighbourhood_table(
        police.lsoa_counts,
        catalogue,
        quarter,
        small,
        settings.confidence,
        settings.suppress_below,
        police.months,
        shared.msoa_names,
        residents,
    )
    streets = top_streets(
        police.street_counts, catalogue, quarter, small, settings.suppress_below, headline_ids(catalogue)
    )
    return GroupFigures(baseline, charts, breaks, table, last_table, neighbourhoods, streets)


def compute_pack(
    shared: Inputs,
    partnership: Partnership,
    settings: Settings,
    last_settings: Settings,
    figures: GroupFigures,
    compared: pd.DataFrame,
    shapes: dict[Path, dict],
) -> Results:
    """One partnership's Results: its areas' rows of its group's figures (``compared``: ``figures.table`` with the
    districts compared with its comparison group) and its settings' words. ``shapes``: the boundaries read, by file."""
    from .assess import spc_points  # scipy only when computing, not by notebooks loading a bundle

    catalogue, quarter, police = shared.catalogue, shared.quarter, shared.police
    names = partnership.area_names
    population, years = shared.population, sorted(shared.population["year"].unique())
    codes = {code: name for name, code in partnership.shown_districts.items()}
    for year in years or [quarter.end_month.year]:  # no estimate at all: name the quarter's year
        if missing := missing_population(population, codes, year):
            raise InputError(missing_population_message(codes, missing, year))
    published_by, meeting = shared.vintage
    monthly = shared.monthly[shared.monthly["area"].isin(names)].reset_index(drop=True)
    rolling = shared.rolling[shared.rolling["area"].isin(names)].reset_index(drop=True)
    table = _pack_rows(compared, names)
    last_table = _pack_rows(figures.last_table, names)
    total = partnership.total.name
    last_gaps = data_gaps(last_table[last_table["area"] == total], last_settings.unavailable)[
        ["indicator_id", "title", "status", "reason"]
    ]
    ends = [str(e) for e in window(quarter.end_month, SERIES_MONTHS)]
    series = rolling[rolling["period_end"].isin(ends)].reset_index(drop=True)
    uses = [
        (f"the 12 months to {end.strftime('%B %Y')}", *population_year(end, years, published_by=published_by))
        for end in (quarter.end_month, quarter.end_month - 12)
    ]
    baseline = figures.baseline
    if baseline.population_year:
        uses.append((f"the {baseline.label} baseline", baseline.population_year, baseline.population_why))
    note = population_note(uses, published_by, meeting == "unknown", meeting)
    boundaries = select(
        shapes[partnership.boundaries], [*partnership.shown_districts.values(), *partnership.excludes.values()]
    )
    small_area_file = settings.small_area_population
    files = police.files + [
        *([_source(shared.local_path)] if shared.local_path else []),
        *(_source(p) for p in sorted(config.POPULATION.glob("*.csv"))),
        *([_source(config.ROOT / small_area_file)] if small_area_file else []),
        _source(config.LAD_SUCCESSORS),
        *(_source(p) for p in config.MSOA_NAMES),
        _source(partnership.boundaries),
    ]
    spc = spc_points({key: chart for key, chart in figures.charts.items() if key[1] in names})
    own = partnership.districts
    return Results(
        quarter=quarter,
        settings=settings,
        partnership=partnership,
        catalogue=catalogue,
        table=table,
        series=series,
        monthly=monthly,
        quality=pack_quality(police, partnership),
        files=files,
        population_note=note,
        changes=changes_since(last_table, table, last_gaps, total),
        last_quarter_gaps=last_gaps,
        boundaries=boundaries,
        baseline_note=baseline.describe(),
        spc=spc,
        breaks=figures.breaks,
        neighbourhoods=_own(figures.neighbourhoods, own),
        streets=_own(figures.streets, own),
        points=_own(shared.points, own),
        data_warnings=police.warnings,
    )


def _own(table: pd.DataFrame, districts: dict[str, str]) -> pd.DataFrame:
    """The rows of ``districts``."""
    return table[table["district"].isin(districts)].reset_index(drop=True)


def pack_quality(police: PoliceData, partnership: Partnership) -> pd.DataFrame:
    """The police.uk records per month for one pack: read, without a location, in its excluded districts,
    elsewhere, and counted in the districts its report shows."""
    per_district = police.counts.groupby(["month", "district"])["count"].sum().unstack(fill_value=0)
    quality = police.quality.set_index("month")
    shown = per_district.reindex(columns=list(partnership.shown_districts), fill_value=0).sum(axis=1)
    excluded = per_district.reindex(columns=list(partnership.excludes), fill_value=0).sum(axis=1)
    quality["excluded"] = excluded.reindex(quality.index, fill_value=0)
    quality["partnership"] = shown.reindex(quality.index, fill_value=0)
    quality["outside"] = quality["rows"] - quality["no_location"] - quality["excluded"] - quality["partnership"]
    return quality.reset_index()


def _pack_rows(table: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """The rows of ``names``' areas, in catalogue order and then the pack's order of areas."""
    indicators = {indicator: at for at, indicator in enumerate(dict.fromkeys(table["indicator_id"]))}
    areas = table["area"].map({name: at for at, name in enumerate(names)}).to_numpy()
    rows = np.flatnonzero(~np.isnan(areas))  # the table's rows of the pack's areas, then in the pack's order
    order = np.lexsort((areas[rows], table["indicator_id"].iloc[rows].map(indicators).to_numpy()))
    return table.iloc[rows[order]].reset_index(drop=True)


def changes_since(before: pd.DataFrame, now: pd.DataFrame, gaps_before: pd.DataFrame, area: str) -> pd.DataFrame:
    """``area``'s indicators (the partnership's) whose judgement or SPC reading differs from the previous quarter's.

    Indicators in ``gaps_before`` (last quarter's figures or comparison missing data) are left
    out: a change from a quarter that could not be computed is not a change.
    """
    keys = ["indicator_id", "area"]
    merged = now[keys + ["title", "judgement", "spc_signal", "spc_reading"]].merge(
        before[keys + ["judgement", "spc_signal", "spc_reading"]], on=keys, suffixes=("", "_before")
    )
    merged = merged[(merged["area"] == area) & ~merged["indicator_id"].isin(gaps_before["indicator_id"])]
    # An SPC signal changes when its reading does (a run growing from 7 to 8 months is the same signal).
    changed = (merged["judgement"] != merged["judgement_before"]) | (
        merged["spc_reading"] != merged["spc_reading_before"]
    )
    return merged[changed].reset_index(drop=True)


def _source(path: Path) -> SourceFile:
    return SourceFile(str(path), hashlib.sha256(Path(path).read_bytes()).hexdigest())
