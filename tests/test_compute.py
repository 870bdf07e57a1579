"""helpers.analysis.compute: choosing the quarter, and the whole computation on the bundled data."""

import logging
import re
from pathlib import Path

import pandas as pd
import pytest

import board
from helpers import config
from helpers.analysis import compute as compute_module
from helpers.analysis.compute import compute, compute_packs, latest_full_quarter
from helpers.analysis.table_schema import problems
from helpers.errors import InputError
from helpers.presentation import render
from helpers.presentation.narrative import key_point


def months(first, last, drop=()):
    return [str(m) for m in pd.period_range(first, last, freq="M") if str(m) not in drop]


def test_latest_full_quarter_on_the_bundled_months():
    # max 2022-10 is in Q3 (to Dec 2022, not all there); Q2 needs Oct 2020 - Sep 2022: present
    assert latest_full_quarter(months("2019-12", "2022-10")).label == "2022-23-Q2"


def test_latest_full_quarter_two_calendar_years():
    # Jan 2020 - Dec 2021 is exactly the 24 months ending Dec 2021 = 2021-22 Q3
    assert latest_full_quarter(months("2020-01", "2021-12")).label == "2021-22-Q3"


def test_a_gap_moves_the_quarter_back():
    # without 2022-09, Q2 is incomplete; Q1 (24 months Jul 2020 - Jun 2022) is whole
    assert latest_full_quarter(months("2019-12", "2022-10", drop={"2022-09"})).label == "2022-23-Q1"


@pytest.mark.parametrize(
    "have, expected",
    [
        (months("2021-01", "2022-06"), "2022-23-Q1"),  # 18 months: this year only (Jul 21-Jun 22)
        (months("2019-12", "2022-10", drop={"2021-05"}), "2022-23-Q2"),  # a gap in every 24-month window
    ],
)
def test_without_24_months_the_latest_whole_year_is_shown_uncompared(have, expected):
    assert latest_full_quarter(have).label == expected


def test_too_few_months():
    have = months("2022-01", "2022-10")  # 10 months: no quarter has a whole year
    with pytest.raises(InputError) as caught:
        latest_full_quarter(have)
    assert "12 months" in str(caught.value) and "2022-01" in str(caught.value)


@pytest.fixture(scope="module")
def results():
    return compute("2022-23-Q2")


def police_total(independent, first, last, districts):
    wanted = set(months(first, last))
    return sum(
        n for (month, district, asb), n in independent.items() if month in wanted and district in districts and not asb
    )


def test_partnership_total_crime_equals_an_independent_count(results, independent_police_counts):
    independent, _ = independent_police_counts
    row = results.rows().set_index("indicator_id").loc["total_crime"]
    assert results.quarter.label == "2022-23-Q2"
    assert row["numerator"] == police_total(independent, "2021-10", "2022-09", board.DISTRICTS)
    assert row["previous_numerator"] == police_total(independent, "2020-10", "2021-09", board.DISTRICTS)
    # as published by the board's meeting date (17 November 2022): mid-2022 and mid-2021 were not out yet, so mid-2020,
    # from ons_mye_mid2020_lad21_persons_single_year_age.csv: 101950 + 188416 + 95537 + 113666 + 51394 + 104809
    #   + 57313 + 40476 = 753561
    assert row["denominator"] == 753561
    assert row["value"] == pytest.approx(row["numerator"] / 753561 * 10000)
    assert row["population_year"] == 2020
    assert results.population_note.startswith(
        f"those published by 17 November 2022, the {board.PARTNERSHIP} board's meeting date, for every pack alike;"
    )
    assert (
        "mid-2020 for the 12 months to September 2022 (mid-2022, nearest its middle, was first published on "
        "26 March 2024)" in results.population_note
    )


def test_latest_population_vintage_uses_the_estimate_nearest_the_middle(tmp_path):
    params = tmp_path / "params.yaml"
    params.write_text("population_vintage: latest\nmeeting_date: 2022-11-17\n")
    row = compute("2022-23-Q2", params_file=params).rows().set_index("indicator_id").loc["total_crime"]
    # mid-2022 from ons_mye_lad_totals_2021_2024_england_wales.csv: 104182 + 184748 + 100481 + 114298 + 52433 + 107672 + 58341
    #   + 41151 = 763306
    assert row["population_year"] == 2022 and row["denominator"] == 763306


