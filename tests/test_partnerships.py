"""helpers.inputs.partnerships: partnerships as configuration, each problem one line naming the partnership."""

import textwrap

import pytest

import board
from helpers import config
from helpers.analysis.compute import compute
from helpers.errors import InputError
from helpers.inputs.params import load_settings
from helpers.inputs.partnerships import choose, load_partnerships

GOOD = """
groups:
  county: {name: Shire, code: E10000001, type: county, districts: [E07000001, E07000002]}
partnerships:
  whole:
    name: Shire & Town
    code: E10000001+E06000001
    board: The Board
    districts: {E07000001: North, E07000002: South, E06000001: Town}
    subtotals: [county]
    excludes: {E06000009: City}
  north:
    name: North
    board: North CSP
    districts: {E07000001: North}
    compared_with: county
"""


def write(tmp_path, text: str):
    path = tmp_path / "partnerships.yaml"
    path.write_text(textwrap.dedent(text))
    return path


def error_of(tmp_path, text: str) -> str:
    with pytest.raises(InputError) as caught:
        load_partnerships(write(tmp_path, text))
    return str(caught.value)


def test_areas_of_a_partnership_and_of_a_district_pack(tmp_path):
    packs = load_partnerships(write(tmp_path, GOOD))
    whole, north = packs["whole"], packs["north"]
    assert whole.area_names == ["North", "South", "Town", "Shire", "Shire & Town"]
    assert [a.type for a in whole.areas] == ["district", "district", "district", "county", "partnership"]
    assert whole.total.districts == {"North": "E07000001", "South": "E07000002", "Town": "E06000001"}
    assert whole.compared_with == whole.total and whole.excludes == {"City": "E06000009"}
    # a district pack: its district first, then the comparison group's others, then the group
    assert north.area_names == ["North", "South", "Shire"]
    assert north.total.name == "North" and north.total.code == "E07000001" and north.compared_with.name == "Shire"


@pytest.mark.parametrize(
    "change, words",
    [
        (("E07000002: South, E06000001", "E0700002: South, E06000001"), "code 'E0700002' is not an ONS code"),
        (("E06000001: Town}", "E06000001: Town, E06000003: North}"), "district North is listed twice"),
        (("districts: {E07000001: North, E07000002: South, E06000001: Town}", "districts: {}"), "has no districts"),
        (("compared_with: county", "compared_with: countyy"), "'countyy' is neither a group nor a partnership id"),
    ],
)
def test_a_bad_partnership_is_one_line_naming_it(tmp_path, change, words):
    message = error_of(tmp_path, GOOD.replace(*change))
    assert words in message and "partnerships.yaml" in message and "\n" not in message
    assert "partnership 'whole'" in message or "partnership 'north'" in message


def test_a_district_key_given_twice_is_a_yaml_error_with_its_line(tmp_path):
    message = error_of(tmp_path, GOOD.replace("E06000001: Town}", "E06000001: Town, E07000001: North}"))
    assert "E07000001" in message and "row" in message


def test_a_one_district_partnership_is_named_as_its_district(tmp_path):
    message = error_of(tmp_path, GOOD.replace("    name: North\n", "    name: Northern\n"))
    assert "name it 'North', not 'Northern'" in message and "partnership 'north'" in message


def test_a_compared_group_must_hold_the_partnership(tmp_path):
    text = GOOD.replace(
        "  north:\n",
        "  town:\n    name: Town\n    board: Town CSP\n    districts: {E06000001: Town}\n"
        "    compared_with: county\n  north:\n",
    )
    assert "compared_with Shire does not hold its district Town" in error_of(tmp_path, text)


def test_the_shipped_partnerships(tmp_path):
    packs = load_partnerships(config.PARAMS / "partnerships.yaml")  # what the repository ships, not the tests' file
    assert list(packs) == [
        "leicestershire-rutland",
        "force-area",
        "leicester",
        "blaby",
        "charnwood",
        "harborough",
        "hinckley-bosworth",
        "melton",
        "north-west-leicestershire",
        "oadby-wigston",
        "rutland",
    ]
    assert packs["force-area"].districts == {"Leicester": "E06000016", **board.DISTRICTS}
    for pid in list(packs)[3:]:
        assert len(packs[pid].districts) == 1 and set(packs[pid].districts) <= set(board.DISTRICTS)


