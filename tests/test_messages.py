"""The opening of the key points (helpers.presentation.messages) on hand-made partnership rows."""

import pandas as pd
import pytest

from helpers.inputs.catalogue import Indicator
from helpers.presentation.messages import (
    at_a_glance,
    baseline_line,
    break_line,
    main_messages,
    moving_together,
    opening,
)
from helpers.presentation.narrative import key_point

PERIOD = "December 2019 to February 2020"


def indicator(indicator_id: str, section: str = "reduce_crime", **extra) -> Indicator:
    return Indicator(
        id=indicator_id,
        title=indicator_id.capitalize(),
        section=section,
        measure="rate",
        polarity="lower_is_better",
        source="police_uk",
        definition="d",
        per=10000,
        **extra,
    )


def row(
    indicator_id: str,
    section: str = "reduce_crime",
    direction: str = "similar",
    change_pct: float = 1.0,
    reading: str = "",
    target_status: str = "",
    vs_baseline: str = "",
    status: str = "available",
    **extra,
) -> dict:
    judgement = {"higher": "deteriorating", "lower": "improving", "similar": "stable"}[direction]
    return {
        "indicator_id": indicator_id,
        "title": indicator_id.capitalize(),
        "section": section,
        "measure": "rate",
        "unit": "per 10,000",
        "status": status,
        "reason": "",
        "value": 110.0,
        "previous_value": 100.0,
        "change_abs": 10.0,
        "change_pct": change_pct,
        "direction": direction,
        "significant": direction != "similar",
        "judgement": judgement if status == "available" else "not available",
        "target_status": target_status,
        "spc_signal": "a run of 8 months above the usual level" if reading else "none",
        "spc_reading": reading,
        "data_break": "",
        "vs_baseline": vs_baseline,
        "previous_vs_baseline": "",
        "baseline_label": "pre-pandemic",
        "baseline_period": PERIOD if vs_baseline else "",
        "baseline_months": 3 if vs_baseline else float("nan"),
        "baseline_value": 120.0,
        "series_extreme": "",
        "series_start": "",
        "quarter_significant": None,
        "quarter_change_abs": float("nan"),
        "quarter_change_pct": float("nan"),
        "illustrative": False,
        **extra,
    }


def test_main_messages_follow_the_stated_rule():
    """Changed beyond normal variation > SPC concern or improvement > target missed > size of change."""
    rows = pd.DataFrame(
        [
            row("small_change", direction="higher", change_pct=6.0),
            row("big_stable", change_pct=40.0),  # no flag: only to make up three
            row("signal_only", reading="concern", change_pct=2.0),
            row("changed_and_signal", direction="lower", change_pct=-8.0, reading="improvement"),
            row("big_change", direction="higher", change_pct=30.0),
            row("target_missed", target_status="above", change_pct=3.0),
            row("quiet", change_pct=0.5),
        ]
    )
    catalogue = {
        i: indicator(i, target={"low": 28, "high": 40}) if i == "target_missed" else indicator(i)
        for i in rows["indicator_id"]
    }
    assert list(main_messages(rows, catalogue)["indicator_id"]) == [
        "changed_and_signal",
        "big_change",
        "small_change",
        "signal_only",
        "target_missed",
    ]
    # with only one flagged row, the largest other changes make up three
    calm = rows[rows["indicator_id"].isin(["big_stable", "quiet", "signal_only", "target_missed"])]
    calm = calm.assign(target_status="within")
    assert list(main_messages(calm, catalogue)["indicator_id"]) == ["signal_only", "big_stable", "target_missed"]


def test_main_messages_stop_at_six_and_skip_rows_not_compared():
    rows = pd.DataFrame(
        [row(f"i{n}", direction="higher", change_pct=10.0 + n) for n in range(8)]
        + [row("gone", status="not available"), row("new", previous_value=float("nan"))]
    )
    catalogue = {i: indicator(i) for i in rows["indicator_id"]}
    assert list(main_messages(rows, catalogue)["indicator_id"]) == ["i7", "i6", "i5", "i4", "i3", "i2"]


def test_main_messages_give_a_family_one_message_its_highest_ranked():
    """Burglary and its parts all rose: one message, the whole's (flagged too) in the place of the part that ranks
    first, and room for the next indicator; a whole not flagged gives way to its part."""
    rows = pd.DataFrame(
        [
            row("burglary", direction="higher", change_pct=40.0),
            row("burglary_residential", direction="higher", change_pct=41.0),
            row("burglary_business", direction="higher", change_pct=50.0),
            row("vehicle", direction="higher", change_pct=30.0),
            row("robbery", direction="higher", change_pct=10.0),
        ]
    )
    catalogue = {i: indicator(i, part_of="burglary" if i.startswith("burglary_") else "") for i in rows["indicator_id"]}
    assert list(main_messages(rows, catalogue)["indicator_id"]) == ["burglary", "vehicle", "robbery"]
    calm_whole = rows.assign(direction=lambda r: r["direction"].where(r["indicator_id"] != "burglary", "similar"))
    assert list(main_messages(calm_whole, catalogue)["indicator_id"]) == ["burglary_business", "vehicle", "robbery"]