def test_burglary_and_vehicle_offences_are_set_against_the_pre_pandemic_baseline(results, independent_police_counts):
    independent, _ = independent_police_counts
    rows = results.rows().set_index("indicator_id")
    total = rows.loc["total_crime"]
    assert total["baseline_period"] == "December 2019 to February 2020" and total["baseline_months"] == 3
    assert total["baseline_numerator"] == police_total(independent, "2019-12", "2020-02", board.DISTRICTS)
    assert total["baseline_value"] == pytest.approx(total["baseline_numerator"] / 3 * 12 / 753561 * 10000)  # mid-2020
    assert total["quarter_numerator"] == police_total(independent, "2022-07", "2022-09", board.DISTRICTS)
    assert total["previous_quarter_numerator"] == police_total(independent, "2021-07", "2021-09", board.DISTRICTS)
    for indicator_id in ("burglary_total", "vehicle_offences"):
        sentence = key_point(
            rows.loc[indicator_id].to_dict() | {"indicator_id": indicator_id}, results.catalogue[indicator_id]
        )
        place = {"above": "above", "below": "below", "level": "(?:back to|at)", "similar": "(?:above|below)"}[
            rows.loc[indicator_id, "vs_baseline"]
        ]
        assert re.search(
            rf"(?:;|, but) (?:still )?(?:[\d.]+% )?{place} (?:its|their) pre-pandemic level of [\d.]+ \(December 2019 to February 2020\)",
            sentence,
        ), sentence
    assert "only three pre-pandemic months" in results.baseline_note


def test_district_and_county_numerators_equal_the_independent_count(results, independent_police_counts):
    independent, _ = independent_police_counts
    table = results.table[results.table["indicator_id"] == "total_crime"].set_index("area")
    for district in board.DISTRICTS:
        assert table.at[district, "numerator"] == police_total(independent, "2021-10", "2022-09", {district})
    assert table.at[board.COUNTY, "numerator"] == police_total(
        independent, "2021-10", "2022-09", set(board.COUNTY_DISTRICTS)
    )


def test_leicester_never_appears(results):
    for frame in (results.table, results.series, results.monthly):
        assert set(frame["area"]) == set(board.AREAS)
        assert "Leicester" not in set(frame["area"])
    assert "E06000016" not in set(results.table["area_code"])


def test_the_bundled_quarters_table_keeps_the_column_schema(results):
    assert problems(results.table) == []


def test_unavailable_from_params_is_not_available(results):
    row = results.rows().set_index("indicator_id").loc["racially_religiously_aggravated"]
    assert row["status"] == "not available"
    assert row["reason"] == results.settings.unavailable["racially_religiously_aggravated"]


def test_previous_year_gap_shows_this_year_without_a_comparison(tmp_path):
    """2020-11 lies only in the previous 12 months of 2022-23-Q2: this year's figures stand, uncompared."""
    import shutil

    for path in (config.POLICE_UK / "leicestershire").glob("*.csv.gz"):
        if not path.name.startswith("2020-11"):
            shutil.copy(path, tmp_path / path.name)
    whole = compute("2022-23-Q2")
    gappy = compute("2022-23-Q2", police_uk=tmp_path)
    pick = lambda r: r.table.set_index(["indicator_id", "area"]).loc[("total_crime", board.PARTNERSHIP)]  # noqa: E731
    row, reference = pick(gappy), pick(whole)
    assert row["status"] == "available" and row["numerator"] == reference["numerator"]
    assert pd.isna(row["previous_value"]) and row["judgement"] == "not compared" and row["direction"] == ""
    assert row["reason"] == "the police.uk files for November 2020 are missing."
    # Last quarter's previous 12 months lack November 2020 too: said so, and not counted as a change.
    last = gappy.last_quarter_gaps.set_index("indicator_id")
    assert last.loc["total_crime", "reason"] == "the police.uk files for November 2020 are missing."
    assert last.loc["total_crime", "status"] == "available"  # shown last quarter, but not compared
    assert "total_crime" not in set(gappy.changes["indicator_id"]) and not len(whole.last_quarter_gaps)
    # 2020-11 is also one of the 24 months of SPC: no signal in the table, and no limits in the chart
    assert row["spc_signal"] == "" and reference["spc_signal"] != ""
    block = render.indicator_block(gappy, "total_crime")
    assert "months missing: no SPC" in block and "<td>—</td>" in block  # the gap shown, not closed up


