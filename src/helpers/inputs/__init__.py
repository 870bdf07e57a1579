"""Inputs: finding, hashing and reading every input file (police.uk, population, boundaries,
local extracts and partners' returns, params, the indicator catalogue). Imports nothing
above the base modules (config, errors, quarters, xlsx)."""
