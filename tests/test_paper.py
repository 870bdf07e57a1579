"""The covering board paper, the consistency check, what changed, and new-quarter."""

from __future__ import annotations

import html
import re

import pytest
import yaml

import board
from helpers import config
from helpers.analysis.compute import compute
from helpers.cli import main
from helpers.errors import BuildError
from helpers.inputs import params as params_module
from helpers.inputs.params import Commentary
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
    assert "12 months to September 2022 is compared with the 12 months to September 2021" in paper
    assert "Rates are per 10,000 population unless stated" in paper
    assert "2024/25" not in paper and "per 1000" not in paper


def test_paper_paragraphs_are_numbered_in_order(paper):
    numbers = [int(n) for n in re.findall(r"^(\d+)\. ", paper, flags=re.M)]
    assert numbers == list(range(1, len(numbers) + 1))


def test_paper_figures_are_the_tables(paper, results):
    """Each available partnership indicator is named once with its previous and current values; the one not
    available says why."""
    for row in results.rows(board.PARTNERSHIP).to_dict("records"):
        if row["status"] == "available":
            said = (
                rf"(?i)\b{re.escape(row['title'])}(?: (?:is|are) [a-z ]+:)? "
                rf"{re.escape(figure(row['previous_value'], row['measure']))} to {re.escape(figure(row['value'], row['measure']))}"
            )
            assert len(re.findall(said, paper)) == (row["indicator_id"] != "marac_repeat_rate"), row["title"]
        else:
            assert (
                "Racially or religiously aggravated crime is not available this quarter due to the change of "
                "recording system; expected back in 2023/24 Q1." in paper
            )


def test_sentences_agree_with_singular_and_plural_titles(paper, results):
    """'Hate crimes are …', 'Shoplifting is …': the catalogue's 'plural' picks the verb."""
    plural = [i.title for i in results.catalogue.values() if i.plural]
    assert {"Hate crimes", "Domestic abuse crimes and incidents"} <= set(plural)
    for indicator in results.catalogue.values():
        assert f"{indicator.title} {'is' if indicator.plural else 'are'} " not in paper, indicator.title
    assert "Hate crimes are similar to last year" in paper and "Vehicle offences are deteriorating" in paper
    assert "Racially or religiously aggravated crime is not available" in paper


def test_marac_sentence_states_the_safelives_range(paper, results):
    row = results.rows().set_index("indicator_id").loc["marac_repeat_rate"]
    line = next(x for x in paper.splitlines() if "MARAC repeat referral rate is" in x)
    assert f"is {row['value']:.1f}%" in line and f"previous year's {row['previous_value']:.1f}%" in line
    assert f"{row['target_status']} the SafeLives recommended range of 28–40%" in line


def priorities(paper: str) -> dict[str, list[str]]:
    """Each priority's numbered paragraphs."""
    found = {}
    for title in config.SECTIONS.values():
        part = paper[paper.index(f"#### {title}\n") :]
        part = part[: part.index("\n#", 1)]
        found[title] = re.findall(r"^\d+\. (.*)$", part, re.M)
    return found


def test_each_priority_has_one_to_three_key_points_then_the_analysts_commentary(paper, results):
    commentary = results.settings.commentary
    for section, paragraphs in zip(config.SECTIONS, priorities(paper).values()):
        notes = [" ".join(str(commentary.sections.get(section, "")).split())]
        notes += [text for i, text in commentary.indicators.items() if results.catalogue[i].section == section]
        notes = [note for note in notes if note]
        assert paragraphs[len(paragraphs) - len(notes) :] == notes  # the analyst's words, under the priority
        assert 1 <= len(paragraphs) - len(notes) <= 3, section
    crime = priorities(paper)["Reduce crime"]
    assert "the **Business Crime Group** is reviewing hotspots" in crime[-1]
    assert priorities(paper)["Protect the vulnerable"][-1] == (
        "The MARAC steering group is reviewing how repeat referrals are identified."
    )
    key_points = paper[paper.index("### Key points") : paper.index("#### Reduce crime")]
    summary = " ".join(str(commentary.summary).split())
    assert re.search(rf"^4\. {re.escape(summary)}$", key_points, re.M)  # the summary first under the key points


