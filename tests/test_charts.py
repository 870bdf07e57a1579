"""helpers.presentation.charts: the trajectory and SPC figure shows the months as they are, gaps included."""
from __future__ import annotations

import base64
import re

import numpy as np
import pandas as pd

from helpers.analysis.spc import xmr
from helpers.presentation.charts import trajectory

MONTHS = [str(m) for m in pd.period_range("2020-10", "2022-09", freq="M")]
# 24 months: a year, then the same year 5 higher. The first 12 set the limits: sum 137, mean 11.42;
# the 11 moving ranges sum to 16, MR-bar 1.455; limits 11.42 +/- 2.66 x 1.455 = 7.55 to 15.29.
YEAR = [10, 12, 11, 13, 12, 10, 11, 13, 12, 11, 10, 12]
COUNTS = YEAR + [c + 5 for c in YEAR]


def draw(counts, rolling=None, steps=()) -> tuple[str, str]:
    series = pd.DataFrame({"period_end": MONTHS, "value": np.linspace(1, 2, 24) if rolling is None else rolling})
    monthly = pd.Series(counts, index=MONTHS, dtype=float)
    spc = None if monthly.isna().any() else xmr(monthly, steps).points
    return trajectory(series, monthly, "Burglary", "per 10,000", "rate", spc=spc)


def svg(html: str) -> str:
    return base64.b64decode(re.search(r"base64,([^\"']+)", html).group(1)).decode()


def line_pieces(image: str, width: str) -> list[int]:
    """How many separate pieces (SVG moveto commands) each plotted line of this stroke width has."""
    return [d.count("M") for d, style in re.findall(r'<path d="([^"]*)"[^>]*style="([^"]*)"', image)
            if f"stroke-width: {width};" in style]


def test_limits_come_from_the_baseline_and_signals_are_marked():
    html, alt = draw(COUNTS)
    # the first year's last month (12) and all the second year are above the usual level of 11.4: a run of 13
    assert "the usual level is 11.4 with a usual range of 7.5 to 15.3; 13 month(s) are part of a signal" in alt
    image = svg(html)
    assert "Usual range" in image and "Part of a signal" in image and "statistical process control chart" in html


def test_a_step_draws_each_period_with_its_own_limits():
    html, alt = draw(COUNTS, steps=["2021-10"])
    # the second period's baseline is its own 12 months: mean 16.42, limits 12.55 to 20.29; no signal
    assert "the usual level is 16.4 with a usual range of 12.5 to 20.3; 0 month(s) are part of a signal" in alt
    assert line_pieces(svg(html), "1.5") == [1, 1, 1]  # the usual level: one line per period, and the legend's


def test_a_missing_month_gets_no_limits_and_is_not_joined_over():
    counts = [float(c) for c in COUNTS]
    counts[5] = np.nan
    rolling = np.linspace(1, 2, 24)
    rolling[10] = np.nan
    html, alt = draw(counts, rolling)
    image = svg(html)
    assert "1 of the 24 months is missing, so no process limits or signals are drawn" in alt
    assert not any(word in image for word in ("Usual range", "Usual level", "Part of a signal"))
    assert "months missing: no SPC" in html
    # each line is two pieces either side of its gap (the legend's sample line is one)
    assert line_pieces(image, "1.4")[0] == 2 and line_pieces(image, "2.2") == [2]
    # the rolling line's first and last values are still described
    assert "from 1.00 in the 12 months to October 2020 to 2.00 in the 12 months to September 2022" in alt
