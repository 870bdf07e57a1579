"""Seeded generator of the illustrative local extract (the tidy format of ``local_extract.read_local_extract``).

police.uk does not publish these indicators, so the bundled default dataset carries an illustrative sample,
drawn as each indicator's ``sample`` in the catalogue says and consistent with the real police.uk counts: the
parts of a police.uk crime type (residential and business burglary, the three ASB categories) are binomial
shares of its count, together at most all of it. The report labels every sample indicator as illustrative.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..quarters import quarter_of_month
from .catalogue import CRIME_TYPES, Indicator

SEED = 20221117
Row = tuple[str, str, str, int, int | str]


def make_local_sample(
    police_counts: pd.DataFrame,
    population: pd.DataFrame,
    districts: dict[str, str],
    catalogue: dict[str, Indicator],
    seed: int = SEED,
) -> pd.DataFrame:
    """Rows of area, period, indicator_id, numerator, denominator for every one of ``districts`` (name -> code) and
    month, for the catalogue's local indicators with a ``sample``.

    Each month draws, in turn: the parts of each police.uk crime type (the crimes in ``CRIME_TYPES`` order, then
    anti-social behaviour), then each monthly indicator drawn from the population and the parts of it, in
    catalogue order; a quarter's last month then draws the quarterly ones, in catalogue order."""
    rng = np.random.default_rng(seed)
    wide = police_counts.pivot_table(
        index=["month", "district"], columns="crime_type", values="count", aggfunc="sum", fill_value=0
    ).reset_index()
    latest = population[population["year"] == population["year"].max()].set_index("area_code")["population"]
    sampled = [i for i in catalogue.values() if i.source == "local" and i.sample]
    monthly = [i for i in sampled if i.frequency == "monthly"]
    types = sorted({i.sample.of for i in monthly if i.sample and i.sample.of in CRIME_TYPES}, key=_crimes_first)
    splits = [[i for i in monthly if i.sample and i.sample.of == t] for t in types]
    drawn = [i for i in monthly if i.sample and i.sample.per_resident]
    parts_of = {i.id: [p for p in monthly if p.sample and p.sample.of == i.id] for i in drawn}
    quarterly = [i for i in sampled if i.frequency == "quarterly"]
    rows: list[Row] = []
    wide = wide[wide["district"].isin(districts)]
    for record in wide.sort_values(["district", "month"]).to_dict("records"):
        month, district = record["month"], record["district"]
        pop = latest[districts[district]]
        counts: dict[str, tuple[int, int | str]] = {}
        for crime_type, parts in zip(types, splits):
            counts |= {i: (n, "") for i, n in _split(rng, int(record.get(crime_type, 0)), parts).items()}
        for indicator in drawn:
            counts[indicator.id] = _drawn(rng, indicator, pop, month)
            counts |= {i: (n, "") for i, n in _split(rng, counts[indicator.id][0], parts_of[indicator.id]).items()}
        rows += [(district, month, i, *numbers) for i, numbers in counts.items()]
        if month[5:] in ("03", "06", "09", "12"):
            quarter = quarter_of_month(pd.Period(month, freq="M")).label
            rows += [(district, quarter, i.id, *_drawn(rng, i, pop, month)) for i in quarterly]
    frame = pd.DataFrame(rows, columns=["area", "period", "indicator_id", "numerator", "denominator"])
    return frame.sort_values(["indicator_id", "area", "period"], ignore_index=True)


def _crimes_first(crime_type: str) -> tuple[bool, int]:
    return crime_type == "Anti-social behaviour", CRIME_TYPES.index(crime_type)


def _split(rng: np.random.Generator, count: int, parts: list[Indicator]) -> dict[str, int]:
    """A month's count of a crime type, or of an indicator drawn from the population, shared among its parts: each
    a binomial share of what the parts before it left, at the probability that gives it its ``share`` of the whole
    (as ``numpy``'s multinomial draws), or ``rest``: all that is left."""
    found, left = {}, 1.0
    for part in parts:
        share = part.sample.share if part.sample else None
        found[part.id] = count if share is None else int(rng.binomial(count, share / left))
        count -= found[part.id]
        left -= share or 0.0
    return found


def _drawn(rng: np.random.Generator, indicator: Indicator, pop: float, month: str) -> tuple[int, int | str]:
    """The numerator and denominator ("" for a rate) of an indicator drawn from the population: a rate's numerator
    is the count drawn, a percentage's denominator, with its numerator a binomial share of it."""
    sample = indicator.sample
    assert sample is not None
    peak = sample.peak_factor if int(month[5:]) in sample.peak_months else 1.0
    count = sample.base + int(rng.poisson(pop * sample.per_resident / indicator.periods_per_year * peak))
    if indicator.measure != "percentage":
        return count, ""
    if sample.share_range:
        return int(rng.binomial(count, rng.uniform(*sample.share_range))), count
    assert sample.share is not None
    return int(rng.binomial(count, sample.share)), count
