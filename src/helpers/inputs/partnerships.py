"""Partnerships as configuration: ``params/partnerships.yaml`` says who each report is for.

A partnership is a set of districts (ONS code and name) with a board, sub-totals, the group
its districts are compared with and the districts its map hatches as not its own. Every
area a report shows (a district, a sub-total, the comparison group, the partnership) is an
``Area``: a name, a code and the districts it sums.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .. import config
from ..errors import InputError
from .files import load_yaml
from .params import CONTACT_KEYS, default_partnership

_CODE = re.compile(r"^[EWSN]\d{8}$")
_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_PARTNERSHIP_KEYS = {
    "name",
    "code",
    "board",
    "districts",
    "subtotals",
    "compared_with",
    "excludes",
    "contact",
    "boundaries",
    "local_extract",
}
_GROUP_KEYS = {"name", "code", "type", "districts"}
_LABEL_KEYS = {"short", "offset"}


@dataclass(frozen=True)
class Area:
    """One column of a report: ``districts`` maps the names of the districts it sums to their codes."""

    name: str
    code: str
    type: str  # district | county (or another group's type) | partnership
    districts: dict[str, str]


@dataclass(frozen=True)
class Partnership:
    """Who one pack is for, and the areas its report shows."""

    id: str
    name: str
    code: str
    board: str
    districts: dict[str, str]  # members: name -> ONS code
    subtotals: tuple[Area, ...]
    compared_with: Area  # its districts are compared with this group's value
    excludes: dict[str, str]  # hatched on its map: name -> code
    contact: dict = field(default_factory=dict)
    boundaries: Path = config.BOUNDARIES
    map_labels: dict = field(default_factory=dict)  # ONS code -> {short, offset}
    local_extract: str | None = None  # its partners' extract, or none (default: params/defaults.yaml's)

    @property
    def total(self) -> Area:
        """The partnership as a whole: its one district, or the sum of its districts."""
        if len(self.districts) == 1:
            ((name, code),) = self.districts.items()
            return Area(name, code, "district", dict(self.districts))
        return Area(self.name, self.code, "partnership", dict(self.districts))

    @property
    def shown_districts(self) -> dict[str, str]:
        """Its own districts, then the comparison group's others."""
        return {**self.districts, **{n: c for n, c in self.compared_with.districts.items() if n not in self.districts}}

    @property
    def areas(self) -> list[Area]:
        """The report's columns in order: districts, sub-totals, the comparison group, the partnership."""
        areas = [Area(name, code, "district", {name: code}) for name, code in self.shown_districts.items()]
        for extra in (*self.subtotals, self.compared_with, self.total):
            if extra.name not in [a.name for a in areas]:
                areas.append(extra)
        return areas

    @property
    def area_names(self) -> list[str]:
        return [a.name for a in self.areas]


def load_partnerships(path: Path | None = None) -> dict[str, Partnership]:
    """Every partnership in the file, by id, each checked: an InputError names the partnership and the problem."""
    return _read(Path(path or config.PARTNERSHIPS))[0]


def in_group(group_id: str, path: Path | None = None) -> list[str]:
    """The ids of the partnerships whose districts all lie in ``group_id`` (an id under ``groups``, or a
    partnership's: its districts), in the file's order; one line listing the ids when there is no such group."""
    path = Path(path or config.PARTNERSHIPS)
    partnerships, groups = _read(path)
    area = (
        groups[group_id] if group_id in groups else partnerships[group_id].total if group_id in partnerships else None
    )
    if area is None:
        raise InputError(
            f"no group or partnership '{group_id}'; the groups are {', '.join(groups) or 'none'} and the "
            f"partnerships {', '.join(partnerships)}",
            file=path,
        )
    return [pid for pid, p in partnerships.items() if set(p.districts.values()) <= set(area.districts.values())]


