"""The Excel dashboard and indicators.csv: ``write_dashboard`` writes ``dashboard.xlsx`` (Dashboard,
Trends, Data, Neighbourhoods, Definitions) from the results bundle; ``write_csv`` writes the indicator table (and
``write_neighbourhoods_csv`` the neighbourhood counts), which is
as often opened in Excel. Cells are written by ``helpers.xlsx``: values, never formulas, and text
Excel cannot read as a formula (OWASP's advice on formula injection), in the CSV too.
"""

from __future__ import annotations

import io
import math
import textwrap
import warnings
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, Cell
from openpyxl.chart import LineChart, Reference
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.chart.text import RichText, Text
from openpyxl.chart.title import Title
from openpyxl.drawing.image import Image
from openpyxl.drawing.line import LineProperties
from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, OneCellAnchor
from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties, RegularTextRun
from openpyxl.drawing.xdr import XDRPositiveSize2D
from openpyxl.styles import Alignment, Border, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.units import pixels_to_EMU
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from .. import config
from ..analysis.assess import describe_rule
from ..analysis.neighbourhoods import CSV_COLUMNS as NEIGHBOURHOOD_CSV_COLUMNS
from ..analysis.vocabulary import Direction, GroupPlace, Judgement
from ..analysis.wording import sentence
from ..quarters import period_label
from ..xlsx import NAVY, _chars, _comment, _fit_widths, _plain_column, _put, _quarter_time, _save, safe_text
from . import charts
from .narrative import change_text, judgement_words, variation

GREY_LINE, SECTION_FILL = "BFBFBF", "DCE6F0"
# judgement style (narrative.judgement_words) -> (fill, text colour); every pair has a contrast ratio of at least 4.5:1.
JUDGEMENT_STYLE = {
    "good": ("C6EFCE", "006100"),
    "bad": ("FFC7CE", "9C0006"),
    "neutral": ("D9D9D9", "000000"),
    "none": ("F2F2F2", "404040"),
    "na": ("FFFFFF", "404040"),
}
# vs_partnership (each district against the rest of its group) -> the area cell's fill (and bold text)
VERSUS = {GroupPlace.ABOVE: "9DC3E6", GroupPlace.BELOW: "DDEBF7"}
POLARITY_WORDS = {
    "lower_is_better": "Lower is better",
    "higher_is_better": "Higher is better",
    "no_polarity": "No polarity",
}
ILLUSTRATIVE_MARK = "†"


def write_neighbourhoods_csv(neighbourhoods: pd.DataFrame, path: str | Path) -> None:
    """``neighbourhoods.csv``: one row per police.uk indicator and neighbourhood (MSOA); a withheld small count
    (``suppressed``) is an empty cell, and so is a rate per 10,000 residents where there is none (no small-area
    population, or the count withheld)."""
    rows = neighbourhoods[neighbourhoods["level"] == "neighbourhood"]
    write_csv(rows[list(NEIGHBOURHOOD_CSV_COLUMNS)], path)


def write_csv(table: pd.DataFrame, path: str | Path) -> None:
    """``table`` as CSV (``indicators.csv``), its text cells made safe as the workbook's; numbers as they are."""
    safe = table.copy()
    for column in safe.select_dtypes(include=["object", "string"]).columns:
        safe[column] = safe[column].map(lambda v: safe_text(v) if isinstance(v, str) else v)
    safe.to_csv(path, index=False, lineterminator="\n")


def _two_lines(name: str) -> str:
    """A header broken into two lines as even as the words allow."""
    words = name.split()
    if len(words) < 2:
        return name
    cut = min(range(1, len(words)), key=lambda k: max(len(" ".join(words[:k])), len(" ".join(words[k:]))))
    return f"{' '.join(words[:cut])}\n{' '.join(words[cut:])}"


