"""Stitch the executed section notebooks, with narrative cells, into one self-contained HTML report.

Front matter (cover, contents) and back matter (key, data quality, methods,
provenance) are raw HTML cells built here with every text escaped; the analyst's
commentary is Markdown rendered with raw HTML escaped. nbconvert's TemplateExporter runs
in-process with the ``board`` template, which links nothing outside the file. (Not the
HTMLExporter: it re-parses the finished page with BeautifulSoup to add focus and alt
attributes to JupyterLab's cell markup, which this template does not produce, and that
pass took 80 % of the export's time.)
"""
from __future__ import annotations

import platform
from pathlib import Path

import nbformat
import pandas as pd
from nbconvert.exporters import TemplateExporter

from .. import __version__, config
from ..analysis.assess import describe_comparison, describe_rule, describe_spc
from ..analysis.breaks import describe_breaks
from ..analysis.gaps import cause_lines, month_ranges
from ..analysis.results import Results
from .narrative import anchor, escape, long_date, markdown, table_block

TEMPLATES = Path(__file__).parent / "templates"


def _raw(html_text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_raw_cell(html_text, metadata={"format": "text/html"})


def chapters(results: Results) -> list[tuple[str, str]]:
    """(anchor, title) of every chapter, in order, for the contents."""
    return [("key-points", "Key points"), ("what-changed", "What changed since last quarter"), ("dashboard", "Dashboard"),
            *((anchor(s), t) for s, t in config.SECTIONS.items()),
            ("key", "How to read this report"), ("data-quality", "Data quality and availability"),
            ("methods", "Methods"), ("provenance", "Provenance")]


def cover(results: Results, build: dict) -> str:
    quarter, params, rows = results.quarter, results.params, results.rows()
    meeting = params.get("meeting_date")
    sample = ("<p class='notice'><strong>Illustrative sample.</strong> Indicators marked “Illustrative sample” come "
              "from a generated local extract, not from partner returns; police.uk figures are real.</p>"
              if rows["illustrative"].any() else "")
    return (
        "<header class='cover'>"
        f"<p class='partnership'>{escape(params.get('board', config.PARTNERSHIP))}</p>"
        f"<h1>Safer Communities Performance Report</h1>"
        f"<p class='quarter'>{escape(quarter.title)}</p>"
        f"<p class='quarter'>{escape(rows['period'].iloc[0])}, compared with the previous 12 months</p>"
        "<dl>"
        f"<dt>Partnership</dt><dd>{escape(params.get('partnership', config.PARTNERSHIP))}</dd>"
        f"<dt>Board meeting</dt><dd>{escape(long_date(meeting) if meeting else 'To be confirmed')}</dd>"
        f"<dt>Period covered</dt><dd>{escape((quarter.end_month - 11).strftime('%B %Y'))} to {escape(quarter.end_month.strftime('%B %Y'))}</dd>"
        f"<dt>Prepared by</dt><dd>{escape(params.get('contact', {}).get('name', ''))}</dd>"
        f"<dt>Produced</dt><dd>{escape(build['built_at'])}</dd>"
        f"</dl>{sample}</header>"
    )


def contents(results: Results) -> str:
    items = "".join(f"<li><a href='#{a}'>{escape(t)}</a></li>" for a, t in chapters(results))
    return f"<nav class='contents' aria-labelledby='contents-heading'><h2 id='contents-heading'>Contents</h2><ol>{items}</ol></nav>"


def reading_key(results: Results) -> str:
    return (
        "<h2 id='key'>How to read this report</h2>"
        "<p>Each indicator compares the latest 12 months with the same 12 months a year earlier. Rates are per 10,000 "
        "residents unless the unit says otherwise (hate crimes are per 1,000). The trajectory charts show the rolling "
        "12-month value at each month end, so seasonal swings do not distort the trend.</p>"
        "<dl class='key'>"
        "<dt>▲ Higher / ▼ Lower</dt><dd>The value has changed by the rule in the Methods section.</dd>"
        "<dt>► Similar</dt><dd>The change does not meet that rule: no real change.</dd>"
        "<dt>Improving / Deteriorating</dt><dd>Direction read through the indicator's polarity: for “lower is better” "
        "indicators a fall is improving; for “higher is better” (the cohesion survey) a rise is improving. Shown as a word "
        "and a green or red cell.</dd>"
        "<dt>Stable</dt><dd>No real change, on a grey cell.</dd>"
        "<dt>Not compared</dt><dd>This year's value is shown, but the previous year's data is incomplete, so there "
        "is no direction of travel.</dd>"
        "<dt>No judgement</dt><dd>Indicators with no polarity (domestic abuse, sexual offences, hate crime): a rise may "
        "mean more victims are reporting, so the direction is shown but not judged.</dd>"
        "<dt>Within / below / above range</dt><dd>The SafeLives recommended range of 28–40% is the benchmark for "
        "the MARAC repeat referral rate.</dd>"
        f"<dt>District ▲ / ▼ / ►</dt><dd>The district is significantly higher, significantly lower or similar to "
        f"{escape(config.PARTNERSHIP)} (a funnel plot: see Methods). “Not compared” and “n/a” mean no comparison was "
        "possible.</dd>"
        "<dt>Monthly SPC signal</dt><dd>Something in the monthly counts that usual variation does not explain "
        "(statistical process control): an unusually high or low month, a run above or below the usual level, a rising "
        "or falling trend, or months close to a limit; read as an improvement, a concern or an unusual change.</dd>"
        "<dt>Illustrative sample</dt><dd>Figures generated for demonstration; not real partner data.</dd>"
        "</dl>"
    )


def data_quality(results: Results) -> str:
    quality = results.quality
    in_window = quality[quality["month"].isin([str(m) for m in pd.period_range(end=results.quarter.end_month, periods=24, freq="M")])]
    rows, gaps = results.rows(), results.gaps()
    # A district lacking data leaves the partnership without it too, so partnership rows say it all.
    given = rows[(rows["status"] != "available") & ~rows["indicator_id"].isin(gaps["indicator_id"])]  # params' reasons
    items = "".join(f"<li><strong>{escape(r['title'])}</strong>: {escape(r['reason'])}</li>" for r in given.to_dict("records"))
    items += "".join(f"<li>{escape(line)}</li>" for line in cause_lines(gaps[gaps["status"] != "available"]))
    compare = "".join(f"<li>{escape(line)}</li>" for line in cause_lines(gaps[gaps["status"] == "available"]))
    sample = [r["title"] for r in rows.to_dict("records") if r["illustrative"]]
    return (
        "<h2 id='data-quality'>Data quality and availability</h2>"
        "<h3>Indicators not available</h3>"
        + (f"<ul>{items}</ul>" if items else "<p>All indicators are available this quarter.</p>")
        + (f"<h3>Indicators not compared with the previous year</h3><ul>{compare}</ul>" if compare else "")
        + "<h3>police.uk records without a location</h3>"
        f"<p>The police.uk files for {'the' if len(in_window) == 24 else f'only {len(in_window)} of the'} 24 months used "
        f"({escape(month_ranges(in_window['month']))}) "
        f"held {in_window['rows'].sum():,} records for the Leicestershire Police force area. Of these, "
        f"{in_window['no_location'].sum():,} had no location (no LSOA) and cannot be placed in a district, so they are "
        f"excluded from every figure; {in_window['leicester'].sum():,} were in Leicester city and "
        f"{in_window['outside'].sum():,} in areas outside the force boundary, neither part of the partnership; "
        f"{in_window['partnership'].sum():,} were counted.</p>"
        + _quality_table(in_window)
        + "<h3>Breaks in the police.uk data</h3>"
        + (f"<ul>{''.join(f'<li>{escape(words)}</li>' for words in results.breaks['words'])}</ul>" if len(results.breaks)
           else "<p>None in these 24 months.</p>")
        + f"<p>The rule: {escape(describe_breaks())}.</p>"
        + "<h3>Illustrative sample data</h3>"
        + (f"<p>The following indicators use an illustrative sample local extract generated by a seeded script, "
           f"consistent with the police.uk totals, because partner data is not bundled: {escape(', '.join(sample))}.</p>"
           if sample else "<p>No indicator uses sample data.</p>")
        + f"<h3>Population</h3><p>Rates use ONS mid-year population estimates: {escape(results.population_note)}.</p>"
    )


def _quality_table(quality: pd.DataFrame) -> str:
    rows = "".join(
        f"<tr><th scope='row'>{escape(pd.Period(r['month'], 'M').strftime('%b %Y'))}</th><td class='num'>{r['rows']:,}</td>"
        f"<td class='num'>{r['no_location']:,}</td><td class='num'>{r['leicester']:,}</td><td class='num'>{r['outside']:,}</td>"
        f"<td class='num'>{r['partnership']:,}</td></tr>" for r in quality.to_dict("records"))
    return table_block("police.uk records by month", "<table><caption>police.uk records by month</caption><thead><tr><th scope='col'>Month</th>"
            "<th scope='col' class='num'>Records</th><th scope='col' class='num'>No location</th><th scope='col' class='num'>Leicester city</th>"
            "<th scope='col' class='num'>Outside force area</th><th scope='col' class='num'>Counted</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>")


def methods(results: Results) -> str:
    params = results.params
    return (
        "<h2 id='methods'>Methods</h2>"
        "<h3>Periods and rates</h3>"
        f"<p>The reporting value is the rolling 12 months ending with the quarter's last month "
        f"({escape(results.quarter.end_month.strftime('%B %Y'))}); the previous value is the 12 months ending a year earlier. "
        "A 12-month value is shown only when every month (or, for quarterly returns, every quarter) is present for every "
        "district summed; otherwise the indicator is “not available”, never a partial year. Counts come from police.uk "
        "street-level files: the district is the LSOA name without its last token; Leicester city and places outside "
        "the partnership are excluded from every total. Leicestershire is the sum of its seven districts; "
        "Leicestershire &amp; Rutland adds Rutland. Rates divide by the ONS mid-year population estimate nearest the "
        "middle of the 12 months.</p>"
        "<h3>Confidence intervals</h3>"
        "<p>95% confidence intervals use Byar's approximation to the Poisson distribution for counts and rates, with the "
        "exact method (chi-square) for counts below 10, and the Wilson score method for percentages, as in OHID's "
        "Fingertips and its PHEindicatormethods package.</p>"
        "<h3>Direction of travel</h3>"
        f"<p>The rule in force: {escape(describe_rule(params))}. Significance of the change in a rate uses the exact "
        "conditional (binomial) test for the ratio of two Poisson rates (Przyborski and Wilenski, 1940); of a percentage, "
        "the pooled two-proportion z-test. Polarity then turns higher or lower into improving or deteriorating.</p>"
        "<h3>Districts compared with the partnership</h3>"
        f"<p>{escape(describe_comparison(params))}</p>"
        "<h3>Statistical process control</h3>"
        "<p>Each indicator's monthly counts are plotted as an XmR chart. "
        f"{escape(describe_spc(params))} A signal involving the latest month is read through polarity as an "
        "improvement, a concern or an unusual change. The rolling 12-month series is not tested, because its windows "
        "overlap. Quarterly returns (MARAC, survey) have too few points for SPC.</p>"
    )


def provenance(results: Results, build: dict) -> str:
    files = "".join(f"<tr><td>{escape(Path(f.path).name)}</td><td class='num'>{f.rows:,}</td><td><code>{escape(f.sha256)}</code></td></tr>"
                    for f in results.files)
    versions = ", ".join(f"{name} {version}" for name, version in build["packages"].items())
    params = {k: v for k, v in results.params.items() if k not in ("commentary", "_files")}
    params_rows = "".join(f"<tr><th scope='row'>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in params.items())
    return (
        "<h2 id='provenance'>Provenance</h2>"
        f"<p>Built {escape(build['built_at'])} by safer-report {escape(__version__)} (code version "
        f"<code>{escape(build.get('code_version', 'unknown'))}</code>) on Python {escape(platform.python_version())}. "
        f"Packages: {escape(versions)}.</p>"
        f"<p>Parameter files: {escape(', '.join(Path(p).name for p in results.params.get('_files', [])))}.</p>"
        + table_block("Parameters used", f"<table class='provenance'><caption>Parameters used</caption><tbody>{params_rows}</tbody></table>")
        + table_block("Input files", "<table class='provenance'><caption>Input files (SHA-256)</caption><thead><tr><th scope='col'>File</th>"
                      f"<th scope='col' class='num'>Rows</th><th scope='col'>SHA-256</th></tr></thead><tbody>{files}</tbody></table>")
        + "<p>police.uk data: Open Government Licence v3.0. ONS population estimates and boundaries: Office for National "
        "Statistics licensed under the Open Government Licence v.3.0; contains OS data © Crown copyright and database right 2023.</p>"
    )


def stitch(results: Results, notebooks: list[Path], build: dict) -> nbformat.NotebookNode:
    """One notebook: front matter, every section notebook's outputs, back matter."""
    book = nbformat.v4.new_notebook()
    book.cells = [_raw(cover(results, build)), _raw(contents(results))]
    for path in notebooks:
        executed = nbformat.read(path, as_version=4)
        book.cells += [c for c in executed.cells if c.cell_type == "code" and c.get("outputs")]
    book.cells += [_raw(reading_key(results)), _raw(data_quality(results)), _raw(methods(results)),
                   _raw(provenance(results, build))]
    for index, cell in enumerate(book.cells):
        cell.id = f"report-{index}"
    return book


def export_html(book: nbformat.NotebookNode, title: str) -> str:
    """The stitched notebook as one HTML page with the board template and inline CSS."""
    exporter = TemplateExporter(extra_template_basedirs=[str(TEMPLATES)], template_name="board",
                                template_file="index.html.j2", exclude_input=True, exclude_input_prompt=True,
                                exclude_output_prompt=True)
    exporter.register_filter("safe_markdown", markdown)
    body, _ = exporter.from_notebook_node(book, resources={"report_title": title,
                                                           "report_css": (TEMPLATES / "report.css").read_text()})
    return body
