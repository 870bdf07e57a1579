"""The indicator catalogue (``params/indicators.yaml``): what each dashboard row is."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeGuard

from .. import config
from ..errors import InputError
from .files import load_yaml

MEASURES = {"rate", "percentage"}
POLARITIES = {"lower_is_better", "higher_is_better", "no_polarity"}
SOURCES = {"police_uk", "local"}
FREQUENCIES = {"monthly", "quarterly"}
# Every "Crime type" police.uk publishes in its street-level files.
CRIME_TYPES = [
    "Anti-social behaviour",
    "Bicycle theft",
    "Burglary",
    "Criminal damage and arson",
    "Drugs",
    "Other crime",
    "Other theft",
    "Possession of weapons",
    "Public order",
    "Robbery",
    "Shoplifting",
    "Theft from the person",
    "Vehicle crime",
    "Violence and sexual offences",
]
_KEYS = {
    "id",
    "title",
    "section",
    "measure",
    "per",
    "polarity",
    "source",
    "crime_types",
    "frequency",
    "target",
    "definition",
    "notes",
    "plural",
    "explanation",
    "sensitive",
    "part_of",
    "headline",
    "map",
    "return_sheet",
    "numerator",
    "denominator",
    "sample",
}
_SAMPLE_KEYS = {"of", "share", "per_resident", "base", "peak_months", "peak_factor"}


@dataclass(frozen=True)
class Sample:
    """How ``inputs.sample`` draws a local indicator for the illustrative extract (the catalogue's ``sample``)."""

    of: str = ""  # a police.uk crime type, or a rate drawn per resident listed before: the numerator is a share of it
    share: float | None = None  # the numerator's share of what it is drawn from; None: the rest (with ``of``)
    share_range: tuple[float, float] | None = None  # a percentage's share, drawn uniformly each quarter
    per_resident: float = 0.0  # a count drawn from the population: expected per resident per year (Poisson)
    base: int = 0  # added to that count
    peak_months: tuple[int, ...] = ()  # months (1-12) when that count is ``peak_factor`` times its usual
    peak_factor: float = 1.0


@dataclass(frozen=True)
class Indicator:
    """One dashboard row."""

    id: str
    title: str
    section: str
    measure: str
    polarity: str
    source: str
    definition: str
    per: int | None = None
    crime_types: tuple[str, ...] = ()
    frequency: str = "monthly"
    target: dict | None = field(default=None, hash=False)
    notes: str = ""
    plural: bool = False  # the title is plural ("Hate crimes"): sentences say "are", not "is"
    explanation: str = ""  # what the measure is, for a board member, in a sentence or two (optional)
    sensitive: bool = (
        False  # small counts below district level could identify victims: suppressed (params' suppress_below)
    )
    part_of: str = (
        ""  # the id of the indicator this one is a part of (burglary residential of burglary): the paper groups them
    )
    headline: int | None = None  # its place among the Where chapter's indicators by neighbourhood (police.uk only)
    map: bool = False  # a headline indicator the Where chapter draws as hotspot maps
    return_sheet: str = ""  # the partners' return sheet that asks for it (local only; "" : "Other")
    numerator: str = ""  # what a percentage's numerator and denominator count, as the return asks for them
    denominator: str = ""
    sample: Sample | None = None  # how the illustrative local extract draws it (local only)

    @property
    def unit(self) -> str:
        """How values are expressed: ``per 10,000``, ``per 1,000`` or ``%``."""
        return "%" if self.measure == "percentage" else f"per {self.per:,}"

    @property
    def scale(self) -> int:
        """What a ratio is multiplied by to give a value: ``per`` for a rate (a rate has one: checked on loading),
        100 for a percentage."""
        return self.per if self.measure == "rate" and self.per else 100

    @property
    def subject(self) -> str:
        """The title and its verb, to start a sentence: ``Shoplifting is``, ``Hate crimes are``."""
        return f"{self.title} {'are' if self.plural else 'is'}"

    @property
    def periods_per_year(self) -> int:
        return 4 if self.frequency == "quarterly" else 12

    def counted_types(self, seen: Iterable[str]) -> list[str]:
        """The crime types among ``seen`` (those in the police.uk files) this indicator counts: its own and, for
        an indicator of every police.uk crime type but anti-social behaviour (total recorded crime), any type the
        files hold that ``CRIME_TYPES`` lacks (a category police.uk has added), so that no crime is dropped."""
        every_crime = set(CRIME_TYPES) - {"Anti-social behaviour"} <= set(self.crime_types)
        return [t for t in seen if t in self.crime_types or (every_crime and t not in CRIME_TYPES)]


def load_catalogue(path: Path | None = None) -> dict[str, Indicator]:
    """Every indicator by id, in catalogue order, each entry checked."""
    path = Path(path or config.CATALOGUE)
    document = load_yaml(path)
    entries = document.get("indicators") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not entries:
        raise InputError("must hold a list under 'indicators:'", file=path)
    catalogue: dict[str, Indicator] = {}
    for number, entry in enumerate(entries, start=1):
        where = f"indicator {number} ({entry.get('id', 'no id') if isinstance(entry, dict) else entry})"
        if not isinstance(entry, dict):
            raise InputError("each indicator must be a mapping of keys", file=path, row=where)
        problems = [f"unknown key '{k}'" for k in entry if k not in _KEYS]
        problems += [
            f"'{k}' must be text"
            for k in (
                "id",
                "title",
                "section",
                "measure",
                "polarity",
                "source",
                "frequency",
                "definition",
                "notes",
                "explanation",
                "part_of",
                "return_sheet",
                "numerator",
                "denominator",
            )
            if k in entry and entry[k] is not None and not isinstance(entry[k], str)
        ]
        problems += [
            f"'{k}' must be true or false"
            for k in ("plural", "sensitive", "map")
            if k in entry and not isinstance(entry[k], bool)
        ]
        if problems:
            raise InputError("; ".join(problems), file=path, row=where)
        problems += [
            f"'{k}' is required"
            for k in ("id", "title", "section", "measure", "polarity", "source", "definition")
            if not entry.get(k)
        ]
        checks = (
            ("section", config.SECTIONS),
            ("measure", MEASURES),
            ("polarity", POLARITIES),
            ("source", SOURCES),
            ("frequency", FREQUENCIES),
        )
        problems += [
            f"{k} '{entry[k]}' is not one of {', '.join(sorted(allowed))}"
            for k, allowed in checks
            if k in entry and entry[k] not in allowed
        ]
        if entry.get("measure") == "rate" and not (isinstance(entry.get("per"), int) and entry["per"] > 0):
            problems.append("a rate needs 'per' (for example 10000)")
        if entry.get("source") == "police_uk" and not entry.get("crime_types"):
            problems.append("a police_uk indicator needs 'crime_types'")
        types = entry.get("crime_types") or []
        if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
            problems.append("crime_types must be a list of police.uk crime types, such as [Burglary, Robbery]")
        else:
            problems += [
                f"crime type '{t}' is not a police.uk crime type"
                + (
                    f" (did you mean {', '.join(close)}?)"
                    if (close := difflib.get_close_matches(t, CRIME_TYPES, 2, 0.8))
                    else ""
                )
                for t in types
                if t not in CRIME_TYPES
            ]
        target = entry.get("target")
        if target is not None and not (
            isinstance(target, dict)
            and {"low", "high"} <= set(target)
            and all(isinstance(target[k], (int, float)) and not isinstance(target[k], bool) for k in ("low", "high"))
            and target["low"] <= target["high"]
        ):
            problems.append("target must have low <= high")
        if entry.get("id") in catalogue:
            problems.append(f"id '{entry['id']}' is used twice")
        whole = catalogue.get(entry.get("part_of") or "")
        if entry.get("part_of") and not (whole and whole.section == entry["section"] and not whole.part_of):
            problems.append(
                f"part_of '{entry['part_of']}' must be an indicator listed before it in the same section, "
                "not itself a part"
            )
        problems += _placement_problems(entry, catalogue)
        sample = None
        if "sample" in entry:
            sample, sample_problems = _sample(entry, catalogue)
            problems += sample_problems
        if problems:
            raise InputError("; ".join(problems), file=path, row=where)
        values = {
            **entry,
            "crime_types": tuple(entry.get("crime_types", ())),
            "notes": entry.get("notes") or "",
            "explanation": (entry.get("explanation") or "").strip(),
            "part_of": entry.get("part_of") or "",
            "return_sheet": entry.get("return_sheet") or "",
            "numerator": entry.get("numerator") or "",
            "denominator": entry.get("denominator") or "",
            "sample": sample,
        }
        catalogue[entry["id"]] = Indicator(**values)
    return catalogue


def _placement_problems(entry: dict, catalogue: dict[str, Indicator]) -> list[str]:
    """What is wrong with an entry's ``headline``, ``map``, ``return_sheet``, ``numerator`` and ``denominator``."""
    problems = []
    headline = entry.get("headline")
    if headline is not None:
        if not (isinstance(headline, int) and not isinstance(headline, bool) and headline > 0):
            problems.append(f"headline '{headline}' must be a whole number from 1 (its place in the Where chapter)")
        elif entry.get("source") != "police_uk":
            problems.append("headline is for a police_uk indicator (counted by neighbourhood)")
        elif taken := [i.id for i in catalogue.values() if i.headline == headline]:
            problems.append(f"headline {headline} is also {taken[0]}'s")
    if entry.get("map") and headline is None:
        problems.append("map is for a headline indicator: give it a headline place")
    if entry.get("source") != "local":
        problems += [f"{k} is for a local indicator" for k in ("return_sheet", "sample") if k in entry]
    else:
        sheet = entry.get("return_sheet") or ""
        other = next(
            (
                i
                for i in catalogue.values()
                if i.source == "local" and i.return_sheet == sheet and i.measure != entry.get("measure")
            ),
            None,
        )
        if other:  # a sheet's headers say what its numerator and denominator count
            problems.append(
                f"return_sheet '{sheet or 'Other'}' also holds {other.id}, a {other.measure}: "
                "rates and percentages need sheets of their own"
            )
    if entry.get("measure") != "percentage":
        problems += [f"{k} is for a percentage" for k in ("numerator", "denominator") if k in entry]
    return problems


def _sample(entry: dict, catalogue: dict[str, Indicator]) -> tuple[Sample | None, list[str]]:
    """The entry's ``sample`` read, or what is wrong with it."""
    spec = entry["sample"]
    if not isinstance(spec, dict):
        return None, ["sample must be a mapping, such as {of: Burglary, share: 0.68}"]
    problems = [f"sample: unknown key '{k}'" for k in spec if k not in _SAMPLE_KEYS]
    of, given, percentage = spec.get("of"), spec.get("share"), entry.get("measure") == "percentage"
    if ("of" in spec) == ("per_resident" in spec):
        problems.append("sample needs one of 'of' (a share of another count) or 'per_resident'")
    if "of" in spec:
        drawn = catalogue.get(of) if isinstance(of, str) else None
        if of not in CRIME_TYPES and not (
            drawn and drawn.sample and drawn.sample.per_resident and drawn.measure == "rate" and not drawn.sample.of
        ):
            problems.append(
                f"sample: of '{of}' must be a police.uk crime type, or a rate listed before it drawn per_resident"
            )
        if percentage or entry.get("frequency") == "quarterly":
            problems.append("sample: 'of' is for a monthly rate")
        problems += [
            f"sample: '{k}' is for one drawn from the population" for k in _SAMPLE_KEYS - {"of", "share"} if k in spec
        ]
    if "per_resident" in spec and not _positive(spec["per_resident"]):
        problems.append("sample: per_resident must be a number above 0")
    if not (spec.get("base", 0) == 0 or _positive(spec["base"]) and isinstance(spec["base"], int)):
        problems.append("sample: base must be a whole number of 0 or more")
    months = spec.get("peak_months", [])
    if not (isinstance(months, list) and all(isinstance(m, int) and 1 <= m <= 12 for m in months)):
        problems.append("sample: peak_months must be a list of months 1 to 12")
    if not _positive(spec.get("peak_factor", 1.0)):
        problems.append("sample: peak_factor must be a number above 0")
    share: float | None = float(given) if _fraction(given) else None
    share_range = None
    if "of" in spec:
        parts = [i for i in catalogue.values() if i.sample and i.sample.of == of]
        if share is None and given != "rest":
            problems.append("sample: share must be a number from 0 to 1, or rest")
        elif share is not None and round(share + sum(i.sample.share or 0.0 for i in parts if i.sample), 9) > 1:
            problems.append(f"sample: the shares of '{of}' add up to more than 1")
        if rest := next((i.id for i in parts if i.sample and i.sample.share is None), None):
            problems.append(f"sample: {rest}, listed before, already takes the rest of '{of}'")
    elif percentage:
        if isinstance(given, list) and len(given) == 2 and all(_fraction(x) for x in given) and given[0] <= given[1]:
            share_range = (float(given[0]), float(given[1]))
        elif share is None:
            problems.append("sample: a percentage needs a share from 0 to 1, or [low, high]")
    elif "share" in spec:
        problems.append("sample: share is for 'of' or a percentage")
    if problems:
        return None, problems
    return Sample(
        of=of or "",
        share=share,
        share_range=share_range,
        per_resident=float(spec.get("per_resident", 0.0)),
        base=spec.get("base", 0),
        peak_months=tuple(months),
        peak_factor=float(spec.get("peak_factor", 1.0)),
    ), []


def _positive(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


def _fraction(value: object) -> TypeGuard[float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 1
