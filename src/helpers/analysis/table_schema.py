"""The column schema of the indicator table (``Results.table``, written as ``indicators.csv``): for each column its
kind, whether it may be empty (NaN or None) and, for the columns holding a word from a fixed set, the words allowed.

``problems`` checks a table against it: one line for each column missing, extra, of another kind, empty where it may
not be, or holding a word outside its set.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from pandas.api import types

from .. import config
from .spc import POLARITIES
from .vocabulary import BaselinePlace, Direction, GroupPlace, Icon, Judgement, Reading, TargetStatus, Term

Kind = Literal["text", "number", "flag", "flag_or_none"]  # flag_or_none: True, False or None (a test not run)


@dataclass(frozen=True, slots=True)
class Column:
    kind: Kind
    nullable: bool = False  # may hold NaN (a number) or None (a flag_or_none)
    allowed: frozenset[str] | None = None  # the words a text column may hold


def _words(*words: str) -> frozenset[str]:
    return frozenset(words)


def _terms(terms: type[Term], empty: bool = True) -> frozenset[str]:
    """The words of a vocabulary's members, and "" (not judged) when ``empty``."""
    return frozenset([*([""] if empty else []), *(member.value for member in terms)])


TEXT, NUMBER, NUMBER_OR_NONE = Column("text"), Column("number"), Column("number", nullable=True)
CHANGE = _terms(BaselinePlace)  # context's comparison with the baseline

INDICATOR_TABLE: dict[str, Column] = {
    "indicator_id": TEXT,
    "title": TEXT,
    "section": Column("text", allowed=frozenset(config.SECTIONS)),
    "measure": Column("text", allowed=_words("rate", "percentage")),
    "unit": TEXT,
    "polarity": Column("text", allowed=frozenset(POLARITIES)),
    "source": Column("text", allowed=_words("police_uk", "local")),
    "illustrative": Column("flag"),
    "area": TEXT,
    "area_code": TEXT,
    "area_type": TEXT,  # district, partnership, or a group's own type (county, force area ...)
    "period": TEXT,
    "period_end": TEXT,
    "numerator": NUMBER_OR_NONE,
    "denominator": NUMBER_OR_NONE,
    "value": NUMBER_OR_NONE,
    "previous_period_end": TEXT,
    "previous_numerator": NUMBER_OR_NONE,
    "previous_denominator": NUMBER_OR_NONE,
    "previous_value": NUMBER_OR_NONE,
    "change_abs": NUMBER_OR_NONE,
    "change_pct": NUMBER_OR_NONE,
    "population_year": NUMBER_OR_NONE,
    "status": Column("text", allowed=_words("available", "not available")),
    "reason": TEXT,
    "ci_low": NUMBER_OR_NONE,
    "ci_high": NUMBER_OR_NONE,
    "previous_ci_low": NUMBER_OR_NONE,
    "previous_ci_high": NUMBER_OR_NONE,
    "dispersion": NUMBER_OR_NONE,
    "p_value": NUMBER_OR_NONE,
    "significant": Column("flag_or_none", nullable=True),
    "direction": Column("text", allowed=_terms(Direction)),
    "judgement": Column("text", allowed=_terms(Judgement, empty=False)),
    "target_status": Column("text", allowed=_terms(TargetStatus)),
    "spc_signal": TEXT,  # "" (not judged), "none", or the latest signal in words
    "spc_reading": Column("text", allowed=_terms(Reading)),
    "spc_icon": Column("text", allowed=_terms(Icon)),
    "spc_baseline": TEXT,
    "data_break": TEXT,
    "vs_partnership": Column("text", allowed=_terms(GroupPlace, empty=False)),
    "group_method": Column("text", allowed=_words("", "rest of group", "funnel")),
    "group_reference": NUMBER_OR_NONE,
    "group_p_value": NUMBER_OR_NONE,
    "group_dispersion": NUMBER_OR_NONE,
    "group_low": NUMBER_OR_NONE,
    "group_high": NUMBER_OR_NONE,
    "baseline_label": TEXT,
    "baseline_period": TEXT,
    "baseline_months": NUMBER_OR_NONE,
    "baseline_numerator": NUMBER_OR_NONE,
    "baseline_denominator": NUMBER_OR_NONE,
    "baseline_value": NUMBER_OR_NONE,
    "vs_baseline": Column("text", allowed=CHANGE),
    "previous_vs_baseline": Column("text", allowed=CHANGE),
    "baseline_gap_pct": NUMBER_OR_NONE,
    "baseline_reason": TEXT,
    "series_extreme": TEXT,
    "series_start": TEXT,
    "quarter_period": TEXT,
    "quarter_numerator": NUMBER_OR_NONE,
    "quarter_denominator": NUMBER_OR_NONE,
    "quarter_value": NUMBER_OR_NONE,
    "previous_quarter_numerator": NUMBER_OR_NONE,
    "previous_quarter_denominator": NUMBER_OR_NONE,
    "previous_quarter_value": NUMBER_OR_NONE,
    "quarter_change_abs": NUMBER_OR_NONE,
    "quarter_change_pct": NUMBER_OR_NONE,
    "quarter_p_value": NUMBER_OR_NONE,
    "quarter_significant": Column("flag_or_none", nullable=True),
}


def problems(table: pd.DataFrame, schema: dict[str, Column] = INDICATOR_TABLE) -> list[str]:
    """One line for each way ``table`` departs from ``schema`` (none: it conforms)."""
    found = [f"column {name} is missing" for name in schema if name not in table.columns]
    found += [f"column {name} is not in the schema" for name in table.columns if name not in schema]
    for name, column in schema.items():
        if name in table.columns:
            found += _column_problems(name, table[name], column)
    return found


def _column_problems(name: str, values: pd.Series, column: Column) -> list[str]:
    empty = values.isna()
    if empty.any() and not column.nullable:
        return [f"column {name} is empty in {int(empty.sum())} rows"]
    given = values[~empty]
    if column.kind == "number" and not (types.is_numeric_dtype(values) and not types.is_bool_dtype(values)):
        return [f"column {name} holds {values.dtype}, not numbers"]
    if column.kind == "flag" and not types.is_bool_dtype(values):
        return [f"column {name} holds {values.dtype}, not true or false"]
    if column.kind == "flag_or_none" and not given.map(lambda v: isinstance(v, (bool, np.bool_))).all():
        return [f"column {name} holds values other than true, false or none"]
    if column.kind == "text":
        if not given.map(lambda v: isinstance(v, str)).all():
            return [f"column {name} holds values other than text"]
        if column.allowed is not None and (outside := sorted(set(given) - column.allowed)):
            return [f"column {name} holds {', '.join(map(repr, outside))}, outside {sorted(column.allowed)}"]
    return []
