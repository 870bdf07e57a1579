"""Stitch the executed section notebooks, with narrative cells, into one self-contained HTML report.

Front matter (cover, contents) and back matter (key, data quality, methods,
provenance) are raw HTML cells, each a template in ``templates/fragments`` filled in here
(``fragments.render`` escapes every text); the analyst's commentary is Markdown rendered
with raw HTML escaped. nbconvert's TemplateExporter runs in-process with the ``board``
template, which links nothing outside the file. (Not the HTMLExporter: it re-parses the
finished page with BeautifulSoup to add focus and alt attributes to JupyterLab's cell
markup, which this template does not produce, and that pass took 80 % of the export's time.)
"""

from __future__ import annotations

import platform
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat
import pandas as pd
from markupsafe import Markup
from nbconvert.exporters import TemplateExporter

from .. import __version__, config
from ..analysis.assess import describe_comparison, describe_rule, describe_spc
from ..analysis.breaks import describe_breaks
from ..analysis.results import Results
from ..analysis.validation import normalise_confidence
from ..analysis.vocabulary import Icon
from ..analysis.wording import NO_LOCAL_EXTRACT, NO_PARTNER_DATA, cause_lines, join_words, month_ranges
from .fragments import render
from .messages import RANKING_RULE
from .narrative import anchor, long_date, markdown, variation
from .where import TITLE as WHERE
from .where import example, small_area_file

if TYPE_CHECKING:
    from ..inputs.params import Settings

TEMPLATES = Path(__file__).parent / "templates"


