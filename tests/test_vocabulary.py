"""Tests for helpers.analysis.vocabulary: each member is the string the table holds, with its words and mark."""

import io

import pandas as pd
import pytest

from helpers.analysis.vocabulary import (
    BaselinePlace,
    Direction,
    GroupPlace,
    Icon,
    Judgement,
    Reading,
    Rule,
    Side,
    TargetStatus,
    Term,
)

ALL = [BaselinePlace, Direction, GroupPlace, Icon, Judgement, Reading, Rule, Side, TargetStatus]


@pytest.mark.parametrize("vocabulary", ALL)
def test_a_member_is_its_value_wherever_it_is_written(vocabulary):
    for member in vocabulary:
        assert member == member.value and str(member) == member.value and f"{member}" == member.value
        assert hash(member) == hash(member.value) and {member.value: 1}[member] == 1
        assert vocabulary.read(member.value) is member and vocabulary.of(member.value) is member


def test_the_table_written_as_csv_holds_the_plain_words():
    table = pd.DataFrame(
        {"direction": [Direction.HIGHER, Direction.SIMILAR], "judgement": [Judgement.NO_JUDGEMENT, ""]}
    )
    written = io.StringIO()
    table.to_csv(written, index=False, lineterminator="\n")
    assert written.getvalue() == "direction,judgement\nhigher,no judgement\nsimilar,\n"


@pytest.mark.parametrize("value", ["", None, float("nan"), "Higher", "up"])
def test_a_cell_that_is_no_member_has_none(value):
    assert Direction.of(value) is None
    assert Direction.arrow_of(value) == "" and GroupPlace.mark_of(value) == "" and Judgement.style_of(value) == "none"
    with pytest.raises(ValueError, match="is not a Direction"):
        Direction.read(value)


@pytest.mark.parametrize(
    "direction, arrow, label, relation, movement",
    [
        ("higher", "▲", "▲ Higher", "higher than", "rise"),
        ("lower", "▼", "▼ Lower", "lower than", "fall"),
        ("similar", "►", "► Similar", "similar to", ""),
    ],
)
def test_a_rows_direction_maps_to_its_arrow_and_words(direction, arrow, label, relation, movement):
    found = Direction.read(direction)
    assert (found.arrow, found.label, found.relation, found.movement) == (arrow, label, relation, movement)
    assert Direction.arrow_of(direction) == arrow


def test_the_keys_name_every_arrow_and_mark():
    assert Direction.arrows() == "▲ ▼ ►"
    assert Direction.key() == "▲ higher, ▼ lower, ► similar"
    assert GroupPlace.key("Leicestershire") == "+ above, − below or = in line with the rest of Leicestershire"
    assert [GroupPlace.mark_of(p) for p in ("above", "below", "in line", "not compared")] == ["+", "−", "=", ""]


@pytest.mark.parametrize(
    "judgement, word, style",
    [
        ("improving", "Improving", "good"),
        ("deteriorating", "Deteriorating", "bad"),
        ("stable", "Stable", "neutral"),
        ("no judgement", "No judgement", "none"),
        ("not compared", "Not compared", "none"),
        ("not available", "Not available", "na"),
    ],
)
def test_each_judgement_has_its_word_and_style(judgement, word, style):
    assert (Judgement.read(judgement).word, Judgement.style_of(judgement)) == (word, style)


def test_only_within_the_target_range_is_good():
    assert [status.style for status in TargetStatus] == ["bad", "good", "bad"]


def test_each_reading_has_its_colour_ink_and_words():
    assert [(r.colour, r.ink, r.words, r.legend) for r in Reading] == [
        ("#ED8B00", "#000000", "a concern", "Concern"),
        ("#41B6E6", "#000000", "an improvement", "Improvement"),
        ("#490092", "#FFFFFF", "an unusual change", "Unusual change"),
        ("#7B7D7D", "#FFFFFF", "usual variation", "Usual variation"),
    ]


def test_an_icon_is_its_reading_and_side():
    assert Icon.of_signal(Reading.CONCERN, Side.HIGH) is Icon.CONCERN_HIGH == "concern_high"
    assert Icon.of_signal(Reading.NEUTRAL, Side.LOW) is Icon.NEUTRAL_LOW == "neutral_low"
    for icon in Icon:  # every icon but usual variation is named by its reading and side
        assert icon == (f"{icon.reading}_{icon.side}" if icon.side else "common_cause")
        assert icon.word and icon.full_name
    assert Icon.COMMON_CAUSE.reading is Reading.COMMON_CAUSE and Icon.COMMON_CAUSE.side is None
    assert [side.letter for side in Side] == ["H", "L"]


def test_each_rule_names_its_signal_on_either_side():
    assert Rule.TREND.signal_name("high") == "a rising trend"
    assert Rule.TWO_OF_THREE.signal_name(Side.LOW) == "months close to the lower limit"
    assert [rule.value for rule in Rule] == ["beyond_limits", "run", "trend", "two_of_three"]


def test_every_vocabulary_is_a_term():
    assert all(issubclass(vocabulary, Term) and issubclass(vocabulary, str) for vocabulary in ALL)