class Layout:
    """The cells of a write-only worksheet placed in any order (``cell``, ``merge_cells``), then written row by row
    (``write``), after the sheet's settings: a write-only sheet takes its rows once, in order, and writes its column
    widths, views and each row's height as the rows arrive."""

    def __init__(self, ws: Any) -> None:  # openpyxl's WriteOnlyWorksheet (a private module's class)
        self.ws = ws
        self._cells: dict[tuple[int, int], Cell] = {}

    def cell(self, row: int, column: int) -> Cell:
        """The cell at ``row`` and ``column``, made on first use."""
        if (row, column) not in self._cells:
            self._cells[row, column] = Cell(self.ws, row=row, column=column)
        return self._cells[row, column]

    def merge_cells(self, start_row: int, start_column: int, end_row: int, end_column: int) -> None:
        self.ws.merged_cells.add(
            CellRange(min_row=start_row, min_col=start_column, max_row=end_row, max_col=end_column)
        )

    def write(self) -> None:
        """Append every row to the sheet, down to the last that holds a cell or has a height set."""
        rows = max([r for r, _ in self._cells] + list(self.ws.row_dimensions), default=0)
        columns = max((c for _, c in self._cells), default=0)
        for r in range(1, rows + 1):
            self.ws.append([self._cells.get((r, c)) for c in range(1, columns + 1)])


# --- Dashboard ----------------------------------------------------------------------

BODY = 10  # dashboard font size (points); it prints at 8 points or more (tests/test_excel.py)
TITLE_CHARS = 28  # indicator titles wrap at this many characters
ROW_HEIGHT = 14  # points a line of 10-point text
SPARK = (64, 15)  # the trend line's size in pixels
FIXED = 7  # columns before the area columns
JUDGEMENT_CHARS = 15  # a longer judgement wraps
DEFAULT_UNIT = "per 10,000"  # said once in the heading, not on every row


def _short_period(end: pd.Period) -> str:
    """``Oct 21–Sep 22`` for the 12 months ending ``end``."""
    return f"{(end - 11).strftime('%b %y')}–{end.strftime('%b %y')}"


def _value_format(unit: str, marker: str = "") -> str:
    """Number format by unit (values are already percentages, so ``%`` is a literal).

    With ``marker`` the symbol follows the number; without, the same space is left
    so that marked and unmarked values line up.
    """
    base = '0.0"%"' if unit == "%" else "0.00"
    return f'{base}" {marker}"' if marker else f'{base}" "_{Direction.HIGHER.arrow}'


def _decimals(unit: str) -> int:
    return 1 if unit == "%" else 2


def write_dashboard(results, path: str | Path) -> Path:
    """Write the dashboard workbook (Dashboard, Trends, Data, Neighbourhoods, Definitions) to ``path``; every sheet
    has a print area, and the whole workbook prints on a dozen A4 pages (the Dashboard on one).

    The workbook is write-only (openpyxl's "optimised mode"): each sheet's rows are written once, in order, with
    no cell object kept for the thousands of rows of the Data and Neighbourhoods sheets."""
    wb = Workbook(write_only=True)
    _dashboard_sheet(Layout(wb.create_sheet("Dashboard")), results)
    _trends_sheet(Layout(wb.create_sheet("Trends")), results)
    _data_sheet(Layout(wb.create_sheet("Data")), results.table)
    if len(results.neighbourhoods):
        _data_sheet(
            Layout(wb.create_sheet("Neighbourhoods")),
            _fewer_than(results.neighbourhoods, results.settings.suppress_below),
            "NeighbourhoodTable",
            screen_only="neighbourhoods.csv",
        )
    _definitions_sheet(Layout(wb.create_sheet("Definitions")), results.catalogue)
    partnership = results.partnership.name
    wb.properties.title = safe_text(f"{partnership} Safer Communities Performance Dashboard, {results.quarter.title}")
    return _save(wb, Path(path), _quarter_time(results.quarter))


