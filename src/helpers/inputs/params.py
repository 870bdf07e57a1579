"""Run settings: ``params/defaults.yaml``, then the partnership (``params/partnerships.yaml``),
then the partnership's quarter: ``params/<quarter>.yaml`` for the default partnership (``partnership``
in defaults.yaml), ``params/<id>/<quarter>.yaml`` for the others, read into one frozen ``Settings``.

Unknown keys are errors (Papermill itself only warns about unknown parameters).
"""

from __future__ import annotations

import datetime as dt
import difflib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from .. import config
from ..errors import InputError
from .files import load_yaml, read_bytes

if TYPE_CHECKING:
    from .partnerships import Partnership

RULES = {"significance", "percent_band", "both"}
VINTAGES = {"as_published", "latest"}
NO_EXTRACT = "none"  # local_extract: none - a pack without partner data
DUPLICATES = {"keep", "drop_exact"}  # rows repeating a Crime ID: counted as published, or exact copies left out
_TOP = {
    "partnership",
    "change_rule",
    "percent_band",
    "confidence",
    "overdispersion",
    "spc",
    "local_extract",
    "local_extract_is_sample",
    "contact",
    "meeting_date",
    "commentary",
    "unavailable",
    "population_vintage",
    "baseline",
    "paper_template",
    "suppress_below",
    "small_area_population",
    "duplicates",
}
_BASELINE = {"start", "end", "label", "note"}
_SPC = {"steps", "baseline"}
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_COMMENTARY = {"summary", "sections", "indicators"}
CONTACT_KEYS = {"name", "role", "email", "phone"}  # an officer contact, here and in partnerships.yaml
_UNAVAILABLE = {"reason", "expected"}


DEFAULTS = "defaults.yaml"


@dataclass(frozen=True, slots=True)
class DeclaredBaseline:
    """``baseline``: the months (YYYY-MM) each indicator is set against, with the words for them."""

    start: str
    end: str
    label: str | None = None  # "pre-pandemic": the words in sentences
    note: str | None = None  # said with the baseline in the methods


@dataclass(frozen=True, slots=True)
class SpcSettings:
    """``spc``: the months (YYYY-MM) a new process period starts, with why, and the declared baseline months."""

    steps: tuple[tuple[str, str], ...] = ()
    baseline: tuple[str, str] | None = None  # (first, last month)


@dataclass(frozen=True, slots=True)
class Commentary:
    """The analyst's words (Markdown): a summary, one text per section and per indicator."""

    summary: str | None = None
    sections: dict[str, str] = field(default_factory=dict)
    indicators: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AnalysisKey:
    """Exactly the settings that change a pack's figures and judgements: packs with equal keys share them."""

    change_rule: str
    percent_band: float
    confidence: float
    overdispersion: bool
    suppress_below: int
    baseline: DeclaredBaseline | None
    spc: SpcSettings
    unavailable: tuple[tuple[str, str], ...]
    local_extract_is_sample: bool
    small_area_population: str | None
    population_vintage: str


@dataclass(frozen=True, slots=True)
class Settings:
    """One pack's settings for one quarter, every key checked; the defaults are those of a file that omits it."""

    sources: tuple[Path, ...] = ()  # the params files read, in order: the last is the pack's quarter file
    change_rule: str = "both"
    percent_band: float = 5
    confidence: float = 95
    overdispersion: bool = False
    suppress_below: int = 5
    population_vintage: str = "latest"
    baseline: DeclaredBaseline | None = None
    spc: SpcSettings = SpcSettings()
    local_extract: str = NO_EXTRACT
    local_extract_is_sample: bool = False
    duplicates: str = "keep"
    small_area_population: str | None = None  # ONS's LSOA estimates (CSV), from the project folder
    paper_template: str | None = None  # the committee's Word template, from the project folder
    meeting_date: dt.date | None = None
    contact: dict[str, str] = field(default_factory=dict)  # the officer: defaults, the partnership's, the quarter's
    commentary: Commentary = Commentary()
    unavailable: dict[str, str] = field(default_factory=dict)  # indicator id -> the reason, in words
    listed: tuple[tuple[str, Any], ...] = ()  # every key as the files give it, in order (the report's provenance)

    @property
    def analysis_key(self) -> AnalysisKey:
        """The settings the figures depend on (the meeting date only through the population vintage, set for
        every pack alike; the partnership, its contact, the commentary and the paper template are words)."""
        return AnalysisKey(
            self.change_rule,
            self.percent_band,
            self.confidence,
            self.overdispersion,
            self.suppress_below,
            self.baseline,
            self.spc,
            tuple(sorted(self.unavailable.items())),
            self.local_extract_is_sample,
            self.small_area_population,
            self.population_vintage,
        )


