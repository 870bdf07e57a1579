"""The covering board paper, the consistency check, what changed, and new-quarter."""
from __future__ import annotations

import html
import re

import pytest
import yaml

import board
from helpers import config
from helpers.analysis.compute import compute
from helpers.inputs import params as params_module
from helpers.cli import main
from helpers.errors import BuildError
from helpers.presentation.narrative import figure, markdown
from helpers.presentation.paper import check_consistency, paper_html, paper_markdown


@pytest.fixture(scope="module")
def results():
    return compute("2022-23-Q2")


@pytest.fixture(scope="module")
def paper(results):
    return paper_markdown(results)


def test_paper_names_the_right_year_quarter_and_meeting(paper):
    assert "## Safer Communities Performance 2022/23 Quarter 2 Report" in paper
    assert "The Board note the 2022/23 Q2 performance dashboard." in paper
    assert "**Date:** 17 November 2022" in paper
    assert "12 months to September 2022 compared with the 12 months to September 2021" in paper
    assert "Rates are per 10,000 population unless stated" in paper
    assert "2024/25" not in paper and "per 1000" not in paper


def test_paper_paragraphs_are_numbered_in_order(paper):
    numbers = [int(n) for n in re.findall(r"^(\d+)\. ", paper, flags=re.M)]
    assert numbers == list(range(1, len(numbers) + 1))


def test_paper_figures_are_the_tables(paper, results):
    """Each available partnership indicator's sentence carries its current and previous values."""
    for row in results.rows(board.PARTNERSHIP).to_dict("records"):
        line = next(l for l in paper.splitlines() if f" {results.catalogue[row['indicator_id']].subject} " in l)
        if row["status"] == "available":
            assert figure(row["value"], row["measure"]) in line and figure(row["previous_value"], row["measure"]) in line
        else:
            assert "not available" in line and "change of recording system" in line


def test_sentences_agree_with_singular_and_plural_titles(paper, results):
    """'Hate crimes are …', 'Shoplifting is …': the catalogue's 'plural' picks the verb."""
    plural = [i.title for i in results.catalogue.values() if i.plural]
    assert {"Hate crimes", "Domestic abuse crimes and incidents"} <= set(plural)
    for indicator in results.catalogue.values():
        wrong = f"{indicator.title} {'is' if indicator.plural else 'are'} "
        assert f"{indicator.subject} " in paper and wrong not in paper, indicator.title
    assert "Racially or religiously aggravated crime is not available" in paper  # data availability, singular


def test_marac_sentence_states_the_safelives_range(paper, results):
    row = results.rows().set_index("indicator_id").loc["marac_repeat_rate"]
    line = next(l for l in paper.splitlines() if "MARAC repeat referral rate is" in l)
    assert f"is {row['value']:.1f}%" in line and f"previous year's {row['previous_value']:.1f}%" in line
    assert f"{row['target_status']} the SafeLives recommended range of 28–40%" in line


def test_consistency_check_passes_on_the_real_paper(paper, results):
    check_consistency(results.table, board.PARTNERSHIP, {"board-paper.md": paper}, results.quarter)


@pytest.mark.parametrize("wrong", [
    "mistyped figure",                                     # total crime's value with a digit changed
    "wrong base",                                          # hate crimes quoted per 1,000, not per 10,000
    ("note the 2022/23 Q2", "note the 2021/22 Q2"),        # the wrong year, as in the real Q2 2025/26 paper
    ("12 months to September 2022", "12 months to June 2022"),
    "wrong baseline",                                      # burglary's pre-pandemic level mistyped
    ("expected back in 2023/24 Q1", "back in 2023/24 Q1"),  # a quarter named outside "expected back in"
])
def test_consistency_check_catches_a_wrong_figure_period_or_year(paper, results, wrong):
    rows = results.rows().set_index("indicator_id")
    total, hate = (f"{figure(rows.at[i, 'value'], 'rate')} per 10,000" for i in ("total_crime", "hate_crime"))
    level = f"level of {figure(rows.at['burglary_total', 'baseline_value'], 'rate')}"
    old, new = {"mistyped figure": (total, f"{figure(rows.at['total_crime', 'value'] + 0.01, 'rate')} per 10,000"),
                "wrong base": (hate, hate.replace("10,000", "1,000")),
                "wrong baseline": (level, level.replace(".", "1.", 1))}.get(wrong, wrong)
    assert old in paper
    broken = paper.replace(old, new)
    with pytest.raises(BuildError, match="disagree with indicators.csv"):
        check_consistency(results.table, board.PARTNERSHIP, {"board-paper.md": broken}, results.quarter)


def test_consistency_check_leaves_the_analysts_commentary_out(paper, results):
    """Prose in a commentary block is the analyst's (warned about elsewhere); the same words outside one fail."""
    prose = ("Shoplifting is now the fastest-growing crime in the county. As reported to the Board in 2021/22 Q4, "
             "the 12 months to June 2022 …")
    page = (f"<main>{markdown(paper, headings=True)}<div class='commentary'><p class='label'>Analyst's commentary</p>"
            f"{markdown(prose)}</div></main>")
    check_consistency(results.table, board.PARTNERSHIP, {"report.html": page}, results.quarter)
    with pytest.raises(BuildError, match="disagree with indicators.csv"):
        check_consistency(results.table, board.PARTNERSHIP, {"report.html": page.replace("<div class='commentary'>", "<div>")},
                          results.quarter)