def _dashboard_sheet(sheet: Layout, results) -> None:
    """One A4 landscape page: every indicator with its trend line, change and judgement, the areas, a key."""
    ws = sheet.ws
    ws.sheet_view.showGridLines = False
    quarter, end = results.quarter, results.quarter.end_month
    partnership, total = results.partnership.name, results.partnership.total.name
    areas = [a for a in results.partnership.area_names if a != total]  # the partnership's own figures come first
    headers = [
        "Indicator",
        f"Current\nto {end.strftime('%b %y')}",
        f"Previous\nto {(end - 12).strftime('%b %y')}",
        "Change",
        "Judgement",
        "Trend,\n24 months",
        "Monthly SPC",
        *(_two_lines(area) for area in areas),
    ]
    last = len(headers)
    # Bold headers run wider than _chars reckons: a one-word area name most (it must not break).
    widths = {c: _chars(h, BODY, bold=True) + (0.3 if c <= FIXED else 1) for c, h in enumerate(headers, start=1)}
    widths[1] = _chars("x" * TITLE_CHARS) + 1
    widths[6] = max(widths[6], SPARK[0] / 7 + 1.5)  # a column is about 7 pixels a character

    titles = [
        (f"{partnership}: Safer Communities Performance Dashboard", 15, True, NAVY),
        (f"{quarter.title}: {period_label(end)} compared with the {period_label(end - 12)}", 11, True, "000000"),
        (
            f"Rates are {DEFAULT_UNIT} residents (ONS mid-year estimates) unless the indicator says otherwise.",
            BODY,
            False,
            "404040",
        ),
    ]
    for row, (text, size, bold, color) in enumerate(titles, start=1):
        _put(sheet, row, 1, text, size=size, bold=bold, color=color)
        ws.row_dimensions[row].height = size * 1.45
    head = len(titles) + 1
    groups = [(2, FIXED, f"{partnership} (the partnership)")]
    if areas:
        groups.append(
            (
                FIXED + 1,
                last,
                f"By area, {_short_period(end)}: {Direction.arrows()} change on a year before; shaded: "
                f"above or below the rest of {results.partnership.compared_with.name} (see key)",
            )
        )
    for first, final, text in groups:
        sheet.merge_cells(start_row=head, start_column=first, end_row=head, end_column=final)
        _put(sheet, head, first, text, bold=True, color=NAVY, align="center")
        for column in range(first, final + 1):
            sheet.cell(head, column).border = Border(bottom=Side("medium", color=NAVY))
    for column, text in enumerate(headers, start=1):
        _put(
            sheet,
            head + 1,
            column,
            text,
            bold=True,
            color="FFFFFF",
            fill=NAVY,
            wrap=True,
            align="left" if column == 1 else "center",
        )
    ws.row_dimensions[head + 1].height = 2 * ROW_HEIGHT + 2
    ws.freeze_panes = f"B{head + 2}"
    ws.print_title_rows = f"{head}:{head + 1}"

    index = results.table.set_index(["indicator_id", "area"])
    series = results.series[results.series["area"] == total]
    spans: list[tuple[int, int, int, str]] = []  # merged wrapped text: row, first and last column, text
    row = head + 2
    for section, section_title in config.SECTIONS.items():
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last)
        _put(sheet, row, 1, section_title, bold=True, color=NAVY, fill=SECTION_FILL)
        ws.row_dimensions[row].height = ROW_HEIGHT + 1
        row += 1
        for indicator in (i for i in results.catalogue.values() if i.section == section):
            _indicator_row(sheet, row, indicator, index, widths, spans, areas, total, last)
            trend = series[series["indicator_id"] == indicator.id]
            if index.loc[(indicator.id, total), "status"] == "available" and trend["value"].notna().sum() >= 2:
                record = index.loc[(indicator.id, total)].to_dict()
                _sparkline(ws, row, 6, trend["value"].tolist(), judgement_words(record, indicator.target)[1])
            for column in range(1, last + 1):
                sheet.cell(row, column).border = Border(bottom=Side("thin", color=GREY_LINE))
            row += 1
    key_end = _dashboard_key(sheet, row + 1, results, last, spans, widths)
    _fit_widths(ws, widths)
    for r, first, final, text in spans:  # wrapped text in merged cells: give the row its lines
        lines = math.ceil(_chars(text) / sum(widths[c] for c in range(first, final + 1)))
        ws.row_dimensions[r].height = max(ws.row_dimensions[r].height or 0, lines * ROW_HEIGHT)
    ws.print_area = f"A1:{get_column_letter(last)}{key_end}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = ws.page_setup.fitToHeight = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.15
    ws.page_margins.top = ws.page_margins.bottom = 0.3
    ws.page_margins.header = ws.page_margins.footer = 0.15
    sheet.write()


