"""Words from numbers: formatted figures, key-point sentences and safe Markdown.

Every figure in a sentence is formatted by ``figure`` from the indicator table, so
the report, the board paper and ``indicators.csv`` cannot disagree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mistune
import pandas as pd
from markupsafe import Markup

from ..analysis.vocabulary import BaselinePlace, Direction, Icon, Judgement, Reading, TargetStatus

if TYPE_CHECKING:
    from ..analysis.results import Results
    from ..inputs.catalogue import Indicator

JUDGED = (Judgement.IMPROVING, Judgement.DETERIORATING, Judgement.STABLE)  # better, worse or no real change


def judgement_words(row: dict, target: dict | None) -> tuple[str, str]:
    """The judgement as the report's dashboard and the workbook both word it, and its style class: against the
    ``target`` range where the indicator has one (``Within 28–40% range``), else the judgement (``Improving``)."""
    if target and row.get("target_status"):
        status = TargetStatus.read(row["target_status"])
        return f"{status.capitalize()} {target['low']:g}–{target['high']:g}% range", status.style
    word = row.get("judgement") or Judgement.NOT_AVAILABLE
    return word.capitalize(), Judgement.style_of(word)


def figure(value: float, measure: str) -> str:
    """A value as printed everywhere: rates to 2 dp, percentages to 1 dp with %."""
    if pd.isna(value):
        return "n/a"
    return f"{value:,.1f}%" if measure == "percentage" else f"{value:,.2f}"


def long_date(day) -> str:
    """``7 November 2022``: the day without a leading zero on every platform (strftime's flag for
    that is glibc's own)."""
    return f"{day.day} {day:%B %Y}"


def with_unit(value: float, measure: str, unit: str) -> str:
    """``1.39 per 10,000`` or ``32.6%``."""
    text = figure(value, measure)
    return text if measure == "percentage" or text == "n/a" else f"{text} {unit}"


def change_text(row: dict) -> str:
    """``+17.2%`` (relative change) or, for percentages, ``+3.7 points``; from a previous
    value of 0, ``new`` (or ``no change``)."""
    if pd.isna(row["change_abs"]):
        return "n/a"
    if row["measure"] == "percentage":
        return f"{row['change_abs']:+.1f} points"
    if row["previous_value"] == 0:
        return "new" if row["change_abs"] else "no change"
    return f"{row['change_pct']:+.1f}%"


def direction_label(direction: str) -> str:
    """Arrow and word, e.g. ``▲ Higher`` (``Direction.label``); "—" without a direction."""
    found = Direction.of(direction)
    return found.label if found else "—"


def key_point(
    row: dict,
    indicator: Indicator,
    break_note: bool = True,
    period_stated: str = "",
    badge: bool = True,
    baseline: bool = True,
) -> str:
    """One plain-English sentence for an indicator's partnership row, in the board paper's style.

    ``break_note``: add the row's data-break sentence (a list of key points says it once instead);
    ``period_stated``: the baseline period the reader has just been told, left out of the sentence;
    ``badge``: say when the figures are an illustrative sample (the board paper says so once instead);
    ``baseline``: say where the value sits against the baseline (the main messages leave out a short one).
    """
    subject, target = indicator.subject, indicator.target
    if row["status"] != "available":
        return unavailable_sentence(subject, row["reason"])
    now = with_unit(row["value"], row["measure"], row["unit"])
    if pd.isna(row["previous_value"]):
        return f"{subject} {now} over the last 12 months; not compared with the previous year (data missing)."
    before = figure(row["previous_value"], row["measure"])
    if target:
        relation, place = Direction.read(row["direction"]).relation, TargetStatus.read(row["target_status"])
        sentence = (
            f"{subject} {now}, {relation} the previous year's {before}, and {place} the "
            f"{target.get('label', 'target range')} of {target['low']:g}–{target['high']:g}%."
        )
    elif row["judgement"] in JUDGED:
        sentence = f"{subject} {row['judgement']}: {before} to {now} over the last year ({change_text(row)}){_significance(row)}."
    else:
        word = row["direction"]
        sentence = (
            f"{subject} {word} {'to' if word == Direction.SIMILAR else 'than'} last year: {before} to {now} "
            f"({change_text(row)}; no polarity){_significance(row)}."
        )
    sentence = sentence[:-1] + context_words(row, indicator.plural, period_stated, baseline) + quarter_words(row) + "."
    if row.get("spc_signal") not in ("", "none", None) and pd.notna(row.get("spc_signal")):
        sentence += f" Monthly counts show {Reading.read(row['spc_reading']).words}: {row['spc_signal']}."
    if break_note and row.get("data_break"):
        sentence += f" {row['data_break']}"
    if badge and row.get("illustrative"):
        sentence += " (Illustrative sample data.)"
    return sentence


def unavailable_sentence(subject: str, reason: str) -> str:
    """``Robbery is not available this quarter due to …``: the reason as params or the data give it."""
    rest = reason[len("not available") :] if reason.lower().startswith("not available") else f": {reason}"
    return f"{subject} not available{rest if rest[:1] in (' ', ':', ',', '') else ' ' + rest}".rstrip(".") + "."


def _significance(row: dict) -> str:
    """``, a significant rise`` when the change is called higher or lower and is statistically significant."""
    direction = Direction.of(row.get("direction"))
    if direction not in (Direction.HIGHER, Direction.LOWER) or row.get("significant") not in (True,):  # numpy's too
        return ""
    return f", a significant {direction.movement}"


def context_words(row: dict, plural: bool = False, period_stated: str = "", baseline: bool = True) -> str:
    """Where this year's value sits against the baseline and in the series, as a clause to end a sentence:
    ``; back to its pre-pandemic level of 57.10 (December 2019 to February 2020)`` only when it is within the
    percent band of it (``vs_baseline`` "level") and was not last year; otherwise the gap: ``; 12.0% above its …``,
    ``within normal variation`` when the rule is not met (``similar``); ``, but still 8.0% below …`` when the value
    rose on last year yet sits below the baseline (or fell yet sits above); "" when neither applies. The baseline
    period is left out when it is ``period_stated``; the baseline is left out altogether without ``baseline``."""
    parts = []
    place, before = row.get("vs_baseline"), row.get("previous_vs_baseline")
    contrary = (place, row.get("direction")) in (
        (BaselinePlace.BELOW, Direction.HIGHER),
        (BaselinePlace.ABOVE, Direction.LOWER),
    )  # up on last year, still below
    if place and baseline:
        period = "" if row["baseline_period"] == period_stated else f" ({row['baseline_period']})"
        level = (
            f"{'their' if plural else 'its'} {row['baseline_label']} level of "
            f"{figure(row['baseline_value'], row['measure'])}{period}"
        )
        if place == BaselinePlace.LEVEL:
            parts.append(f"{'back to' if before in (BaselinePlace.ABOVE, BaselinePlace.BELOW) else 'at'} {level}")
        else:
            still = "still " if place == before else ""
            variation = ", within normal variation" if place == BaselinePlace.SIMILAR else ""
            parts.append(f"{still}{_gap(row)} {level}{variation}")
    if row.get("series_extreme"):
        since = pd.Period(row["series_start"], "M").strftime("%B %Y")
        parts.append(f"the {row['series_extreme']} 12-month figure since {since}")
    return f"{', but' if contrary else ';'} {' and '.join(parts)}" if parts else ""


def _gap(row: dict) -> str:
    """``8.4% below`` (a rate) or ``3.2 points above`` (a percentage): this year's value against the baseline's."""
    difference = row["value"] - row["baseline_value"]
    side = "above" if difference > 0 else "below"
    if row["measure"] == "percentage":
        return f"{abs(difference):.1f} points {side}"
    return side if pd.isna(row["baseline_gap_pct"]) else f"{abs(row['baseline_gap_pct']):.1f}% {side}"  # from 0: no %


def quarter_words(row: dict) -> str:
    """A turning point: ``, but the latest quarter is 12.0% lower than the same quarter last year, a significant
    fall``, when the latest quarter's change is significant and not the way the 12 months went; else ""."""
    change = row.get("quarter_change_abs")
    if row.get("quarter_significant") not in (True,) or pd.isna(change) or not change:
        return ""
    way = Direction.HIGHER if change > 0 else Direction.LOWER
    if way == row.get("direction"):
        return ""
    size = f"{abs(change):.1f} points" if row["measure"] == "percentage" else f"{abs(row['quarter_change_pct']):.1f}%"
    return f", but the latest quarter is {size} {way} than the same quarter last year, a significant {way.movement}"


def change_words(change: dict) -> str:
    """What changed since last quarter, in words: ``now improving, was stable last quarter``."""
    parts = []
    if change["judgement"] != change["judgement_before"]:
        parts.append(f"now {change['judgement']}, was {change['judgement_before']} last quarter")
    if change["spc_reading"] != change["spc_reading_before"]:
        now = (
            f"{Reading.read(change['spc_reading']).words} ({change['spc_signal']})"
            if change["spc_reading"]
            else "no SPC signal"
        )
        before = Reading.read(change["spc_reading_before"]).words if change["spc_reading_before"] else "no signal"
        parts.append(f"monthly counts now show {now}, last quarter {before}")
    return "; ".join(parts)


def no_change(results: Results) -> str:
    """What "what changed" says when no indicator compared with last quarter changed."""
    if len(results.last_quarter_gaps) == len(results.rows()):
        return "No indicator can be compared with last quarter."
    other = "other " if len(results.last_quarter_gaps) else ""
    return f"No {other}indicator changed its judgement or statistical process control signal since last quarter."


class _SelfContained(mistune.HTMLRenderer):
    """No images from elsewhere: the report must display offline and load nothing (no tracking pixels)."""

    def image(self, text: str, url: str, title: str | None = None) -> str:
        return super().image(text, url, title) if url.startswith("data:image/") else f"[image: {text}]"


class _Commentary(_SelfContained):
    """Commentary headings become bold paragraphs so the report's heading order holds."""

    def heading(self, text: str, level: int, **attrs) -> str:
        # mistune's renderer writes the tags; ``text`` is the heading's inline HTML, already escaped.
        return self.paragraph(self.strong(text))


_commentary = mistune.create_markdown(escape=True, renderer=_Commentary(escape=True))
_document = mistune.create_markdown(escape=True, renderer=_SelfContained(escape=True), plugins=["table"])


def markdown(text: str | None, headings: bool = False) -> Markup:
    """Markdown to HTML; raw HTML is shown as text, harmful links are dropped.

    Commentary headings become bold paragraphs unless ``headings`` (whole documents). The
    result is ``Markup``: mistune has escaped it, so templates take it as it is.
    """
    return Markup((_document if headings else _commentary)(str(text)) if text else "")


def anchor(*parts: str) -> str:
    """A fragment id from words: anchor("Reduce crime", "districts") -> "reduce-crime-districts"."""
    return "-".join(str(p).lower().replace(" ", "-").replace("&", "and") for p in parts)


def variation(icon: str) -> dict:
    """A variation icon (the table's ``spc_icon``) as it is drawn: reading (kind), colour, letter colour
    (ink), letter ('H' high, 'L' low, none for usual variation), short word and full name (``vocabulary.Icon``)."""
    shown = Icon.read(icon)
    return {
        "kind": str(shown.reading),
        "colour": shown.reading.colour,
        "ink": shown.reading.ink,
        "letter": shown.side.letter if shown.side else "",
        "word": shown.word,
        "name": shown.full_name,
    }