def test_at_a_glance_counts_judgements_and_names_missed_targets():
    rows = pd.DataFrame(
        [
            row("a", direction="higher"),
            row("b", direction="higher"),
            row("c", direction="lower"),
            row("d"),
            row("e", judgement="no judgement"),
            row("marac", section="protect_vulnerable", target_status="above"),
            row("gone", status="not available"),
        ]
    )
    catalogue = {
        i: indicator(i, target={"low": 28, "high": 40, "label": "SafeLives recommended range"})
        if i == "marac"
        else indicator(i)
        for i in rows["indicator_id"]
    }
    assert at_a_glance(rows, catalogue) == (
        "Of the 7 indicators, 2 are deteriorating, 1 stable and 1 improving; 1 has no polarity (a rise or fall is "
        "neither good nor bad); 1 is judged against a target range; 1 is not available. Target missed: Marac (above "
        "the SafeLives recommended range of 28–40%)."
    )
    within = rows.assign(target_status=lambda t: t["target_status"].replace("above", "within"))
    assert at_a_glance(within.iloc[[0, 5]], catalogue) == (
        "Of the 2 indicators, 1 is deteriorating, none stable and none improving; 1 is judged against a target range. "
        "Targets: none missed (Marac: within range)."
    )


def test_indicators_moving_together_are_grouped_with_the_baseline():
    rows = pd.DataFrame(
        [
            row("a", direction="higher", vs_baseline="above"),
            row("b", direction="higher", vs_baseline="below"),
            row("c", direction="higher", vs_baseline="below"),
            row("d", direction="higher", vs_baseline="level"),
            row("e", direction="lower", vs_baseline="below"),
            row("f", section="reduce_asb"),
            row("g", section="reduce_asb"),
            row("h", section="cohesion", direction="higher"),
            row("i", section="cohesion"),  # one each way: no group
        ]
    )
    assert moving_together(rows) == [
        "Reduce crime: 4 of the 5 indicators compared are higher than a year ago; of these, 1 is above their "
        "pre-pandemic level, 1 is at it and 2 are still below it (B and C).",
        "Reduce anti-social behaviour: both indicators compared are similar to a year ago.",
    ]
    # a baseline short of a year is left out of the main messages and of these lines
    assert (
        moving_together(rows, baseline=False)[0]
        == "Reduce crime: 4 of the 5 indicators compared are higher than a year ago."
    )
    rows.loc[3, "vs_baseline"] = "similar"  # beyond the band, within normal variation: never "back to"
    assert "1 is not clearly different from it" in moving_together(rows)[0]


def test_baseline_and_data_break_are_said_once():
    rows = pd.DataFrame(
        [
            row("a", vs_baseline="above", data_break="x"),
            row("b", vs_baseline="below", data_break="x"),
            row("c", source="local"),
        ]
    )
    assert baseline_line(rows) == (
        f"An indicator's pre-pandemic level is its average over {PERIOD}, on the same 12-month scale; only 3 months, "
        "so it holds only those months' seasons and is biased by their seasonal highs or lows: read it as a rough guide "
        "(the main messages leave it out).",
        PERIOD,
    )
    breaks = pd.DataFrame({"short": ["more records without a location from March 2022"]})
    assert break_line(rows, breaks) == (
        "The 2 police.uk indicators span a break in the data (more records without a location from March 2022), so "
        "their comparisons with last year are not quite like with like; see the data-quality section."
    )
    assert break_line(rows, breaks.iloc[:0]) == "" and baseline_line(rows.iloc[[2]]) == ("", "")


def test_opening_sentences_leave_out_the_data_break_and_the_stated_period():
    rows = pd.DataFrame(
        [
            row(
                "a",
                direction="higher",
                vs_baseline="below",
                change_pct=10.0,
                baseline_gap_pct=-100 / 12,
                data_break="The figures span a break.",
                baseline_months=12,
            )
        ]
    )
    first = opening(rows, {"a": indicator("a")}, pd.DataFrame({"short": ["a step"]}))
    assert first.messages == [
        (
            "deteriorating",
            "A is deteriorating: 100.00 to 110.00 per 10,000 over the last year "
            "(+10.0%), a significant rise, but 8.3% below its pre-pandemic level of "
            "120.00.",
        )
    ]
    assert first.period_stated == PERIOD and "a step" in first.break_note
    # a baseline of 3 months holds only some seasons: left out of the main messages
    short = opening(rows.assign(baseline_months=3), {"a": indicator("a")}, pd.DataFrame({"short": ["a step"]}))
    assert short.messages == [
        (
            "deteriorating",
            "A is deteriorating: 100.00 to 110.00 per 10,000 over the last year (+10.0%), a significant rise.",
        )
    ]


@pytest.mark.parametrize(
    "reason, sentence",
    [
        (
            "Not available this quarter due to the change of recording system; expected back in 2023/24 Q1",
            "A is not available this quarter due to the change of recording system; expected back in 2023/24 Q1.",
        ),
        ("no figures for March 2022", "A is not available: no figures for March 2022."),
    ],
)
def test_unavailable_sentences_read_as_one(reason, sentence):
    assert key_point({"status": "not available", "reason": reason}, indicator("a")) == sentence
