"""The indicator catalogue (``params/indicators.yaml``): what each dashboard row is."""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .. import config
from ..errors import InputError
from .files import read_text

MEASURES = {"rate", "percentage"}
POLARITIES = {"lower_is_better", "higher_is_better", "no_polarity"}
SOURCES = {"police_uk", "local"}
FREQUENCIES = {"monthly", "quarterly"}
# Every "Crime type" police.uk publishes in its street-level files.
CRIME_TYPES = ["Anti-social behaviour", "Bicycle theft", "Burglary", "Criminal damage and arson", "Drugs",
               "Other crime", "Other theft", "Possession of weapons", "Public order", "Robbery", "Shoplifting",
               "Theft from the person", "Vehicle crime", "Violence and sexual offences"]
_KEYS = {"id", "title", "section", "measure", "per", "polarity", "source", "crime_types",
         "frequency", "target", "definition", "notes"}


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

    @property
    def unit(self) -> str:
        """How values are expressed: ``per 10,000``, ``per 1,000`` or ``%``."""
        return "%" if self.measure == "percentage" else f"per {self.per:,}"

    @property
    def periods_per_year(self) -> int:
        return 4 if self.frequency == "quarterly" else 12


class _SafeLoader(yaml.SafeLoader):
    """SafeLoader whose impossible dates (2022-13-45) are YAML errors with a line, not ValueErrors."""

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"'{node.value}' is not a real date ({exc})", node.start_mark) from None

    def construct_mapping(self, node, deep=False):
        """A key given twice is an error: YAML would silently keep only the last value."""
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key_node, _ in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
                if key is not None and key != "<<" and key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"key '{key}' is given twice", key_node.start_mark)
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


_SafeLoader.add_constructor("tag:yaml.org,2002:timestamp", _SafeLoader.construct_yaml_timestamp)


def load_yaml(path: Path) -> object:
    """Read YAML safely (no Python object tags), naming the file and line on error."""
    text = read_text(path, "YAML file")
    try:
        return yaml.load(text, Loader=_SafeLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(f"not valid YAML ({getattr(exc, 'problem', exc)})", file=path,
                         row=mark.line + 1 if mark else None) from None


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
        problems += [f"'{k}' must be text" for k in ("id", "title", "section", "measure", "polarity", "source",
                                                      "frequency", "definition", "notes")
                     if k in entry and entry[k] is not None and not isinstance(entry[k], str)]
        if problems:
            raise InputError("; ".join(problems), file=path, row=where)
        problems += [f"'{k}' is required" for k in ("id", "title", "section", "measure", "polarity", "source", "definition") if not entry.get(k)]
        checks = (("section", config.SECTIONS), ("measure", MEASURES), ("polarity", POLARITIES), ("source", SOURCES),
                  ("frequency", FREQUENCIES))
        problems += [f"{k} '{entry[k]}' is not one of {', '.join(sorted(allowed))}" for k, allowed in checks
                     if k in entry and entry[k] not in allowed]
        if entry.get("measure") == "rate" and not (isinstance(entry.get("per"), int) and entry["per"] > 0):
            problems.append("a rate needs 'per' (for example 10000)")
        if entry.get("source") == "police_uk" and not entry.get("crime_types"):
            problems.append("a police_uk indicator needs 'crime_types'")
        types = entry.get("crime_types") or []
        if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
            problems.append("crime_types must be a list of police.uk crime types, such as [Burglary, Robbery]")
        else:
            problems += [f"crime type '{t}' is not a police.uk crime type"
                         + (f" (did you mean {', '.join(close)}?)" if (close := difflib.get_close_matches(t, CRIME_TYPES, 2, 0.8)) else "")
                         for t in types if t not in CRIME_TYPES]
        target = entry.get("target")
        if target is not None and not (isinstance(target, dict) and {"low", "high"} <= set(target)
                                       and all(isinstance(target[k], (int, float)) and not isinstance(target[k], bool)
                                               for k in ("low", "high"))
                                       and target["low"] <= target["high"]):
            problems.append("target must have low <= high")
        if entry.get("id") in catalogue:
            problems.append(f"id '{entry['id']}' is used twice")
        if problems:
            raise InputError("; ".join(problems), file=path, row=where)
        values = {**entry, "crime_types": tuple(entry.get("crime_types", ())), "notes": entry.get("notes", "")}
        catalogue[entry["id"]] = Indicator(**values)
    return catalogue
