"""helpers.pipeline.cache: results saved under the key of their inputs, reused while it holds; an entry
that is not a bundle we wrote is a miss, and nothing in the cache is ever unpickled."""

from __future__ import annotations

import datetime as dt
import os
import pickle
import time
from pathlib import Path

import pandas as pd
import pytest

from helpers import config
from helpers.analysis import compute
from helpers.analysis.bundle import load, save
from helpers.analysis.results import Results
from helpers.inputs.params import Commentary, DeclaredBaseline, Settings, SpcSettings
from helpers.inputs.partnerships import Area, Partnership
from helpers.pipeline import cache
from helpers.quarters import Quarter

COUNTY = Area("County", "E10000018", "county", {"Blaby": "E07000129", "Melton": "E07000133"})
PARTNERSHIP = Partnership(
    id="blaby",
    name="Blaby",
    code="E07000129",
    board="Blaby Community Safety Partnership",
    districts={"Blaby": "E07000129"},
    subtotals=(COUNTY,),
    compared_with=COUNTY,
    excludes={"Melton": "E07000133"},
    contact={"name": "A. Officer"},
)


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "CACHE", tmp_path / "cache")


def small_results(label: str) -> Results:
    """A hand-made bundle: every kind of value a real one holds (a date, a nullable boolean, categories)."""
    start, q = int(label[:4]), int(label[-1])
    table = pd.DataFrame(
        {"indicator_id": ["total_crime", "asb"], "value": [781.5, 120.25], "significant": [True, None]}
    )
    points = pd.DataFrame(
        {"district": pd.Categorical(["Blaby", "Melton"]), "longitude": pd.Series([-1.1, -0.9], dtype="float32")}
    )
    return Results(
        quarter=Quarter(start, q),
        settings=Settings(
            sources=(Path("defaults.yaml"),),
            meeting_date=dt.date(2022, 11, 17),
            baseline=DeclaredBaseline("2019-12", "2020-02", "pre-pandemic"),
            spc=SpcSettings((("2020-03", "lockdown"),), ("2021-04", "2022-03")),
            contact={"name": "A. Officer"},
            commentary=Commentary("Summary.", {"reduce_crime": "Text."}),
            listed=(("confidence", 95), ("meeting_date", dt.date(2022, 11, 17))),
        ),
        partnership=PARTNERSHIP,
        catalogue={},
        table=table,
        series=pd.DataFrame(),
        monthly=pd.DataFrame(),
        quality=pd.DataFrame(),
        points=points,
    )


def fake_compute(calls: list):
    return lambda ids, quarter, *args, **kwargs: [calls.append(quarter) or small_results(quarter) for _ in ids]


def test_a_bundle_reads_back_as_it_was_saved(tmp_path):
    saved = small_results("2022-23-Q2")
    save(saved, tmp_path / "bundle")
    read = load(results_path=tmp_path / "bundle")
    assert read.quarter == Quarter(2022, 2) and read.settings == saved.settings
    assert read.partnership == saved.partnership
    pd.testing.assert_frame_equal(read.table, saved.table)
    assert read.table["significant"].tolist() == [True, None]
    assert read.points["district"].tolist() == ["Blaby", "Melton"]
    assert not list((tmp_path / "bundle").glob("*.pkl"))


def test_compute_cached_uses_the_saved_results_only_for_the_same_key(monkeypatch):
    computed = []
    monkeypatch.setattr(compute, "compute_packs", fake_compute(computed))
    monkeypatch.setattr(cache, "CACHE_ENTRIES", 2)
    assert cache.compute_cached({"p": "k1"}, "2022-23-Q2")["p"].quarter == Quarter(2022, 2)
    assert cache.compute_cached({"p": "k1"}, "2022-23-Q2")["p"].quarter == Quarter(2022, 2)
    assert computed == ["2022-23-Q2"]  # the second came from the cache
    (cache.cached_results_path("k1") / "results.json").write_bytes(b"not json")  # damaged: computed again
    cache.compute_cached({"p": "k1"}, "2022-23-Q2")
    cache.compute_cached({"p": "k2"}, "2022-23-Q1")
    cache.compute_cached({"p": "k3"}, "2022-23-Q3")
    assert computed == ["2022-23-Q2", "2022-23-Q2", "2022-23-Q1", "2022-23-Q3"]
    assert len(list(config.CACHE.glob("results-*"))) == 2  # the oldest entry dropped


