"""helpers.inputs.catalogue as the one registry of indicators: the fields that place an indicator in the Where
chapter, the partners' return and the illustrative sample, checked in one line each; no module naming an
indicator id; and an indicator added to the catalogue alone reaching every output of a build."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from helpers import config
from helpers.errors import InputError
from helpers.inputs.catalogue import Sample, load_catalogue

QUARTER = "2022-23-Q2"
ENTRY = "  - {{id: {}, title: {}, section: reduce_crime, measure: {}, polarity: lower_is_better, definition: d, {}}}\n"
POLICE = "per: 10000, source: police_uk, crime_types: [{}]"
LOCAL = "per: 10000, source: local"
SURVEY = "source: local, frequency: quarterly"


def catalogue_file(tmp_path: Path, *entries: tuple[str, str, str]) -> Path:
    """A catalogue of ``entries`` (id, measure, the other fields) after a police.uk burglary rate and a local
    burglary rate, ``domestic``, drawn per resident."""
    entries = (
        ("burglary", "rate", POLICE.format("Burglary") + ", headline: 1, map: true"),
        ("domestic", "rate", LOCAL + ", return_sheet: Crime, sample: {per_resident: 0.02}"),
        *entries,
    )
    path = tmp_path / "indicators.yaml"
    path.write_text("indicators:\n" + "".join(ENTRY.format(i, i.title(), m, rest) for i, m, rest in entries))
    return path


def test_the_placing_fields_are_read(tmp_path):
    catalogue = load_catalogue(
        catalogue_file(
            tmp_path,
            ("robbery", "rate", POLICE.format("Robbery") + ", headline: 2"),
            ("residential", "rate", LOCAL + ", sample: {of: Burglary, share: 0.68}"),
            ("business", "rate", LOCAL + ", sample: {of: Burglary, share: rest}"),
            ("injury", "rate", LOCAL + ", sample: {of: domestic, share: 0.13}"),
            (
                "survey",
                "percentage",
                SURVEY + ", return_sheet: Survey, numerator: agreeing, denominator: answering, "
                "sample: {base: 60, per_resident: 0.0016, share: [0.9, 0.96], peak_months: [12], peak_factor: 1.5}",
            ),
        )
    )
    assert (catalogue["burglary"].headline, catalogue["burglary"].map) == (1, True)
    assert (catalogue["robbery"].headline, catalogue["robbery"].map, catalogue["robbery"].sample) == (2, False, None)
    assert catalogue["domestic"].return_sheet == "Crime" and catalogue["residential"].return_sheet == ""
    assert catalogue["residential"].sample == Sample(of="Burglary", share=0.68)
    assert catalogue["business"].sample == Sample(of="Burglary", share=None)
    assert catalogue["injury"].sample == Sample(of="domestic", share=0.13)
    survey = catalogue["survey"]
    assert (survey.return_sheet, survey.numerator, survey.denominator) == ("Survey", "agreeing", "answering")
    assert survey.sample == Sample(
        share_range=(0.9, 0.96), per_resident=0.0016, base=60, peak_months=(12,), peak_factor=1.5
    )


@pytest.mark.parametrize(
    "entry, problem",
    [
        (
            ("robbery", "rate", POLICE.format("Robbery") + ", headline: first"),
            "headline 'first' must be a whole number",
        ),
        (("robbery", "rate", POLICE.format("Robbery") + ", headline: 1"), "headline 1 is also burglary's"),
        (("thefts", "rate", LOCAL + ", headline: 2"), "headline is for a police_uk indicator"),
        (("robbery", "rate", POLICE.format("Robbery") + ", map: true"), "map is for a headline indicator"),
        (("robbery", "rate", POLICE.format("Robbery") + ", map: yes please"), "'map' must be true or false"),
        (("robbery", "rate", POLICE.format("Robbery") + ", return_sheet: Crime"), "return_sheet is for a local"),
        (("thefts", "rate", LOCAL + ", return_sheet: [Crime]"), "'return_sheet' must be text"),
        (("thefts", "rate", LOCAL + ", numerator: thefts"), "numerator is for a percentage"),
        (
            ("survey", "percentage", SURVEY + ", return_sheet: Crime"),
            "return_sheet 'Crime' also holds domestic, a rate",
        ),
        (("thefts", "rate", LOCAL + ", sample: 0.5"), "sample must be a mapping"),
        (
            ("thefts", "rate", LOCAL + ", sample: {of: Burglary, share: 0.5, colour: red}"),
            "sample: unknown key 'colour'",
        ),
        (("thefts", "rate", LOCAL + ", sample: {share: 0.5}"), "sample needs one of 'of'"),
        (("thefts", "rate", LOCAL + ", sample: {of: Burglry, share: 0.5}"), "of 'Burglry' must be a police.uk crime"),
        (("thefts", "rate", LOCAL + ", sample: {of: burglary, share: 0.5}"), "of 'burglary' must be a police.uk crime"),
        (("thefts", "rate", LOCAL + ", sample: {of: Burglary, share: 1.5}"), "sample: share must be a number from 0"),
        (("thefts", "rate", LOCAL + ", sample: {of: Burglary}"), "sample: share must be a number from 0"),
        (("thefts", "rate", LOCAL + ", sample: {per_resident: 0}"), "per_resident must be a number above 0"),
        (("thefts", "rate", LOCAL + ", sample: {of: domestic, share: 1.01}"), "sample: share must be a number from 0"),
        (
            ("thefts", "rate", LOCAL + ", sample: {per_resident: 1, base: -1}"),
            "base must be a whole number of 0 or more",
        ),
        (("thefts", "rate", LOCAL + ", sample: {per_resident: 1, share: 0.5}"), "share is for 'of' or a percentage"),
        (("thefts", "rate", LOCAL + ", sample: {per_resident: 1, peak_months: [13]}"), "peak_months must be a list"),
        (("survey", "percentage", SURVEY + ", sample: {per_resident: 1}"), "a percentage needs a share from 0 to 1"),
        (("survey", "percentage", SURVEY + ", sample: {per_resident: 1, share: [0.9, 0.1]}"), "needs a share"),
        (("survey", "percentage", SURVEY + ", sample: {of: Burglary, share: 0.5}"), "'of' is for a monthly rate"),
        (("robbery", "rate", POLICE.format("Robbery") + ", sample: {per_resident: 1}"), "sample is for a local"),
    ],
)
def test_a_bad_placing_field_is_one_line_naming_the_file_the_indicator_and_the_field(tmp_path, entry, problem):
    path = catalogue_file(tmp_path, entry)
    with pytest.raises(InputError) as caught:
        load_catalogue(path)
    message = str(caught.value)
    assert message.startswith(f"{path}, indicator 3 ({entry[0]}): ") and problem in message and "\n" not in message


def test_the_parts_of_one_count_share_at_most_all_of_it(tmp_path):
    parts = (
        ("residential", "rate", LOCAL + ", sample: {of: Burglary, share: 0.7}"),
        ("business", "rate", LOCAL + ", sample: {of: Burglary, share: 0.3}"),  # 0.7 + 0.3: all of it
        ("injury", "rate", LOCAL + ", sample: {of: domestic, share: 0.5}"),  # another count's part
    )
    assert load_catalogue(catalogue_file(tmp_path, *parts))["injury"].sample == Sample(of="domestic", share=0.5)
    shed = ("shed", "rate", LOCAL + ", sample: {of: Burglary, share: 0.1}")
    with pytest.raises(
        InputError, match=r"indicator 6 \(shed\): sample: the shares of 'Burglary' add up to more than 1"
    ):
        load_catalogue(catalogue_file(tmp_path, *parts, shed))


def test_one_part_of_a_count_takes_the_rest_and_is_its_last(tmp_path):
    rest = ("residential", "rate", LOCAL + ", sample: {of: Burglary, share: rest}")
    shed = ("shed", "rate", LOCAL + ", sample: {of: Burglary, share: 0.1}")
    with pytest.raises(InputError, match=r"\(shed\): sample: residential, listed before, already takes the rest of"):
        load_catalogue(catalogue_file(tmp_path, rest, shed))


def test_no_module_of_the_package_names_an_indicator_id():
    """Every set of indicators (the Where chapter's, the return's sheets, the sample) comes from the catalogue."""
    package = Path(config.__file__).parent
    named = {
        f"{path.relative_to(package)}: {id_}"
        for path in package.rglob("*")
        if path.is_file() and path.suffix in {".py", ".j2", ".html", ".md", ".yaml", ".css", ".js"}
        for id_ in load_catalogue()
        if re.search(rf"\b{id_}\b", path.read_text(encoding="utf-8"))
    }
    assert not named


# An indicator of each source, each one catalogue entry: a police.uk one with a place in the Where chapter, and a
# local one with its own sheet of the partners' return and a sample.
ADDED = """
  - id: drug_offences
    title: Drug offences
    plural: true
    section: reduce_crime
    measure: rate
    per: 10000
    polarity: no_polarity
    source: police_uk
    crime_types: [Drugs]
    headline: 8
    definition: Possession and supply of controlled drugs recorded by the police (police.uk "Drugs").
  - id: drug_referrals
    title: Drug treatment referrals
    plural: true
    section: reduce_crime
    measure: rate
    per: 10000
    polarity: higher_is_better
    source: local
    frequency: monthly
    return_sheet: Treatment
    sample: {of: Drugs, share: 0.2}
    definition: People referred to drug treatment after an arrest.
