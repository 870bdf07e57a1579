"""helpers.inputs.sample: the illustrative local extract drawn as each indicator's catalogue ``sample`` says."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.inputs.catalogue import Indicator, Sample
from helpers.inputs.sample import make_local_sample

DISTRICTS = {"Melton": "E07000133"}
MONTHS = [str(m) for m in pd.period_range("2021-01", "2030-12", freq="M")]  # ten years: 120 months, 40 quarters


def indicator(id_: str, sample: Sample | None, measure: str = "rate", frequency: str = "monthly") -> Indicator:
    return Indicator(
        id_, id_, "reduce_crime", measure, "lower_is_better", "local", "d", frequency=frequency, sample=sample
    )


CATALOGUE = {
    i.id: i
    for i in (
        indicator("residential", Sample(of="Burglary", share=0.68)),
        indicator("business", Sample(of="Burglary")),  # the rest
        indicator("nuisance", Sample(of="Anti-social behaviour", share=0.5)),
        indicator("personal", Sample(of="Anti-social behaviour", share=0.5)),
        indicator("domestic", Sample(per_resident=0.012, peak_months=(6,), peak_factor=3.0)),
        indicator("domestic_injury", Sample(of="domestic", share=1.0)),
        indicator("survey", Sample(per_resident=1e-9, base=60, share_range=(1.0, 1.0)), "percentage", "quarterly"),
        indicator("repeats", Sample(per_resident=1e-9, base=40, share=0.0), "percentage", "quarterly"),
        indicator("not_sampled", None),
    )
}


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    counts = pd.DataFrame(
        [(m, "Melton", t, n) for m in MONTHS for t, n in (("Burglary", 20), ("Anti-social behaviour", 30))],
        columns=["month", "district", "crime_type", "count"],
    )
    population = pd.DataFrame(
        {"year": [2019, 2020], "area_code": ["E07000133", "E07000133"], "population": [99_000, 10_000]}
    )
    return make_local_sample(counts, population, DISTRICTS, CATALOGUE)


def numerators(sample: pd.DataFrame, id_: str) -> pd.Series:
    return sample[sample["indicator_id"] == id_].set_index("period")["numerator"]


def test_parts_of_a_police_uk_count_share_it_all(sample):
    residential, business = numerators(sample, "residential"), numerators(sample, "business")
    assert list(residential.index) == MONTHS and ((residential + business) == 20).all()
    assert residential.mean() == pytest.approx(20 * 0.68, abs=0.5)  # 13.6, standard error 0.19
    assert ((numerators(sample, "nuisance") + numerators(sample, "personal")) == 30).all()


def test_a_count_drawn_from_the_latest_population_with_its_peak_and_its_part(sample):
    domestic = numerators(sample, "domestic")
    june = domestic.index.str.endswith("-06")
    # 10,000 residents x 0.012 a year / 12 = 10 a month (standard error 0.3 over 110 months), 30 in June
    assert domestic[~june].mean() == pytest.approx(10, abs=1.2) and domestic[june].mean() == pytest.approx(30, abs=6)
    assert numerators(sample, "domestic_injury").equals(domestic)
    assert (sample.loc[sample["indicator_id"] == "domestic", "denominator"] == "").all()


def test_a_quarterly_percentage_draws_its_denominator_and_its_share_of_it(sample):
    survey = sample[sample["indicator_id"] == "survey"]
    assert len(survey) == 40 and survey["period"].iloc[0] == "2020-21-Q4"  # Jan-Mar 2021
    assert (survey["numerator"] == 60).all() and (survey["denominator"] == 60).all()
    repeats = sample[sample["indicator_id"] == "repeats"]
    assert (repeats["numerator"] == 0).all() and (repeats["denominator"] == 40).all()


def test_only_indicators_with_a_sample_are_drawn(sample):
    assert set(sample["indicator_id"]) == set(CATALOGUE) - {"not_sampled"}
