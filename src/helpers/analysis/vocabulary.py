"""The report's vocabulary: every direction, comparison, judgement and SPC reading as an enum, each member
with its words and its mark in one place.

Analysis writes the members into the indicator table, where each is the same string ``indicators.csv`` has
always held (``Direction.HIGHER == "higher"``); presentation looks a cell up (``Direction.read("higher").arrow``)
to show it. Two vocabularies must not be confused: against last year (``Direction``) arrows and higher /
lower / similar; a district against the rest of its group (``GroupPlace``) signs and above / below / in line.
"""

from __future__ import annotations

from enum import Enum
from typing import TypeVar

T = TypeVar("T", bound="Term")


class Term(str, Enum):
    """A word of the vocabulary: a ``str`` whose value is what the table holds. ``str()`` and f-strings give
    the value, as ``enum.StrEnum`` (Python 3.11 and later) does."""

    def __str__(self) -> str:
        return str.__str__(self)

    def __format__(self, spec: str) -> str:
        return str.__format__(self, spec)

    @classmethod
    def of(cls: type[T], value: object) -> T | None:
        """The member whose value is ``value``; None for anything else (an empty cell, NaN)."""
        return next((member for member in cls if isinstance(value, str) and member == value), None)

    @classmethod
    def read(cls: type[T], value: object) -> T:
        """The member whose value is ``value`` (a table's cell), which must be one."""
        member = cls.of(value)
        if member is None:
            raise ValueError(f"{value!r} is not a {cls.__name__}")
        return member


class Direction(Term):
    """This year against last year (``direction``): arrow, the words of a comparison and of a significant change.
    A row not compared has no direction ("")."""

    arrow: str
    relation: str
    movement: str

    def __new__(cls, value: str, arrow: str, relation: str, movement: str) -> Direction:
        member = str.__new__(cls, value)
        member._value_ = value
        member.arrow, member.relation, member.movement = arrow, relation, movement
        return member

    HIGHER = "higher", "▲", "higher than", "rise"
    LOWER = "lower", "▼", "lower than", "fall"
    SIMILAR = "similar", "►", "similar to", ""

    @property
    def label(self) -> str:
        """Arrow and word, ``▲ Higher``: never colour alone."""
        return f"{self.arrow} {self.value.capitalize()}"

    @classmethod
    def arrows(cls) -> str:
        """The arrows, for a key: ``▲ ▼ ►``."""
        return " ".join(direction.arrow for direction in cls)

    @classmethod
    def key(cls) -> str:
        """The key to the arrows: ``▲ higher, ▼ lower, ► similar``."""
        return ", ".join(f"{direction.arrow} {direction}" for direction in cls)

    @classmethod
    def arrow_of(cls, value: object) -> str:
        """The arrow of a ``direction`` cell; "" for a row without one."""
        direction = cls.of(value)
        return direction.arrow if direction else ""


class GroupPlace(Term):
    """A district against the rest of its group (``vs_partnership``), and its mark."""

    mark: str

    def __new__(cls, value: str, mark: str) -> GroupPlace:
        member = str.__new__(cls, value)
        member._value_ = value
        member.mark = mark
        return member

    ABOVE = "above", "+"
    BELOW = "below", "−"
    IN_LINE = "in line", "="
    NOT_COMPARED = "not compared", ""

    @classmethod
    def key(cls, group: str) -> str:
        """The key to the marks: ``+ above, − below or = in line with the rest of Leicestershire``."""
        above, below, level = cls.ABOVE, cls.BELOW, cls.IN_LINE
        return f"{above.mark} {above}, {below.mark} {below} or {level.mark} {level} with the rest of {group}"

    @classmethod
    def mark_of(cls, value: object) -> str:
        """The mark of a ``vs_partnership`` cell; "" for a row without one."""
        place = cls.of(value)
        return place.mark if place else ""


class BaselinePlace(Term):
    """This year's (or last year's) value against the longer-term baseline (``vs_baseline``)."""

    ABOVE = "above"
    BELOW = "below"
    LEVEL = "level"  # within the percent band of it
    SIMILAR = "similar"  # beyond the band, but within normal variation


class TargetStatus(Term):
    """The value against the indicator's target range (``target_status``), and its style class."""

    style: str

    def __new__(cls, value: str, style: str) -> TargetStatus:
        member = str.__new__(cls, value)
        member._value_ = value
        member.style = style
        return member

    BELOW = "below", "bad"
    WITHIN = "within", "good"
    ABOVE = "above", "bad"


