"""The Excel dashboard and indicators.csv: ``write_dashboard`` writes ``dashboard.xlsx`` (Dashboard,
Trends, Data, Neighbourhoods, Definitions) from the results bundle; ``write_csv`` writes the indicator table (and
``write_neighbourhoods_csv`` the neighbourhood counts), which is
as often opened in Excel. Cells are written by ``helpers.xlsx``: values, never formulas, and text
Excel cannot read as a formula (OWASP's advice on formula injection), in the CSV too.
"""
from __future__ import annotations

import math
import textwrap
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.chart.text import RichText, Text
from openpyxl.chart.title import Title
from openpyxl.drawing.line import LineProperties
from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties, RegularTextRun
from openpyxl.styles import Border, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.table import Table, TableStyleInfo

from .. import config
from ..analysis.assess import describe_rule
from ..analysis.gaps import sentence
from ..analysis.neighbourhoods import CSV_COLUMNS as NEIGHBOURHOOD_CSV_COLUMNS
from ..quarters import period_label
from ..xlsx import NAVY, _chars, _comment, _fit_widths, _plain, _put, _quarter_time, _save, safe_text
from .narrative import GROUP_MARKS, change_text, variation

GREY_LINE, SECTION_FILL = "BFBFBF", "DCE6F0"
# judgement -> (fill, text colour); every pair has a contrast ratio of at least 4.5:1.
JUDGEMENT_STYLE = {
    "improving": ("C6EFCE", "006100"),
    "deteriorating": ("FFC7CE", "9C0006"),
    "stable": ("D9D9D9", "000000"),
    "no judgement": ("F2F2F2", "404040"),
    "not compared": ("FFFFFF", "404040"),
}
ARROWS = {"higher": "▲ Higher", "lower": "▼ Lower", "similar": "► Similar"}
# vs_partnership -> (marker shown after the value: narrative.GROUP_MARKS, fill)
VERSUS = {word: (GROUP_MARKS[word], fill) for word, fill in (("above", "9DC3E6"), ("below", "DDEBF7"))}
POLARITY_WORDS = {"lower_is_better": "Lower is better", "higher_is_better": "Higher is better", "no_polarity": "No polarity"}
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


# --- Dashboard ----------------------------------------------------------------------

BODY, HEAD = 10, 9          # dashboard font sizes (points)
TITLE_CHARS = 34            # indicator titles wrap at this many characters
ROW_HEIGHT = 16             # points a line; the page has height to spare, so rows breathe
FIXED = 10                  # columns before the area columns


def _short_period(end: pd.Period) -> str:
    """``Oct 21–Sep 22`` for the 12 months ending ``end``."""
    return f"{(end - 11).strftime('%b %y')}–{end.strftime('%b %y')}"


def _value_format(unit: str, marker: str = "") -> str:
    """Number format by unit (values are already percentages, so ``%`` is a literal).

    With ``marker`` the symbol follows the number; without, the same space is left
    so that marked and unmarked values line up.
    """
    base = '0.0"%"' if unit == "%" else "0.00"
    return f'{base}" {marker}"' if marker else f'{base}" "_▲'


def _decimals(unit: str) -> int:
    return 1 if unit == "%" else 2


def _target_text(indicator, record: dict) -> str:
    """``28–40%: within`` (the range, and where the value falls)."""
    target = indicator.target
    if not target:
        return ""
    text = f"{target['low']:g}–{target['high']:g}{'%' if indicator.unit == '%' else ''}"
    return f"{text}: {record['target_status']}" if record["target_status"] else text


def write_dashboard(results, path: str | Path) -> Path:
    """Write the dashboard workbook (Dashboard, Trends, Data, Neighbourhoods, Definitions) to ``path``."""
    wb = Workbook()
    _dashboard_sheet(wb.active, results)
    _trends_sheet(wb.create_sheet("Trends"), results)
    _data_sheet(wb.create_sheet("Data"), results.table)
    if len(results.neighbourhoods):
        _data_sheet(wb.create_sheet("Neighbourhoods"), _fewer_than(results.neighbourhoods, results.params["suppress_below"]),
                    "NeighbourhoodTable")
    _definitions_sheet(wb.create_sheet("Definitions"), results.catalogue)
    partnership = results.params["partnership"]
    wb.properties.title = safe_text(f"{partnership} Safer Communities Performance Dashboard, {results.quarter.title}")
    return _save(wb, path, _quarter_time(results.quarter))