def _sparkline(ws: Any, row: int, column: int, values: list[float], judgement: str) -> None:
    """The rolling 12-month line drawn as a small picture inside its cell (``charts.sparkline``)."""
    picture = Image(io.BytesIO(charts.sparkline(values, judgement)))
    size = XDRPositiveSize2D(pixels_to_EMU(SPARK[0]), pixels_to_EMU(SPARK[1]))
    picture.anchor = OneCellAnchor(
        _from=AnchorMarker(col=column - 1, colOff=pixels_to_EMU(4), row=row - 1, rowOff=pixels_to_EMU(2)), ext=size
    )
    ws.add_image(picture)


def _indicator_row(
    sheet: Layout,
    row: int,
    indicator,
    index: pd.DataFrame,
    widths: dict[int, float],
    spans: list,
    areas: list[str],
    total: str,
    last: int,
) -> None:
    """One dashboard row: the partnership's (``total``'s) figures, then each of ``areas``' values."""
    record = index.loc[(indicator.id, total)].to_dict()
    unit, digits = indicator.unit, _decimals(indicator.unit)
    title = indicator.title if unit == DEFAULT_UNIT else f"{indicator.title} ({unit})"
    title = f"{title} {ILLUSTRATIVE_MARK}" if record["illustrative"] else title
    _comment(_put(sheet, row, 1, title, wrap=True), indicator.definition)
    rows = sheet.ws.row_dimensions
    rows[row].height = ROW_HEIGHT * len(textwrap.wrap(title, TITLE_CHARS + 1))
    if record["status"] != "available":
        reason = sentence(record["reason"])
        _comment(_put(sheet, row, 2, "Not available", italic=True, color="595959", align="center"), reason)
        widths[2] = max(widths[2], _chars("Not available"))
        sheet.merge_cells(start_row=row, start_column=3, end_row=row, end_column=last)
        _put(sheet, row, 3, reason, italic=True, color="595959", wrap=True)
        spans.append((row, 3, last, reason))
        return
    judgement, style = judgement_words(record, indicator.target)
    fill, color = JUDGEMENT_STYLE[style]
    cells: list[tuple[int, object, dict[str, Any]]] = [
        (2, record["value"], {"fmt": _value_format(unit), "bold": True}),
        (3, record["previous_value"], {"fmt": _value_format(unit)}),
        (4, *_change(record)),
        (5, judgement, {"fill": fill, "color": color, "bold": True, "align": "center"}),
        (7, *_spc_cell(record)),
    ]
    for column, area in enumerate(areas, start=FIXED + 1):
        area_row = index.loc[(indicator.id, area)] if (indicator.id, area) in index.index else None
        if area_row is None or area_row["status"] != "available":
            reason = "No figure for this area." if area_row is None else sentence(area_row["reason"])
            _comment(_put(sheet, row, column, "n/a", italic=True, color="595959", align="right"), reason)
            continue
        area_fill = VERSUS.get(area_row["vs_partnership"])
        arrow = Direction.arrow_of(area_row["direction"])
        cells.append(
            (
                column,
                area_row["value"],
                {"fmt": _value_format(unit, arrow), "fill": area_fill, "bold": area_fill is not None},
            )
        )
    for column, value, look in cells:
        _put(sheet, row, column, value, **look)
        shown = value if isinstance(value, str) else f"{value or 0:,.{digits}f}% {Direction.HIGHER.arrow}"
        bold = look.get("bold", False) and column <= FIXED  # _chars has room enough for a bold area value
        shown = textwrap.fill(shown, JUDGEMENT_CHARS) if column == 5 else shown  # the judgement wraps
        widths[column] = max(widths[column], _chars(shown, BODY, bold))
    if len(judgement) > JUDGEMENT_CHARS:  # "Within 28–40% range" takes two lines
        sheet.cell(row, 5).alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        rows[row].height = max(rows[row].height, 2 * ROW_HEIGHT)


