"""Tests for helpers.analysis.validation: confidence levels read as fractions or percentages."""

import pytest

from helpers.analysis.validation import normalise_confidence


@pytest.mark.parametrize("given_, expected", [(0.95, 0.95), (95, 0.95), (0.998, 0.998), (99.8, 0.998), (90, 0.9)])
def test_normalise_confidence(given_, expected):
    assert normalise_confidence(given_) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("bad", [0, 1, 100, -5, 150, float("nan"), float("inf"), "95", None, True])
def test_normalise_confidence_rejects(bad):
    with pytest.raises(ValueError):
        normalise_confidence(bad)
