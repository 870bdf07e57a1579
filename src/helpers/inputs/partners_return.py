"""The partners' data return: the Excel template partners fill in, and the reader of a filled one.

``write_return_template`` writes a return for partners to fill and ``read_return``
reads a filled one back into the local-extract rows the computation uses.
"""

from __future__ import annotations

import datetime as dt
import math
import textwrap
from pathlib import Path
from zipfile import BadZipFile, ZipFile

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from ..errors import InputError
from ..quarters import Quarter, parse_quarter, window
from ..xlsx import NAVY, _chars, _comment, _fit_widths, _put, _quarter_time, _save
from .catalogue import Indicator
from .local_extract import check_local_rows

INSTRUCTIONS = "Instructions"
RETURN_HEADERS = ["Area", "Period", "Indicator id", "Numerator", "Denominator"]
OTHER = "Other"  # the sheet of local indicators the catalogue gives no return_sheet
EXTRA_ROWS = 500  # rows below the pre-filled ones that keep the drop-downs and checks


def return_periods(quarter: Quarter, indicator) -> list[str]:
    """The periods a return asks for: 24 months, or 8 quarters, ending with ``quarter``."""
    if indicator.frequency == "quarterly":
        return [quarter.previous(k).label for k in range(7, -1, -1)]
    return [str(m) for m in window(quarter.end_month, 24)]


def return_sheets(catalogue: dict[str, Indicator]) -> dict[str, list[Indicator]]:
    """Sheet name -> the local indicators on it (their ``return_sheet``), in catalogue order: the sheets of rates
    first, then those of percentages, each in catalogue order, and "Other" last."""
    local = [i for i in catalogue.values() if i.source == "local"]
    sheets: dict[str, list[Indicator]] = {}
    for indicator in sorted(local, key=lambda i: (not i.return_sheet, i.measure == "percentage")):
        sheets.setdefault(indicator.return_sheet or OTHER, [])
    for indicator in local:
        sheets[indicator.return_sheet or OTHER].append(indicator)
    return sheets


def _counts(indicator: Indicator) -> tuple[str, str]:
    """What a row's numerator and denominator count, as the return's headers say."""
    if indicator.measure == "rate":
        return "number recorded", "leave blank (population is used)"
    return indicator.numerator or "numerator", indicator.denominator or "denominator"


def write_return_template(quarter: Quarter | str, path: str | Path, catalogue: dict, districts: dict[str, str]) -> Path:
    """Write the partners' data return for ``quarter`` and ``districts`` (name -> ONS code): this year and the previous one."""
    quarter = parse_quarter(quarter) if isinstance(quarter, str) else quarter
    wb = Workbook()
    sheets = return_sheets(catalogue)
    _instructions(wb.active, quarter, sheets)
    for name, indicators in sheets.items():
        _return_sheet(wb.create_sheet(name), quarter, indicators, list(districts))
    return _save(wb, Path(path), _quarter_time(quarter))