def _spc_cell(record: dict) -> tuple[str, dict]:
    """The variation icon's word, on its Making Data Count colour (as the report's icons); "—" without SPC."""
    if not record["spc_icon"]:
        return "—", {"align": "center"}
    icon = variation(record["spc_icon"])
    return icon["word"], {"fill": icon["colour"][1:], "color": icon["ink"][1:], "bold": True, "align": "center"}


def _change(record: dict) -> tuple[object, dict]:
    """The change cell, as the report gives it (% for a rate, points for a percentage, "new" from 0), after the
    direction's arrow: ▲ higher, ▼ lower, ► similar (a change no bigger than chance would give)."""
    arrow = Direction.arrow_of(record["direction"])
    if record["measure"] == "percentage":
        return record["change_abs"], {
            "fmt": f'"{arrow} "+0.0" pts";"{arrow} "-0.0" pts";"{arrow} "0.0" pts"',
            "align": "right",
        }
    if record["previous_value"] == 0:
        return f"{arrow} {change_text(record)}".strip(), {"align": "right"}
    return record["change_pct"], {"fmt": f'"{arrow} "+0.0"%";"{arrow} "-0.0"%";"{arrow} "0.0"%"', "align": "right"}


def _dashboard_key(sheet: Layout, row: int, results, last: int, spans: list, widths: dict[int, float]) -> int:
    """The key under the table, in plain words: swatches in the columns, the words beside them. Returns its last row."""
    group = results.partnership.compared_with.name
    rule = describe_rule(replace(results.settings, overdispersion=False))  # the Methods give the technical detail
    higher, lower = VERSUS[GroupPlace.ABOVE], VERSUS[GroupPlace.BELOW]
    items: list[tuple[list[tuple[str, str | None, str | None]], str]] = [
        (
            [(Direction.arrows(), None, None)],
            f"Change on the same 12 months a year before: {Direction.key()}. {rule[0].upper()}{rule[1:]}; "
            "a smaller change is called similar.",
        ),
        (
            [
                (judgement.word, *JUDGEMENT_STYLE[judgement.style])
                for judgement in (
                    Judgement.IMPROVING,
                    Judgement.DETERIORATING,
                    Judgement.STABLE,
                    Judgement.NO_JUDGEMENT,
                )
            ],
            "Improving or deteriorating: a real change, better or worse for that indicator. Stable: no real change. "
            "No judgement: a rise may mean more reporting, not more harm.",
        ),
        (
            [
                (f"12.34 {Direction.HIGHER.arrow}", higher, "000000"),
                (f"12.34 {Direction.LOWER.arrow}", lower, "000000"),
            ],
            f"Shaded dark: above the rest of {group} (the other districts together); light: below it; unshaded: in "
            "line with it, by the rule for a change.",
        ),
        (
            [("Trend", None, None)],
            "The rolling 12-month value at each month end over 24 months (the Trends sheet has "
            "each chart and its figures).",
        ),
        (
            [("Monthly SPC", None, None)],
            "Is the latest month outside its usual range (statistical process control, as the NHS's Making Data Count)? "
            "Orange a concern, blue an improvement, purple unusual, grey usual variation.",
        ),
        (
            [("n/a", None, None)],
            "No figure for the period (never shown as 0): the reason is in the cell's note."
            + (
                f" {ILLUSTRATIVE_MARK} Illustrative sample data, not real local figures."
                if results.table["illustrative"].any()
                else ""
            ),
        ),
    ]
    _put(sheet, row, 1, "Key", bold=True, color=NAVY)
    sheet.ws.row_dimensions[row].height = ROW_HEIGHT
    for offset, (swatches, text) in enumerate(items, start=1):
        r = row + offset
        if len(swatches) == 1:  # one symbol: in the first column, the words across the rest
            word, fill, color = swatches[0]
            _put(sheet, r, 1, word, fill=fill, color=color or "000000", bold=True, align="right")
            first = 2
        else:  # the swatches from the second column on, each over as many columns as its word needs; the words after
            column = 2
            for word, fill, color in swatches:
                final = column
                while sum(widths[c] for c in range(column, final + 1)) < _chars(word, BODY, bold=True):
                    final += 1
                sheet.merge_cells(start_row=r, start_column=column, end_row=r, end_column=final)
                _put(sheet, r, column, word, fill=fill, color=color or "000000", bold=True, align="center")
                column = final + 1
            first = column
        sheet.merge_cells(start_row=r, start_column=first, end_row=r, end_column=last)
        _put(sheet, r, first, text, color="262626", wrap=True)
        spans.append((r, first, last, text))
    return row + len(items)