def test_a_misspelt_or_absent_district_stops_the_build_in_one_line(tmp_path, monkeypatch):
    ours = board.PARTNERSHIPS_FILE.read_text()
    with pytest.raises(InputError) as caught:  # misspelt in one place
        load_partnerships(write(tmp_path, ours.replace("{E07000130: Charnwood}", "{E07000139: Charnwood}")))
    assert "district Charnwood is E07000139 here but E07000130 elsewhere" in str(caught.value)
    misspelt = write(tmp_path, ours.replace("E07000130", "E07000139"))  # everywhere
    monkeypatch.setattr(config, "PARTNERSHIPS", misspelt)
    with pytest.raises(InputError) as caught:
        compute("2022-23-Q2", partnership="charnwood")
    assert "E07000139, given for Charnwood, is North Kesteven in ONS's files (Charnwood is E07000130)" in str(
        caught.value
    )
    monkeypatch.setattr(config, "PARTNERSHIPS", write(tmp_path, ours.replace("E07000130", "E07000999")))
    with pytest.raises(InputError) as caught:
        compute("2022-23-Q2", partnership="charnwood")
    assert (
        "E07000999, given for Charnwood, is not a district code in the ONS population files (Charnwood is "
        "E07000130)" in str(caught.value)
    )
    elsewhere = write(
        tmp_path,
        ours.replace("districts: {E07000130: Charnwood}", "districts: {E06000063: Cumberland}")
        .replace("name: Charnwood\n", "name: Cumberland\n")
        .replace(
            "compared_with: leicestershire\n    excludes"
            ": {E06000016: Leicester}\n    contact: {name: Community Safety Manager",
            "excludes: {}\n    contact: {name: Community Safety Manager",
        ),
    )
    monkeypatch.setattr(config, "PARTNERSHIPS", elsewhere)
    with pytest.raises(InputError) as caught:
        compute("2022-23-Q2", partnership="charnwood")
    assert "no rows for Cumberland (E06000063)" in str(caught.value) and "police.uk" in str(caught.value)


def test_another_forces_file_builds_its_first_partnership_unless_one_is_named(tmp_path):
    path = write(tmp_path, GOOD)
    assert choose(None, path=path).id == "whole" and choose("north", path=path).id == "north"
    with pytest.raises(InputError) as caught:
        choose("leicestershire-rutland", path=path)
    assert str(caught.value) == f"{path}: no partnership 'leicestershire-rutland'; the configured ones are whole, north"
    assert choose(None).id == board.BOARD.id  # the default file: params/defaults.yaml's partnership


def test_a_partnership_names_its_own_local_extract_or_none_and_is_never_the_sample(tmp_path):
    packs = load_partnerships(
        write(
            tmp_path,
            GOOD.replace("    compared_with: county\n", "    compared_with: county\n    local_extract: none\n"),
        )
    )
    assert packs["north"].local_extract == "none" and packs["whole"].local_extract is None
    north, whole = (load_settings("2022-23-Q2", partnership=packs[p]) for p in ("north", "whole"))
    assert (north.local_extract, north.local_extract_is_sample) == ("none", False)
    assert whole.local_extract == load_settings("2022-23-Q2").local_extract  # params/defaults.yaml's
    assert "local_extract must be given as text" in error_of(
        tmp_path, GOOD.replace("    compared_with: county\n", "    compared_with: county\n    local_extract: 3\n")
    )


def test_the_packs_of_a_group_are_those_whose_districts_all_lie_in_it(tmp_path):
    from helpers.inputs.partnerships import in_group

    path = write(tmp_path, GOOD)
    assert in_group("county", path) == ["north"] and in_group("whole", path) == ["whole", "north"]
    assert in_group("north", path) == ["north"]
    with pytest.raises(InputError) as caught:
        in_group("lancashire", path)
    assert str(caught.value) == (
        f"{path}: no group or partnership 'lancashire'; the groups are county and the partnerships whole, north"
    )


def test_group_without_all_partnerships_is_one_line(capsys):
    from helpers.cli import main

    assert main(["build", "--group", "leicestershire"]) == 2
    assert capsys.readouterr().err == (
        "safer-report: error: --group chooses the packs of --all-partnerships: add "
        "--all-partnerships, or name one pack with --partnership\n"
    )


def test_all_partnerships_of_a_group_builds_those_packs_the_default_first_when_chosen(tmp_path, monkeypatch):
    from helpers.pipeline import orchestrate

    built = []
    monkeypatch.setattr(orchestrate, "build_packs", lambda ids, *args, **kwargs: built.append(ids))
    path = write(
        tmp_path,
        GOOD.replace(
            "  north:",
            "  south:\n    name: South\n    board: South CSP\n"
            "    districts: {E07000002: South}\n    compared_with: county\n"
            "  north:",
        ),
    )
    orchestrate.build_all(partnerships=path, group="county")
    orchestrate.build_all(partnerships=path, group="whole")
    orchestrate.build_all(partnerships=path)
    assert built == [["south", "north"], ["whole", "south", "north"], ["whole", "south", "north"]]
