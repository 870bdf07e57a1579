"""The default partnership (the board's) as the tests use it: its districts, sub-total and areas,
read from params/partnerships.yaml as the code reads them."""

from helpers.inputs.params import default_partnership
from helpers.inputs.partnerships import load_partnerships

BOARD = load_partnerships()[default_partnership()]
PARTNERSHIP = BOARD.name
DISTRICTS = BOARD.districts  # name -> ONS code
COUNTY = BOARD.subtotals[0].name  # the board's one sub-total
COUNTY_DISTRICTS = list(BOARD.subtotals[0].districts)
AREAS = BOARD.area_names
AREA_CODES = {area.name: area.code for area in BOARD.areas}
EXCLUDED = BOARD.excludes
