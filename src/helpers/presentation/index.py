"""``<quarter>/index.html``: one page linking every partnership's pack with its headline judgements."""

from __future__ import annotations

import os
from pathlib import Path

from ..analysis.results import Results
from ..analysis.vocabulary import Judgement
from .fragments import render
from .messages import at_a_glance

FILES = (
    ("report.html", "Report"),
    ("report.pdf", "PDF"),
    ("dashboard.xlsx", "Excel dashboard"),
    ("board-paper.docx", "Board paper (Word)"),
    ("indicators.csv", "Indicators (CSV)"),
)
COUNTED = (Judgement.DETERIORATING, Judgement.STABLE, Judgement.IMPROVING)


def write_index(folder: Path, packs: list[tuple[Results, Path]]) -> Path:
    """Write ``folder/index.html`` for ``packs`` (each pack's results and the folder it was built in)."""
    quarter = packs[0][0].quarter
    entries = []
    for results, built in packs:
        rows = results.rows()
        counts = rows["judgement"].value_counts()
        entries.append(
            {
                "name": results.partnership.name,
                "board": results.partnership.board,
                "glance": at_a_glance(rows, results.catalogue),
                "counts": [{"judgement": j, "count": int(counts.get(j, 0)), "css": j.style} for j in COUNTED],
                "files": [
                    {"href": Path(os.path.relpath(built / name, folder)).as_posix(), "label": label}
                    for name, label in FILES
                    if (built / name).exists()
                ],
            }
        )
    page = render("index_page", quarter=quarter.title, period=packs[0][0].rows()["period"].iloc[0], packs=entries)
    partial = folder / f".index.html.{os.getpid()}"
    partial.write_text(page, encoding="utf-8")
    partial.replace(folder / "index.html")  # whole or not at all
    return folder / "index.html"
