"""HTML comes from the Jinja2 templates in presentation/templates/fragments, escaped by default:
no Python string under src/ writes an HTML tag, and text from params or the catalogue reaches the
page as text."""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

import jinja2
import pytest

import board
from helpers.analysis.compute import compute
from helpers.inputs.params import Commentary
from helpers.presentation import render, report
from helpers.presentation.fragments import FRAGMENTS
from helpers.presentation.fragments import render as fragment

SRC = Path(__file__).resolve().parents[1] / "src"

# The element names of HTML (WHATWG), with svg and math: a `<name` of one of these opens or closes a tag;
# other words in angle brackets (``params/<quarter>.yaml``) are placeholders.
HTML_ELEMENTS = set(
    """
a abbr address area article aside audio b base bdi bdo blockquote body br button canvas caption cite code col colgroup
data datalist dd del details dfn dialog div dl dt em embed fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 head
header hgroup hr html i iframe img input ins kbd label legend li link main map mark menu meta meter nav noscript object ol
optgroup option output p picture pre progress q rp rt ruby s samp script search section select slot small source span
strong style sub summary sup svg math table tbody td template textarea tfoot th thead time title tr track u ul var video wbr
""".split()
)
TAG = re.compile(r"<(?:!doctype\b|/?([a-z][a-z0-9]*)(?=[\s/>]))", re.IGNORECASE)
# A pattern given to `re` reads HTML (e.g. the axe results in Chromium's dump); it writes none.
READERS = {"compile", "search", "match", "fullmatch", "findall", "finditer", "sub", "subn", "split"}


def html_tags_written(source: str) -> list[tuple[int, str]]:
    """(line, text) of every string constant in ``source`` holding an HTML tag, f-string parts
    included; docstrings and regular expressions given to ``re`` are left out."""
    tree = ast.parse(source)
    skip: set[int] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        ):
            skip.add(id(node.body[0].value))
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.args
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "re"
            and node.func.attr in READERS
        ):
            skip.update(id(part) for part in ast.walk(node.args[0]))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            if any(m.group(1) is None or m.group(1).lower() in HTML_ELEMENTS for m in TAG.finditer(node.value)):
                found.append((node.lineno, node.value))
    return sorted(found)


def test_the_scan_finds_tags_written_in_strings_and_only_those():
    source = '''
"""A module about ``<figure>`` elements."""
import re
ROW = f"<tr><td>{1}</td>"
PAGE = "<!DOCTYPE html>"
HELP = "write outputs/<quarter>/ and params/<quarter>.yaml"
FOUND = re.search(r"<pre\\b[^>]*>(.*?)</pre>", "")
CLOSE = "</div>"
'''
    assert html_tags_written(source) == [(4, "</td>"), (4, "<tr><td>"), (5, "<!DOCTYPE html>"), (8, "</div>")]