@pytest.fixture(scope="module")
def packs():
    return {
        r.partnership.id: r for r in compute_packs(["force-area", "leicester", "charnwood", "rutland"], "2022-23-Q2")
    }


def test_leicester_and_the_force_area_equal_an_independent_count(packs, independent_police_counts):
    independent, _ = independent_police_counts
    force_area = {"Leicester", *board.DISTRICTS}
    for pid, districts in (("leicester", {"Leicester"}), ("force-area", force_area)):
        rows = packs[pid].rows().set_index("indicator_id")
        assert rows.at["total_crime", "numerator"] == police_total(independent, "2021-10", "2022-09", districts)
        assert rows.at["total_crime", "previous_numerator"] == police_total(
            independent, "2020-10", "2021-09", districts
        )
        asb = sum(
            n
            for (month, district, is_asb), n in independent.items()
            if is_asb and district in districts and "2021-10" <= month <= "2022-09"
        )
        assert rows.at["asb_total", "numerator"] == asb


def test_every_pack_total_is_the_sum_of_its_districts(packs):
    for results in packs.values():
        table = results.table[results.table["source"] == "police_uk"]
        for area in results.partnership.areas:
            if area.type == "district":
                continue
            summed = table[table["area"].isin(area.districts)].groupby("indicator_id")["numerator"].sum()
            total = table[table["area"] == area.name].set_index("indicator_id")["numerator"]
            pd.testing.assert_series_equal(total.sort_index(), summed.sort_index(), check_names=False)


def test_a_district_pack_shows_its_district_among_the_county_it_is_compared_with(packs):
    charnwood = packs["charnwood"]
    leicestershire = [n for n in board.COUNTY_DISTRICTS if n != "Charnwood"]
    assert charnwood.partnership.area_names == ["Charnwood", *leicestershire, board.COUNTY]
    assert charnwood.rows()["area"].unique().tolist() == ["Charnwood"]
    rows = charnwood.table[charnwood.table["indicator_id"] == "total_crime"].set_index("area")
    # Charnwood is compared with the rest of Leicestershire: the county's six other districts together
    rest = rows.loc[leicestershire]
    assert rows.loc["Charnwood", "group_reference"] == pytest.approx(
        rest["numerator"].sum() / rest["denominator"].sum() * 10000
    )
    assert rows.loc[board.COUNTY, "vs_partnership"] == "not compared"
    # Rutland's pack: its district among the board's, compared with the rest of the board's partnership
    rutland = packs["rutland"].table
    total = rutland[(rutland["indicator_id"] == "total_crime")].set_index("area")
    others = total.loc[[n for n in board.DISTRICTS if n != "Rutland"]]
    assert total.loc["Rutland", "group_reference"] == pytest.approx(
        others["numerator"].sum() / others["denominator"].sum() * 10000
    )


def test_a_district_has_the_same_figures_in_every_pack_of_a_quarter(packs, results):
    # the board's meeting date sets every pack's population estimates, and its unavailable list every pack's
    keys = ["indicator_id", "area"]
    columns = ["value", "population_year", "status", "reason"]
    board_rows = results.table[results.table["area_type"] == "district"].set_index(keys)[columns]
    for pid in ("force-area", "charnwood", "rutland"):
        table = packs[pid].table
        rows = table[table["area"].isin(board.DISTRICTS)].set_index(keys)[columns]  # the board's districts it shows
        assert len(rows) >= len(results.catalogue)
        pd.testing.assert_frame_equal(rows, board_rows.loc[rows.index])


def test_the_city_reads_above_the_rest_of_the_force_area(packs):
    crime = packs["force-area"].table.set_index(["indicator_id", "area"]).loc["total_crime"]
    assert crime.loc["Leicester", "vs_partnership"] == "above"
    assert crime.loc["Leicester", "value"] > 1.25 * crime.loc["Leicester", "group_reference"]