def _read(path: Path) -> tuple[dict[str, Partnership], dict[str, Area]]:
    """The file's partnerships and its groups, by id, every one checked."""
    document = load_yaml(path)
    if (
        not isinstance(document, dict)
        or not isinstance(document.get("partnerships"), dict)
        or not document["partnerships"]
    ):
        raise InputError("must hold `partnerships:`, a mapping of partnership ids to their settings", file=path)
    unknown = set(document) - {"groups", "partnerships", "map_labels"}
    if unknown:
        raise InputError(
            f"unknown key '{sorted(unknown)[0]}'; allowed keys are groups, partnerships, map_labels", file=path
        )
    labels = _map_labels(document.get("map_labels") or {}, path)
    raw_groups = document.get("groups") or {}
    if not isinstance(raw_groups, dict):
        raise InputError("groups must map group ids to their settings", file=path, row="groups")
    clash = set(raw_groups) & set(document["partnerships"])
    if clash:
        raise InputError(f"'{sorted(clash)[0]}' is both a group and a partnership: give each its own id", file=path)
    names: dict[str, str] = {}  # every district code named anywhere -> its name, which must agree
    members = {pid: _districts(p, path, f"partnership '{pid}'", names) for pid, p in document["partnerships"].items()}
    groups = {}
    for gid, given in raw_groups.items():
        where = f"group '{gid}'"
        _keys(given, _GROUP_KEYS, path, where)
        codes = given.get("districts")
        if not isinstance(codes, list) or not codes:
            raise InputError("districts must list the ONS codes of its districts", file=path, row=where)
        twice = [c for c in codes if codes.count(c) > 1]
        if twice:
            raise InputError(f"district {twice[0]} is listed twice", file=path, row=where)
        unnamed = [c for c in codes if c not in names]
        if unnamed:
            raise InputError(
                f"district {unnamed[0]} is not a member of any partnership, so its name is not known: check the code",
                file=path,
                row=where,
            )
        groups[gid] = Area(
            _text(given, "name", path, where),
            _code(given.get("code"), path, where),
            _text(given, "type", path, where),
            {names[c]: c for c in codes},
        )
    totals = {
        pid: Area(
            _text(p, "name", path, f"partnership '{pid}'"),
            _code(p.get("code"), path, f"partnership '{pid}'")
            if len(members[pid]) > 1 or "code" in p
            else next(iter(members[pid].values())),
            "partnership",
            members[pid],
        )
        for pid, p in document["partnerships"].items()
    }

    def group(ref, where: str) -> Area:
        if ref in groups:
            return groups[ref]
        if ref in totals:
            return totals[ref]
        raise InputError(f"'{ref}' is neither a group nor a partnership id", file=path, row=where)

    partnerships = {}
    for pid, settings in document["partnerships"].items():
        where = f"partnership '{pid}'"
        if not (isinstance(pid, str) and _ID.match(pid)):
            raise InputError(f"'{pid}' is not an id of lower-case letters, digits and hyphens", file=path, row=where)
        subtotals = settings.get("subtotals") or []
        if not isinstance(subtotals, list):
            raise InputError("subtotals must list group or partnership ids", file=path, row=where)
        subtotals = tuple(group(ref, where) for ref in subtotals)
        for sub in subtotals:
            outside = [n for n in sub.districts if n not in members[pid]]
            if outside:
                raise InputError(
                    f"sub-total {sub.name} holds {outside[0]}, which is not one of its districts", file=path, row=where
                )
        compared = group(settings.get("compared_with", pid), where)
        absent = [n for n in members[pid] if n not in compared.districts]
        if absent:
            raise InputError(
                f"compared_with {compared.name} does not hold its district {absent[0]}: compare it with a "
                "group that contains all its districts",
                file=path,
                row=where,
            )
        excludes = settings.get("excludes") or {}
        if not isinstance(excludes, dict) or not all(_CODE.match(str(c)) for c in excludes):
            raise InputError("excludes must map ONS codes to district names", file=path, row=where)
        contact = settings.get("contact") or {}
        if not isinstance(contact, dict) or set(contact) - CONTACT_KEYS:
            raise InputError(f"contact may hold only {', '.join(sorted(CONTACT_KEYS))}", file=path, row=where)
        boundaries = config.ROOT / settings["boundaries"] if settings.get("boundaries") else config.BOUNDARIES
        local_extract = _text(settings, "local_extract", path, where) if "local_extract" in settings else None
        total = totals[pid]
        if len(members[pid]) == 1 and total.name != next(iter(members[pid])):
            raise InputError(
                f"a one-district partnership is named as its district: name it "
                f"'{next(iter(members[pid]))}', not '{total.name}'",
                file=path,
                row=where,
            )
        partnerships[pid] = Partnership(
            pid,
            total.name,
            total.code,
            _text(settings, "board", path, where),
            members[pid],
            subtotals,
            total if compared is totals[pid] else compared,
            {str(n): str(c) for c, n in excludes.items()},
            contact,
            boundaries,
            labels,
            local_extract,
        )
    names_used: dict[str, tuple[str, ...]] = {}
    for p in partnerships.values():
        for area in p.areas:  # one name, one set of districts: the areas are computed once for every pack
            if names_used.setdefault(area.name, tuple(area.districts.values())) != tuple(area.districts.values()):
                raise InputError(
                    f"the name {area.name} is given to two different sets of districts",
                    file=path,
                    row=f"partnership '{p.id}'",
                )
    return partnerships, groups


