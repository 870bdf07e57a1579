"""helpers.presentation.charts: the trajectory and SPC figure shows the months as they are, gaps included,
coloured as Making Data Count does; the district chart says in words which districts are above or below the rest of
their group."""

from __future__ import annotations

import base64
import re

import numpy as np
import pandas as pd
import pytest

import board
from helpers import config
from helpers.analysis.spc import RULES, xmr
from helpers.analysis.vocabulary import Reading
from helpers.presentation import charts
from helpers.presentation.charts import (
    DARK_BLUE,
    DARK_PINK,
    TURQUOISE,
    chart_key,
    district_comparison,
    small_multiples,
    sparkline,
    trajectory,
)

MONTHS = [str(m) for m in pd.period_range("2020-10", "2022-09", freq="M")]
# 24 months: a year, then the same year 5 higher. The first 12 set the limits: sum 137, mean 11.42;
# the 11 moving ranges sum to 16, MR-bar 1.455; limits 11.42 +/- 2.66 x 1.455 = 7.55 to 15.29.
YEAR = [10, 12, 11, 13, 12, 10, 11, 13, 12, 11, 10, 12]
COUNTS = YEAR + [c + 5 for c in YEAR]


def draw(counts, rolling=None, steps=(), polarity="lower_is_better", spc=None) -> tuple[str, str]:
    series = pd.DataFrame({"period_end": MONTHS, "value": np.linspace(1, 2, 24) if rolling is None else rolling})
    monthly = pd.Series(counts, index=MONTHS, dtype=float)
    if spc is None and not monthly.isna().any():
        spc = xmr(monthly, steps).points
    return trajectory(series, monthly, "Burglary", "per 10,000", "rate", spc=spc, polarity=polarity)


def svg(html: str) -> str:
    return base64.b64decode(re.search(r"base64,([^\"']+)", html).group(1)).decode()


def line_pieces(image: str, width: str) -> list[int]:
    """How many separate pieces (SVG moveto commands) each plotted line of this stroke width has."""
    return [
        d.count("M")
        for d, style in re.findall(r'<path d="([^"]*)"[^>]*style="([^"]*)"', image)
        if f"stroke-width: {width};" in style
    ]


def test_limits_come_from_the_baseline_and_signals_are_marked():
    html, alt = draw(COUNTS)
    # the first year's last month (12) and all the second year are above the usual level of 11.4: a run of 13
    assert (
        "the usual level is 11.4 with a usual range of 7.5 to 15.3, set from the baseline months October 2020 to "
        "September 2021; 13 months show a concern."
    ) in alt
    image = svg(html)
    assert "Usual range" in image and "Baseline months" in image and "statistical process control chart" in html
    assert "limits from the baseline months October 2020 to September 2021 (shaded)" in html


def test_a_step_draws_each_period_with_its_own_limits():
    html, alt = draw(COUNTS, steps=["2021-10"])
    # the second period's baseline is its own 12 months: mean 16.42, limits 12.55 to 20.29; no signal
    assert (
        "the usual level is 16.4 with a usual range of 12.5 to 20.3" in alt and "all months show usual variation" in alt
    )
    assert (
        "October 2020 to September 2021 for the period from October 2020 and October 2021 to September 2022 for the "
        "period from October 2021"
    ) in html
    assert line_pieces(svg(html), "1.5") == [1, 1, 1]  # the usual level: one line per period, and the legend's


def test_a_missing_month_gets_no_limits_and_is_not_joined_over():
    counts = [float(c) for c in COUNTS]
    counts[5] = np.nan
    rolling = np.linspace(1, 2, 24)
    rolling[10] = np.nan
    html, alt = draw(counts, rolling)
    image = svg(html)
    assert "1 of the 24 months is missing, so no process limits or signals are drawn" in alt
    assert not any(word in image for word in ("Usual range", "Usual level", "Baseline months", "Concern"))
    assert "months missing: no SPC" in html
    # each line is two pieces either side of its gap (the legend's sample line is one)
    assert line_pieces(image, "1.4")[0] == 2 and line_pieces(image, "2.2") == [2]
    # the rolling line's first and last values are still described
    assert "from 1.00 in the 12 months to October 2020 to 2.00 in the 12 months to September 2022" in alt


def colours(image: str) -> set[str]:
    """The fill colours of the plotted points (matplotlib writes them lower case)."""
    return set(re.findall(r"fill: (#[0-9a-f]{6})", image))


@pytest.mark.parametrize(
    "polarity, reading",
    [("lower_is_better", "concern"), ("higher_is_better", "improvement"), ("no_polarity", "neutral")],
)
def test_signal_points_take_the_colour_of_their_reading(polarity, reading):
    html, _ = draw(COUNTS, polarity=polarity)
    found = colours(svg(html))
    # the run above the usual level is read through polarity; the first 11 months are usual variation (grey)
    assert Reading.read(reading).colour.lower() in found and Reading.COMMON_CAUSE.colour.lower() in found
    assert (
        not {Reading.read(other).colour.lower() for other in ("concern", "improvement", "neutral") if other != reading}
        & found
    )


