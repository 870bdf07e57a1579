"""Tests for helpers.stats: the statistics scripts import from one place."""

from helpers import stats
from helpers.analysis import funnels, intervals, significance, validation


def test_every_public_statistic_is_re_exported_unchanged():
    modules = (intervals, significance, funnels)
    public = {name: getattr(module, name) for module in modules for name in module.__all__}
    public["normalise_confidence"] = validation.normalise_confidence
    assert sorted(stats.__all__) == sorted(public)
    for name, function in public.items():
        assert getattr(stats, name) is function, name