def choose(
    partnership_id: str | None, configured: dict[str, Partnership] | None = None, path: Path | None = None
) -> Partnership:
    """The partnership named, or one line listing those configured in ``path`` (default: params/partnerships.yaml).
    None: ``partnership`` in params/defaults.yaml when the file holds it, else the file's first partnership."""
    path = Path(path or config.PARTNERSHIPS)
    configured = configured if configured is not None else load_partnerships(path)
    chosen = partnership_id or default_partnership()
    if partnership_id is None and chosen not in configured:
        chosen = next(iter(configured))
    if chosen not in configured:
        raise InputError(f"no partnership '{chosen}'; the configured ones are {', '.join(configured)}", file=path)
    return configured[chosen]


def every_area(partnerships: list[Partnership]) -> list[Area]:
    """Every area of every pack, once: what a run of all the packs computes."""
    seen: dict[str, Area] = {}
    for p in partnerships:
        for area in p.areas:
            seen.setdefault(area.name, area)
    return list(seen.values())


def _keys(settings, allowed: set[str], path: Path, where: str) -> None:
    if not isinstance(settings, dict):
        raise InputError("must be a mapping of settings", file=path, row=where)
    unknown = sorted(set(settings) - allowed)
    if unknown:
        raise InputError(
            f"unknown key '{unknown[0]}'; allowed keys are {', '.join(sorted(allowed))}", file=path, row=where
        )


def _text(settings: dict, key: str, path: Path, where: str) -> str:
    value = settings.get(key)
    if not (isinstance(value, str) and value.strip()):
        raise InputError(f"{key} must be given as text", file=path, row=where)
    return value.strip()


def _code(value, path: Path, where: str) -> str:
    """An ONS code, or codes joined with + (an area that has no code of its own)."""
    if not (isinstance(value, str) and all(_CODE.match(part) for part in value.split("+"))):
        raise InputError(
            f"code '{value}' is not an ONS code (a letter and eight digits, such as E07000130)", file=path, row=where
        )
    return value


def _districts(settings, path: Path, where: str, names: dict[str, str]) -> dict[str, str]:
    """The member districts, name -> code: each code well formed, each district once, one name per code."""
    _keys(settings, _PARTNERSHIP_KEYS, path, where)
    given = settings.get("districts")
    if not isinstance(given, dict) or not given:
        raise InputError("has no districts: list its member districts as ONS code: name", file=path, row=where)
    members: dict[str, str] = {}
    for code, name in given.items():
        _code(str(code), path, where)
        if "+" in str(code):
            raise InputError(f"district code '{code}' must be one ONS code", file=path, row=where)
        if not (isinstance(name, str) and name.strip()):
            raise InputError(f"district {code} needs its ONS name", file=path, row=where)
        if name in members:
            raise InputError(f"district {name} is listed twice ({members[name]} and {code})", file=path, row=where)
        if names.setdefault(code, name) != name:
            raise InputError(f"district {code} is called {name} here but {names[code]} elsewhere", file=path, row=where)
        other = next((c for c, n in names.items() if n == name and c != code), None)
        if other:
            raise InputError(
                f"district {name} is {code} here but {other} elsewhere: check the code", file=path, row=where
            )
        members[name] = code
    return members


def _map_labels(labels, path: Path) -> dict:
    if not isinstance(labels, dict):
        raise InputError("map_labels must map ONS codes to {short, offset}", file=path, row="map_labels")
    for code, label in labels.items():
        _keys(label, _LABEL_KEYS, path, f"map_labels {code}")
        offset = label.get("offset", [0, 0])
        if not (isinstance(offset, list) and len(offset) == 2 and all(isinstance(v, (int, float)) for v in offset)):
            raise InputError("offset must be [degrees east, degrees north]", file=path, row=f"map_labels {code}")
    return labels
