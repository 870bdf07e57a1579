"""Seeded generator of the illustrative local extract (the tidy format of ``ingest.read_local_extract``).

police.uk does not publish these indicators, so the bundled default dataset carries
an illustrative sample, consistent with the real police.uk counts: residential plus
business burglary equals police.uk burglary, the three ASB categories add up to
police.uk ASB, and violence with injury plus sexual offences stay within violence
and sexual offences. The report labels every sample indicator as illustrative.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..quarters import quarter_of_month

SEED = 20221117


def make_local_sample(
    police_counts: pd.DataFrame, population: pd.DataFrame, districts: dict[str, str], seed: int = SEED
) -> pd.DataFrame:
    """Rows of area, period, indicator_id, numerator, denominator for every one of ``districts`` (name -> code) and month."""
    rng = np.random.default_rng(seed)
    wide = police_counts.pivot_table(
        index=["month", "district"], columns="crime_type", values="count", aggfunc="sum", fill_value=0
    ).reset_index()
    latest = population[population["year"] == population["year"].max()].set_index("area_code")["population"]
    rows = []

    def add(area, period, indicator, numerator, denominator=""):
        rows.append((area, period, indicator, int(numerator), denominator if denominator == "" else int(denominator)))

    wide = wide[wide["district"].isin(districts)]
    for record in wide.sort_values(["district", "month"]).to_dict("records"):
        month, district = record["month"], record["district"]
        pop = latest[districts[district]]
        burglary = record.get("Burglary", 0)
        violence = record.get("Violence and sexual offences", 0)
        asb = record.get("Anti-social behaviour", 0)
        residential = rng.binomial(burglary, 0.68)
        add(district, month, "burglary_residential", residential)
        add(district, month, "burglary_business", burglary - residential)
        with_injury = rng.binomial(violence, 0.27)
        add(district, month, "violence_with_injury", with_injury)
        add(district, month, "sexual_offences", rng.binomial(violence - with_injury, 0.10))
        nuisance, personal, environmental = rng.multinomial(asb, [0.71, 0.21, 0.08])
        add(district, month, "asb_nuisance", nuisance)
        add(district, month, "asb_personal", personal)
        add(district, month, "asb_environmental", environmental)
        domestic = rng.poisson(pop * 0.0210 / 12 * (1.1 if month[5:] in ("06", "07", "08", "12") else 1.0))
        add(district, month, "domestic_abuse", domestic)
        add(district, month, "dv_with_injury", rng.binomial(domestic, 0.13))
        hate = rng.poisson(pop * 0.00095 / 12)
        add(district, month, "hate_crime", hate)
        add(district, month, "racially_religiously_aggravated", rng.binomial(hate, 0.55))
        if month[5:] in ("03", "06", "09", "12"):
            quarter = quarter_of_month(pd.Period(month, freq="M")).label
            cases = rng.poisson(pop * 0.00022)
            add(district, quarter, "marac_repeat_rate", rng.binomial(cases, 0.31), cases)
            respondents = 60 + rng.poisson(pop / 2500)
            add(district, quarter, "cohesion_survey", rng.binomial(respondents, rng.uniform(0.90, 0.96)), respondents)
    frame = pd.DataFrame(rows, columns=["area", "period", "indicator_id", "numerator", "denominator"])
    return frame.sort_values(["indicator_id", "area", "period"], ignore_index=True)