def defaults() -> Settings:
    """params/defaults.yaml, checked."""
    path = config.PARAMS / DEFAULTS
    document = load_yaml(path) or {}
    if not isinstance(document, dict):
        raise InputError("must be a mapping of keys to values", file=path)
    check_params(document, path, None)
    unavailable = {k: unavailable_reason(v) for k, v in (document.get("unavailable") or {}).items()}
    return _settings({"commentary": {}, **document, "unavailable": unavailable}, (path,))


def default_partnership() -> str:
    """The id of the partnership built when none is named (``partnership`` in params/defaults.yaml)."""
    defaults = config.PARAMS / DEFAULTS
    document = load_yaml(defaults) or {}
    chosen = document.get("partnership") if isinstance(document, dict) else None
    if not (isinstance(chosen, str) and chosen.strip()):
        raise InputError(
            "partnership must name the default partnership's id in params/partnerships.yaml",
            file=defaults,
            row="key 'partnership'",
        )
    return chosen.strip()


def _same_force(partnership: Partnership) -> bool:
    """Whether ``partnership`` is compared with a group sharing a district with the default partnership's: packs of
    the same force, whose data missing from the force's systems is missing for each. (Another force's packs, in a
    partnerships file of their own, share none.)"""
    from .partnerships import load_partnerships

    default = load_partnerships().get(default_partnership())
    return default is not None and not set(default.compared_with.districts).isdisjoint(
        partnership.compared_with.districts
    )


def quarter_params_path(quarter_label: str, partnership_id: str | None = None) -> Path:
    """The quarter's own file: params/<quarter>.yaml for the default partnership, else params/<id>/<quarter>.yaml."""
    if partnership_id is None or partnership_id == default_partnership():
        return config.PARAMS / f"{quarter_label}.yaml"
    return config.PARAMS / partnership_id / f"{quarter_label}.yaml"


def load_settings(
    quarter_label: str,
    path: Path | None = None,
    catalogue: dict | None = None,
    partnership: Partnership | None = None,
) -> Settings:
    """Defaults, the partnership's contact and extract, then the quarter's file (if any), every key checked.

    ``partnership``: an ``inputs.partnerships.Partnership`` (None: only defaults and the file); its
    quarter's file is ``quarter_params_path`` unless ``path`` is given. Another partnership's pack of the same force
    (``_same_force``) takes the default partnership's ``unavailable`` list for the quarter unless its own file gives
    one: data missing from the force's systems is missing for every pack, so a district reads the same in each.
    """
    merged: dict = {}
    sources: list[Path] = []
    quarter_file = Path(path) if path else quarter_params_path(quarter_label, partnership.id if partnership else None)
    shared = quarter_params_path(quarter_label)  # the default partnership's: its unavailable list is every pack's
    another = partnership is not None and partnership.id != default_partnership() and _same_force(partnership)
    inherited = load_yaml(shared) if another and shared.exists() else None
    for source in (config.PARAMS / DEFAULTS, quarter_file):
        if source == quarter_file and path is None and not source.exists():
            continue
        document = load_yaml(source) or {}
        if not isinstance(document, dict):
            raise InputError("must be a mapping of keys to values", file=source)
        check_params(document, source, catalogue)
        if document.get("meeting_date") is not None:
            _check_meeting_date(document["meeting_date"], quarter_label, source)
        if source == quarter_file and "duplicates" in document:
            raise InputError(
                "duplicates is set in params/defaults.yaml: the police.uk files are read once for every "
                "pack and quarter",
                file=source,
                row="key 'duplicates'",
            )
        if source == quarter_file and "partnership" in document:
            raise InputError(
                "the partnership is chosen with --partnership (default: params/defaults.yaml), not in a quarter's file",
                file=source,
                row="key 'partnership'",
            )
        if isinstance(merged.get("contact"), dict) and isinstance(document.get("contact"), dict):
            document = {**document, "contact": {**merged["contact"], **document["contact"]}}  # overlay, not replace
        merged.update(document)
        if partnership is not None and source != quarter_file:  # the partnership's settings come before its quarter's
            # its name, id and board are listed with the settings in the report's provenance
            merged.update(
                partnership=partnership.name,
                partnership_id=partnership.id,
                board=partnership.board,
                contact={**merged.get("contact", {}), **partnership.contact},
            )
            if partnership.local_extract:  # its partners' own extract (or none): never the shipped sample
                merged.update(local_extract=partnership.local_extract, local_extract_is_sample=False)
        sources.append(source)
        if source != quarter_file and isinstance(inherited, dict) and "unavailable" in inherited:
            check_params(inherited, shared, catalogue)
            merged["unavailable"] = inherited["unavailable"]
            sources.append(shared)
    merged.setdefault("commentary", {})
    merged["unavailable"] = {k: unavailable_reason(v) for k, v in (merged.get("unavailable") or {}).items()}
    return _settings(merged, tuple(sources))


