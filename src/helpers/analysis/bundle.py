"""The ``Results`` bundle on disk: a folder of Parquet tables and one JSON file, formats that cannot run code
when read (never a pickle). A build saves it once, in the results cache, and links its files beside the section
notebooks; each notebook loads it, or computes it from the inputs when it runs alone in JupyterLab.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import shutil
import threading
from pathlib import Path

import pandas as pd
import pyarrow as pa

from ..inputs.catalogue import Indicator
from ..inputs.files import SourceFile
from ..inputs.params import Commentary, DeclaredBaseline, Settings, SpcSettings
from ..inputs.partnerships import Area, Partnership
from ..quarters import Quarter
from .results import Results

BUNDLE_FORMAT = "safer-report results 2"  # changed when the fields change: an older bundle is then recomputed


def save(results: Results, path: Path) -> None:
    """Write the bundle as a folder of Parquet tables and one JSON file (formats that cannot run code when
    read), via a temporary folder renamed into place, so a reader never sees half a bundle."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}-{threading.get_ident()}")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    fields = {}
    for item in dataclasses.fields(Results):
        value = getattr(results, item.name)
        if isinstance(value, pd.DataFrame):
            value.to_parquet(partial / f"{item.name}.parquet", index=False)
        else:
            is_instance = dataclasses.is_dataclass(value) and not isinstance(value, type)
            fields[item.name] = dataclasses.asdict(value) if is_instance else value
    fields["catalogue"] = {key: dataclasses.asdict(indicator) for key, indicator in results.catalogue.items()}
    fields["files"] = [dataclasses.asdict(source) for source in results.files]
    (partial / "results.json").write_text(
        json.dumps({"format": BUNDLE_FORMAT, **fields}, default=_encode), encoding="utf-8"
    )
    old = path.with_name(f".{path.name}.old-{os.getpid()}-{threading.get_ident()}")
    if path.exists():
        path.rename(old)
    partial.rename(path)
    shutil.rmtree(old, ignore_errors=True)


def load(quarter: str | None = None, results_path: str | Path | None = None, partnership: str | None = None) -> Results:
    """The bundle a section notebook works from: the built one if given, else computed now (for
    ``partnership``, an id; None: the default). A bundle that is not one ``save`` wrote is a ValueError."""
    if results_path:
        return _read(Path(results_path))
    from .compute import compute  # run alone: read the inputs now (a build's kernels never do)

    return compute(quarter, partnership=partnership)


def _read(path: Path) -> Results:
    try:
        fields = json.loads((path / "results.json").read_text(encoding="utf-8"), object_hook=_decode)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: not a results bundle ({exc})") from None
    if not isinstance(fields, dict) or fields.pop("format", None) != BUNDLE_FORMAT:
        raise ValueError(f"{path}: not a results bundle of this version")
    try:
        fields["quarter"] = Quarter(**fields["quarter"])
        fields["catalogue"] = {
            key: Indicator(**{**value, "crime_types": tuple(value["crime_types"])})
            for key, value in fields["catalogue"].items()
        }
        fields["files"] = [SourceFile(**source) for source in fields["files"]]
        fields["settings"] = _settings(fields["settings"])
        given = fields["partnership"]
        fields["partnership"] = Partnership(
            **{
                **given,
                "subtotals": tuple(Area(**area) for area in given["subtotals"]),
                "compared_with": Area(**given["compared_with"]),
                "boundaries": Path(given["boundaries"]),
            }
        )
        for item in dataclasses.fields(Results):
            if item.name not in fields:
                fields[item.name] = pd.read_parquet(path / f"{item.name}.parquet")
        return Results(**fields)
    except (OSError, KeyError, TypeError, AttributeError, ValueError, pa.ArrowException) as exc:
        raise ValueError(f"{path}: not a results bundle of this version ({type(exc).__name__})") from None


def _settings(given: dict) -> Settings:
    """``Settings`` from their JSON: lists back to tuples, the nested settings to their classes."""
    spc, baseline = given["spc"], given["baseline"]
    return Settings(
        **{
            **given,
            "sources": tuple(Path(source) for source in given["sources"]),
            "baseline": DeclaredBaseline(**baseline) if baseline else None,
            "spc": SpcSettings(
                tuple((month, why) for month, why in spc["steps"]),
                (spc["baseline"][0], spc["baseline"][1]) if spc["baseline"] else None,
            ),
            "commentary": Commentary(**given["commentary"]),
            "listed": tuple((key, value) for key, value in given["listed"]),
        }
    )


def _encode(value: object) -> object:
    """JSON for what JSON lacks: dates and paths, tagged so that ``_decode`` restores them."""
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"{type(value).__name__} cannot be saved in a results bundle")


def _decode(value: dict) -> object:
    if set(value) == {"$datetime"}:
        return dt.datetime.fromisoformat(value["$datetime"])
    if set(value) == {"$date"}:
        return dt.date.fromisoformat(value["$date"])
    return value