def test_burglary_is_one_key_point_with_its_parts_in_a_clause(paper, results):
    """The key point leads with what changed and why it matters (a significant rise, an SPC concern), its parts
    in a clause, and last quarter's judgement where it changed."""
    rows = results.rows().set_index("indicator_id")
    crime = priorities(paper)["Reduce crime"]
    assert sum("urglary" in p for p in crime) == 1
    point = next(p for p in crime if "urglary" in p)
    whole, home, business = (rows.loc[i] for i in ("burglary_total", "burglary_residential", "burglary_business"))
    assert point.startswith(
        f"Burglary (all) is deteriorating: {figure(whole['previous_value'], 'rate')} to "
        f"{figure(whole['value'], 'rate')} per 10,000 over the last year (+43.9%), a significant rise"
    )
    assert "Monthly counts show a concern" in point
    assert (
        f"Within it, both deteriorating, each a significant rise: burglary residential "
        f"{figure(home['previous_value'], 'rate')} to {figure(home['value'], 'rate')} (+41.1%) and burglary "
        f"business & community {figure(business['previous_value'], 'rate')} to {figure(business['value'], 'rate')} "
        "(+50.1%)."
    ) in point
    assert point.endswith("Last quarter, burglary residential was stable.")


def test_the_rest_of_a_priority_shares_one_point(paper):
    """Reduce crime: burglary and vehicle offences (the largest significant rises with an SPC concern) have points of
    their own; the third is led by total recorded crime, with the others in a clause by judgement."""
    crime = priorities(paper)["Reduce crime"]
    assert crime[1].startswith("Vehicle offences are deteriorating")
    assert crime[2].startswith("Total recorded crime is deteriorating")
    assert (
        "Also deteriorating, each a significant rise: violence and sexual offences 245.95 to 285.66 (+16.1%), of "
        "which violence with injury 65.46 to 76.84 (+17.4%); shoplifting"
    ) in crime[2]
    assert crime[2].endswith("Stable: robbery 2.61 to 2.88 (+10.2%).")


def test_no_paragraph_is_said_twice_and_the_population_notes_are_left_to_the_report(paper):
    paragraphs = re.findall(r"^\d+\. (.*)$", paper, re.M)
    assert len(paragraphs) == len(set(paragraphs)) and len(paragraphs) <= 20
    figures = [s for p in paragraphs for s in re.split(r"(?<=\.) (?=[A-Z])", p) if re.search(r"\d to \d", s)]
    assert len(figures) == len(set(figures))  # no indicator's figures said twice
    assert "first published" not in paper and "mid-year" not in paper and "mid-2020" not in paper
    assert "The performance dashboard (Appendix A) and the full performance report (Appendix B) are attached." in paper
    assert "(Illustrative sample data.)" not in paper and "12 partner indicators are an illustrative sample" in paper


def test_the_main_figures_table_has_each_key_points_lead(paper, results):
    rows = results.rows().set_index("indicator_id")
    table = re.findall(r"^\| (.*) \|$", paper, re.M)
    assert table[0] == (
        "Indicator (per 10,000 unless %) | 12 months to Sep 2021 | 12 months to Sep 2022 | Change | Judgement"
    )
    burglary = rows.loc["burglary_total"]
    assert (
        f"Burglary (all) | {figure(burglary['previous_value'], 'rate')} | {figure(burglary['value'], 'rate')} | "
        "+43.9% | Deteriorating"
    ) in table
    notes = 3  # the analyst's: reduce crime, MARAC (protect the vulnerable) and reduce ASB
    assert len(table) - 2 == sum(len(points) for points in priorities(paper).values()) - notes