def _settings(merged: dict, sources: tuple[Path, ...]) -> Settings:
    """The checked, merged keys as ``Settings``."""
    baseline, spc, commentary = merged.get("baseline"), merged.get("spc") or {}, merged["commentary"] or {}
    spc_baseline = spc.get("baseline")
    return Settings(
        sources=sources,
        change_rule=merged.get("change_rule", "both"),
        percent_band=merged.get("percent_band", 5),
        confidence=merged.get("confidence", 95),
        overdispersion=merged.get("overdispersion", False),
        suppress_below=merged.get("suppress_below", 5),
        population_vintage=merged.get("population_vintage", "latest"),
        baseline=DeclaredBaseline(baseline["start"], baseline["end"], baseline.get("label"), baseline.get("note"))
        if baseline
        else None,
        spc=SpcSettings(
            tuple((str(_month(month)), str(why)) for month, why in (spc.get("steps") or {}).items()),
            (str(_month(spc_baseline["start"])), str(_month(spc_baseline["end"]))) if spc_baseline else None,
        ),
        local_extract=merged.get("local_extract", NO_EXTRACT),
        local_extract_is_sample=merged.get("local_extract_is_sample", False),
        duplicates=merged.get("duplicates", "keep"),
        small_area_population=merged.get("small_area_population"),
        paper_template=merged.get("paper_template"),
        meeting_date=merged.get("meeting_date"),
        contact={key: str(value) for key, value in (merged.get("contact") or {}).items()},
        commentary=Commentary(
            commentary.get("summary"), dict(commentary.get("sections") or {}), dict(commentary.get("indicators") or {})
        ),
        unavailable=merged["unavailable"],
        listed=tuple((key, value) for key, value in merged.items() if key != "commentary"),
    )


MEETING_WITHIN_DAYS = 366  # a board meets within a year after its quarter ends


def _check_meeting_date(meeting: dt.date, quarter_label: str, source: Path) -> None:
    """The meeting is after the quarter's last day and within a year of it: a date years away (a typo in the
    year) would choose the population estimates "published by the meeting date" from the wrong year."""
    from ..quarters import parse_quarter

    quarter = parse_quarter(quarter_label)
    ended = quarter.end_month.end_time.date()
    if not ended < meeting <= ended + dt.timedelta(days=MEETING_WITHIN_DAYS):
        raise InputError(
            f"meeting date {meeting:%d %B %Y} is not within a year after {quarter.title} ended "
            f"({ended:%d %B %Y}): check the year",
            file=source,
            row="key 'meeting_date'",
        )


def check_spc_baseline(settings: Settings, months: list[str]) -> None:
    """The declared SPC baseline (``spc: baseline``) lies within the months of data (``months``, sorted):
    one outside them would silently be replaced by another period."""
    if not settings.spc.baseline:
        return
    start, end = settings.spc.baseline
    if start < months[0] or end > months[-1]:
        source = next(
            (
                f
                for f in reversed(settings.sources)
                if isinstance(document := load_yaml(f), dict)
                and isinstance(document.get("spc"), dict)
                and "baseline" in document["spc"]
            ),
            config.PARAMS / DEFAULTS,
        )
        raise InputError(
            f"spc: baseline: {start} to {end} is not within the data, which runs from {months[0]} to "
            f"{months[-1]}: choose months the data hold, or leave the baseline out",
            file=source,
            row="key 'spc'",
        )


def _unavailable_ok(given: object) -> bool:
    """A reason (text), or a mapping of a reason and, optionally, when the data is expected back (both text)."""
    if isinstance(given, dict):
        return (
            "reason" in given
            and not set(given) - _UNAVAILABLE
            and all(isinstance(v, str) and v.strip() for v in given.values())
        )
    return isinstance(given, str) and bool(given.strip())


def unavailable_reason(given: str | dict) -> str:
    """The reason as the report states it: ``{reason: X, expected: 2023/24 Q1}`` is "X; expected back in 2023/24 Q1"."""
    if isinstance(given, str):
        return given.strip()
    reason = given["reason"].strip().rstrip(".")
    return f"{reason}; expected back in {given['expected'].strip()}" if given.get("expected") else reason