# --- Trends -------------------------------------------------------------------------


def _rich(text: str, size: int, bold: bool = False) -> RichText:
    props = CharacterProperties(sz=size, b=bold)
    return RichText(
        p=[
            Paragraph(
                pPr=ParagraphProperties(defRPr=props),
                r=[RegularTextRun(rPr=props, t=text)] if text else [],
                endParaRPr=props,
            )
        ]
    )


def _trends_sheet(sheet: Layout, results, per_row: int = 3, slot_columns: int = 3, slot_rows: int = 15) -> None:
    """A small line chart of the partnership's rolling 12-month value per indicator, with its data."""
    ws = sheet.ws
    ws.sheet_view.showGridLines = False
    end = results.quarter.end_month
    series = results.series[results.series["area"] == results.partnership.total.name]
    table = series.pivot(index="period_end", columns="indicator_id", values="value")
    months = sorted(table.index)
    _put(
        sheet,
        1,
        1,
        f"{results.partnership.name}: rolling 12-month values, {period_label(end, len(months))}",
        bold=True,
        size=14,
        color=NAVY,
    )
    _put(
        sheet,
        2,
        1,
        "Each point is the value for the 12 months ending that month (quarterly indicators: at each quarter "
        "end). The values plotted are in the table below the charts.",
        size=10,
        color="404040",
    )
    status = results.rows().set_index("indicator_id")
    shown = [i for i in results.catalogue.values() if status.loc[i.id, "status"] == "available"]
    grid_rows = math.ceil(len(results.catalogue) / per_row)
    top = 4 + grid_rows * slot_rows + 1
    _put(sheet, top - 1, 1, "Data plotted in the charts above", bold=True, size=11, color=NAVY)
    _put(sheet, top, 1, "12 months ending", bold=True, color="FFFFFF", fill=NAVY, wrap=True, valign="top")
    for r, month in enumerate(months, start=top + 1):
        _put(sheet, r, 1, pd.Period(month, "M").strftime("%b %Y"))
    columns = {}
    for c, indicator in enumerate(shown, start=2):
        columns[indicator.id] = c
        _put(
            sheet,
            top,
            c,
            f"{indicator.title} ({indicator.unit})",
            bold=True,
            color="FFFFFF",
            fill=NAVY,
            wrap=True,
            valign="top",
        )
        for r, month in enumerate(months, start=top + 1):
            _put(sheet, r, c, table.loc[month, indicator.id], fmt=_value_format(indicator.unit))
    ws.row_dimensions[top].height = 80
    for r in range(4, top - 1):  # fixed heights keep each chart inside its slot and page
        ws.row_dimensions[r].height = 15
    for c in range(1, max(len(shown) + 1, per_row * slot_columns) + 1):
        ws.column_dimensions[get_column_letter(c)].width = 14
    for n, indicator in enumerate(results.catalogue.values()):
        anchor_row, anchor_col = 4 + (n // per_row) * slot_rows, 1 + (n % per_row) * slot_columns
        if indicator.id not in columns:
            sheet.merge_cells(
                start_row=anchor_row,
                start_column=anchor_col,
                end_row=anchor_row + 3,
                end_column=anchor_col + slot_columns - 1,
            )
            _put(
                sheet,
                anchor_row,
                anchor_col,
                f"{indicator.title}: not available. {sentence(status.loc[indicator.id, 'reason'])}",
                italic=True,
                color="595959",
                wrap=True,
                valign="top",
            )
            continue
        ws.add_chart(
            _line_chart(ws, indicator, columns[indicator.id], top, len(months), table[indicator.id].max()),
            f"{get_column_letter(anchor_col)}{anchor_row}",
        )
    # Printed: the charts only (the table is for reading on screen), four rows of charts a portrait page.
    ws.print_area = f"A1:{get_column_letter(per_row * slot_columns)}{top - 2}"
    for grid_row in range(4, grid_rows, 4):
        ws.row_breaks.append(Break(id=3 + grid_row * slot_rows))
    ws.page_margins.top = ws.page_margins.bottom = 0.4
    ws.page_setup.orientation = "portrait"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.write()


def _line_chart(ws: Any, indicator, column: int, top: int, count: int, highest: float) -> LineChart:
    """The rolling 12-month line of one indicator, its axis labelled with the unit."""
    chart = LineChart()
    chart.title = Title(tx=Text(rich=_rich(indicator.title, 1000, bold=True)), overlay=False)
    chart.add_data(Reference(ws, min_col=column, min_row=top, max_row=top + count), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=top + 1, max_row=top + count))
    chart.legend = None
    chart.display_blanks = "span"
    chart.width, chart.height = 7.9, 6.6
    line = chart.series[0]
    line.smooth = False
    line.graphicalProperties.line.solidFill = NAVY
    line.graphicalProperties.line.width = 22000
    if indicator.frequency == "quarterly":
        line.marker.symbol = "circle"
        line.marker.size = 5
        line.marker.graphicalProperties.solidFill = NAVY
    else:
        line.marker.symbol = "none"
    chart.y_axis.title = Title(tx=Text(rich=_rich(indicator.unit, 800)), overlay=False)
    digits = 0 if highest >= 50 else (1 if highest >= 5 else 2)
    chart.y_axis.number_format = ("0" + ("." + "0" * digits if digits else "")) + (
        '"%"' if indicator.unit == "%" else ""
    )
    chart.x_axis.tickLblSkip = 3
    for axis in (chart.x_axis, chart.y_axis):
        axis.delete = False
        axis.txPr = _rich("", 800)
    chart.y_axis.majorGridlines.spPr = GraphicalProperties(ln=LineProperties(solidFill="D9D9D9"))
    return chart