def test_paper_opens_with_the_exceptions(paper, results):
    """At a glance, then the main messages (their figures the table's), the rule, the wider picture, then the list."""
    key_points = paper[paper.index("### Key points"):paper.index("#### Reduce crime")]
    rows = results.rows()
    deteriorating = (rows["judgement"] == "deteriorating").sum()
    assert re.search(rf"^\d+\. At a glance: of the {len(rows)} indicators, {deteriorating} are deteriorating", key_points, re.M)
    messages = key_points[key_points.index("#### The main messages"):key_points.index("#### The wider picture")]
    first = re.search(r"^\d+\. (.*)$", messages, re.M).group(1)
    top = rows[rows["direction"].isin(["higher", "lower"])].sort_values("change_pct", key=abs, ascending=False)
    top = top[top["spc_reading"].isin(["concern", "improvement"])].iloc[0]  # changed and signalling, largest change
    assert first.startswith(f"{top['title']} is {top['judgement']}: {figure(top['previous_value'], 'rate')} to "
                            f"{figure(top['value'], 'rate')} per 10,000")
    assert "Ranked by: a change beyond normal variation first" in messages
    assert "only 3 months, so it holds only those months' seasons and is biased by their seasonal highs or lows" in messages
    assert paper.count("span a break in the") == 1  # said once, not on each police.uk key point
    assert "MARAC (Multi-Agency Risk Assessment Conference)" in paper  # the explanation beside its key point
    assert ("Racially or religiously aggravated crime is not available this quarter due to the change of recording "
            "system; expected back in 2023/24 Q1.") in paper


def test_report_key_points_cover_and_methods_say_the_same(paper, results):
    """The report's key points open as the paper does; the cover and methods name the estimates and the baseline."""
    from helpers.presentation import render, report
    html_text = html.unescape(render.key_points(results).data)
    glance = re.search(r"At a glance: (.*)$", paper, re.M).group(1)
    assert glance[0].upper() + glance[1:] in html_text
    messages = re.findall(r"<li class='\w+'>(.*?)</li>", html_text[:html_text.index("All indicators by priority")])
    paper_messages = paper[paper.index("#### The main messages"):paper.index("#### The wider picture")]
    assert messages and all(message in paper_messages for message in messages)
    assert html_text.index("At a glance") < html_text.index("The main messages") < html_text.index("The wider picture")
    cover, methods = (html.unescape(text) for text in (report.cover(results, {"built_at": "today"}), report.methods(results)))
    for text in (cover, methods):
        assert results.population_note in text and "those published by 17 November 2022" in text
    assert "pre-pandemic level is its average over December 2019 to February 2020" in cover
    assert results.baseline_note in methods and "The main messages are the indicators that matter most" in methods
    block = html.unescape(render.indicator_block(results, "marac_repeat_rate"))
    assert "What this measures:</strong> A MARAC (Multi-Agency Risk Assessment Conference)" in block


def test_paper_html_escapes_markup(results):
    text = paper_markdown(results) + "\n\n<script>alert(1)</script>\n"
    page = paper_html(text, "t")
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_what_changed_lists_judgement_changes(results):
    """ASB total was improving in 2022/23 Q1 (a fall beyond 5%) and is stable now."""
    changes = results.changes.set_index("indicator_id")
    row = results.rows().set_index("indicator_id").loc["asb_total"]
    assert row["judgement"] == "stable"
    assert changes.loc["asb_total", "judgement_before"] == "improving"
    assert "total_crime" not in changes.index  # deteriorating both quarters, concern both quarters


def test_new_quarter_copies_settings_and_empties_commentary(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "PARAMS", tmp_path)
    (tmp_path / "defaults.yaml").write_text((config.ROOT / "params" / "defaults.yaml").read_text())
    (tmp_path / "2022-23-Q2.yaml").write_text((config.ROOT / "params" / "2022-23-Q2.yaml").read_text())
    assert main(["new-quarter", "2022/23 Q3"]) == 0
    written = yaml.safe_load((tmp_path / "2022-23-Q3.yaml").read_text())
    assert written["meeting_date"] is None
    assert written["commentary"]["summary"] == "" and set(written["commentary"]["sections"]) == set(config.SECTIONS)
    assert written["unavailable"] == {"racially_religiously_aggravated": {
        "reason": "Not available this quarter due to the change of recording system", "expected": "2023/24 Q1"}}
    params_module.load_params("2022-23-Q3")  # the file it writes is valid
    assert main(["new-quarter", "2022-23-Q3"]) == 2  # never overwrites without --force


def test_new_quarter_for_another_partnership_writes_its_own_file(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "PARAMS", tmp_path)
    (tmp_path / "defaults.yaml").write_text((config.ROOT / "params" / "defaults.yaml").read_text())
    (tmp_path / "charnwood").mkdir()
    (tmp_path / "charnwood" / "2022-23-Q2.yaml").write_text((config.ROOT / "params" / "charnwood" / "2022-23-Q2.yaml")
                                                           .read_text())
    assert main(["new-quarter", "2022-23-Q3", "--partnership", "charnwood"]) == 0
    assert not (tmp_path / "2022-23-Q3.yaml").exists()  # the board's quarter is its own
    written = yaml.safe_load((tmp_path / "charnwood" / "2022-23-Q3.yaml").read_text())
    assert written["commentary"]["summary"] == "" and "racially_religiously_aggravated" in written["unavailable"]
    assert main(["new-quarter", "2022-23-Q3", "--partnership", "charnwod"]) == 2  # one line naming the ids
