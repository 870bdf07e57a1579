"""Workbook cells written safely, shared by the Excel dashboard and the partners' data return.

Every cell holds a value, never a formula. Every text cell goes through ``safe_text``:
following OWASP's advice on formula (CSV) injection, text that starts with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return gets a leading single quote, and the
cell is forced to the string type, so neither Excel nor LibreOffice can evaluate it.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .quarters import Quarter

FONT = "Calibri"  # LibreOffice substitutes the metric-compatible Carlito
NAVY = "12436D"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: object) -> str:
    """``value`` as text Excel cannot read as a formula (OWASP: prefix a single quote)."""
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    return "'" + text if text.startswith(_FORMULA_START) else text


def _plain(value: object) -> object:
    """A cell value: text made safe, numpy numbers made Python, missing made empty."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, str):
        return safe_text(value)
    return value.item() if hasattr(value, "item") else value


def _plain_column(column: pd.Series) -> list[object]:
    """``[_plain(value) for value in column]``, a column at a time: numbers by their dtype, each distinct text made
    safe once."""
    values = column.tolist()  # numpy numbers come as Python numbers
    if isinstance(column.dtype, np.dtype) and column.dtype.kind == "f":
        return [None if math.isnan(value) else value for value in values]
    if isinstance(column.dtype, np.dtype) and column.dtype.kind in "iub":
        return values
    safe = {value: safe_text(value) for value in set(values) if isinstance(value, str)}
    return [safe[value] if isinstance(value, str) else _plain(value) for value in values]


def _put(
    ws,
    row: int,
    column: int,
    value: object,
    *,
    bold: bool = False,
    italic: bool = False,
    size: float = 10,
    color: str = "000000",
    fill: str | None = None,
    fmt: str | None = None,
    align: str | None = None,
    wrap: bool = False,
    valign: str = "center",
):
    """Write one value with its style; text cells are always plain strings."""
    cell = ws.cell(row=row, column=column)
    cell.value = _plain(value)
    if isinstance(cell.value, str):
        cell.data_type = "s"
    cell.font = _font(size, bold, italic, color)
    if fill:
        cell.fill = _fill(fill)
    if fmt:
        cell.number_format = fmt
    cell.alignment = _alignment(align, valign, wrap)
    return cell


# One style object for each look, made once and shared by every cell that has it (openpyxl keeps one copy of each
# style in the workbook, whichever object a cell was given).
@functools.cache
def _font(size: float, bold: bool, italic: bool, color: str) -> Font:
    return Font(name=FONT, size=size, bold=bold, italic=italic, color=color)


@functools.cache
def _fill(color: str) -> PatternFill:
    return PatternFill("solid", start_color=color, end_color=color)


@functools.cache
def _alignment(horizontal: str | None, vertical: str, wrap: bool) -> Alignment:
    return Alignment(horizontal=horizontal, vertical=vertical, wrap_text=wrap)


def _comment(cell, text: str, author: str = "Safer Communities report") -> None:
    cell.comment = Comment(safe_text(text), author, width=260, height=90)


def _save(wb: Workbook, path: Path, created: dt.datetime) -> Path:
    """Save via a temporary file so a failed write never replaces a good workbook."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.properties.creator = "safer-report"
    wb.properties.created = created
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        wb.save(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path


def _quarter_time(quarter: Quarter) -> dt.datetime:
    """A fixed timestamp for the workbook properties: the quarter's last day."""
    return quarter.end_month.end_time.to_pydatetime().replace(hour=0, minute=0, second=0, microsecond=0)


def _fit_widths(ws, widths: dict[int, float]) -> None:
    for column, width in widths.items():
        ws.column_dimensions[get_column_letter(column)].width = round(width, 1)


def _chars(text: object, size: float = 10, bold: bool = False) -> float:
    """Column width (Excel's unit: a digit of 11-point Calibri) that the longest line of ``text`` needs."""

    def span(line: str) -> float:  # digits and symbols are wider than the average letter
        return sum(1.0 if ch.isdigit() or ch in "▲▼►–%" else 0.82 for ch in line)

    longest = max((span(line) for line in str(text).splitlines()), default=0)
    return longest * size / 11 * (1.08 if bold else 1.0) + 1.2