def test_the_records_of_a_pack_split_by_where_they_fall(packs, independent_police_counts):
    _, per_month = independent_police_counts
    quality = packs["charnwood"].quality.set_index("month")
    board_quality = compute("2022-23-Q2").quality.set_index("month")
    for month, tally in per_month.items():
        assert board_quality.at[month, "excluded"] == tally["leicester"]
        assert board_quality.at[month, "partnership"] == tally["partnership"]
        assert board_quality.at[month, "outside"] == tally["outside"]
        row = quality.loc[month]
        assert row["rows"] == row["no_location"] + row["excluded"] + row["outside"] + row["partnership"]
        assert row["excluded"] == tally["leicester"]  # Charnwood's pack hatches Leicester too


def test_districts_are_not_compared_with_a_group_that_has_no_figure(packs):
    # no local figures for Leicester: the force area has no hate crime rate, so no district is set against one
    table = packs["force-area"].table
    hate = table[table["indicator_id"] == "hate_crime"].set_index("area")
    assert hate.loc["Leicester, Leicestershire & Rutland", "status"] == "not available"
    assert hate.loc["Charnwood", "status"] == "available"
    assert set(hate["vs_partnership"]) == {"not compared"} and set(hate["group_method"]) == {""}
    crime = table[table["indicator_id"] == "total_crime"]
    assert (crime["vs_partnership"] != "not compared").sum() == 9  # police.uk figures: all nine districts compared


def test_neighbourhood_counts_equal_an_independent_count_of_the_raw_files(results, packs):
    """Total crime and burglary by neighbourhood, for the board's districts and Charnwood's pack: the bundled files
    counted with csv + gzip only, each LSOA name grouped by its MSOA part (the name less its last letter)."""
    import collections
    import csv
    import gzip

    wanted = {"total_crime": None, "burglary_total": {"Burglary"}}
    counts: dict = collections.Counter()
    for path in sorted((config.POLICE_UK / "leicestershire").glob("*-street.csv.gz")):
        with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
            for record in csv.DictReader(handle):
                lsoa, month, kind = record["LSOA name"], record["Month"], record["Crime type"]
                if not lsoa or kind == "Anti-social behaviour":
                    continue
                year = (
                    "now"
                    if "2021-10" <= month <= "2022-09"
                    else ("before" if "2020-10" <= month <= "2021-09" else None)
                )
                for indicator_id, types in wanted.items():
                    if year and (types is None or kind in types):
                        counts[(indicator_id, lsoa[:-1], year)] += 1
    for pack, districts in ((results, set(board.DISTRICTS)), (packs["charnwood"], {"Charnwood"})):
        rows = pack.neighbourhoods[
            (pack.neighbourhoods["level"] == "neighbourhood") & pack.neighbourhoods["indicator_id"].isin(wanted)
        ]
        assert set(rows["district"]) == districts
        for row in rows.to_dict("records"):
            key = (row["indicator_id"], row["neighbourhood"])
            assert row["numerator"] == counts[(*key, "now")], key
            assert row["previous_numerator"] == counts[(*key, "before")], key
        named = {(i, n) for i, n, _ in counts if n.rsplit(" ", 1)[0] in districts}
        assert named <= set(zip(rows["indicator_id"], rows["neighbourhood"]))  # every neighbourhood with a crime


def test_local_extract_named_in_a_params_file_is_the_one_read(tmp_path):
    """local_extract in --params used to be ignored (the default extract was read, exit 0): here the named
    extract lacks Blaby's hate crime, so the indicator is not available, and it is partners' data, not a sample."""
    kept = [
        line
        for line in config.LOCAL_SAMPLE.read_text(encoding="utf-8").splitlines()
        if not line.startswith("Blaby,") or ",hate_crime," not in line
    ]
    extract = tmp_path / "partners.csv"
    extract.write_text("\n".join(kept) + "\n", encoding="utf-8")
    params = tmp_path / "params.yaml"
    params.write_text(f"local_extract: {extract}\n", encoding="utf-8")
    results = compute("2022-23-Q2", params_file=params)
    rows = results.rows().set_index("indicator_id")
    assert rows.loc["hate_crime", "status"] != "available"
    assert rows.loc["domestic_abuse", "status"] == "available" and not rows["illustrative"].any()
    assert str(extract) in [f.path for f in results.files]


