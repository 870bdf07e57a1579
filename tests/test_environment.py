"""What the package does outside its own work: the user's folders, other libraries' modules,
and portability."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys

import pytest

from helpers import config
from helpers.presentation.narrative import long_date


def test_tests_use_a_private_cache_and_outputs():
    """The session fixture moves both, for this process and (by the environment) for every process it starts."""
    for folder in (config.CACHE, config.OUTPUTS):
        assert not folder.resolve().is_relative_to(config.ROOT.resolve())
    shown = subprocess.run(
        [sys.executable, "-c", "from helpers import config; print(config.CACHE); print(config.OUTPUTS)"],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ,
    ).stdout.split("\n")
    assert shown[:2] == [str(config.CACHE), str(config.OUTPUTS)]


@pytest.mark.parametrize(
    "day, expected",
    [
        (dt.date(2022, 11, 7), "7 November 2022"),
        (dt.datetime(2023, 1, 31, 9, 5), "31 January 2023"),
    ],
)
def test_long_date_has_no_leading_zero(day, expected):
    assert long_date(day) == expected


def test_no_glibc_only_date_formats():
    """strftime's '%-d' (no leading zero) fails on Windows and some libcs: long_date does it portably."""
    sources = [
        *(config.ROOT / "src").rglob("*.py"),
        *config.NOTEBOOKS.glob("*.ipynb"),
        *(config.ROOT / "benchmarks").glob("*.py"),
        *(config.ROOT / "scripts").glob("*.py"),
    ]
    offenders = [p.name for p in sources if re.search(r"(?<!\{)%-[A-Za-z]", p.read_text(encoding="utf-8"))]
    assert offenders == []