"""
REFERRALS_A_MONTH = 3  # each district's drug treatment referrals each month in the local extract below


@pytest.fixture(scope="module")
def added(tmp_path_factory) -> Path:
    """A build of the default quarter from a copy of the catalogue with the two indicators ``ADDED`` (after the
    last reduce_crime one), and a copy of the bundled local extract with REFERRALS_A_MONTH referrals in every
    district and month it covers; its partners' return template is ``return.xlsx`` beside it."""
    from helpers.cli import main
    from helpers.pipeline import browser
    from helpers.pipeline.orchestrate import build

    folder = tmp_path_factory.mktemp("added")
    text = config.CATALOGUE.read_text(encoding="utf-8")
    cut = text.index("\n  - id: marac_repeat_rate")
    (folder / "indicators.yaml").write_text(text[:cut] + ADDED.rstrip("\n") + text[cut:], encoding="utf-8")
    extract = pd.read_csv(config.LOCAL_SAMPLE, dtype=str, keep_default_na=False)
    months = extract[extract["indicator_id"] == "hate_crime"][["area", "period"]]
    referrals = months.assign(indicator_id="drug_referrals", numerator=str(REFERRALS_A_MONTH), denominator="")
    pd.concat([extract, referrals]).to_csv(folder / "local.csv", index=False, lineterminator="\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(config, "CATALOGUE", folder / "indicators.yaml")
        patch.setattr(config, "CACHE", folder / "cache")  # the catalogue copy is not among the cache key's files
        patch.setattr(browser, "find_chromium", lambda: None)  # the PDF prints report.html, checked here
        result = build(QUARTER, out=folder / "out", local=folder / "local.csv")
        assert main(["template", "--quarter", QUARTER, "--out", str(folder / "return.xlsx")]) == 0
    return result.folder


@pytest.mark.slow
def test_an_indicator_added_to_the_catalogue_is_in_every_output(added):
    table = pd.read_csv(added / "indicators.csv")
    areas = set(table["area"])
    for id_ in ("drug_offences", "drug_referrals"):
        assert set(table.loc[table["indicator_id"] == id_, "area"]) == areas, id_
    drugs = table[table["indicator_id"] == "drug_offences"].set_index("area")
    referrals = table[table["indicator_id"] == "drug_referrals"].set_index("area")
    districts = referrals[referrals["area_type"] == "district"]
    assert (districts["numerator"] == 12 * REFERRALS_A_MONTH).all()
    expected = 12 * REFERRALS_A_MONTH / districts["denominator"] * 10000
    assert districts["value"].tolist() == pytest.approx(expected.tolist())
    assert (drugs["numerator"] > 0).all()

    neighbourhoods = pd.read_csv(added / "neighbourhoods.csv")
    counted = neighbourhoods[neighbourhoods["indicator_id"] == "drug_offences"].groupby("district")["numerator"].sum()
    assert set(counted.index) == set(drugs.index[drugs["area_type"] == "district"])
    assert all(0 < n <= drugs.loc[d, "numerator"] for d, n in counted.items())  # some crimes have no location
    assert "drug_referrals" not in set(neighbourhoods["indicator_id"])  # police.uk indicators only

    series = pd.read_csv(added / "series.csv")
    assert (series.loc[series["indicator_id"] == "drug_referrals", "indicator"] == "Drug treatment referrals").all()
    monthly = series[(series["indicator_id"] == "drug_referrals") & (series["area_type"] == "district")]
    assert (monthly["numerator"] == REFERRALS_A_MONTH).all() and len(monthly) > 0
    assert (series["indicator_id"] == "drug_offences").any()

    html = (added / "report.html").read_text(encoding="utf-8")
    assert "Drug offences" in html and "Drug treatment referrals" in html
    where = html[html.index("id='where'") : html.index("id='key'")]
    assert "Drug offences" in where and "Drug treatment referrals" not in where

    dashboard = load_workbook(added / "dashboard.xlsx", read_only=True)
    for sheet in ("Dashboard", "Data", "Definitions"):
        cells = {v for row in dashboard[sheet].iter_rows(values_only=True) for v in row}
        assert {"Drug offences", "Drug treatment referrals"} <= cells, sheet

    # The paper's key points are a selection, not every indicator; its count of indicators includes the two.
    paper = (added / "board-paper.md").read_text(encoding="utf-8")
    assert f"Of the {len(load_catalogue(added.parents[1] / 'indicators.yaml'))} indicators" in paper

    template = load_workbook(added.parents[1] / "return.xlsx", read_only=True)
    # the sheets of rates in the catalogue order of their first indicator, then the percentages'
    assert template.sheetnames == ["Instructions", "Crime", "Treatment", "Domestic abuse", "ASB", "MARAC", "Survey"]
    asked = {row[2] for row in template["Treatment"].iter_rows(min_row=2, values_only=True) if row[0]}
    assert asked == {"drug_referrals"}
    listed = {row[1] for row in template["Instructions"].iter_rows(values_only=True)}
    assert "drug_referrals" in listed and "drug_offences" not in listed  # the return asks for local figures only