def hand_made_spc() -> pd.DataFrame:
    """A Results.spc-like frame from before the months shown: a period from 2020-04 (baseline its first 12
    months), a step in 2021-06 (baseline 2021-06 to 2022-05); an unusually low month in 2021-01 and months
    close to the upper limit in 2022-08 and 2022-09, marked by hand."""
    months = [str(m) for m in pd.period_range("2020-04", "2022-09", freq="M")]
    second = np.array([m >= "2021-06" for m in months])
    frame = pd.DataFrame(
        {
            "period": second.astype(int),
            "baseline": [m <= "2021-03" or "2021-06" <= m <= "2022-05" for m in months],
            "mean": np.where(second, 20.0, 10.0),
            "upper": np.where(second, 26.0, 14.0),
            "lower": np.where(second, 14.0, 6.0),
        },
        index=months,
    )
    for rule in RULES:
        frame[rule], frame[f"{rule}_side"] = False, None
    frame.loc["2021-01", ["beyond_limits", "beyond_limits_side"]] = [True, "low"]
    frame.loc[["2022-08", "2022-09"], "two_of_three"] = True
    frame.loc[["2022-08", "2022-09"], "two_of_three_side"] = "high"
    return frame


def test_a_hand_made_spc_frame_is_drawn_as_it_says():
    counts = [10.0] * 24
    html, alt = draw(counts, spc=hand_made_spc(), polarity="lower_is_better")
    image = svg(html)
    # the low month is an improvement (blue), the two high months a concern (orange)
    assert {Reading.IMPROVEMENT.colour.lower(), Reading.CONCERN.colour.lower()} <= colours(image)
    assert "2 months show a concern and 1 month shows an improvement" in alt
    # each period's level is its own segment (and the legend's sample): new limits from June 2021
    assert line_pieces(image, "1.5") == [1, 1, 1]
    # both baselines named, the first lying partly before the months shown
    assert (
        "April 2020 to March 2021 for the period from April 2020 and June 2021 to May 2022 for the period from "
        "June 2021"
    ) in html
    assert "usual level is 20.0 with a usual range of 14.0 to 26.0" in alt


def compared_rows(words: list[str]) -> pd.DataFrame:
    """Three districts and the partnership, each district with the value of the rest of the group and its range."""
    districts = pd.DataFrame(
        {
            "area": ["Rutland", "Melton", "Charnwood"],
            "area_type": "district",
            "value": [30.0, 51.0, 54.0],
            "vs_partnership": words,
            "group_reference": [52.0, 50.0, 48.0],
            "group_low": [40.0, 45.0, 45.5],
            "group_high": [66.0, 55.0, 50.5],
        }
    )
    partnership = pd.DataFrame(
        {
            "area": [board.PARTNERSHIP],
            "area_type": ["partnership"],
            "value": [50.0],
            "vs_partnership": ["not compared"],
            "group_reference": [np.nan],
            "group_low": [np.nan],
            "group_high": [np.nan],
        }
    )
    return pd.concat([districts, partnership], ignore_index=True)


def test_the_comparison_chart_names_the_districts_above_and_below_the_rest():
    html = district_comparison(
        compared_rows(["below", "in line", "above"]), "Burglary", "per 10,000", board.PARTNERSHIP
    )
    alt = re.search(r'alt="([^"]*)"', html).group(1)
    group = board.PARTNERSHIP.replace("&", "&amp;")
    assert (
        f"Charnwood is above the rest of {group}; Rutland is below the rest of {group}; the others are in line with "
        "the rest."
    ) in alt
    image = svg(html)
    assert all(name in image for name in ("Rutland  30.0", "Melton  51.0", "Charnwood  54.0"))  # named with the value
    assert f"{board.PARTNERSHIP}  50.0".replace("&", "&amp;") not in image  # the partnership is not a row
    assert "Above the rest of the group" in image and "Range in line with the rest" in image


def test_a_comparison_with_every_district_in_line_says_so():
    html = district_comparison(compared_rows(["in line"] * 3), "Burglary", "per 10,000", board.PARTNERSHIP)
    assert f"Every district is in line with the rest of {board.PARTNERSHIP.replace('&', '&amp;')}." in html


# --- Small multiples and sparklines -----------------------------------------------------------


def panel(title, values, judgement="none", measure="rate", unit="per 10,000", target=None) -> dict:
    return {
        "title": title,
        "unit": unit,
        "measure": measure,
        "period_end": MONTHS[: len(values)],
        "values": values,
        "target": target,
        "judgement": judgement,
    }


