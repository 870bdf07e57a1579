"""The default partnership (the board's) as the tests use it: its districts, sub-total and areas, read
as the code reads them from the tests' own partnerships file, tests/fixtures/partnerships.yaml (conftest.py
points the code at it for every test)."""

from pathlib import Path

from helpers.inputs.params import default_partnership
from helpers.inputs.partnerships import load_partnerships

PARTNERSHIPS_FILE = Path(__file__).parent / "fixtures" / "partnerships.yaml"
BOARD = load_partnerships(PARTNERSHIPS_FILE)[default_partnership()]
PARTNERSHIP = BOARD.name
DISTRICTS = BOARD.districts  # name -> ONS code
COUNTY = BOARD.subtotals[0].name  # the board's one sub-total
COUNTY_DISTRICTS = list(BOARD.subtotals[0].districts)
AREAS = BOARD.area_names
AREA_CODES = {area.name: area.code for area in BOARD.areas}
EXCLUDED = BOARD.excludes