def _dashboard_sheet(ws, results) -> None:
    """One landscape page: every indicator, its direction and judgement, the areas, a key."""
    ws.title = "Dashboard"
    ws.sheet_view.showGridLines = False
    quarter, params, end = results.quarter, results.params, results.quarter.end_month
    partnership, areas = params["partnership"], results.partnership.area_names
    headers = ["Indicator", "Unit", f"Current\nto {end.strftime('%b %y')}", f"Previous\nto {(end - 12).strftime('%b %y')}",
               "Change", "Direction", "Judgement", "95% confidence\ninterval", "Target\nrange",
               "Monthly SPC", *(_two_lines(area) for area in areas)]
    last = len(headers)
    widths = {c: _chars(h, HEAD, bold=True) for c, h in enumerate(headers, start=1)}
    widths[1] = _chars("x" * TITLE_CHARS) + 1

    titles = [(f"{partnership}: Safer Communities Performance Dashboard", 16, True, NAVY),
              (f"{quarter.title}: {period_label(end)} compared with the {period_label(end - 12)}", 12, True, "000000"),
              (f"Rates per 10,000 population unless stated. Population: {results.population_note}.", BODY, False, "404040")]
    for row, (text, size, bold, color) in enumerate(titles, start=1):
        _put(ws, row, 1, text, size=size, bold=bold, color=color)
        ws.row_dimensions[row].height = size * 1.7
    head = len(titles) + 2
    groups = [(3, FIXED, f"{partnership} (the partnership)"),
              (FIXED + 1, last, f"Value by area, {_short_period(end)}:  + / − above / below the rest of "
                                f"{results.partnership.compared_with.name}")]
    for first, final, text in groups:
        ws.merge_cells(start_row=head, start_column=first, end_row=head, end_column=final)
        _put(ws, head, first, text, bold=True, size=HEAD, color=NAVY, align="center")
        for column in range(first, final + 1):
            ws.cell(head, column).border = Border(bottom=Side("medium", color=NAVY))
    for column, text in enumerate(headers, start=1):
        _put(ws, head + 1, column, text, bold=True, size=HEAD, color="FFFFFF", fill=NAVY, wrap=True,
             align="left" if column == 1 else "center")
    ws.row_dimensions[head + 1].height = 30
    ws.freeze_panes = ws.cell(head + 2, 2)
    ws.print_title_rows = f"{head}:{head + 1}"

    index = results.table.set_index(["indicator_id", "area"])
    spans: list[tuple[int, int, str, float]] = []  # merged text to the last column: row, first column, text, size
    row = head + 2
    for section, section_title in config.SECTIONS.items():
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last)
        _put(ws, row, 1, section_title, bold=True, size=11, color=NAVY, fill=SECTION_FILL)
        ws.row_dimensions[row].height = ROW_HEIGHT + 2
        row += 1
        for indicator in (i for i in results.catalogue.values() if i.section == section):
            _indicator_row(ws, row, indicator, index, widths, spans, areas, results.partnership.total.name)
            for column in range(1, last + 1):
                ws.cell(row, column).border = Border(bottom=Side("thin", color=GREY_LINE))
            row += 1
    key_end = _dashboard_key(ws, row + 1, results, last, spans)
    _fit_widths(ws, widths)
    for r, first, text, size in spans:  # wrapped text in merged cells: give the row its lines
        lines = math.ceil(_chars(text, size) / sum(widths[c] for c in range(first, last + 1)))
        ws.row_dimensions[r].height = max(ws.row_dimensions[r].height or 0, lines * (size + 5))
    ws.print_area = f"A1:{get_column_letter(last)}{key_end}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = ws.page_setup.fitToHeight = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.25
    ws.page_margins.top = ws.page_margins.bottom = 0.4
    ws.page_margins.header = ws.page_margins.footer = 0.2