def test_no_contact_leaves_the_officer_out_and_warns(results):
    from dataclasses import replace

    from helpers.presentation.paper import missing_contact

    assert missing_contact(results) == ""
    none = replace(results, settings=replace(results.settings, contact={}))
    assert missing_contact(none) == (
        "Leicestershire & Rutland: the board paper names no officer to contact: give "
        "the partnership a contact in params/partnerships.yaml"
    )
    assert "Officer to contact" not in paper_markdown(none)
    assert "contact" not in yaml.safe_load((config.ROOT / "params" / "defaults.yaml").read_text())


def test_consistency_check_passes_on_the_real_paper(paper, results):
    check_consistency(results.table, board.PARTNERSHIP, {"board-paper.md": paper}, results.quarter)


@pytest.mark.parametrize(
    "wrong",
    [
        "mistyped figure",  # total crime's value with a digit changed
        "wrong base",  # hate crimes quoted per 1,000, not per 10,000
        ("note the 2022/23 Q2", "note the 2021/22 Q2"),  # the wrong year, as in the real Q2 2025/26 paper
        ("12 months to September 2022", "12 months to June 2022"),
        "wrong baseline",  # burglary's pre-pandemic level mistyped
        ("expected back in 2023/24 Q1", "back in 2023/24 Q1"),  # a quarter named outside "expected back in"
    ],
)
def test_consistency_check_catches_a_wrong_figure_period_or_year(paper, results, wrong):
    rows = results.rows().set_index("indicator_id")
    total, hate = (f"{figure(rows.at[i, 'value'], 'rate')} per 10,000" for i in ("total_crime", "hate_crime"))
    level = f"level of {figure(rows.at['burglary_total', 'baseline_value'], 'rate')}"
    old, new = {
        "mistyped figure": (total, f"{figure(rows.at['total_crime', 'value'] + 0.01, 'rate')} per 10,000"),
        "wrong base": (hate, hate.replace("10,000", "1,000")),
        "wrong baseline": (level, level.replace(".", "1.", 1)),
    }.get(wrong, wrong)
    assert old in paper
    broken = paper.replace(old, new)
    with pytest.raises(BuildError, match="disagree with indicators.csv"):
        check_consistency(results.table, board.PARTNERSHIP, {"board-paper.md": broken}, results.quarter)


def test_consistency_check_reads_figures_in_a_clause(paper, results):
    broken = paper.replace("burglary residential 18.27 to 25.78", "burglary residential 18.27 to 25.87")
    assert broken != paper
    with pytest.raises(BuildError, match="burglary_residential should be 18.27 to 25.78"):
        check_consistency(results.table, board.PARTNERSHIP, {"board-paper.md": broken}, results.quarter)


@pytest.mark.parametrize("format", ["md", "docx"])
def test_consistency_check_reads_the_figures_table(paper, results, format):
    from helpers.presentation.paper import paper_blocks
    from helpers.presentation.word import docx_text, word_paper

    text = paper if format == "md" else docx_text(word_paper(paper_blocks(results), "t", results.quarter))
    assert "Vehicle offences | 37.98 | 51.38 |" in text
    check_consistency(results.table, board.PARTNERSHIP, {format: text}, results.quarter)
    with pytest.raises(
        BuildError, match="vehicle_offences in the table should be 37.98 and 51.38, not 37.98 and 51.83"
    ):
        check_consistency(
            results.table, board.PARTNERSHIP, {format: text.replace("| 51.38 |", "| 51.83 |")}, results.quarter
        )


def test_paper_html_shows_the_figures_table(paper):
    page = paper_html(paper, "t")
    assert "<th>Change</th>" in page and re.search(r"<td[^>]*>Burglary \(all\)</td>", page)