def check_params(document: dict, source: Path, catalogue: dict | None) -> None:
    """Raise an InputError naming the first unknown or malformed key."""

    def fail(key: str, problem: str) -> NoReturn:
        raise InputError(problem, file=source, row=f"key '{key}'")

    for key in document:
        if key not in _TOP:
            fail(key, f"unknown key '{key}'; allowed keys are {', '.join(sorted(_TOP))}")
    if "change_rule" in document and (
        not isinstance(document["change_rule"], str) or document["change_rule"] not in RULES
    ):
        fail("change_rule", f"'{document['change_rule']}' is not one of {', '.join(sorted(RULES))}")
    band = document.get("percent_band", 5)
    if isinstance(band, bool) or not (isinstance(band, (int, float)) and 0 <= band < 100):
        fail("percent_band", "must be a number of percent from 0 to 100, such as 5")
    threshold = document.get("suppress_below", 5)
    if isinstance(threshold, bool) or not (isinstance(threshold, int) and 1 <= threshold <= 100):
        fail("suppress_below", "must be a whole number from 1 (suppress nothing) to 100, such as 5")
    if "confidence" in document and document["confidence"] not in (95, 99.8, 0.95, 0.998):
        fail("confidence", "must be 95 or 99.8")
    for key in ("partnership", "local_extract", "paper_template", "small_area_population"):
        if key in document and not (isinstance(document[key], str) and document[key].strip()):
            fail(key, f"{key} must be text")
    if "small_area_population" in document and not (config.ROOT / document["small_area_population"]).is_file():
        fail(
            "small_area_population",
            f"no file {document['small_area_population']}: give the path (from the project "
            "folder) of ONS's LSOA population estimates saved as CSV, or leave the key out for counts",
        )
    paper_template(document.get("paper_template"))
    for key in ("local_extract_is_sample", "overdispersion"):
        if key in document and not isinstance(document[key], bool):
            fail(key, "must be true or false")
    if "spc" in document:
        _check_spc(document["spc"], lambda problem: fail("spc", problem))
    if document.get("meeting_date") is not None and not isinstance(document["meeting_date"], dt.date):
        fail("meeting_date", f"'{document['meeting_date']}' is not a date written as YYYY-MM-DD")
    if "duplicates" in document and document["duplicates"] not in DUPLICATES:
        fail("duplicates", f"'{document['duplicates']}' is not one of {', '.join(sorted(DUPLICATES))}")
    if "population_vintage" in document and document["population_vintage"] not in VINTAGES:
        fail("population_vintage", f"'{document['population_vintage']}' is not one of {', '.join(sorted(VINTAGES))}")
    if "baseline" in document:
        check_baseline(document["baseline"], lambda problem: fail("baseline", problem))
    contact = document.get("contact", {})
    if not isinstance(contact, dict) or set(contact) - CONTACT_KEYS:
        fail("contact", f"contact may hold only {', '.join(sorted(CONTACT_KEYS))}")
    if not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in contact.values()):
        fail("contact", "each contact detail must be text")
    commentary = document.get("commentary", {}) or {}
    if not isinstance(commentary, dict) or set(commentary) - _COMMENTARY:
        fail("commentary", f"commentary may hold only {', '.join(sorted(_COMMENTARY))}")
    if not isinstance(commentary.get("sections") or {}, dict):
        fail("commentary", "commentary: sections: must map section ids to text")
    for section in commentary.get("sections") or {}:
        if section not in config.SECTIONS:
            fail("commentary", f"unknown section '{section}'; sections are {', '.join(config.SECTIONS)}")
    notes, unavailable = commentary.get("indicators") or {}, document.get("unavailable") or {}
    if not isinstance(notes, dict):
        fail("commentary", "commentary: indicators: must map indicator ids to text")
    texts = [("commentary: summary", commentary.get("summary"))]
    texts += [(f"commentary: sections: {k}", v) for k, v in (commentary.get("sections") or {}).items()]
    texts += [(f"commentary: indicators: {k}", v) for k, v in notes.items()]
    for where, text in texts:
        if text is not None and not isinstance(text, (str, int, float)):
            fail("commentary", f"{where} must be text (Markdown), not a list or mapping")
    if not isinstance(unavailable, dict):
        fail("unavailable", "unavailable must map each indicator id to the reason it is not available")
    for indicator_id, given in unavailable.items():
        if not _unavailable_ok(given):
            fail(
                "unavailable",
                f"unavailable: {indicator_id}: give the reason as text, or as {{reason: text, expected: "
                "text}} to say when the data is expected back (e.g. expected: 2023/24 Q1)",
            )
    for indicator_id in notes | unavailable:
        if catalogue is not None and indicator_id not in catalogue:
            close = difflib.get_close_matches(str(indicator_id), list(catalogue), n=3, cutoff=0.8)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            fail("commentary/unavailable", f"unknown indicator id '{indicator_id}'{hint}")