# --- Data and Definitions -----------------------------------------------------------


def _fewer_than(neighbourhoods: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """The neighbourhood and LSOA counts with each withheld count said as "fewer than 5"."""
    shown = neighbourhoods.copy()
    for column in ("numerator", "previous_numerator"):
        shown[column] = shown[column].astype(object).where(shown[column].notna(), f"fewer than {threshold}")
    return shown


def _data_sheet(
    sheet: Layout, table: pd.DataFrame, display_name: str = "IndicatorTable", screen_only: str = ""
) -> None:
    """A table as a filterable Excel table; missing values are empty cells. It prints to the page's width, or,
    with ``screen_only`` (the CSV that holds the same rows), prints only a note beside it saying so: thousands
    of rows are filtered on screen, never printed. The header row is laid out; the rows are appended as they are,
    each column made plain at once (``_plain_column``)."""
    ws = sheet.ws
    names = list(table.columns)
    columns = [_plain_column(table[name]) for name in names]
    for c, name in enumerate(names, start=1):
        _put(sheet, 1, c, name, bold=True)
    ref = f"A1:{get_column_letter(len(names))}{len(table) + 1}"
    data = Table(
        displayName=display_name,
        ref=ref,
        # a write-only sheet cannot read its header cells back, so the table is given their text
        tableColumns=[TableColumn(id=c, name=sheet.cell(1, c).value) for c in range(1, len(names) + 1)],
        autoFilter=AutoFilter(ref=ref),
    )
    data.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    with warnings.catch_warnings():  # openpyxl warns of every write-only table: its columns are given above
        warnings.filterwarnings("ignore", "In write-only mode you must add table columns manually")
        ws.add_table(data)
    ws.freeze_panes = "B2"
    ws.print_area = ref
    if screen_only:
        note = sheet.cell(1, len(names) + 2)
        _put(
            sheet,
            note.row,
            note.column,
            f"{len(table):,} rows to filter on screen ({screen_only} has its neighbourhood rows): "
            "printing this sheet gives this note only.",
            italic=True,
            color="404040",
        )
        ws.print_area = note.coordinate
    else:
        ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    _fit_widths(ws, {c: _data_width(name, values) for c, (name, values) in enumerate(zip(names, columns), start=1)})
    sheet.write()
    # safe text never starts "=", so none is read as a formula; "#N/A" and the like go as text cells
    for row in zip(*(_errors_as_text(ws, values) for values in columns)):
        ws.append(row)


def _data_width(name: str, values: list[object]) -> int:
    """A data column's width: its name's, its longest text's (up to 60 characters), and 12 for decimals."""
    longest = max((len(value) + 2 for value in values if isinstance(value, str)), default=0)
    decimals = 12 if any(isinstance(value, float) for value in values) else 0
    return max(len(name) + 4, min(longest, 60), decimals)


def _errors_as_text(ws: Any, values: list[object]) -> list[object]:
    """``values`` with each text that Excel would read as an error ("#N/A") made a text cell, so it stays text."""
    return [_text_cell(ws, value) if isinstance(value, str) and value in ERROR_CODES else value for value in values]


def _text_cell(ws: Any, text: str) -> Cell:
    cell = WriteOnlyCell(ws, value=text)
    cell.data_type = "s"
    return cell


def _definitions_sheet(sheet: Layout, catalogue: dict) -> None:
    """The indicator catalogue: what each dashboard row counts and how to read it."""
    ws = sheet.ws
    headers = ["ID", "Indicator", "Section", "Unit", "Polarity", "Source", "Frequency", "Definition", "Notes", "Target"]
    widths = [30, 34, 30, 11, 16, 13, 11, 60, 50, 30]
    for c, (text, width) in enumerate(zip(headers, widths), start=1):
        _put(sheet, 1, c, text, bold=True, color="FFFFFF", fill=NAVY)
        ws.column_dimensions[get_column_letter(c)].width = width
    for r, indicator in enumerate(catalogue.values(), start=2):
        target = indicator.target
        values = [
            indicator.id,
            indicator.title,
            config.SECTIONS[indicator.section],
            indicator.unit,
            POLARITY_WORDS[indicator.polarity],
            "police.uk" if indicator.source == "police_uk" else "Local data return",
            indicator.frequency.capitalize(),
            indicator.definition,
            indicator.notes,
            f"{target['low']:g}–{target['high']:g} ({target.get('label', 'target range')})" if target else "",
        ]
        for c, value in enumerate(values, start=1):
            _put(sheet, r, c, value, wrap=True, valign="top")
    ws.freeze_panes = "B2"
    ws.print_area = f"A1:{get_column_letter(len(headers))}{len(catalogue) + 1}"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(catalogue) + 1}"
    sheet.write()