def _indicator_row(ws, row: int, indicator, index: pd.DataFrame, widths: dict[int, float], spans: list,
                   areas: list[str], total: str) -> None:
    """One dashboard row: the partnership's (``total``'s) figures, then each of ``areas``' values."""
    record = index.loc[(indicator.id, total)].to_dict()
    unit, digits = indicator.unit, _decimals(indicator.unit)
    title = f"{indicator.title} {ILLUSTRATIVE_MARK}" if record["illustrative"] else indicator.title
    _comment(_put(ws, row, 1, title, wrap=True), indicator.definition)
    ws.row_dimensions[row].height = ROW_HEIGHT * len(textwrap.wrap(title, TITLE_CHARS))
    _put(ws, row, 2, unit, color="404040")
    widths[2] = max(widths[2], _chars(unit))
    if record["status"] != "available":
        reason = sentence(record["reason"])
        _comment(_put(ws, row, 3, "Not available", size=HEAD, italic=True, color="595959", align="center"), reason)
        widths[3] = max(widths[3], _chars("Not available", HEAD))
        ws.merge_cells(start_row=row, start_column=4, end_row=row, end_column=FIXED + len(areas))
        _put(ws, row, 4, reason, italic=True, color="595959", wrap=True)
        spans.append((row, 4, reason, BODY))
        return
    fill, color = JUDGEMENT_STYLE[record["judgement"]]
    cells = [
        (3, record["value"], {"fmt": _value_format(unit), "bold": True}),
        (4, record["previous_value"], {"fmt": _value_format(unit)}),
        (5, *_change(record)),
        (6, ARROWS.get(record["direction"], "—"), {}),
        (7, record["judgement"].capitalize(), {"fill": fill, "color": color, "bold": True, "align": "center"}),
        (8, f"{record['ci_low']:.{digits}f} – {record['ci_high']:.{digits}f}", {"align": "center", "size": HEAD}),
        (9, _target_text(indicator, record).replace(": ", ":\n"), {"align": "center", "size": HEAD, "wrap": True}),
        (10, *_spc_cell(record)),
    ]
    for column, area in enumerate(areas, start=FIXED + 1):
        area_row = index.loc[(indicator.id, area)] if (indicator.id, area) in index.index else None
        if area_row is None or area_row["status"] != "available":
            reason = "No figure for this area." if area_row is None else sentence(area_row["reason"])
            _comment(_put(ws, row, column, "n/a", italic=True, color="595959", align="right"), reason)
            continue
        marker, area_fill = VERSUS.get(area_row["vs_partnership"], ("", None))
        cells.append((column, area_row["value"], {"fmt": _value_format(unit, marker), "fill": area_fill,
                                                   "bold": area == total}))
    for column, value, style in cells:
        _put(ws, row, column, value, **style)
        shown = value if isinstance(value, str) else f"{value or 0:,.{digits}f}% ▲"
        widths[column] = max(widths[column], _chars(shown, style.get("size", BODY), style.get("bold", False)))
    if indicator.target:
        ws.row_dimensions[row].height = max(ws.row_dimensions[row].height, 2 * ROW_HEIGHT)


def _spc_cell(record: dict) -> tuple[str, dict]:
    """The variation icon's word, on its Making Data Count colour (as the report's icons); "—" without SPC."""
    if not record["spc_icon"]:
        return "—", {"align": "center"}
    icon = variation(record["spc_icon"])
    return icon["word"], {"fill": icon["colour"][1:], "color": icon["ink"][1:], "bold": True, "align": "center",
                          "size": HEAD}


def _change(record: dict) -> tuple[object, dict]:
    """The change cell, as the report gives it: % for a rate, points for a percentage, "new" from 0."""
    if record["measure"] == "percentage":
        return record["change_abs"], {"fmt": '+0.0" pts";-0.0" pts";0.0" pts"'}
    if record["previous_value"] == 0:
        return change_text(record), {"align": "right"}
    return record["change_pct"], {"fmt": '+0.0"%";-0.0"%";0.0"%"'}


