"""The indicator catalogue (``params/indicators.yaml``): what each dashboard row is."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

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
}


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

    @property
    def unit(self) -> str:
        """How values are expressed: ``per 10,000``, ``per 1,000`` or ``%``."""
        return "%" if self.measure == "percentage" else f"per {self.per:,}"

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
            )
            if k in entry and entry[k] is not None and not isinstance(entry[k], str)
        ]
        problems += [
            f"'{k}' must be true or false"
            for k in ("plural", "sensitive")
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
        if problems:
            raise InputError("; ".join(problems), file=path, row=where)
        values = {
            **entry,
            "crime_types": tuple(entry.get("crime_types", ())),
            "notes": entry.get("notes") or "",
            "explanation": (entry.get("explanation") or "").strip(),
            "part_of": entry.get("part_of") or "",
        }
        catalogue[entry["id"]] = Indicator(**values)
    return catalogue