def _instructions(ws, quarter: Quarter, sheets: dict[str, list]) -> None:
    ws.title = INSTRUCTIONS
    ws.sheet_view.showGridLines = False
    end = quarter.end_month
    lines = [
        (f"Safer Communities data return: {quarter.title}", 14, True),
        (
            f"Please give figures for the 24 months {(end - 23).strftime('%B %Y')} to {end.strftime('%B %Y')} "
            "(this year and the previous year, which the report compares).",
            10,
            False,
        ),
        (
            "1. On each sheet, fill Numerator (and Denominator where asked) for every row: one row per district, "
            "period and indicator.",
            10,
            False,
        ),
        ("2. Whole numbers of 0 or more only. A real zero is 0.", 10, False),
        (
            "3. Figure not available? Leave the Numerator empty: the row is skipped and the report says "
            "'not available'. Never write 0 for missing data.",
            10,
            False,
        ),
        (
            "4. Do not rename sheets or change the headers. Area and Period have drop-down lists; periods are months "
            "(YYYY-MM) or, for quarterly indicators, quarters (2022-23-Q2).",
            10,
            False,
        ),
        (
            "5. Rows may be added below the pre-filled ones; each district, period and indicator may appear once.",
            10,
            False,
        ),
    ]
    for r, (text, size, bold) in enumerate(lines, start=1):
        _put(ws, r, 1, text, size=size, bold=bold, color=NAVY if bold else "000000")
    top = len(lines) + 2
    headers = ["Sheet", "Indicator id", "Indicator", "Periods", "Numerator", "Denominator", "Definition"]
    for c, text in enumerate(headers, start=1):
        _put(ws, top, c, text, bold=True, color="FFFFFF", fill=NAVY)
    r = top
    for name, indicators in sheets.items():
        for indicator in indicators:
            r += 1
            numerator, denominator = _counts(indicator)
            periods = "8 quarters" if indicator.frequency == "quarterly" else "24 months"
            for c, value in enumerate(
                [name, indicator.id, indicator.title, periods, numerator, denominator, indicator.definition], start=1
            ):
                _put(ws, r, c, value, wrap=c == 7, valign="top")
            ws.row_dimensions[r].height = 14 * len(textwrap.wrap(indicator.definition, 110))
    titles = [i.title for indicators in sheets.values() for i in indicators]
    _fit_widths(ws, {1: 16, 2: 32, 3: max(_chars(t) for t in titles) + 1, 4: 11, 5: 22, 6: 32, 7: 90})
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _return_sheet(ws, quarter: Quarter, indicators: list, districts: list[str]) -> None:
    """Headers, one pre-filled row per district x period x indicator, drop-downs and checks."""
    numerator, denominator = _counts(indicators[0])
    for c, text in enumerate(RETURN_HEADERS + ["Indicator (for reference)"], start=1):
        cell = _put(ws, 1, c, text, bold=True, color="FFFFFF", fill=NAVY)
        if c == 4 or c == 5:
            _comment(
                cell,
                f"{text}: {numerator if c == 4 else denominator}. Whole number, 0 or more; "
                "leave empty when not available.",
            )
    row = 1
    for indicator in indicators:
        for period in return_periods(quarter, indicator):
            for area in districts:
                row += 1
                for c, value in enumerate([area, period, indicator.id, None, None, indicator.title], start=1):
                    _put(ws, row, c, value, color="595959" if c == 6 else "000000")
    last = row + EXTRA_ROWS
    periods = sorted({p for i in indicators for p in return_periods(quarter, i)})
    checks = [
        (
            DataValidation(
                type="list",
                formula1=_list_formula(districts),
                allow_blank=True,
                error="Choose a district from the list.",
            ),
            "A",
        ),
        (
            DataValidation(
                type="list", formula1=_list_formula(periods), allow_blank=True, error="Choose a period from the list."
            ),
            "B",
        ),
        (
            DataValidation(
                type="list",
                formula1=_list_formula(i.id for i in indicators),
                allow_blank=True,
                error="Choose an indicator id from the list.",
            ),
            "C",
        ),
        (
            DataValidation(
                type="whole",
                operator="greaterThanOrEqual",
                formula1="0",
                allow_blank=True,
                error="A whole number of 0 or more; leave empty when not available.",
            ),
            "D",
        ),
        (
            DataValidation(
                type="whole",
                operator="greaterThanOrEqual",
                formula1="0",
                allow_blank=True,
                error="A whole number of 0 or more; leave empty when not needed.",
            ),
            "E",
        ),
    ]
    for check, column in checks:
        check.showErrorMessage = True
        check.errorTitle = "Not allowed here"
        check.add(f"{column}2:{column}{last}")
        ws.add_data_validation(check)
    for r in range(2, last + 1):  # periods stay text: Excel would turn a typed 2022-09 into a date
        ws.cell(r, 2).number_format = "@"
    ws.freeze_panes = "A2"
    _fit_widths(
        ws,
        {
            1: 26,
            2: 11,
            3: max(14, *(len(i.id) + 2 for i in indicators)),
            4: 14,
            5: 16,
            6: max(28, *(len(i.title) + 2 for i in indicators)),
        },
    )


def _list_formula(values) -> str:
    """A drop-down list written in the validation itself (Excel allows 255 characters)."""
    text = ",".join(values)
    if len(text) > 255:
        raise ValueError("drop-down list longer than Excel's 255 characters")
    return f'"{text}"'


def read_return(path: str | Path, catalogue: dict, districts: dict[str, str]) -> pd.DataFrame:
    """Read a filled return: indicator_id, area, month, numerator, denominator (as ``check_local_rows``);
    ``districts`` (name -> ONS code) are the areas a row may name.

    Rows with an empty numerator were not supplied and are skipped. A bad value raises an
    InputError naming the file, sheet and cell.
    """
    path = Path(path)
    try:
        _check_unpacked_size(path)
        wb = load_workbook(path, read_only=True, data_only=True)
        formulas = load_workbook(path, read_only=True, data_only=False)
    except FileNotFoundError:
        raise InputError("data return not found", file=path) from None
    except (InvalidFileException, BadZipFile, KeyError, OSError) as exc:
        raise InputError(f"not a readable .xlsx workbook ({exc})", file=path) from None
    records: list[tuple[str, str, str, str, str]] = []
    labels: list[str] = []
    try:
        if blank := _uncalculated(wb, formulas):
            shown = ", ".join(blank[:3]) + (f" and {len(blank) - 3} more" if len(blank) > 3 else "")
            raise InputError(
                f"{shown}: formulas with no saved value (the workbook was saved by a program that "
                "does not calculate): open it in Excel or LibreOffice and save it again",
                file=path,
            )
        for ws in wb.worksheets:
            if ws.title != INSTRUCTIONS:
                _read_sheet(ws, str(path), records, labels, districts)
    finally:
        wb.close()
        formulas.close()
    frame = pd.DataFrame(records, columns=["area", "period", "indicator_id", "numerator", "denominator"])
    return check_local_rows(frame, catalogue, districts, source=str(path), row_label=labels.__getitem__)


