"""Read a local extract: the partnership's own figures as tidy CSV rows, checked row by row.

Every problem is an ``InputError`` naming the file, the row and what is wrong.
"""

from __future__ import annotations

import io
import logging
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import pandas as pd

from ..errors import InputError
from ..quarters import MONTH, parse_quarter
from .files import read_text

log = logging.getLogger(__name__)

LOCAL_COLUMNS = ["area", "period", "indicator_id", "numerator", "denominator"]


def read_local_extract(path: Path, catalogue: dict, districts: dict[str, str]) -> pd.DataFrame:
    """Read a local extract CSV (tidy format) and check every row.

    Columns: area (district name or ONS code), period (YYYY-MM, or a quarter such as
    2022-23-Q2 for quarterly indicators), indicator_id, numerator, denominator (for
    percentages). Returns indicator_id, area, month (YYYY-MM; a quarter becomes its
    last month), numerator, denominator.
    """
    text = read_text(path, "local extract", advice="save it as 'CSV UTF-8'")
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise InputError(
            f"not a readable CSV ({str(exc).splitlines()[0]})", file=path, row=int(line.group(1)) if line else None
        ) from None
    return check_local_rows(frame, catalogue, districts, source=str(path), row_label=lambda i: i + 2)


def check_local_rows(
    frame: pd.DataFrame, catalogue: dict, districts: dict[str, str], source: str, row_label: Callable[[int], object]
) -> pd.DataFrame:
    """Validate tidy local rows (from a CSV or an Excel return) and normalise them.

    ``districts`` (name -> ONS code) are the areas a row may name, by either.
    ``row_label(i)`` names the i-th data row in messages (a line number or a cell).
    """
    frame = frame.rename(columns=lambda c: str(c).strip().lower())
    twice = sorted({c for c in frame.columns if c in LOCAL_COLUMNS and list(frame.columns).count(c) > 1})
    if twice:
        raise InputError(
            f"column(s) {', '.join(twice)} appear more than once in the header", file=source, row=row_label(-1)
        )
    missing = [c for c in LOCAL_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)}; expected {', '.join(LOCAL_COLUMNS)}",
            file=source,
            row=row_label(-1),
        )
    codes = {code: name for name, code in districts.items()}
    rows = []
    seen: dict[tuple[str, str, str], object] = {}  # (indicator_id, area, month): the row label that gave it
    for i, record in enumerate(frame[LOCAL_COLUMNS].itertuples(index=False)):
        where = row_label(i)
        area, period, indicator_id, numerator, denominator = (str(v).strip() for v in record)

        def fail(problem: str, where: object = where) -> NoReturn:
            raise InputError(problem, file=source, row=where)

        area = codes.get(area, area)
        if area not in districts:
            fail(f"unknown area '{area}': use one of the districts {', '.join(districts)}")
        indicator = catalogue.get(indicator_id)
        if indicator is None:
            fail(f"unknown indicator id '{indicator_id}' for a local extract")
        if indicator.source != "local":
            fail(f"indicator '{indicator_id}' is counted from the police.uk files, not given in a local extract")
        if indicator.frequency == "quarterly":
            if not re.match(r"^\d{4}-\d{2}-Q[1-4]$", period):
                fail(f"period '{period}' for {indicator_id} must be a quarter such as 2022-23-Q2")
            try:
                month = str(parse_quarter(period).end_month)
            except InputError as exc:
                fail(exc.problem)
        else:
            if not MONTH.match(period):
                fail(f"period '{period}' for {indicator_id} must be a month YYYY-MM")
            month = period
        values: list[int | None] = []
        for label, text in (("numerator", numerator), ("denominator", denominator)):
            if text == "":
                values.append(None)
                continue
            try:
                number = float(text.replace(",", ""))
            except ValueError:
                fail(f"{label} '{text}' is not a number")
            if not (number >= 0 and math.isfinite(number)) or number != int(number):
                fail(f"{label} '{text}' must be a whole number of 0 or more")
            values.append(int(number))
        num, den = values
        if num is None:
            fail("numerator is empty: a missing value must be left out of the file, not written as blank or 0")
        if indicator.measure == "percentage":
            if den is None or den == 0:
                fail(f"{indicator_id} is a percentage: denominator must be a positive whole number")
            if num > den:
                fail(f"numerator {num} is greater than denominator {den}")
        key = (indicator_id, area, month)
        if key in seen:
            fail(
                f"duplicate row: {indicator_id} for {area} in {period} is also at "
                f"{'row ' if isinstance(seen[key], int) else ''}{seen[key]}"
            )
        seen[key] = where
        rows.append((indicator_id, area, month, num, den))
    checked = pd.DataFrame(rows, columns=["indicator_id", "area", "month", "numerator", "denominator"])
    log.info(
        "local rows read from %s: %s rows of %d indicators for %d areas%s",
        source,
        f"{len(checked):,}",
        checked["indicator_id"].nunique(),
        checked["area"].nunique(),
        f", {checked['month'].min()} to {checked['month'].max()}" if len(checked) else "",
    )
    return checked