def _dashboard_key(ws, row: int, results, last: int, spans: list) -> int:
    """The key under the table; returns its last row."""
    end, params, group = results.quarter.end_month, results.params, results.partnership.compared_with.name
    higher, lower = VERSUS["above"], VERSUS["below"]
    items = [
        ("▲ Higher  ▼ Lower  ► Similar", None, None,
         f"Direction of travel, {period_label(end)} against the 12 months before; arrows show direction only: "
         f"{describe_rule(params)}."),
        ("Improving", *JUDGEMENT_STYLE["improving"],
         "Changed in the better direction for the indicator's polarity (lower is better, or higher is better)."),
        ("Deteriorating", *JUDGEMENT_STYLE["deteriorating"], "Changed in the worse direction for the indicator's polarity."),
        ("Stable", *JUDGEMENT_STYLE["stable"], "Similar to the previous year under the rule above."),
        ("No judgement", *JUDGEMENT_STYLE["no judgement"],
         "The indicator has no polarity (a rise may mean more reporting, not more harm): direction shown, not judged."),
        (f"12.34 {higher[0]}", higher[1], "000000",
         f"Against the rest of {group} (the other districts together), not against last year: above it by the "
         "rule for a change (see the report's methods)."),
        (f"12.34 {lower[0]}", lower[1], "000000",
         f"Below the rest of {group} by the same rule. No mark: in line with it."),
        ("Monthly SPC", None, None,
             "The latest month's statistical process control reading, as NHS England's Making Data Count colours it: "
             "orange a concern, blue an improvement, purple unusual but neither better nor worse, grey usual variation; "
             "“high” or “low”: the side of the signal."),
        ("95% confidence interval", None, None,
         "Byar's method for counts and rates, Wilson score for percentages."),
        ("Change", None, None,
         "This year against the previous year: in % for rates, in percentage points (pts) for percentages; "
         "“new” where the previous year was 0."),
        (f"Indicator {ILLUSTRATIVE_MARK}", None, None,
         "Illustrative sample data generated for demonstration, not real local figures."),
        ("Not available / n/a", None, None,
         "No figure for the period (never shown as 0); the reason is in the cell's note and in the report."),
        ("Units", None, None, _units_note(results.catalogue)),
    ]
    if not results.table["illustrative"].any():
        items = [item for item in items if not item[0].endswith(ILLUSTRATIVE_MARK)]
    _put(ws, row, 1, "Key", bold=True, size=11, color=NAVY)
    for offset, (symbol, fill, color, text) in enumerate(items, start=1):
        r = row + offset
        _put(ws, r, 1, symbol, size=HEAD, fill=fill, color=color or "000000", bold=fill is not None, align="center")
        ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=last)
        _put(ws, r, 2, text, size=HEAD, color="262626", wrap=True)
        spans.append((r, 2, text, HEAD))
    return row + len(items)


def _units_note(catalogue: dict) -> str:
    """Units and target ranges in words, from the catalogue."""
    other = [f"{i.title.lower()} {i.unit}" for i in catalogue.values() if i.measure == "rate" and i.per != 10_000]
    text = "Rates per 10,000 population unless stated" + (f" ({'; '.join(other)})" if other else "")
    text += "; percentages are of cases or respondents."
    for i in (i for i in catalogue.values() if i.target):
        label = f"{i.target['label']} " if i.target.get("label") else ""
        text += f" {i.title} target: {label}{i.target['low']:g}–{i.target['high']:g}{'%' if i.unit == '%' else ''}."
    return text


# --- Trends -------------------------------------------------------------------------

def _rich(text: str, size: int, bold: bool = False) -> RichText:
    props = CharacterProperties(sz=size, b=bold)
    return RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=props), r=[RegularTextRun(rPr=props, t=text)] if text else [],
                                 endParaRPr=props)])