def _read_sheet(ws, source: str, records: list, labels: list, districts: dict[str, str]) -> None:
    """Check the cells Excel types itself (numbers, areas) and collect rows as text."""
    rows = ws.iter_rows(values_only=True)
    header = [str(v or "").strip().lower() for v in (next(rows, None) or ())][:5]
    if header != [h.lower() for h in RETURN_HEADERS]:
        raise InputError(
            f"the first row must be the headers {', '.join(RETURN_HEADERS)}",
            file=source,
            row=f"sheet '{ws.title}' row 1",
        )
    codes = {code: name for name, code in districts.items()}
    for r, values in enumerate(rows, start=2):
        area, period, indicator_id, numerator, denominator = (tuple(values) + (None,) * 5)[:5]

        def cell(column: str, r: int = r) -> str:
            return f"sheet '{ws.title}' cell {column}{r}"

        numerator = _whole(numerator, "numerator", source, cell("D"))
        if numerator is None:
            continue
        denominator = _whole(denominator, "denominator", source, cell("E"))
        area = str(area or "").strip()
        if codes.get(area, area) not in districts:
            raise InputError(
                f"unknown area '{area}': use one of the districts {', '.join(districts)}", file=source, row=cell("A")
            )
        if denominator is not None and numerator > denominator:
            raise InputError(
                f"numerator {numerator} is greater than denominator {denominator}", file=source, row=cell("D")
            )
        if isinstance(period, (dt.date, dt.datetime)):
            period = period.strftime("%Y-%m")  # Excel turned a typed month into a date
        records.append(
            (
                area,
                str(period or "").strip(),
                str(indicator_id or "").strip(),
                str(numerator),
                "" if denominator is None else str(denominator),
            )
        )
        labels.append(f"sheet '{ws.title}' row {r}")


# A filled return is well under a megabyte unpacked: a workbook that declares more than this is not one
# (or is a zip bomb), and is refused before anything is inflated. zipfile never inflates past a member's
# declared size.
MAX_UNPACKED_BYTES = 100 << 20


def _check_unpacked_size(path: Path) -> None:
    with ZipFile(path) as archive:
        unpacked = sum(member.file_size for member in archive.infolist())
    if unpacked > MAX_UNPACKED_BYTES:
        raise InputError(
            f"unpacks to {unpacked:,} bytes, more than the {MAX_UNPACKED_BYTES:,} a data return can "
            "hold: not a data return (stopped before unpacking it)",
            file=path,
        )


def _uncalculated(values, formulas) -> list[str]:
    """The numerator and denominator cells holding a formula with no saved value (the workbook was written by a
    program that does not calculate): read as values, they would be empty, silently "not supplied"."""
    cells = []
    for ws in values.worksheets:
        if ws.title == INSTRUCTIONS:
            continue
        rows = zip(
            ws.iter_rows(min_row=2, min_col=4, max_col=5, values_only=True),
            formulas[ws.title].iter_rows(min_row=2, min_col=4, max_col=5, values_only=True),
        )
        for r, (saved, written) in enumerate(rows, start=2):
            cells += [
                f"sheet '{ws.title}' cell {column}{r}"
                for column, value, formula in zip("DE", saved, written)
                if value is None and isinstance(formula, str) and formula.startswith("=")
            ]
    return cells


def _whole(value: float | str | dt.date | dt.time | None, label: str, source: str, where: str) -> int | None:
    """A whole number of 0 or more from a cell, or None when the cell is empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or isinstance(value, (dt.date, dt.datetime, dt.time)):
        raise InputError(f"{label} '{value}' is not a number", file=source, row=where)
    shown = value if isinstance(value, str) else f"{value:g}"
    try:
        number = float(value.strip().replace(",", "")) if isinstance(value, str) else float(value)
    except ValueError:
        raise InputError(f"{label} '{shown}' is not a number", file=source, row=where) from None
    if not (math.isfinite(number) and number >= 0 and number == int(number)):
        raise InputError(f"{label} '{shown}' must be a whole number of 0 or more", file=source, row=where)
    return int(number)