def paper_template(given: str | None) -> bytes | None:
    """The committee's Word template (.docx) named by ``paper_template`` (``given``), a path from the project
    folder, or None."""
    if not given:
        return None
    path = config.ROOT / given
    data = read_bytes(path, "paper template")
    from docx import Document

    try:
        Document(io.BytesIO(data)).styles["Normal"]
    except Exception:  # not a zip, another Office file, broken XML, no Normal style: python-docx raises each its way
        raise InputError(
            "is not a Word document: save the committee template from Word as a .docx", file=path
        ) from None
    return data


def check_baseline(baseline: Any, fail: Callable[[str], NoReturn]) -> None:
    """``baseline``: start and end months (YYYY-MM, start not after end), optional label and note text."""
    if not isinstance(baseline, dict) or set(baseline) - _BASELINE or not {"start", "end"} <= set(baseline):
        fail(
            "baseline needs start and end (YYYY-MM) and may have a label and a note, e.g. "
            "{start: 2019-12, end: 2020-02, label: pre-pandemic}"
        )
    for key in ("start", "end"):
        if not (isinstance(baseline[key], str) and _MONTH.match(baseline[key])):
            fail(f"baseline {key} '{baseline[key]}' is not a month written as YYYY-MM")
    if baseline["start"] > baseline["end"]:
        fail(f"baseline start {baseline['start']} is after its end {baseline['end']}")
    for key in ("label", "note"):
        if key in baseline and not (isinstance(baseline[key], str) and baseline[key].strip()):
            fail(f"baseline {key} must be text")


def _month(value: object) -> str | None:
    """``value`` as 'YYYY-MM' (from 'YYYY-MM' text or a date), or None if it is neither."""
    if isinstance(value, dt.date):
        return f"{value.year:04d}-{value.month:02d}"
    return value.strip() if isinstance(value, str) and _MONTH.match(value.strip()) else None


def _check_spc(spc: Any, fail: Callable[[str], NoReturn]) -> None:
    """``spc: {steps: {YYYY-MM: why}, baseline: {start: YYYY-MM, end: YYYY-MM}}``, both optional."""
    if not isinstance(spc, dict) or set(spc) - _SPC:
        fail(f"spc may hold only {', '.join(sorted(_SPC))}")
    steps = spc.get("steps") or {}
    if not isinstance(steps, dict):
        fail("spc: steps: must map each month (YYYY-MM) to why the process changed then")
    for month, why in steps.items():
        if _month(month) is None:
            fail(f"spc: steps: '{month}' is not a month written as YYYY-MM")
        if not (isinstance(why, str) and why.strip()):
            fail(f"spc: steps: {month}: say why the process changed (text)")
    baseline = spc.get("baseline")
    if baseline is None:
        return
    if not isinstance(baseline, dict) or set(baseline) != {"start", "end"}:
        fail("spc: baseline: must give start and end months, e.g. {start: 2021-04, end: 2022-03}")
    start, end = _month(baseline["start"]), _month(baseline["end"])
    if start is None or end is None:
        name = "start" if start is None else "end"
        fail(f"spc: baseline: {name}: '{baseline[name]}' is not a month written as YYYY-MM")
    if start >= end:
        fail(f"spc: baseline: starts {start}, not before its end {end}")
    crossed = [m for m in map(_month, steps) if m is not None and start < m <= end]
    if crossed:
        fail(f"spc: baseline: {start} to {end} spans the step in {crossed[0]}; a baseline lies within one period")


def new_quarter_params(quarter_label: str, previous_label: str, partnership_id: str | None = None) -> str:
    """YAML for a new quarter: the previous quarter's file with the commentary emptied.

    Settings (meeting date aside) and the list of unavailable indicators carry over,
    so the analyst reviews them rather than retyping them.
    """
    import yaml

    source = quarter_params_path(previous_label, partnership_id)
    read = load_yaml(source) if source.exists() else None
    document = read if isinstance(read, dict) else {}
    document.pop("meeting_date", None)
    document["commentary"] = {"summary": "", "sections": {s: "" for s in config.SECTIONS}, "indicators": {}}
    header = (
        f"# {quarter_label}: written by `safer-report new-quarter` from "
        f"{source.name if source.exists() else 'defaults'}.\n"
        "# Fill in meeting_date (YYYY-MM-DD) and the commentary (Markdown); review `unavailable`.\n"
    )
    return header + "meeting_date: null\n" + yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