def test_no_python_string_under_src_writes_html_tags():
    offenders = [
        f"{path.relative_to(SRC)}:{line}: {text[:60]!r}"
        for path in sorted(SRC.rglob("*.py"))
        for line, text in html_tags_written(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_every_fragment_template_escapes_and_refuses_an_undefined_name():
    names = sorted(p.name.removesuffix(".html.j2") for p in FRAGMENTS.glob("[!_]*.html.j2"))
    assert "dashboard_table" in names and "figure" in names
    for name in names:
        with pytest.raises(jinja2.UndefinedError):
            fragment(name)  # every fragment needs data: none given is an error, not an empty hole
    shown = fragment("figure", svg_base64="", alt='<b>"bold"</b>', caption="<script>alert(1)</script>", size="wide")
    assert 'alt="&lt;b&gt;&#34;bold&#34;&lt;/b&gt;"' in shown
    assert "<figcaption>&lt;script&gt;alert(1)&lt;/script&gt;</figcaption>" in shown


# --- Hostile text from params and the catalogue ---------------------------------------------------

BOLD, SCRIPT = "<b>Bold</b> & co", "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def hostile():
    """This quarter's results with markup in an indicator's title, a params reason, the board's name,
    the contact and the commentary."""
    results = compute("2022-23-Q2")
    table = results.table.copy()
    partnership = table[table["area"] == board.PARTNERSHIP]
    shown = partnership.loc[partnership["status"] == "available", "indicator_id"].iloc[0]
    missing = partnership.loc[partnership["status"] != "available", "indicator_id"].iloc[0]
    table.loc[table["indicator_id"] == shown, "title"] = f"{BOLD} {SCRIPT}"
    table.loc[table["indicator_id"] == missing, "reason"] = f"Not available: {SCRIPT} {BOLD}"
    section = partnership.loc[partnership["indicator_id"] == shown, "section"].iloc[0]
    settings = dataclasses.replace(
        results.settings,
        contact={"name": SCRIPT},
        commentary=Commentary(sections={section: f"## {SCRIPT}\n\n**Read** this {BOLD}"}),
    )
    partnership = dataclasses.replace(results.partnership, board=f"{BOLD} board")
    return dataclasses.replace(results, table=table, settings=settings, partnership=partnership), section


def assert_shown_as_text(fragment_html: str, *expected: str) -> None:
    assert "<script" not in fragment_html and "<b>" not in fragment_html
    for text in expected:
        assert text in fragment_html, text


def test_titles_and_reasons_from_params_are_escaped_in_the_dashboard(hostile):
    results, _ = hostile
    assert_shown_as_text(
        render.dashboard_table(results),
        "&lt;b&gt;Bold&lt;/b&gt; &amp; co &lt;script&gt;alert(1)&lt;/script&gt;</a>",
        "Not available: &lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;Bold&lt;/b&gt; &amp; co</td>",
    )


def test_params_text_is_escaped_on_the_cover_and_in_the_data_quality_notes(hostile):
    results, _ = hostile
    assert_shown_as_text(
        report.cover(results, {"built_at": "today"}),
        "<p class='partnership'>&lt;b&gt;Bold&lt;/b&gt; &amp; co board</p>",
        "<dt>Prepared by</dt><dd>&lt;script&gt;alert(1)&lt;/script&gt;</dd>",
    )
    assert_shown_as_text(report.data_quality(results), ": Not available: &lt;script&gt;alert(1)&lt;/script&gt;")


def test_commentary_markdown_is_rendered_once_and_its_markup_escaped(hostile):
    results, section = hostile
    intro = render.chapter_intro(results, section).data
    assert_shown_as_text(
        intro,
        "<p><strong>&lt;script&gt;alert(1)&lt;/script&gt;</strong></p>",  # a heading, in bold
        "<p><strong>Read</strong> this &lt;b&gt;Bold&lt;/b&gt; &amp; co</p>",
    )
    assert "&amp;lt;" not in intro  # not escaped twice


# --- Variation icons --------------------------------------------------------------------------------


def test_variation_icons_carry_their_words_in_the_dashboard_and_the_key(hostile):
    results, _ = hostile
    table = results.table.copy()
    partnership = table.index[(table["area"] == board.PARTNERSHIP) & (table["status"] == "available")]
    table.loc[partnership[0], ["spc_icon", "spc_signal"]] = ["concern_high", "a run of 9 months above the usual level"]
    table.loc[partnership[1], ["spc_icon", "spc_signal"]] = ["improvement_low", "a falling trend"]
    table.loc[partnership[2], ["spc_icon", "spc_signal"]] = ["common_cause", "none"]
    dashboard = render.dashboard_table(dataclasses.replace(results, table=table))
    # each icon is named for screen readers and followed by its word, then the signal in words
    assert (
        "aria-label='Special cause variation of concern: unusually high values'" in dashboard
        and "Concern, high</span></span>: a run of 9 months above the usual level" in dashboard
    )
    assert "Improvement, low</span></span>: a falling trend" in dashboard and ">L</text>" in dashboard
    assert (
        "aria-label='Common cause variation: no signal'" in dashboard
        and "Usual variation</span></span></td>" in dashboard
    )
    key = report.reading_key(results)
    assert (
        key.count("class='variation-icon'") == 7
        and "Unusual, low</span></span>: Special cause variation, neither" in key
    )


# --- Words shared by the report and the workbook ------------------------------------------------------


def test_parameters_are_shown_as_settings_not_python():
    assert report.setting_words({"start": "2019-12", "end": "2020-02"}) == "start 2019-12, end 2020-02"
    assert (
        report.setting_words({"marac": {"start": "2021-04"}, "areas": ["Blaby", "Melton"]})
        == "marac (start 2021-04), areas (Blaby, Melton)"
    )
    assert [report.setting_words(v) for v in (True, False, None, 95)] == ["yes", "no", "", "95"]


def test_judgement_words_are_the_range_for_a_target_else_the_judgement():
    from helpers.presentation.narrative import judgement_words

    target = {"low": 28, "high": 40}
    assert judgement_words({"judgement": "no judgement", "target_status": "within"}, target) == (
        "Within 28–40% range",
        "good",
    )
    assert judgement_words({"judgement": "no judgement", "target_status": "above"}, target) == (
        "Above 28–40% range",
        "bad",
    )
    assert judgement_words({"judgement": "deteriorating", "target_status": ""}, None) == ("Deteriorating", "bad")
    assert judgement_words({"judgement": "", "target_status": ""}, None) == ("Not available", "na")