def _raw(html_text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_raw_cell(html_text, metadata={"format": "text/html"})


def chapters(results: Results) -> list[tuple[str, str]]:
    """(anchor, title) of every chapter, in order, for the contents."""
    return [
        ("key-points", "Key points"),
        ("dashboard", "Dashboard"),
        ("what-changed", "What changed since last quarter"),
        *((anchor(s), t) for s, t in config.SECTIONS.items()),
        ("where", WHERE),
        ("key", "How to read this report"),
        ("data-quality", "Data quality and availability"),
        ("methods", "Methods"),
        ("provenance", "Provenance"),
    ]


def cover(results: Results, build: dict) -> Markup:
    quarter, settings, rows = results.quarter, results.settings, results.rows()
    meeting = settings.meeting_date
    return render(
        "cover",
        board=results.partnership.board,
        quarter=quarter.title,
        period=rows["period"].iloc[0],
        partnership=results.partnership.name,
        meeting=long_date(meeting) if meeting else "To be confirmed",
        first_month=(quarter.end_month - 11).strftime("%B %Y"),
        last_month=quarter.end_month.strftime("%B %Y"),
        prepared_by=settings.contact.get("name", ""),
        built_at=build["built_at"],
        illustrative=rows["illustrative"].any(),
        no_partner_data=no_partner_data(rows),
    )


def no_partner_data(rows: pd.DataFrame) -> str:
    """A sentence when the partnership has no partner data at all (every local indicator lacks it), else ""."""
    local = rows[rows["source"] == "local"]
    if local.empty or not local["reason"].isin([NO_PARTNER_DATA, NO_LOCAL_EXTRACT]).all():
        return ""
    return (
        f"This pack has no partner data for its districts, so the {len(local)} indicators that come from "
        "partners' returns are not available; every police.uk figure is complete."
    )


def contents(results: Results) -> Markup:
    return render("contents", chapters=chapters(results))


def reading_key(results: Results) -> Markup:
    return render(
        "reading_key",
        partnership=results.partnership.compared_with.name,
        icons=[variation(icon) for icon in Icon],
        illustrative=bool(results.table["illustrative"].any()),
    )


def data_quality(results: Results) -> Markup:
    quality = results.quality
    in_window = quality[
        quality["month"].isin([str(m) for m in pd.period_range(end=results.quarter.end_month, periods=24, freq="M")])
    ]
    rows, gaps = results.rows(), results.gaps()
    # A district lacking data leaves the partnership without it too, so partnership rows say it all.
    given = rows[(rows["status"] != "available") & ~rows["indicator_id"].isin(gaps["indicator_id"])]  # params' reasons
    counts = ("rows", "no_location", "excluded", "outside", "partnership")
    return render(
        "data_quality",
        unavailable=given[["title", "reason"]].to_dict("records"),
        causes=cause_lines(gaps[gaps["status"] != "available"]),
        uncompared=cause_lines(gaps[gaps["status"] == "available"]),
        coverage="the" if len(in_window) == 24 else f"only {len(in_window)} of the",
        months=month_ranges(in_window["month"]),
        records={c: f"{in_window[c].sum():,}" for c in counts},
        by_month=[
            {"month": pd.Period(r["month"], "M").strftime("%b %Y"), **{c: f"{r[c]:,}" for c in counts}}
            for r in in_window.to_dict("records")
        ],
        sample=[r["title"] for r in rows.to_dict("records") if r["illustrative"]],
        no_partner_data=no_partner_data(rows),
        population_note=results.population_note,
        breaks=list(results.breaks["words"]) if len(results.breaks) else [],
        breaks_rule=describe_breaks(),
        excluded=join_words(results.partnership.excludes),
        repeats=repeated_ids(in_window, results.settings),
        file_notes=results.data_warnings,
    )


def describe_duplicates(settings: Settings) -> str:
    """The rule in force for police.uk records that repeat a Crime ID (the settings' ``duplicates``), in words."""
    if settings.duplicates == "drop_exact":
        return (
            "a record that is an exact copy of an earlier one with the same Crime ID (every field the same) is "
            "left out; every other record is counted (duplicates: drop_exact)"
        )
    return (
        "every record is counted as police.uk publishes it, including those that repeat a Crime ID, as "
        "published counts of police.uk data are (duplicates: keep)"
    )


def repeated_ids(quality: pd.DataFrame, settings: Settings) -> str:
    """How many records of these months repeat a Crime ID, in which months, how many are exact copies, and the rule."""
    repeated = quality[quality["repeated_ids"] > 0]
    if repeated.empty:
        return "No record in these months repeats the Crime ID of another record."
    total, copies = int(repeated["repeated_ids"].sum()), int(repeated["exact_copies"].sum())
    months = join_words(
        [f"{pd.Period(r['month'], 'M'):%B %Y} ({r['repeated_ids']:,})" for r in repeated.to_dict("records")]
    )
    return (
        f"{total:,} records repeat the Crime ID of an earlier record in the same month's file, in "
        f"{len(repeated)} of the months: {months}. {copies:,} of them are exact copies (every field the same); "
        f"the others differ, for example in the outcome or the location. The rule: {describe_duplicates(settings)}."
    )


def methods(results: Results) -> Markup:
    settings, partnership = results.settings, results.partnership
    sums = [
        f"{a.name} is the sum of its {len(a.districts)} districts ({join_words(a.districts)})."
        for a in partnership.areas
        if a.type != "district"
    ]
    return render(
        "methods",
        end_month=results.quarter.end_month.strftime("%B %Y"),
        rule=describe_rule(settings),
        sums=" ".join(sums),
        group=partnership.compared_with.name,
        comparison=describe_comparison(settings, partnership),
        spc=describe_spc(settings),
        baseline_note=results.baseline_note,
        population_note=results.population_note,
        ranking_rule=RANKING_RULE,
        confidence=normalise_confidence(settings.confidence) * 100,
        suppress_below=settings.suppress_below,
        sensitive=[i.title for i in results.catalogue.values() if i.sensitive],
        small_area_file=small_area_file(results),
        duplicates=describe_duplicates(settings),
        example=example(results),
    )


def provenance(results: Results, build: dict) -> Markup:
    return render(
        "provenance",
        built_at=build["built_at"],
        version=__version__,
        code_version=build.get("code_version", "unknown"),
        python=platform.python_version(),
        packages=", ".join(f"{name} {version}" for name, version in build["packages"].items()),
        sources=", ".join(path.name for path in results.settings.sources),
        params=[(key, setting_words(value)) for key, value in results.settings.listed],
        files=[{"name": Path(f.path).name, "rows": f"{f.rows:,}", "sha256": f.sha256} for f in results.files],
    )


def setting_words(value, nested: bool = False) -> str:
    """A parameter's value as a reader writes it: ``start 2019-12, end 2020-02`` for a mapping (in brackets
    within another), items joined by commas for a list, yes or no, and nothing for None."""
    if isinstance(value, dict):
        text = ", ".join(f"{key} {setting_words(item, True)}".rstrip() for key, item in value.items())
        return f"({text})" if nested else text
    if isinstance(value, (list, tuple)):
        text = ", ".join(setting_words(item, True) for item in value)
        return f"({text})" if nested else text
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


def stitch(results: Results, notebooks: list[Path], build: dict) -> nbformat.NotebookNode:
    """One notebook: front matter, every section notebook's outputs, back matter."""
    book = nbformat.v4.new_notebook()
    book.cells = [_raw(cover(results, build)), _raw(contents(results))]
    for path in notebooks:
        executed = nbformat.read(path, as_version=4)
        book.cells += [c for c in executed.cells if c.cell_type == "code" and c.get("outputs")]
    book.cells += [
        _raw(reading_key(results)),
        _raw(data_quality(results)),
        _raw(methods(results)),
        _raw(provenance(results, build)),
    ]
    for index, cell in enumerate(book.cells):
        cell.id = f"report-{index}"
    return book


def export_html(book: nbformat.NotebookNode, title: str) -> str:
    """The stitched notebook as one HTML page with the board template and inline CSS."""
    exporter = TemplateExporter(
        extra_template_basedirs=[str(TEMPLATES)],
        template_name="board",
        template_file="index.html.j2",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    exporter.register_filter("safe_markdown", markdown)
    body, _ = exporter.from_notebook_node(
        book, resources={"report_title": title, "report_css": (TEMPLATES / "report.css").read_text()}
    )
    return body
