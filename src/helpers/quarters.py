"""UK financial-year quarters (April to March): "2022-23-Q2" is July to September 2022."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import QuarterError

if TYPE_CHECKING:
    import pandas as pd

# pandas is imported by the two functions that make periods, not here: parsing a quarter is all that
# `safer-report build --quarter ...` with nothing changed needs, and it loads no pandas.

_PATTERN = re.compile(r"^\s*(\d{4})\s*[-/]\s*(\d{2})\s*[- ]\s*Q([1-4])\s*$", re.IGNORECASE)
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")  # a calendar month, YYYY-MM, as police.uk writes it
_FIRST_MONTH = {1: 4, 2: 7, 3: 10, 4: 1}  # calendar month a quarter starts in


@dataclass(frozen=True, order=True)
class Quarter:
    """A financial-year quarter; ``start_year`` is the year the financial year starts."""

    start_year: int
    q: int

    @property
    def label(self) -> str:
        """Normalised form, also the output folder name: ``2022-23-Q2``."""
        return f"{self.start_year}-{(self.start_year + 1) % 100:02d}-Q{self.q}"

    @property
    def title(self) -> str:
        """Board style: ``2022/23 Quarter 2``."""
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d} Quarter {self.q}"

    @property
    def short_title(self) -> str:
        """``2022/23 Q2`` as used in the board's recommendations."""
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d} Q{self.q}"

    @property
    def end_month(self) -> pd.Period:
        """The quarter's last month, which ends the reporting 12 months."""
        import pandas as pd

        year = self.start_year + (1 if self.q == 4 else 0)
        return pd.Period(year=year, month=_FIRST_MONTH[self.q] + 2, freq="M")

    @property
    def months(self) -> list[pd.Period]:
        """The quarter's three months."""
        return [self.end_month - 2, self.end_month - 1, self.end_month]

    def previous(self, quarters: int = 1) -> Quarter:
        """The quarter ``quarters`` before this one."""
        index = self.start_year * 4 + self.q - 1 - quarters
        return Quarter(index // 4, index % 4 + 1)

    def __str__(self) -> str:
        return self.label


def parse_quarter(text: object) -> Quarter:
    """Parse ``2022-23-Q2``, ``2022/23 Q2`` or ``2022-23 Q2``; anything else is a QuarterError."""
    match = _PATTERN.match(str(text))
    if match:
        start, end, q = int(match.group(1)), int(match.group(2)), int(match.group(3))
        if (start + 1) % 100 == end:
            return Quarter(start, q)
    raise QuarterError(
        f"'{text}' is not a financial-year quarter: write it as 2022-23-Q2 (also accepted: '2022/23 Q2', '2022-23 Q2')"
    )


def quarter_of_month(month: pd.Period) -> Quarter:
    """The financial-year quarter a calendar month falls in."""
    q = {4: 1, 5: 1, 6: 1, 7: 2, 8: 2, 9: 2, 10: 3, 11: 3, 12: 3, 1: 4, 2: 4, 3: 4}[month.month]
    return Quarter(month.year - (1 if q == 4 else 0), q)


def window(end: pd.Period, months: int = 12) -> pd.PeriodIndex:
    """The ``months`` calendar months ending with ``end``."""
    import pandas as pd

    return pd.period_range(end=end, periods=months, freq="M")


def period_label(end: pd.Period, months: int = 12) -> str:
    """``12 months to September 2022``."""
    return f"{months} months to {end.strftime('%B %Y')}"