def test_a_pack_without_a_local_extract_says_no_partner_data_and_never_sample(tmp_path):
    from helpers.analysis.wording import NO_LOCAL_EXTRACT

    params = tmp_path / "params.yaml"
    params.write_text("local_extract: none\n", encoding="utf-8")
    results = compute("2022-23-Q2", params_file=params)
    local = results.table[results.table["source"] == "local"]
    assert len(local) and (local["status"] == "not available").all() and (local["reason"] == NO_LOCAL_EXTRACT).all()
    assert not results.table["illustrative"].any()
    assert not [f for f in results.files if "local" in Path(f.path).parts]
    police = results.rows().set_index("indicator_id").loc["total_crime"]
    assert police["status"] == "available"


def test_districts_absent_from_the_extract_have_no_partner_data_and_no_sample_badge(results, tmp_path):
    from helpers.analysis.wording import NO_PARTNER_DATA

    assert not results.table.loc[results.table["status"] != "available", "illustrative"].any()  # sample: only figures
    kept = [
        line
        for line in config.LOCAL_SAMPLE.read_text(encoding="utf-8").splitlines()
        if line.startswith(("area,", "Blaby,"))
    ]
    extract = tmp_path / "blaby-only.csv"
    extract.write_text("\n".join(kept) + "\n", encoding="utf-8")
    table = compute("2022-23-Q2", local=extract).table
    melton = table[
        (table["area"] == "Melton")
        & (table["source"] == "local")
        & ~table["indicator_id"].isin(list(results.settings.unavailable))
    ]  # a reason of their own
    assert (melton["reason"] == NO_PARTNER_DATA).all() and (melton["status"] == "not available").all()
    blaby = table[(table["area"] == "Blaby") & (table["indicator_id"] == "domestic_abuse")]
    assert blaby["status"].tolist() == ["available"]


def test_packs_share_one_computation_when_only_their_words_differ_and_not_when_a_figure_setting_does(
    tmp_path, monkeypatch, caplog
):
    """Charnwood's quarter file changes only words (commentary, contact, meeting date): it shares the default pack's
    computation. Blaby's sets a 50% band (a change must exceed it to be called higher or lower): its group is computed
    apart, and every change of 50% or less in it reads similar."""
    for name in ("defaults.yaml", "2022-23-Q2.yaml"):
        (tmp_path / name).write_text((config.PARAMS / name).read_text())
    (tmp_path / "charnwood").mkdir()
    (tmp_path / "charnwood" / "2022-23-Q2.yaml").write_text(
        "meeting_date: 2022-11-08\ncontact: {name: Another Officer}\ncommentary: {summary: Charnwood's own words.}\n"
    )
    (tmp_path / "blaby").mkdir()
    (tmp_path / "blaby" / "2022-23-Q2.yaml").write_text("percent_band: 50\n")
    monkeypatch.setattr(config, "PARAMS", tmp_path)
    computed = []
    group_figures = compute_module.group_figures
    monkeypatch.setattr(
        compute_module,
        "group_figures",
        lambda shared, *settings: computed.append(settings) or group_figures(shared, *settings),
    )
    with caplog.at_level(logging.INFO, logger="helpers.analysis.compute"):
        packs = {
            r.partnership.id: r for r in compute_packs(["leicestershire-rutland", "charnwood", "blaby"], "2022-23-Q2")
        }
    assert [now.percent_band for now, _ in computed] == [5, 50]  # two groups: the default's, then Blaby's
    assert "2022-23-Q2: 3 pack(s) share 2 set(s) of the settings figures depend on" in caplog.text  # for build.log
    assert packs["charnwood"].settings.commentary.summary == "Charnwood's own words."

    def total_crime(pack: str, area: str) -> pd.Series:
        return packs[pack].table.set_index(["indicator_id", "area"]).loc[("total_crime", area)]

    shared, own = total_crime("leicestershire-rutland", "Charnwood"), total_crime("charnwood", "Charnwood")
    assert (shared["value"], shared["ci_low"], shared["ci_high"]) == (own["value"], own["ci_low"], own["ci_high"])

    def blaby(pack: str) -> pd.DataFrame:
        rows = packs[pack].table
        rows = rows[(rows["area"] == "Blaby") & (rows["status"] == "available")].set_index("indicator_id")
        return rows[rows["change_pct"].abs() <= 50]

    default, banded = blaby("leicestershire-rutland"), blaby("blaby")
    assert banded["value"].equals(default["value"])
    assert set(default["direction"]) - {"similar"} and set(banded["direction"]) == {"similar"}