def _trends_sheet(ws, results, per_row: int = 3, slot_columns: int = 3, slot_rows: int = 15) -> None:
    """A small line chart of the partnership's rolling 12-month value per indicator, with its data."""
    ws.sheet_view.showGridLines = False
    end = results.quarter.end_month
    series = results.series[results.series["area"] == results.partnership.total.name]
    table = series.pivot(index="period_end", columns="indicator_id", values="value")
    months = sorted(table.index)
    _put(ws, 1, 1, f"{results.params['partnership']}: rolling 12-month values, "
                   f"{period_label(end, len(months))}", bold=True, size=14, color=NAVY)
    _put(ws, 2, 1, "Each point is the value for the 12 months ending that month (quarterly indicators: at each quarter "
                   "end). The values plotted are in the table below the charts.", size=10, color="404040")
    status = results.rows().set_index("indicator_id")
    shown = [i for i in results.catalogue.values() if status.loc[i.id, "status"] == "available"]
    grid_rows = math.ceil(len(results.catalogue) / per_row)
    top = 4 + grid_rows * slot_rows + 1
    _put(ws, top - 1, 1, "Data plotted in the charts above", bold=True, size=11, color=NAVY)
    _put(ws, top, 1, "12 months ending", bold=True, color="FFFFFF", fill=NAVY, wrap=True, valign="top")
    for r, month in enumerate(months, start=top + 1):
        _put(ws, r, 1, pd.Period(month, "M").strftime("%b %Y"))
    columns = {}
    for c, indicator in enumerate(shown, start=2):
        columns[indicator.id] = c
        _put(ws, top, c, f"{indicator.title} ({indicator.unit})", bold=True, color="FFFFFF", fill=NAVY, wrap=True,
             valign="top")
        for r, month in enumerate(months, start=top + 1):
            _put(ws, r, c, table.loc[month, indicator.id], fmt=_value_format(indicator.unit))
    ws.row_dimensions[top].height = 80
    for r in range(4, top - 1):  # fixed heights keep each chart inside its slot and page
        ws.row_dimensions[r].height = 15
    for c in range(1, max(len(shown) + 1, per_row * slot_columns) + 1):
        ws.column_dimensions[get_column_letter(c)].width = 14
    for n, indicator in enumerate(results.catalogue.values()):
        anchor_row, anchor_col = 4 + (n // per_row) * slot_rows, 1 + (n % per_row) * slot_columns
        if indicator.id not in columns:
            ws.merge_cells(start_row=anchor_row, start_column=anchor_col, end_row=anchor_row + 3,
                           end_column=anchor_col + slot_columns - 1)
            _put(ws, anchor_row, anchor_col, f"{indicator.title}: not available. {sentence(status.loc[indicator.id, 'reason'])}",
                 italic=True, color="595959", wrap=True, valign="top")
            continue
        ws.add_chart(_line_chart(ws, indicator, columns[indicator.id], top, len(months), table[indicator.id].max()),
                     ws.cell(anchor_row, anchor_col).coordinate)
    # Printed: the charts only (the table is for reading on screen), two rows of charts a page.
    ws.print_area = f"A1:{get_column_letter(per_row * slot_columns)}{top - 2}"
    for grid_row in range(2, grid_rows, 2):
        ws.row_breaks.append(Break(id=2 + grid_row * slot_rows))
    ws.page_margins.top = ws.page_margins.bottom = 0.4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _line_chart(ws, indicator, column: int, top: int, count: int, highest: float) -> LineChart:
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
    chart.y_axis.number_format = ("0" + ("." + "0" * digits if digits else "")) + ('"%"' if indicator.unit == "%" else "")
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


def _data_sheet(ws, table: pd.DataFrame, display_name: str = "IndicatorTable") -> None:
    """A table as a filterable Excel table; missing values are empty cells."""
    columns = list(table.columns)
    widths = {}
    for c, name in enumerate(columns, start=1):
        _put(ws, 1, c, name, bold=True)
        widths[c] = len(name) + 4
    for r, record in enumerate(table.itertuples(index=False), start=2):
        for c, value in enumerate(record, start=1):
            cell = ws.cell(row=r, column=c, value=_plain(value))
            if isinstance(cell.value, str):
                cell.data_type = "s"
                widths[c] = max(widths[c], min(len(cell.value) + 2, 60))
            elif isinstance(cell.value, float):
                widths[c] = max(widths[c], 12)
    ref = f"A1:{get_column_letter(len(columns))}{len(table) + 1}"
    data = Table(displayName=display_name, ref=ref)
    data.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(data)
    ws.freeze_panes = "B2"
    ws.page_setup.orientation = "landscape"
    _fit_widths(ws, widths)


def _definitions_sheet(ws, catalogue: dict) -> None:
    """The indicator catalogue: what each dashboard row counts and how to read it."""
    headers = ["ID", "Indicator", "Section", "Unit", "Polarity", "Source", "Frequency", "Definition", "Notes", "Target"]
    widths = [30, 34, 30, 11, 16, 13, 11, 60, 50, 30]
    for c, (text, width) in enumerate(zip(headers, widths), start=1):
        _put(ws, 1, c, text, bold=True, color="FFFFFF", fill=NAVY)
        ws.column_dimensions[get_column_letter(c)].width = width
    for r, indicator in enumerate(catalogue.values(), start=2):
        target = indicator.target
        values = [indicator.id, indicator.title, config.SECTIONS[indicator.section], indicator.unit,
                  POLARITY_WORDS[indicator.polarity], "police.uk" if indicator.source == "police_uk" else "Local data return",
                  indicator.frequency.capitalize(), indicator.definition, indicator.notes,
                  f"{target['low']:g}–{target['high']:g} ({target.get('label', 'target range')})" if target else ""]
        for c, value in enumerate(values, start=1):
            _put(ws, r, c, value, wrap=True, valign="top")
    ws.freeze_panes = "B2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(catalogue) + 1}"
