"""Compute everything a quarter's report needs, once, from the raw inputs.

``compute`` reads the inputs and returns a ``Results`` bundle (``results.py``), which a
build hands to the section notebooks so they do no heavy work themselves.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import config
from ..errors import InputError
from ..inputs.boundaries import read_boundaries, select
from ..inputs.catalogue import load_catalogue
from ..inputs.files import SourceFile
from ..inputs.local_extract import read_local_extract
from ..inputs.params import NO_EXTRACT, check_spc_baseline, defaults, load_params
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
from .context import add_context, baseline_values, find_baseline, series_extremes
from .gaps import data_gaps
from .indicators import monthly_numerators, population_note, population_year, quarter_table, rolling_values
from .neighbourhoods import headline_ids, neighbourhood_table, top_streets, year_points
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
    raise InputError(
        f"the police.uk files cover {min(months)} to {max(months)}: no quarter has the 12 months a report needs"
    )


@dataclass
class Inputs:
    """Everything read once for every pack of a quarter: the files, counts and SPC charts shared by all."""

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
    computed: dict = field(default_factory=dict)  # what packs with the same settings share, computed once

    def once(self, key: tuple, make):
        """``make()``, computed for the first pack that needs it and shared by the rest."""
        if key not in self.computed:
            self.computed[key] = make()
        return self.computed[key]


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
    return [compute_pack(shared, p, params_file) for p in partnerships]


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
        duplicates=defaults().get("duplicates", "keep"),
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
    return Inputs(
        catalogue,
        police,
        quarter,
        local_path,
        population,
        monthly,
        local_given,
        areas,
        partnerships,
        read_msoa_names(),
        vintage,
    )


def _local_extract(
    partnerships: list[Partnership], quarter: Quarter, catalogue: dict, params_file: Path | None, local: Path | None
) -> tuple[Path | None, bool]:
    """The local extract every pack reads (None: ``local_extract: none``) and whether it is partners' data rather
    than the shipped sample: ``--local``, else the ``local_extract`` of the packs' params (``--params`` or their
    quarter files, over params/defaults.yaml); packs naming different extracts are built one at a time."""
    if local:
        return Path(local), True
    named = {load_params(quarter.label, params_file, catalogue, p)["local_extract"]: p for p in partnerships}
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
    return config.ROOT / path, path != defaults().get("local_extract")


def _vintage(quarter: Quarter, catalogue: dict, params_file: Path | None, name: str) -> tuple[dt.date | None, str]:
    """The day every pack's population estimates must have been published by, and whose date it is: the default
    partnership's (``name``) meeting date for the quarter (its params file, or ``params_file`` when that pack alone is
    built), so that a district has the same population, and so the same rates, in every pack of a quarter. (None, "")
    for the latest estimates (``population_vintage: latest``); (None, "unknown") when no meeting date is set."""
    params = load_params(quarter.label, params_file, catalogue)
    if params.get("population_vintage") != "as_published":
        return None, ""
    if not params.get("meeting_date"):
        return None, "unknown"
    return params["meeting_date"], f"the {name} board's meeting date, for every pack alike"


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


def compute_pack(shared: Inputs, partnership: Partnership, params_file: Path | None = None) -> Results:
    """One partnership's Results from the shared inputs: its areas, its params, its comparisons."""
    from .assess import assess, compare_districts, spc_charts, spc_points  # scipy only when computing, not by notebooks
    from .breaks import data_breaks  # loading a bundle

    catalogue, quarter, police = shared.catalogue, shared.quarter, shared.police
    names = partnership.area_names
    params = load_params(quarter.label, params_file, catalogue, partnership)
    check_spc_baseline(params, police.months)
    population, years = shared.population, sorted(shared.population["year"].unique())
    codes = {code: name for name, code in partnership.shown_districts.items()}
    for year in years or [quarter.end_month.year]:  # no estimate at all: name the quarter's year
        if missing := missing_population(population, codes, year):
            raise InputError(missing_population_message(codes, missing, year))
    published_by, meeting = shared.vintage
    monthly = shared.monthly[shared.monthly["area"].isin(names)].reset_index(drop=True)
    ends = list(window(quarter.end_month, SERIES_MONTHS))
    # every month end from the first data: the charts show the last 24, context finds the highest and lowest
    every_end = pd.period_range(min(pd.Period(min(police.months), "M"), ends[0]), quarter.end_month, freq="M")
    everywhere = shared.once(
        ("rolling", published_by),
        lambda: rolling_values(shared.monthly, catalogue, population, list(every_end), shared.areas, published_by),
    )
    rolling = everywhere[everywhere["area"].isin(names)].reset_index(drop=True)
    sample = bool(params.get("local_extract_is_sample")) and not shared.local_given
    baseline = find_baseline(params, quarter, sorted(shared.monthly["month"].unique()), years, published_by)
    baselines = shared.once(
        ("baseline", repr(baseline)),
        lambda: baseline_values(shared.monthly, catalogue, population, baseline, shared.areas),
    )
    extremes = shared.once(("extremes", published_by), lambda: series_extremes(everywhere, quarter.end_month))

    def charts_for(when: Quarter, settings: dict) -> dict:
        return shared.once(
            ("spc", when.label, repr(settings.get("spc"))),
            lambda: spc_charts(shared.monthly, catalogue, settings, when),
        )

    charts, breaks = charts_for(quarter, params), data_breaks(police.quality, quarter)
    # Every area's figures and judgements, once for the packs whose params agree; each pack then takes its areas
    # and compares its districts with its own group.
    whole = shared.once(
        ("table", _analysis_key(params, published_by)),
        lambda: add_context(
            assess(
                quarter_table(
                    everywhere,
                    shared.monthly,
                    catalogue,
                    quarter,
                    params["unavailable"],
                    sample,
                    shared.areas,
                    shared.local_path is not None,
                ),
                shared.monthly,
                catalogue,
                params,
                quarter,
                charts,
                breaks,
                compare=False,
            ),
            shared.monthly,
            catalogue,
            population,
            quarter,
            params,
            published_by,
            shared.areas,
            baselines,
            extremes,
        ),
    )
    table = compare_districts(
        _pack_rows(whole, names), shared.monthly, catalogue, params, quarter, partnership.compared_with.name
    )
    last = quarter.previous()
    last_params = load_params(last.label, None, catalogue, partnership)
    last_whole = shared.once(
        ("last table", _analysis_key(last_params, published_by)),
        lambda: assess(
            quarter_table(
                everywhere,
                shared.monthly,
                catalogue,
                last,
                last_params["unavailable"],
                sample,
                shared.areas,
                shared.local_path is not None,
            ),
            shared.monthly,
            catalogue,
            last_params,
            last,
            charts_for(last, last_params),
            data_breaks(police.quality, last),
            compare=False,
        ),
    )
    last_table = _pack_rows(last_whole, names)
    total = partnership.total.name
    last_gaps = data_gaps(last_table[last_table["area"] == total], last_params["unavailable"])[
        ["indicator_id", "title", "status", "reason"]
    ]
    series = rolling[rolling["period_end"].isin([str(e) for e in ends])].reset_index(drop=True)
    uses = [
        (f"the 12 months to {end.strftime('%B %Y')}", *population_year(end, years, published_by=published_by))
        for end in (quarter.end_month, quarter.end_month - 12)
    ]
    if baseline.population_year:
        uses.append((f"the {baseline.label} baseline", baseline.population_year, baseline.population_why))
    note = population_note(uses, published_by, meeting == "unknown", meeting)
    shapes = shared.once(("boundaries", str(partnership.boundaries)), lambda: read_boundaries(partnership.boundaries))
    boundaries = select(shapes, [*partnership.shown_districts.values(), *partnership.excludes.values()])
    small_area_file = params.get("small_area_population")  # ONS's LSOA estimates: neighbourhood rates
    files = police.files + [
        *([_source(shared.local_path)] if shared.local_path else []),
        *(_source(p) for p in sorted(config.POPULATION.glob("*.csv"))),
        *([_source(config.ROOT / small_area_file)] if small_area_file else []),
        _source(config.LAD_SUCCESSORS),
        *(_source(p) for p in config.MSOA_NAMES),
        _source(partnership.boundaries),
    ]
    spc = spc_points({key: chart for key, chart in charts.items() if key[1] in names})
    # Below the district a pack shows its own districts only: counted once for the districts of every pack.
    own, small = partnership.districts, {name: code for p in shared.partnerships for name, code in p.districts.items()}
    residents = (
        shared.once(
            ("small-area population", small_area_file), lambda: read_lsoa_population(config.ROOT / small_area_file)
        )
        if small_area_file
        else None
    )
    neighbourhoods = shared.once(
        ("neighbourhoods", params["confidence"], params["suppress_below"], small_area_file),
        lambda: neighbourhood_table(
            police.lsoa_counts,
            catalogue,
            quarter,
            small,
            params["confidence"],
            params["suppress_below"],
            police.months,
            shared.msoa_names,
            residents,
        ),
    )
    streets = shared.once(
        ("streets", params["suppress_below"]),
        lambda: top_streets(
            police.street_counts, catalogue, quarter, small, params["suppress_below"], headline_ids(catalogue)
        ),
    )
    points = shared.once(("points",), lambda: year_points(police.points, quarter))
    return Results(
        quarter,
        params,
        catalogue,
        table,
        series,
        monthly,
        pack_quality(police, partnership),
        files,
        note,
        changes_since(last_table, table, last_gaps, total),
        last_gaps,
        boundaries,
        baseline_note=baseline.describe(),
        spc=spc,
        breaks=breaks,
        partnership=partnership,
        neighbourhoods=neighbourhoods[neighbourhoods["district"].isin(own)].reset_index(drop=True),
        streets=streets[streets["district"].isin(own)].reset_index(drop=True),
        points=points[points["district"].isin(own)].reset_index(drop=True),
        data_warnings=police.warnings,
    )


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


# params that change what is said, not the figures: packs differing only in these share their figures
_WORDS_ONLY = {
    "commentary",
    "_files",
    "partnership",
    "partnership_id",
    "board",
    "contact",
    "paper_template",
    "meeting_date",
}


def _analysis_key(params: dict, published_by: dt.date | None) -> str:
    """What the figures and judgements depend on in ``params`` (the meeting date through ``published_by``)."""
    return repr((published_by, sorted((k, repr(v)) for k, v in params.items() if k not in _WORDS_ONLY)))


def _pack_rows(table: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """The rows of ``names``' areas, in catalogue order and then the pack's order of areas."""
    chosen = table[table["area"].isin(names)]
    order = pd.Categorical(chosen["area"], categories=names, ordered=True)
    indicator = pd.Categorical(
        chosen["indicator_id"], categories=list(dict.fromkeys(table["indicator_id"])), ordered=True
    )
    return (
        chosen.assign(_i=indicator, _a=order)
        .sort_values(["_i", "_a"])
        .drop(columns=["_i", "_a"])
        .reset_index(drop=True)
    )


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
