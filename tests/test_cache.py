"""helpers.build.cache: results saved under the key of their inputs, reused while it holds."""
from __future__ import annotations

import pytest

from helpers import config
from helpers.analysis import compute
from helpers.build import cache


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "CACHE", tmp_path / "cache")


def test_compute_cached_uses_the_saved_results_only_for_the_same_key(monkeypatch):
    computed = []
    monkeypatch.setattr(compute, "compute_packs", lambda ids, quarter, *args: [computed.append(quarter) or {"quarter": quarter}
                                                                              for _ in ids])
    monkeypatch.setattr(cache, "CACHE_ENTRIES", 2)
    assert cache.compute_cached({"p": "k1"}, "2022-23-Q2")["p"] == {"quarter": "2022-23-Q2"}
    assert cache.compute_cached({"p": "k1"}, "2022-23-Q2")["p"] == {"quarter": "2022-23-Q2"}
    assert computed == ["2022-23-Q2"]  # the second came from the cache
    cache.cached_results_path("k1").write_bytes(b"not a pickle")  # damaged: computed again
    cache.compute_cached({"p": "k1"}, "2022-23-Q2")["p"]
    cache.compute_cached({"p": "k2"}, "2022-23-Q1")["p"]
    cache.compute_cached({"p": "k3"}, "2022-23-Q3")["p"]
    assert computed == ["2022-23-Q2", "2022-23-Q2", "2022-23-Q1", "2022-23-Q3"]
    assert len(list(config.CACHE.glob("results-*.pkl"))) == 2  # the oldest entry dropped


@pytest.mark.parametrize("saved", [
    b"",                                                  # EOFError: empty
    b"\x80\x05\x95",                                      # cut short
    b"cno_such_module_anywhere\nResults\n.",              # ModuleNotFoundError: saved by other code
    b"chelpers.analysis.results\nNoSuchClass\n.",         # AttributeError: a class since renamed
    b"c__builtin__\nint\n(S'x'\ntR.",                     # ValueError while rebuilding an object
    b"c__builtin__\nint\n(S'1'\nS'2'\nS'3'\ntR.",          # TypeError: a changed signature
])
def test_an_unreadable_cache_entry_is_computed_again(saved, monkeypatch):
    from helpers.analysis.results import load

    monkeypatch.setattr(compute, "compute_packs", lambda ids, quarter, *args: [{"quarter": quarter} for _ in ids])
    config.CACHE.mkdir(parents=True)
    cache.cached_results_path("k").write_bytes(saved)
    assert cache.compute_cached({"p": "k"}, "2022-23-Q2")["p"] == {"quarter": "2022-23-Q2"}
    assert load(results_path=cache.cached_results_path("k")) == {"quarter": "2022-23-Q2"}  # saved anew