def test_consistency_check_leaves_the_papers_commentary_out(results):
    """The analyst's prose in the paper is theirs (warned about elsewhere): only its own paragraphs are left out."""
    from dataclasses import replace

    from helpers.presentation.paper import blocks_markdown, commentary_texts, paper_blocks

    prose = "Shoplifting is now the **fastest-growing** crime in the county."
    blocks = paper_blocks(replace(results, settings=replace(results.settings, commentary=Commentary(summary=prose))))
    text = blocks_markdown(blocks)
    assert (
        prose in text
        and ("Shoplifting is now the fastest-growing crime in the county.",) == commentary_texts(blocks)[1:]
    )
    check_consistency(
        results.table, board.PARTNERSHIP, {"board-paper.md": text}, results.quarter, commentary_texts(blocks)
    )
    with pytest.raises(BuildError, match="disagree with indicators.csv"):
        check_consistency(results.table, board.PARTNERSHIP, {"board-paper.md": text}, results.quarter)


def test_consistency_check_leaves_the_analysts_commentary_out(paper, results):
    """Prose in a commentary block is the analyst's (warned about elsewhere); the same words outside one fail."""
    prose = (
        "Shoplifting is now the fastest-growing crime in the county. As reported to the Board in 2021/22 Q4, "
        "the 12 months to June 2022 …"
    )
    page = (
        f"<main>{markdown(paper, headings=True)}<div class='commentary'><p class='label'>Analyst's commentary</p>"
        f"{markdown(prose)}</div></main>"
    )
    check_consistency(results.table, board.PARTNERSHIP, {"report.html": page}, results.quarter)
    with pytest.raises(BuildError, match="disagree with indicators.csv"):
        check_consistency(
            results.table,
            board.PARTNERSHIP,
            {"report.html": page.replace("<div class='commentary'>", "<div>")},
            results.quarter,
        )


def test_report_key_points_cover_and_methods_say_the_same(paper, results):
    """The report's key points open with the paper's at-a-glance line; the methods name the estimates and the
    baseline, and the cover leaves them to the methods."""
    from helpers.presentation import render, report

    html_text = html.unescape(render.key_points(results).data)
    glance = re.search(r"^5\. (Of the 21 indicators.*)$", paper, re.M).group(1)
    assert f"At a glance.</strong> {glance}" in html_text
    cover, methods = (
        html.unescape(text) for text in (report.cover(results, {"built_at": "today"}), report.methods(results))
    )
    assert results.population_note in methods and "those published by 17 November 2022" in methods
    assert "those published by" not in cover and "pre-pandemic level is its average" not in cover
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
    assert written["unavailable"] == {
        "racially_religiously_aggravated": {
            "reason": "Not available this quarter due to the change of recording system",
            "expected": "2023/24 Q1",
        }
    }
    params_module.load_settings("2022-23-Q3")  # the file it writes is valid
    assert main(["new-quarter", "2022-23-Q3"]) == 2  # never overwrites without --force


def test_new_quarter_for_another_partnership_writes_its_own_file(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "PARAMS", tmp_path)
    (tmp_path / "defaults.yaml").write_text((config.ROOT / "params" / "defaults.yaml").read_text())
    (tmp_path / "charnwood").mkdir()
    (tmp_path / "charnwood" / "2022-23-Q2.yaml").write_text(
        (config.ROOT / "params" / "charnwood" / "2022-23-Q2.yaml").read_text()
    )
    assert main(["new-quarter", "2022-23-Q3", "--partnership", "charnwood"]) == 0
    assert not (tmp_path / "2022-23-Q3.yaml").exists()  # the board's quarter is its own
    written = yaml.safe_load((tmp_path / "charnwood" / "2022-23-Q3.yaml").read_text())
    assert written["commentary"]["summary"] == "" and "racially_religiously_aggravated" in written["unavailable"]
    assert main(["new-quarter", "2022-23-Q3", "--partnership", "charnwod"]) == 2  # one line naming the ids
