"""The indicator catalogue (``params/indicators.yaml``): what each dashboard row is."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import config
from .errors import InputError

MEASURES = {"rate", "percentage"}
POLARITIES = {"lower_is_better", "higher_is_better", "no_polarity"}
SOURCES = {"police_uk", "local"}
FREQUENCIES = {"monthly", "quarterly"}
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


_SafeLoader.add_constructor("tag:yaml.org,2002:timestamp", _SafeLoader.construct_yaml_timestamp)


def load_yaml(path: Path) -> object:
    """Read YAML safely (no Python object tags), naming the file and line on error."""
    try:
        with open(path, encoding="utf-8") as handle:
            return yaml.load(handle, Loader=_SafeLoader)  # noqa: S506 - a SafeLoader subclass
    except FileNotFoundError:
        raise InputError("file not found", file=path) from None
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
        problems += [f"'{k}' is required" for k in ("id", "title", "section", "measure", "polarity", "source", "definition") if not entry.get(k)]
        checks = (("section", config.SECTIONS), ("measure", MEASURES), ("polarity", POLARITIES), ("source", SOURCES),
                  ("frequency", FREQUENCIES))
        problems += [f"{k} '{entry[k]}' is not one of {', '.join(sorted(allowed))}" for k, allowed in checks
                     if k in entry and entry[k] not in allowed]
        if entry.get("measure") == "rate" and not (isinstance(entry.get("per"), int) and entry["per"] > 0):
            problems.append("a rate needs 'per' (for example 10000)")
        if entry.get("source") == "police_uk" and not entry.get("crime_types"):
            problems.append("a police_uk indicator needs 'crime_types'")
        target = entry.get("target")
        if target is not None and not (isinstance(target, dict) and {"low", "high"} <= set(target) and target["low"] <= target["high"]):
            problems.append("target must have low <= high")
        if entry.get("id") in catalogue:
            problems.append(f"id '{entry['id']}' is used twice")
        if problems:
            raise InputError("; ".join(problems), file=path, row=where)
        values = {**entry, "crime_types": tuple(entry.get("crime_types", ())), "notes": entry.get("notes", "")}
        catalogue[entry["id"]] = Indicator(**values)
    return catalogue
