"""helpers.inputs.params: defaults overlaid by the quarter's file, every key checked, each
problem one line naming the file and the key."""

import datetime as dt

import pytest
import yaml

from helpers import config
from helpers.errors import InputError
from helpers.inputs.catalogue import load_catalogue
from helpers.inputs.params import Commentary, DeclaredBaseline, SpcSettings, load_settings


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def write(tmp_path, text, name="2022-23-Q3.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def error_of(*args, **kwargs) -> InputError:
    with pytest.raises(InputError) as caught:
        load_settings(*args, **kwargs)
    return caught.value


def test_quarter_file_overlays_defaults(tmp_path, catalogue):
    path = write(
        tmp_path,
        "change_rule: significance\nmeeting_date: 2023-02-16\n"
        "commentary:\n  indicators:\n    robbery: Two series of street robberies.\n"
        "unavailable:\n  hate_crime: System migration.\n",
    )
    settings = load_settings("2022-23-Q3", path, catalogue)
    defaults = yaml.safe_load((config.PARAMS / "defaults.yaml").read_text())
    assert settings.change_rule == "significance"  # overridden
    assert defaults["change_rule"] != "significance"  # (so the override is visible)
    assert settings.meeting_date == dt.date(2023, 2, 16)
    assert settings.commentary.indicators["robbery"] == "Two series of street robberies."
    assert settings.unavailable == {"hate_crime": "System migration."}
    listed = dict(settings.listed)
    for key in set(defaults) - {"change_rule"}:
        assert listed[key] == defaults[key], key  # everything else from defaults
    assert (settings.confidence, settings.suppress_below) == (defaults["confidence"], defaults["suppress_below"])
    assert settings.sources == (config.PARAMS / "defaults.yaml", path)


def test_no_quarter_file_gives_defaults_with_empty_commentary():
    settings = load_settings("2090-91-Q1")
    assert settings.commentary == Commentary() and settings.unavailable == {}
    assert settings.sources == (config.PARAMS / "defaults.yaml",)


def test_bundled_quarter_file(catalogue):
    settings = load_settings("2022-23-Q2", catalogue=catalogue)
    assert "racially_religiously_aggravated" in settings.unavailable
    assert settings.meeting_date == dt.date(2022, 11, 17)


def test_named_file_that_does_not_exist(tmp_path):
    error = error_of("2022-23-Q3", tmp_path / "missing.yaml")
    assert "missing.yaml" in str(error) and "not found" in str(error)


def test_empty_quarter_file_is_fine(tmp_path):
    assert load_settings("2022-23-Q3", write(tmp_path, "")).change_rule == "both"


def test_unknown_key_names_file_and_key(tmp_path):
    path = write(tmp_path, "chnage_rule: significance\n")
    error = error_of("2022-23-Q3", path)
    assert str(path) in str(error) and "'chnage_rule'" in str(error) and "change_rule" in str(error)


@pytest.mark.parametrize("where", ["commentary:\n  indicators:\n    {id}: text\n", "unavailable:\n  {id}: reason\n"])
@pytest.mark.parametrize(
    "typo, meant",
    [
        ("marac_repeat_rat", "marac_repeat_rate"),
        ("racially_religious_aggravated", "racially_religiously_aggravated"),
        ("tatal_crime", "total_crime"),
    ],
)
def test_misspelt_indicator_id_suggests_the_close_one(tmp_path, catalogue, where, typo, meant):
    path = write(tmp_path, where.format(id=typo))
    error = error_of("2022-23-Q3", path, catalogue)
    assert f"unknown indicator id '{typo}'" in str(error)
    assert f"did you mean {meant}" in str(error)
    assert str(path) in str(error)


def test_far_off_indicator_id_has_no_suggestion(tmp_path, catalogue):
    error = error_of("2022-23-Q3", write(tmp_path, "unavailable:\n  zebra_crossings: reason\n"), catalogue)
    assert "unknown indicator id 'zebra_crossings'" in str(error) and "did you mean" not in str(error)


@pytest.mark.parametrize(
    "text",
    [
        "unavailable: [hate_crime]\n",
        "unavailable: not this quarter\n",
        "commentary:\n  indicators: [robbery]\n",
        "unavailable:\n  hate_crime:\n",
    ],
)  # no reason given
def test_unavailable_and_indicator_commentary_must_be_mappings_with_text(tmp_path, catalogue, text):
    path = write(tmp_path, text)
    error = error_of("2022-23-Q3", path, catalogue)
    assert str(path) in str(error)


def test_unknown_commentary_section(tmp_path):
    error = error_of("2022-23-Q3", write(tmp_path, "commentary:\n  sections:\n    reduce_crim: text\n"))
    assert "'reduce_crim'" in str(error) and "reduce_crime" in str(error)


@pytest.mark.parametrize(
    "text, key",
    [
        ("change_rule: sometimes\n", "change_rule"),
        ("percent_band: 150\n", "percent_band"),
        ("percent_band: five\n", "percent_band"),
        ("confidence: 90\n", "confidence"),
        ("contact:\n  fax: 0116\n", "contact"),
        ("commentary:\n  footnote: x\n", "commentary"),
        ("meeting_date: next week\n", "meeting_date"),
        ("meeting_date: 17/11/2022\n", "meeting_date"),
        ("population_vintage: newest\n", "population_vintage"),
        ("suppress_below: 0\n", "suppress_below"),
        ("suppress_below: five\n", "suppress_below"),
        ("suppress_below: true\n", "suppress_below"),
        ("small_area_population: [a, b]\n", "small_area_population"),
        ("baseline: 2019-12\n", "baseline"),
        ("baseline:\n  start: 2019-12\n", "baseline"),  # no end
        ("baseline:\n  start: 2019-12\n  end: 2020-02\n  colour: red\n", "baseline"),
        ("baseline:\n  start: 2019-13\n  end: 2020-02\n", "baseline"),
        ("baseline:\n  start: 2019-12\n  end: 2020-02\n  label: [pre, pandemic]\n", "baseline"),
    ],
)
def test_bad_values_name_the_key(tmp_path, text, key):
    path = write(tmp_path, text)
    error = error_of("2022-23-Q3", path)
    assert f"key '{key}'" in str(error) and str(path) in str(error)


def test_small_area_population_names_a_file(tmp_path):
    ons = tmp_path / "sapelsoa.csv"
    path = write(tmp_path, f"small_area_population: {ons}\n")
    assert str(error_of("2022-23-Q3", path)) == (
        f"{path}, key 'small_area_population': no file {ons}: give the path (from the project folder) of ONS's LSOA "
        "population estimates saved as CSV, or leave the key out for counts"
    )
    ons.write_text("LSOA Code,All Ages\n")
    assert load_settings("2022-23-Q3", path).small_area_population == str(ons)
    assert load_settings("2022-23-Q3", write(tmp_path, "")).small_area_population is None  # commented out when shipped


@pytest.mark.parametrize(
    "text, problem",
    [
        (
            "baseline:\n  start: 2019-12-01\n  end: 2020-02\n",
            "baseline start '2019-12-01' is not a month written as YYYY-MM",
        ),
        ("baseline:\n  start: 2020-03\n  end: 2020-02\n", "baseline start 2020-03 is after its end 2020-02"),
        ("baseline: {start: 2019-12}\n", "baseline needs start and end (YYYY-MM)"),
        ("population_vintage: newest\n", "'newest' is not one of as_published, latest"),
    ],
)
def test_bad_baseline_or_vintage_is_one_line_saying_what_is_wrong(tmp_path, text, problem):
    path = write(tmp_path, text)
    error = str(error_of("2022-23-Q3", path))
    assert problem in error and str(path) in error and "\n" not in error


def test_shipped_defaults_declare_a_short_pre_pandemic_baseline_and_estimates_as_published():
    settings = load_settings("2090-91-Q1")
    assert settings.population_vintage == "as_published"
    assert isinstance(settings.baseline, DeclaredBaseline)
    assert (settings.baseline.start, settings.baseline.end, settings.baseline.label) == (
        "2019-12",
        "2020-02",
        "pre-pandemic",
    )
    assert "short" in str(settings.baseline.note)


@pytest.mark.parametrize(
    "text, problem",
    [
        ("overdispersion: yes please\n", "overdispersion"),
        ("spc: [2021-04]\n", "spc may hold only baseline, steps"),
        ("spc:\n  limits: 3\n", "spc may hold only baseline, steps"),
        ("spc:\n  steps: [2021-04]\n", "must map each month"),
        ("spc:\n  steps:\n    April 2021: reopening\n", "'April 2021' is not a month written as YYYY-MM"),
        ("spc:\n  steps:\n    2021-13: reopening\n", "'2021-13' is not a month"),
        ("spc:\n  steps:\n    2021-04:\n", "say why the process changed"),
        ("spc:\n  baseline: 2021-04\n", "must give start and end months"),
        ("spc:\n  baseline: {start: 2021-04}\n", "must give start and end months"),
        ("spc:\n  baseline: {start: 2021-4, end: 2022-03}\n", "start: '2021-4' is not a month"),
        ("spc:\n  baseline: {start: 2022-03, end: 2021-04}\n", "starts 2022-03, not before its end 2021-04"),
        (
            "spc:\n  steps: {2021-10: change}\n  baseline: {start: 2021-04, end: 2022-03}\n",
            "2021-04 to 2022-03 spans the step in 2021-10",
        ),
    ],
)
def test_bad_overdispersion_and_spc_settings(tmp_path, text, problem):
    path = write(tmp_path, text)
    error = error_of("2022-23-Q3", path)
    assert problem in str(error) and str(path) in str(error)
    assert "key 'overdispersion'" in str(error) or "key 'spc'" in str(error)


def test_spc_settings_accept_months_and_dates(tmp_path):
    path = write(
        tmp_path,
        "spc:\n  steps:\n    2021-04: reopening\n  baseline: {start: 2021-04-01, end: 2022-03}\n"
        "overdispersion: false\n",
    )
    settings = load_settings("2022-23-Q3", path)
    assert settings.spc == SpcSettings((("2021-04", "reopening"),), ("2021-04", "2022-03"))
    assert settings.overdispersion is False


def test_impossible_date_names_file_and_line(tmp_path):
    # YAML reads 2022-13-45 as a timestamp, and month 13 does not exist
    path = write(tmp_path, "change_rule: both\nmeeting_date: 2022-13-45\n")
    error = error_of("2022-23-Q3", path)
    assert str(path) in str(error) and "2022-13-45" in str(error)
    assert error.row == 2


def test_python_object_tag_is_refused_and_not_run(tmp_path):
    marker = tmp_path / "ran"
    path = write(tmp_path, f'title: !!python/object/apply:os.system ["touch {marker}"]\n')
    error = error_of("2022-23-Q3", path)
    assert str(path) in str(error) and "not valid YAML" in str(error)
    assert error.row == 1
    assert not marker.exists()


def test_invalid_yaml_names_the_line(tmp_path):
    # line 4 is indented with a tab, which YAML forbids
    path = write(tmp_path, "change_rule: both\ncommentary:\n  sections:\n\treduce_crime: text\n")
    error = error_of("2022-23-Q3", path)
    assert error.row == 4 and "row 4" in str(error) and str(path) in str(error)


def test_top_level_must_be_a_mapping(tmp_path):
    path = write(tmp_path, "- change_rule\n- both\n")
    assert "mapping" in str(error_of("2022-23-Q3", path))


def test_unavailable_may_say_when_the_data_is_expected_back(tmp_path, catalogue):
    text = (
        "unavailable:\n  hate_crime: {reason: Not available while the crime system moves., expected: 2023/24 Q1}\n"
        "  robbery: {reason: Not available}\n  shoplifting: Not available this quarter.\n"
    )
    settings = load_settings("2022-23-Q3", write(tmp_path, text), catalogue)
    assert settings.unavailable == {
        "hate_crime": "Not available while the crime system moves; expected back in 2023/24 Q1",
        "robbery": "Not available",
        "shoplifting": "Not available this quarter.",
    }


@pytest.mark.parametrize(
    "text",
    [
        "unavailable:\n  hate_crime: {expected: 2023/24 Q1}\n",  # no reason
        "unavailable:\n  hate_crime: {reason: r, expected: 2023}\n",  # not text
        "unavailable:\n  hate_crime: {reason: r, back: 2023/24 Q1}\n",
    ],
)  # unknown key
def test_bad_expected_back_is_one_line_naming_the_indicator(tmp_path, catalogue, text):
    path = write(tmp_path, text)
    error = str(error_of("2022-23-Q3", path, catalogue))
    assert "unavailable: hate_crime: give the reason as text, or as {reason: text, expected: text}" in error
    assert str(path) in error and "\n" not in error


@pytest.mark.parametrize(
    "part_of, words",
    [
        ("nowhere", "part_of 'nowhere' must be an indicator listed before it in the same section"),
        ("asb", "part_of 'asb' must be an indicator listed before it in the same section"),  # another section
        ("burglary_residential", "not itself a part"),
    ],
)
def test_a_part_must_belong_to_an_earlier_whole_of_its_section(tmp_path, part_of, words):
    entry = (
        "  - {{id: {}, title: {}, section: {}, measure: rate, per: 10000, polarity: lower_is_better, "
        "source: local, definition: d{}}}\n"
    )
    path = write(
        tmp_path,
        "indicators:\n"
        + entry.format("burglary", "Burglary", "reduce_crime", "")
        + entry.format("asb", "ASB", "reduce_asb", "")
        + entry.format("burglary_residential", "Burglary residential", "reduce_crime", ", part_of: burglary")
        + entry.format("burglary_shed", "Burglary shed", "reduce_crime", f", part_of: {part_of}"),
        "indicators.yaml",
    )
    with pytest.raises(InputError) as caught:
        load_catalogue(path)
    assert "indicator 4 (burglary_shed)" in str(caught.value) and words in str(caught.value)
    catalogue = load_catalogue(write(tmp_path, path.read_text().rsplit("  - ", 1)[0], "good.yaml"))
    assert catalogue["burglary_residential"].part_of == "burglary" and catalogue["burglary"].part_of == ""


def test_every_pack_takes_the_default_partnerships_unavailable_list_unless_its_own_file_gives_one(
    tmp_path, monkeypatch, catalogue
):
    from helpers.inputs.partnerships import load_partnerships

    packs = load_partnerships()
    (tmp_path / "defaults.yaml").write_text((config.PARAMS / "defaults.yaml").read_text())
    write(tmp_path, "unavailable:\n  robbery: Not available due to the change of recording system\n")
    (tmp_path / "charnwood").mkdir()
    write(tmp_path, "meeting_date: 2023-02-01\n", "charnwood/2022-23-Q3.yaml")  # says nothing of unavailable
    (tmp_path / "melton").mkdir()
    write(tmp_path, "unavailable: {}\n", "melton/2022-23-Q3.yaml")  # its own list: none
    monkeypatch.setattr(config, "PARAMS", tmp_path)
    robbery = {"robbery": "Not available due to the change of recording system"}
    for pack in ("leicestershire-rutland", "charnwood", "blaby"):  # blaby has no file of its own at all
        assert load_settings("2022-23-Q3", None, catalogue, packs[pack]).unavailable == robbery, pack
    assert load_settings("2022-23-Q3", None, catalogue, packs["melton"]).unavailable == {}
    assert tmp_path / "2022-23-Q3.yaml" in load_settings("2022-23-Q3", None, catalogue, packs["charnwood"]).sources
