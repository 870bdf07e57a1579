"""helpers.presentation.charts: the trajectory and SPC figure shows the months as they are, gaps included."""
from __future__ import annotations

import base64
import re

import numpy as np
import pandas as pd

from helpers.presentation.charts import trajectory

MONTHS = [str(m) for m in pd.period_range("2020-10", "2022-09", freq="M")]
# 24 months: the same 12 twice. Sum 274, mean 11.42; the 23 moving ranges sum to 34, MR-bar 1.478;
# limits 11.42 +/- 2.66 x 1.478 = 7.48 to 15.35.
COUNTS = [10, 12, 11, 13, 12, 10, 11, 13, 12, 11, 10, 12] * 2


def draw(counts, rolling=None) -> tuple[str, str]:
    series = pd.DataFrame({"period_end": MONTHS, "value": np.linspace(1, 2, 24) if rolling is None else rolling})
    return trajectory(series, pd.Series(counts, index=MONTHS, dtype=float), "Burglary", "per 10,000", "rate")


def svg(html: str) -> str:
    return base64.b64decode(re.search(r"base64,([^\"']+)", html).group(1)).decode()


def line_pieces(image: str, width: str) -> list[int]:
    """How many separate pieces (SVG moveto commands) each plotted line of this stroke width has."""
    return [d.count("M") for d, style in re.findall(r'<path d="([^"]*)"[^>]*style="([^"]*)"', image)
            if f"stroke-width: {width};" in style]


def test_whole_months_get_limits_from_all_24():
    html, alt = draw(COUNTS)
    assert "Monthly counts average 11.4 with process limits 7.5 to 15.3" in alt
    assert "Process limits" in svg(html) and "statistical process control chart" in html


def test_a_missing_month_gets_no_limits_and_is_not_joined_over():
    counts = [float(c) for c in COUNTS]
    counts[5] = np.nan
    rolling = np.linspace(1, 2, 24)
    rolling[10] = np.nan
    html, alt = draw(counts, rolling)
    image = svg(html)
    assert "1 of the 24 months is missing, so no process limits or signals are drawn" in alt
    assert not any(word in image for word in ("Process limits", "Average", "Special-cause"))
    assert "months missing: no SPC" in html
    # each line is two pieces either side of its gap (the legend's sample line is one)
    assert line_pieces(image, "1.4")[0] == 2 and line_pieces(image, "2.2") == [2]
    # the rolling line's first and last values are still described
    assert "from 1.00 in the 12 months to October 2020 to 2.00 in the 12 months to September 2022" in alt