def test_a_summary_reads_back_and_is_none_when_missing_or_damaged():
    warnings = {"data": ["a month is missing"], "contact": [], "commentary": ["'12%' is not in indicators.csv"]}
    assert cache.load_summary("k1") is None
    config.CACHE.mkdir(parents=True)
    cache.save_summary("k1", "2022-23-Q2", warnings)
    assert cache.load_summary("k1") == ("2022-23-Q2", warnings)
    for damaged in (
        "not json",
        "[1, 2]",
        '{"quarter": "2022-23-Q2"}',
        '{"quarter": "x", "warnings": [1]}',
        '{"quarter": "x", "warnings": {"data": []}}',
    ):
        cache.summary_path("k1").write_text(damaged)
        assert cache.load_summary("k1") is None


def test_a_summary_goes_with_its_entry(monkeypatch):
    monkeypatch.setattr(compute, "compute_packs", fake_compute([]))
    monkeypatch.setattr(cache, "CACHE_ENTRIES", 1)
    cache.compute_cached({"p": "k1"}, "2022-23-Q2")
    cache.save_summary("k1", "2022-23-Q2", {"data": [], "contact": [], "commentary": []})
    cache.compute_cached({"p": "k2"}, "2022-23-Q1")  # k1's entry dropped, and its summary with it
    assert cache.load_summary("k1") is None and [p.name for p in config.CACHE.glob("results-*")] == ["results-k2"]


def test_an_entry_in_use_is_kept_and_linked_not_saved_again(tmp_path, monkeypatch):
    monkeypatch.setattr(compute, "compute_packs", fake_compute([]))
    monkeypatch.setattr(cache, "CACHE_ENTRIES", 2)
    cache.compute_cached({"p": "k1"}, "2022-23-Q2")
    cache.compute_cached({"p": "k2"}, "2022-23-Q1")
    for age, key in ((200, "k1"), (100, "k2")):  # k1 saved first, well before k2
        os.utime(cache.cached_results_path(key), (time.time() - age, time.time() - age))
    cache.compute_cached({"p": "k1"}, "2022-23-Q2")  # read back: now the entry used last
    cache.compute_cached({"p": "k3"}, "2022-23-Q3")  # so k2's is the one dropped
    assert sorted(p.name for p in config.CACHE.glob("results-*")) == ["results-k1", "results-k3"]
    cache.link_results("k1", tmp_path / "notebooks" / "results")
    for saved in cache.cached_results_path("k1").iterdir():
        assert (tmp_path / "notebooks" / "results" / saved.name).samefile(saved)  # the same file, not a copy
    assert load(results_path=tmp_path / "notebooks" / "results").quarter == Quarter(2022, 2)


class _Runs:
    """Unpickling this object creates a marker file: proof that a pickle was loaded."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def _foreign_entries(marker) -> dict[str, dict[str, bytes] | bytes]:
    payload = pickle.dumps(_Runs(marker))
    return {
        "a pickle in place of the JSON": {"results.json": payload},
        "a pickle in place of a table": {
            "results.json": b'{"format": "safer-report results 1", "quarter": {"start_year": 2022, "q": 2}}',
            "table.parquet": payload,
        },
        "an old pickle file": payload,
        "empty folder": {},
        "JSON of another format": {"results.json": b'{"format": "something else"}'},
        "JSON that is a list": {"results.json": b"[1, 2]"},
        "fields of another version": {"results.json": b'{"format": "safer-report results 1", "quarter": {"year": 1}}'},
        "not UTF-8": {"results.json": b"\xff\xfe"},
    }


@pytest.mark.parametrize("case", list(_foreign_entries("x")))
def test_a_foreign_or_damaged_entry_is_computed_again_and_never_unpickled(case, tmp_path, monkeypatch):
    marker = tmp_path / "unpickled"
    entry = _foreign_entries(marker)[case]
    computed = []
    monkeypatch.setattr(compute, "compute_packs", fake_compute(computed))
    path = cache.cached_results_path("k")
    config.CACHE.mkdir(parents=True)
    if isinstance(entry, bytes):
        path.write_bytes(entry)
    else:
        path.mkdir()
        for name, data in entry.items():
            (path / name).write_bytes(data)
    assert cache.compute_cached({"p": "k"}, "2022-23-Q2")["p"].quarter == Quarter(2022, 2)
    assert computed == ["2022-23-Q2"] and not marker.exists()
    assert load(results_path=path).quarter == Quarter(2022, 2)  # saved anew, as a bundle


def test_the_code_holds_no_pickle_loading():
    helpers = config.ROOT / "src" / "helpers"
    text = "\n".join(p.read_text(encoding="utf-8") for p in helpers.rglob("*.py"))
    assert "import pickle" not in text and "pickle.load" not in text