class Judgement(Term):
    """The judgement of a change on last year (``judgement``), and its style class in the report's tables, the
    packs' index and the workbook: good, bad, neutral, none or na."""

    style: str

    def __new__(cls, value: str, style: str) -> Judgement:
        member = str.__new__(cls, value)
        member._value_ = value
        member.style = style
        return member

    IMPROVING = "improving", "good"
    DETERIORATING = "deteriorating", "bad"
    STABLE = "stable", "neutral"
    NO_JUDGEMENT = "no judgement", "none"  # an indicator without polarity
    NOT_COMPARED = "not compared", "none"  # no figures for last year
    NOT_AVAILABLE = "not available", "na"

    @property
    def word(self) -> str:
        """As a table shows it: ``Improving``."""
        return self.value.capitalize()

    @classmethod
    def style_of(cls, value: object) -> str:
        """The style class of a ``judgement`` cell; "none" for a row without one."""
        judgement = cls.of(value)
        return judgement.style if judgement else "none"


class Side(Term):
    """The side of an SPC signal, and the letter on its variation icon."""

    letter: str

    def __new__(cls, value: str, letter: str) -> Side:
        member = str.__new__(cls, value)
        member._value_ = value
        member.letter = letter
        return member

    HIGH = "high", "H"
    LOW = "low", "L"


class Reading(Term):
    """How an SPC point or signal reads (``spc_reading``), in Making Data Count's colours (NHS England;
    NHSRplotthedots): orange a concern, blue an improvement, purple a signal neither better nor worse, grey usual
    (common cause) variation. ``ink`` is the colour of a letter on it; ``words`` name it in a sentence, ``legend``
    in a chart's key."""

    colour: str
    ink: str
    words: str
    legend: str

    def __new__(cls, value: str, colour: str, ink: str, words: str, legend: str) -> Reading:
        member = str.__new__(cls, value)
        member._value_ = value
        member.colour, member.ink, member.words, member.legend = colour, ink, words, legend
        return member

    CONCERN = "concern", "#ED8B00", "#000000", "a concern", "Concern"
    IMPROVEMENT = "improvement", "#41B6E6", "#000000", "an improvement", "Improvement"
    NEUTRAL = "neutral", "#490092", "#FFFFFF", "an unusual change", "Unusual change"
    COMMON_CAUSE = "common_cause", "#7B7D7D", "#FFFFFF", "usual variation", "Usual variation"


class Icon(Term):
    """Making Data Count's variation icon for the latest point (``spc_icon``): its reading and side, the short word
    shown beside it and Making Data Count's name for it. Every icon is shown with its word."""

    reading: Reading
    side: Side | None
    word: str
    full_name: str

    def __new__(cls, value: str, reading: Reading, side: Side | None, word: str, full_name: str) -> Icon:
        member = str.__new__(cls, value)
        member._value_ = value
        member.reading, member.side, member.word, member.full_name = reading, side, word, full_name
        return member

    COMMON_CAUSE = "common_cause", Reading.COMMON_CAUSE, None, "Usual variation", "Common cause variation: no signal"
    CONCERN_HIGH = (
        "concern_high",
        Reading.CONCERN,
        Side.HIGH,
        "Concern, high",
        "Special cause variation of concern: unusually high values",
    )
    CONCERN_LOW = (
        "concern_low",
        Reading.CONCERN,
        Side.LOW,
        "Concern, low",
        "Special cause variation of concern: unusually low values",
    )
    IMPROVEMENT_HIGH = (
        "improvement_high",
        Reading.IMPROVEMENT,
        Side.HIGH,
        "Improvement, high",
        "Special cause variation, an improvement: unusually high values",
    )
    IMPROVEMENT_LOW = (
        "improvement_low",
        Reading.IMPROVEMENT,
        Side.LOW,
        "Improvement, low",
        "Special cause variation, an improvement: unusually low values",
    )
    NEUTRAL_HIGH = (
        "neutral_high",
        Reading.NEUTRAL,
        Side.HIGH,
        "Unusual, high",
        "Special cause variation, neither better nor worse: unusually high values",
    )
    NEUTRAL_LOW = (
        "neutral_low",
        Reading.NEUTRAL,
        Side.LOW,
        "Unusual, low",
        "Special cause variation, neither better nor worse: unusually low values",
    )

    @classmethod
    def of_signal(cls, reading: Reading, side: Side) -> Icon:
        """The icon of a signal read ``reading`` on ``side``."""
        return next(icon for icon in cls if icon.reading is reading and icon.side is side)


class Rule(Term):
    """An SPC signal rule (``spc.latest_signal``), with the one name of each side's signal."""

    high: str
    low: str

    def __new__(cls, value: str, high: str, low: str) -> Rule:
        member = str.__new__(cls, value)
        member._value_ = value
        member.high, member.low = high, low
        return member

    BEYOND_LIMITS = "beyond_limits", "an unusually high month", "an unusually low month"
    RUN = "run", "a run above the usual level", "a run below the usual level"
    TREND = "trend", "a rising trend", "a falling trend"
    TWO_OF_THREE = "two_of_three", "months close to the upper limit", "months close to the lower limit"

    def signal_name(self, side: str) -> str:
        """The one name for this rule's signal on ``side`` ('high' or 'low')."""
        return self.high if side == Side.HIGH else self.low