def test_small_multiples_draw_one_panel_per_indicator_coloured_by_judgement_and_say_each_in_words():
    rising = list(np.linspace(20, 26, 24))
    gappy = [30.0] * 10 + [np.nan] + [31.0] * 13
    html = small_multiples(
        [
            panel("Burglary", rising, "bad"),
            panel("Robbery", gappy, "neutral"),
            panel("MARAC", [32.0] * 24, "good", "percentage", "%", {"low": 28, "high": 40}),
        ],
        "Reduce crime",
    )
    image = svg(html)
    assert (
        image.count(DARK_PINK.lower()) > 0 and image.count(TURQUOISE.lower()) > 0 and image.count(DARK_BLUE.lower()) > 0
    )
    # the latest value is written at each line's end, as the report formats it
    assert ">26.00<" in image and ">31.00<" in image and ">32.0%<" in image
    assert (
        "Burglary: 20.00 in the 12 months to October 2020, 26.00 in the 12 months to September 2022." in html
        and "Robbery: 30.00 in the 12 months to October 2020, 31.00 in the 12 months to September 2022." in html
    )
    assert "(Burglary; Robbery; MARAC)" in html  # the caption names every panel
    assert line_pieces(image, "1.8")[1] == 2  # Robbery's missing month breaks its line


def test_a_sparkline_is_a_small_png_in_the_judgement_colour():
    import io

    from PIL import Image

    picture = Image.open(io.BytesIO(sparkline([1.0, 2.0, np.nan, 3.0], "bad"))).convert("RGB")
    assert picture.format is None and picture.size == (168, 30)  # 0.84 by 0.15 inches at 200 dpi
    pink = tuple(int(DARK_PINK[i : i + 2], 16) for i in (1, 3, 5))
    assert pink in {colour for _, colour in picture.getcolors(10_000)}


# --- Each picture drawn once, kept under the key of what it is drawn from --------------------


def test_the_same_data_gives_the_same_key_and_no_redraw(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "CACHE", tmp_path)
    drawn = []
    original = charts._trajectory_figure
    monkeypatch.setattr(charts, "_trajectory_figure", lambda *args: drawn.append(args) or original(*args))
    first, _ = draw(COUNTS)
    again, _ = draw(COUNTS)
    assert again == first and len(drawn) == 1  # read back from the cache, the same figure
    (kept,) = (tmp_path / "charts").iterdir()
    assert kept.suffix == ".svg" and kept.read_bytes() == svg(first).encode()
    changed, _ = draw(COUNTS[:-1] + [COUNTS[-1] + 1])  # one month's count changed
    assert len(drawn) == 2 and changed != first and len(list((tmp_path / "charts").iterdir())) == 2


def test_a_trajectory_drawn_after_others_is_the_picture_of_a_new_figure(tmp_path, monkeypatch):
    """Trajectories of one layout are drawn on one figure, emptied between them: nothing of a chart (its lines,
    spans, legends, texts, ticks or limits) shows in the next."""
    monkeypatch.setattr(config, "CACHE", tmp_path / "new")
    charts._trajectory_canvas.cache_clear()
    first, _ = draw(COUNTS)
    monkeypatch.setattr(config, "CACHE", tmp_path / "reused")
    months = [str(m) for m in pd.period_range("2019-10", "2022-09", freq="M")]
    counts = pd.Series(np.arange(36.0) * 40, index=months)
    trajectory(  # three years, a target range and a legend on the left, a step, counts ten times as high
        pd.DataFrame({"period_end": months, "value": np.linspace(50, 90, 36)}),
        counts,
        "Satisfied",
        "%",
        "percentage",
        {"low": 60, "high": 80},
        xmr(counts, ["2021-04"]).points,
    )
    draw(COUNTS, steps=["2021-10"], polarity="higher_is_better")
    again, _ = draw(COUNTS)
    assert svg(again) == svg(first)


def test_a_key_changes_with_any_value_it_is_drawn_from():
    frame = pd.DataFrame({"month": MONTHS[:3], "count": [1.0, 2.0, np.nan]})
    key = chart_key("helpers.presentation.charts:test", (frame, "Burglary", {"low": 1, "high": 2}))
    assert chart_key("helpers.presentation.charts:test", (frame.copy(), "Burglary", {"high": 2, "low": 1})) == key
    for changed in (
        (frame.assign(count=[1.0, 2.0, 3.0]), "Burglary", {"low": 1, "high": 2}),  # a missing value filled in
        (frame.rename(columns={"count": "value"}), "Burglary", {"low": 1, "high": 2}),
        (frame, "Robbery", {"low": 1, "high": 2}),  # a title
        (frame, "Burglary", {"low": 1, "high": 3}),  # a target
    ):
        assert chart_key("helpers.presentation.charts:test", changed) != key
    assert chart_key("helpers.presentation.charts:other", (frame, "Burglary", {"low": 1, "high": 2})) != key


def test_a_key_refuses_a_value_it_cannot_hash():
    with pytest.raises(TypeError, match="a chart key cannot include object"):
        chart_key("helpers.presentation.charts:test", (object(),))


def test_the_code_version_covers_the_modules_a_chart_draws_with():
    modules = charts.drawn_with("helpers.presentation.charts")
    # figure() of narrative, the SPC rules, the colours and words of the vocabulary and the wording, the label
    # placing: not the workbook
    assert {
        "helpers.presentation.charts",
        "helpers.presentation.narrative",
        "helpers.analysis.spc",
        "helpers.analysis.vocabulary",
        "helpers.analysis.wording",
        "helpers.presentation.labels",
    } <= modules
    assert "helpers.presentation.excel" not in modules
    assert "helpers.presentation.charts" in charts.drawn_with("helpers.presentation.hotspots")
