"""Write data/local/local_extract_sample.csv, the seeded illustrative local extract.

Run from the repository root: ``python scripts/make_local_sample.py``. The output is
the same on every run (fixed seed), so it is committed with the data.
"""

from helpers import config
from helpers.inputs.catalogue import load_catalogue
from helpers.inputs.params import default_partnership
from helpers.inputs.partnerships import load_partnerships
from helpers.inputs.police_uk import read_police_uk
from helpers.inputs.population import read_population
from helpers.inputs.sample import make_local_sample

if __name__ == "__main__":
    districts = load_partnerships()[default_partnership()].districts  # the board's, as the shipped sample has
    police = read_police_uk(config.POLICE_UK)
    sample = make_local_sample(
        police.counts,
        read_population(config.POPULATION, {code: name for name, code in districts.items()}),
        districts,
        load_catalogue(),
    )
    config.LOCAL_SAMPLE.parent.mkdir(parents=True, exist_ok=True)
    sample.to_csv(config.LOCAL_SAMPLE, index=False, lineterminator="\n")
    print(f"wrote {len(sample):,} rows to {config.LOCAL_SAMPLE}")
