"""Charts in one house style (UK Government Analysis Function colours), as inline HTML figures.

Every figure is returned as HTML (the ``figure`` fragment) with the SVG inlined, alt text
that states its message, and a caption; the numbers it shows are given in a table beside it.
Figures are made with matplotlib's object API (``Figure``), not pyplot: no backend or
figure manager is involved, and nothing needs closing.

Each picture is drawn once and kept (``kept``): under ``config.CACHE/charts``, named by a hash of
exactly what it is drawn from (its data, words and colours, and the code that draws it), so the
same chart in another pack, or in a rebuild, is read back instead of drawn again.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import importlib
import io
import json
import os
import sys
import tempfile
import textwrap
import threading
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import matplotlib
import matplotlib.cm
import matplotlib.colors
import matplotlib.patheffects
import matplotlib.ticker
import numpy as np
import pandas as pd
from markupsafe import Markup
from matplotlib.figure import Figure
from matplotlib.patches import Polygon

from .. import config
from ..analysis.spc import RULES, read_signal
from ..analysis.vocabulary import GroupPlace, Reading
from ..analysis.wording import join_words, month_ranges
from . import labels
from .fragments import render
from .narrative import figure

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType  # matplotlib 3.9+; a name for readers and checkers only

# Analysis Function categorical palette (colour-blind safe in this order).
DARK_BLUE, TURQUOISE, DARK_PINK, ORANGE, DARK_GREY, PURPLE = (
    "#12436D",
    "#28A197",
    "#801650",
    "#F46A25",
    "#3D3D3D",
    "#A285D1",
)
LIGHT_GREY = "#BFBFBF"
BASELINE_SHADE = "#E8EDF2"

STYLE: dict[RcKeyType, Any] = {
    # Charts are SVG with live text (quicker to draw than PNG, sharp in print); a viewer without
    # DejaVu Sans gets Verdana, of about the same width, so labels keep their places.
    "font.family": ["DejaVu Sans", "sans-serif"],
    "font.sans-serif": ["DejaVu Sans", "Verdana"],
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.titley": 1.0,  # fixed: matplotlib's automatic title placement measures every tick label
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": DARK_GREY,
    "axes.labelcolor": DARK_GREY,
    "xtick.color": DARK_GREY,
    "ytick.color": DARK_GREY,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": "#E5E5E5",
    "legend.frameon": False,
    "figure.dpi": 100,
    "svg.fonttype": "none",
    "svg.hashsalt": "safer-report",
}


CHART_ENTRIES = 2000  # pictures kept: every chart of a back catalogue of quarters, for all packs


def figure_html(svg: bytes, alt: str, caption: str, size: str = "wide") -> Markup:
    """An inline SVG figure with alt text and caption (the ``figure`` fragment)."""
    return render("figure", svg_base64=base64.b64encode(svg).decode("ascii"), alt=alt, caption=caption, size=size)


def svg_bytes(fig: Figure) -> bytes:
    """``fig`` as SVG in the house style."""
    buffer = io.BytesIO()
    # No bbox_inches="tight" (it draws the figure twice): each chart sets its own layout.
    with matplotlib.rc_context(STYLE):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def kept(kind: str, parts: tuple, draw: Callable[[], bytes], suffix: str = "svg") -> bytes:
    """The picture drawn by ``draw``, read from the cache when one with the same ``chart_key`` was drawn
    before, else drawn and kept (written to a temporary file and renamed, so a reader never sees half of it)."""
    folder = config.CACHE / "charts"
    path = folder / f"{chart_key(kind, parts)}.{suffix}"
    try:
        picture = path.read_bytes()
        os.utime(path)  # recently used: kept longest
        return picture
    except FileNotFoundError:
        pass
    picture = draw()
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(picture)
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)
    _prune(folder)
    return picture


def _prune(folder: Path) -> None:
    """Delete the least recently used pictures beyond ``CHART_ENTRIES``."""
    entries = [entry for entry in folder.iterdir() if entry.suffix in (".svg", ".png")]
    if len(entries) > CHART_ENTRIES:
        for old in sorted(entries, key=_mtime)[: len(entries) - CHART_ENTRIES]:
            old.unlink(missing_ok=True)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:  # pruned by another kernel meanwhile
        return 0.0


def chart_key(kind: str, parts: tuple) -> str:
    """A hash of what a picture of ``kind`` is drawn from: ``parts`` (its data points, words and colours) and the
    code that draws it (``code_version``). Equal parts give the same key, any changed value another."""
    digest = hashlib.sha256(f"{kind}\0{code_version(kind.split(':')[0])}".encode())
    for part in parts:
        _feed(digest, part)
    return digest.hexdigest()[:40]


def _feed(digest, part: object) -> None:
    """Add ``part`` to ``digest``: tables by their column names, types and every value (pandas' own hashing of
    rows), numpy arrays by their bytes, everything else as canonical JSON; an unknown type is an error, never
    skipped (a key that missed a value would give one chart another's picture)."""
    if isinstance(part, pd.DataFrame):
        digest.update(json.dumps(["frame", [str(c) for c in part.columns], [str(t) for t in part.dtypes]]).encode())
        digest.update(pd.util.hash_pandas_object(part, index=True).to_numpy().tobytes())
    elif isinstance(part, pd.Series):
        digest.update(json.dumps(["series", str(part.name), str(part.dtype)]).encode())
        digest.update(pd.util.hash_pandas_object(part, index=True).to_numpy().tobytes())
    elif isinstance(part, np.ndarray) and part.dtype != object:
        digest.update(json.dumps(["array", str(part.dtype), part.shape]).encode())
        digest.update(np.ascontiguousarray(part).tobytes())
    else:
        digest.update(json.dumps(part, sort_keys=True, default=_plain).encode())
    digest.update(b"\0")


def _plain(value: object) -> object:
    """``value`` as JSON can write it (``_feed``)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, set | frozenset):
        return sorted(value, key=repr)
    if isinstance(value, pd.Period | pd.Timestamp):
        return str(value)
    raise TypeError(f"a chart key cannot include {type(value).__name__}")


@functools.cache
def code_version(module: str) -> str:
    """A hash of matplotlib's version and the source of every module ``module`` draws with (``drawn_with``)."""
    digest = hashlib.sha256(matplotlib.__version__.encode())
    for name in sorted(drawn_with(module)):
        digest.update(name.encode() + Path(str(sys.modules[name].__file__)).read_bytes())
    return digest.hexdigest()


def drawn_with(module: str) -> set[str]:
    """``module`` and every ``helpers`` module it draws on, found by following the names each one imports."""
    seen: set[str] = set()
    waiting = [module]
    while waiting:
        name = waiting.pop()
        if name in seen:
            continue
        seen.add(name)
        for value in vars(importlib.import_module(name)).values():
            owner = value.__name__ if isinstance(value, ModuleType) else getattr(value, "__module__", None)
            if isinstance(owner, str) and owner.startswith("helpers.") and owner in sys.modules:
                waiting.append(owner)
    return seen


def point_readings(spc: pd.DataFrame, polarity: str) -> np.ndarray:
    """Each SPC point's reading: 'concern', 'improvement' or 'neutral' when a signal involves it (the
    first of ``RULES`` that flags it gives the side), else 'common_cause'; NaN rows (missing months) too."""
    readings = np.full(len(spc), Reading.COMMON_CAUSE, dtype=object)
    for rule in reversed(RULES):  # the first rule in order wins
        flagged = spc[rule].fillna(False).astype(bool).to_numpy()
        for at in np.flatnonzero(flagged):
            readings[at] = read_signal(spc[f"{rule}_side"].iloc[at], polarity)
    return readings


def _baselines(spc: pd.DataFrame) -> list[tuple[str, str]]:
    """(first month of the period, its baseline months in words) of each period, in time order."""
    return [
        (str(period.index[0]), month_ranges(period.index[period["baseline"].astype(bool).to_numpy()]))
        for _, period in spc.groupby("period", sort=True)
    ]


def _month_labels(months: list[str]) -> list[str]:
    return [pd.Period(m, "M").strftime("%b %y") for m in months]


def trajectory(
    series: pd.DataFrame,
    monthly: pd.Series | None,
    title: str,
    unit: str,
    measure: str,
    target: dict | None = None,
    spc: pd.DataFrame | None = None,
    polarity: str = "no_polarity",
) -> tuple[Markup, str]:
    """Rolling 12-month line (left) and the XmR chart of monthly counts (right).

    ``series``: period_end, value for one indicator and area; ``monthly``: counts by
    month (or None where there is no monthly series); ``spc``: its SPC points by month
    (``Results.spc``: period, baseline, mean, limits and the rules' flags and sides), which may
    start before the months shown (their baselines are named); None where a month is missing.
    Points are coloured as Making Data Count does, read through ``polarity``; each period's
    limits are drawn as their own segments and its baseline months shaded. A missing value
    (NaN) breaks the line there; without ``spc`` the counts get no limits or signals, as in
    the table. Returns (figure html, alt text).
    """
    values = series["value"].to_numpy(dtype=float)
    known = np.flatnonzero(~np.isnan(values))  # positions with a value
    panels = 2 if monthly is not None and len(monthly) >= 12 else 1
    alt_parts = []
    if len(known) >= 2:
        first, last = series.iloc[known[0]], series.iloc[known[-1]]
        alt_parts.append(
            f"{title}: the rolling 12-month value moved from {figure(first['value'], measure)} in the 12 months to "
            f"{pd.Period(first['period_end'], 'M').strftime('%B %Y')} to {figure(last['value'], measure)} in the 12 months to "
            f"{pd.Period(last['period_end'], 'M').strftime('%B %Y')} ({unit})."
        )
    shown, baselines, readings = None, [], None
    if monthly is not None and panels == 2:
        counts = monthly.to_numpy(dtype=float)
        if spc is not None:
            shown = spc.reindex(monthly.index)
            baselines = [b for b in _baselines(spc) if b[0] <= monthly.index[-1]]
            baselines = baselines[
                max(0, sum(b[0] <= monthly.index[0] for b in baselines) - 1) :
            ]  # from the first shown
            readings = point_readings(shown, polarity)
            alt_parts.append(_spc_words(shown, readings, baselines))
        else:
            missing = int(np.isnan(counts).sum())
            alt_parts.append(
                f"Monthly counts: {missing} of the {len(counts)} months {'is' if missing == 1 else 'are'} "
                "missing, so no process limits or signals are drawn."
            )
    periods = [str(p) for p in series["period_end"]]
    svg = kept(
        f"{__name__}:trajectory",
        (periods, values, title, unit, measure, target, monthly, shown, readings, polarity),
        lambda: svg_bytes(_trajectory_figure(periods, values, unit, measure, target, monthly, shown, readings)),
    )
    alt = " ".join(alt_parts) or f"{title}: not enough data for a trajectory."
    if panels == 2:
        if spc is None:
            return figure_html(
                svg, alt, f"{title}: rolling 12-month trajectory and monthly counts (months missing: no SPC)"
            ), alt
        limits = (
            f"limits from the baseline months {baselines[0][1]} (shaded)"
            if len(baselines) == 1
            else "each period's limits from its baseline months (shaded): "
            + join_words(
                f"{words} for the period from {pd.Period(start, 'M').strftime('%B %Y')}" for start, words in baselines
            )
        )
        return figure_html(
            svg,
            alt,
            f"{title}: rolling 12-month trajectory and monthly statistical process control chart, "
            f"{limits}. Orange: a concern; blue: an improvement; purple: unusual, neither better nor worse; "
            "grey: usual variation (NHS England's Making Data Count).",
        ), alt
    return figure_html(
        svg, alt, f"{title}: rolling 12-month trajectory (quarterly returns: too few points for SPC)", "narrow"
    ), alt


@functools.cache
def _trajectory_canvas(panels: int, spc: bool, thread: int) -> Figure:
    """The figure the trajectories of a layout are drawn on in ``thread``, emptied between charts (``_emptied``):
    its axes, spines and ticks are made once, not once a chart (they were half the time of drawing one)."""
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(9.6 if panels == 2 else 5.6, 3.4 if spc else 3.0))
        fig.subplots(1, panels, squeeze=False)
        # Fixed margins: about 40% quicker to draw than a constrained layout, for 20-odd charts a build.
        bottom = 0.24 if spc else 0.11
        fig.subplots_adjust(left=0.07 if panels == 2 else 0.1, right=0.98, bottom=bottom, top=0.9, wspace=0.18)
    return fig


def _emptied(fig: Figure) -> Figure:
    """``fig`` without anything drawn on it: no legend, and axes without lines, collections, patches, texts or
    data limits (their titles, ticks and limits are set anew by each chart)."""
    for legend in list(fig.legends):
        legend.remove()
    for ax in fig.axes:
        for artist in [*ax.lines, *ax.collections, *ax.patches, *ax.texts]:
            artist.remove()
        if (key := ax.get_legend()) is not None:
            key.remove()
        ax.relim()
    return fig


def _trajectory_figure(
    periods: list[str],
    values: np.ndarray,
    unit: str,
    measure: str,
    target: dict | None,
    monthly: pd.Series | None,
    spc: pd.DataFrame | None,
    readings: np.ndarray | None,
) -> Figure:
    """The figure of ``trajectory``: ``spc`` and ``readings`` for the months of ``monthly`` (or None)."""
    known = np.flatnonzero(~np.isnan(values))
    panels = 2 if monthly is not None and len(monthly) >= 12 else 1
    fig = _emptied(_trajectory_canvas(panels, spc is not None, threading.get_ident()))
    with matplotlib.rc_context(STYLE):
        ax = fig.axes[0]
        x = np.arange(len(values))
        ax.plot(x, values, color=DARK_BLUE, linewidth=2.2, marker="o", markersize=3)
        ax.set_title(f"Rolling 12 months ({unit})", fontsize=10)
        ticks = x[::6] if len(x) > 12 else x[::3]
        ax.set_xticks(ticks, [_month_labels(periods)[i] for i in ticks], rotation=0)
        top = max(values[known].max() if len(known) else 0, target["high"] if target else 0) * 1.15
        ax.set_ylim(bottom=0, top=max(top, 1e-9))
        if target:
            ax.axhspan(
                target["low"],
                target["high"],
                color=TURQUOISE,
                alpha=0.15,
                linewidth=0,
                label=f"{target.get('label', 'Target range')} {target['low']:g}–{target['high']:g}%",
            )
            ax.legend(fontsize=8, loc="lower left")
        if len(known):
            ax.annotate(
                figure(values[known[-1]], measure),
                (known[-1], values[known[-1]]),
                textcoords="offset points",
                xytext=(0, 7),
                ha="center",
                color=DARK_BLUE,
                fontweight="bold",
            )
        if monthly is not None and panels == 2:
            ax2 = fig.axes[1]
            counts = monthly.to_numpy(dtype=float)
            mx = np.arange(len(counts))
            highest = np.nanmax(counts)
            if spc is not None and readings is not None:
                _draw_spc(ax2, counts, spc, readings)
                highest = max(highest, spc["upper"].max())
                fig.legend(
                    *ax2.get_legend_handles_labels(),
                    loc="lower right",
                    bbox_to_anchor=(0.98, 0.0),
                    ncols=4,
                    fontsize=8,
                    frameon=False,
                )
            else:
                ax2.plot(mx, counts, color=DARK_GREY, linewidth=1.4, marker="o", markersize=3, label="Monthly count")
                missing = int(np.isnan(counts).sum())
                ax2.set_title(f"Monthly count (no SPC limits: {missing} month(s) missing)", fontsize=10)
                ax2.legend(fontsize=8, loc="upper center", frameon=False)
            labels = _month_labels(list(monthly.index))
            mticks = mx[::6] if len(mx) > 12 else mx[::3]
            ax2.set_xticks(mticks, [labels[i] for i in mticks])
            ax2.set_ylim(0, max(highest * 1.15, 1e-9))
    return fig


def small_multiples(panels: list[dict], title: str, columns: int = 4) -> Markup:
    """One small line chart per indicator of a priority, each on its own scale: the rolling 12-month value at
    each month end. ``panels``: title, unit, measure, period_end (months), values (NaN where missing), target
    (or None) and judgement (the style word, ``Judgement.style``). The latest value is written at the
    line's end and the line is coloured by judgement (the word is in the table beside it)."""
    alt = []
    for panel in panels:
        values = np.asarray(panel["values"], dtype=float)
        known = np.flatnonzero(~np.isnan(values))
        if len(known) >= 2:
            first, last = known[0], known[-1]
            alt.append(
                f"{panel['title']}: {figure(values[first], panel['measure'])} in the 12 months to "
                f"{pd.Period(panel['period_end'][first], 'M'):%B %Y}, {figure(values[last], panel['measure'])} "
                f"in the 12 months to {pd.Period(panel['period_end'][last], 'M'):%B %Y}."
            )
    svg = kept(
        f"{__name__}:small_multiples",
        (panels, columns),
        lambda: svg_bytes(_small_multiples_figure(panels, columns)),
    )
    words = "; ".join(p["title"] for p in panels)
    return figure_html(
        svg,
        f"{title}: rolling 12-month values of each indicator ({unit_words(panels)}). " + " ".join(alt),
        f"{title}: the rolling 12-month value of each indicator, at each month end, on its own scale "
        f"({words}). Dark pink line: deteriorating, or outside its target range; turquoise: improving, or within "
        "it; dark blue: stable or not judged. The figures are in each indicator's detail (on screen).",
    )


def _small_multiples_figure(panels: list[dict], columns: int) -> Figure:
    """The figure of ``small_multiples``."""
    rows = max(1, -(-len(panels) // columns))
    colours = {"bad": DARK_PINK, "good": TURQUOISE}
    # Drawn at the printed page's width (7.2 in), so its 7.5-point text prints at 7.5 points.
    with matplotlib.rc_context({**STYLE, "font.size": 7.5, "axes.titlesize": 7.5}):
        fig = Figure(figsize=(7.2, 1.45 * rows + 0.1))
        axes = fig.subplots(rows, columns, squeeze=False)
        fig.subplots_adjust(
            left=0.055, right=0.985, bottom=0.16 / rows + 0.02, top=1 - 0.34 / rows, wspace=0.38, hspace=0.9
        )
        for ax, panel in zip(axes.flat, panels):
            values = np.asarray(panel["values"], dtype=float)
            known = np.flatnonzero(~np.isnan(values))
            x = np.arange(len(values))
            colour = colours.get(panel["judgement"], DARK_BLUE)
            ax.plot(x, values, color=colour, linewidth=1.8)
            ax.set_title(
                "\n".join(textwrap.wrap(f"{panel['title']} ({panel['unit']})", 26 if columns > 3 else 34)),
                fontsize=7.5,
                loc="left",
            )
            top = (
                max(values[known].max() if len(known) else 0, panel["target"]["high"] if panel["target"] else 0) * 1.25
            )
            ax.set_ylim(0, max(top, 1e-9))
            if panel["target"]:
                ax.axhspan(panel["target"]["low"], panel["target"]["high"], color=TURQUOISE, alpha=0.15, linewidth=0)
            labels = _month_labels(list(panel["period_end"]))
            ticks = [0, len(x) - 1] if len(x) > 1 else [0]
            ax.set_xticks(ticks, [labels[i] for i in ticks])
            ax.tick_params(labelsize=6.5, length=2)
            ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(3))
            if len(known):
                last = known[-1]
                ax.plot([last], [values[last]], marker="o", markersize=3.5, color=colour)
                ax.annotate(
                    figure(values[last], panel["measure"]),
                    (last, values[last]),
                    textcoords="offset points",
                    xytext=(-2, 5),
                    ha="right",
                    fontsize=7,
                    fontweight="bold",
                    color=colour,
                )
        for ax in list(axes.flat)[len(panels) :]:
            ax.set_visible(False)
    return fig


def sparkline(values: list[float], judgement: str) -> bytes:
    """A trend line a cell high (the workbook's dashboard): the values as a line coloured by ``judgement`` (the
    style word of ``narrative.judgement_words``), the last one dotted; a PNG drawn at 200 dpi for print."""
    return kept(f"{__name__}:sparkline", (values, judgement), lambda: _sparkline_png(values, judgement), "png")


def _sparkline_png(values: list[float], judgement: str) -> bytes:
    """The picture of ``sparkline``."""
    colour = {"bad": DARK_PINK, "good": TURQUOISE}.get(judgement, DARK_BLUE)
    y = np.asarray(values, dtype=float)
    fig = Figure(figsize=(0.84, 0.15), dpi=200)
    ax = fig.add_axes((0.02, 0.08, 0.9, 0.84))
    ax.plot(np.arange(len(y)), y, color=colour, linewidth=0.9)
    known = np.flatnonzero(~np.isnan(y))
    if len(known):
        ax.plot([known[-1]], [y[known[-1]]], marker="o", markersize=1.8, color=colour)
    ax.set_xlim(-0.5, len(y) - 0.5)
    ax.axis("off")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=200, metadata={"Software": None})
    return buffer.getvalue()


def unit_words(panels: list[dict]) -> str:
    """The panels' units, each said once."""
    return join_words(dict.fromkeys(p["unit"] for p in panels))


def _draw_spc(ax, counts: np.ndarray, spc: pd.DataFrame, readings: np.ndarray) -> None:
    """The XmR panel: baseline months shaded, each period's usual level and range as its own segments, the
    counts coloured by ``readings`` (``point_readings``)."""
    at = np.arange(len(counts))
    marked = spc["baseline"].fillna(False).astype(bool).to_numpy()
    for number, (start, stop) in enumerate(_runs(marked)):
        ax.axvspan(
            start - 0.5,
            stop - 0.5,
            color=BASELINE_SHADE,
            linewidth=0,
            zorder=0,
            label="Baseline months" if number == 0 else None,
        )
    for number, (_, period) in enumerate(spc.reset_index(drop=True).groupby("period", sort=False)):
        where = period.index.to_numpy()
        if number:  # a step: new limits from here
            ax.axvline(where[0] - 0.5, color=DARK_GREY, linewidth=0.8, linestyle=":")
        ax.plot(where, period["mean"], color=DARK_BLUE, linewidth=1.5, label=None if number else "Usual level")
        ax.plot(
            where,
            period["upper"],
            color=DARK_GREY,
            linewidth=1,
            linestyle="--",
            label=None if number else "Usual range",
        )
        ax.plot(where, period["lower"].clip(lower=0), color=DARK_GREY, linewidth=1, linestyle="--")
    ax.plot(at, counts, color=Reading.COMMON_CAUSE.colour, linewidth=1.2, zorder=2)
    for kind in Reading:
        chosen = readings == kind
        if chosen.any():
            ax.scatter(
                at[chosen],
                counts[chosen],
                s=16 if kind == Reading.COMMON_CAUSE else 30,
                color=kind.colour,
                zorder=3,
                edgecolor="white",
                linewidth=0.5,
                label=kind.legend,
            )
    ax.set_title("Monthly count with SPC limits", fontsize=10)


def _spc_words(spc: pd.DataFrame, readings: np.ndarray, baselines: list[tuple[str, str]]) -> str:
    """The XmR panel's sentences of alt text: the latest usual level and range, and the months that signal."""
    latest = spc.iloc[-1]
    tally = [
        f"{n} {'month shows' if n == 1 else 'months show'} {kind.words}"
        for kind in (Reading.CONCERN, Reading.IMPROVEMENT, Reading.NEUTRAL)
        if (n := int((readings == kind).sum()))
    ]
    named = join_words(words for _, words in baselines)
    return (
        f"Monthly counts: the usual level is {latest['mean']:,.1f} with a usual range of {max(latest['lower'], 0):,.1f} "
        f"to {latest['upper']:,.1f}, set from the baseline months {named}; "
        f"{join_words(tally) if tally else 'all months show usual variation'}."
    )


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) of each stretch of True values."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], mask.astype(int), [0]))))
    return list(zip(edges[::2], edges[1::2]))


_HALO = [matplotlib.patheffects.withStroke(linewidth=3, foreground="white")]


GROUP_STYLE = {  # vs_partnership -> (colour, marker, legend words)
    GroupPlace.ABOVE: (ORANGE, "P", "above the rest of the group"),
    GroupPlace.IN_LINE: (DARK_GREY, "o", "in line with the rest"),
    GroupPlace.BELOW: (DARK_BLUE, "D", "below the rest of the group"),
}


def district_comparison(rows: pd.DataFrame, title: str, unit: str, group: str) -> Markup:
    """Each compared district's value (a point shaped and coloured by ``vs_partnership``) beside the value of the
    rest of ``group`` (a tick: ``group_reference``) and the range within which it reads in line with it (a grey bar:
    ``group_low`` to ``group_high``), as the analysis judged them; highest first, said in words in the alt text."""
    districts = rows[(rows["area_type"] == "district") & (rows["vs_partnership"] != GroupPlace.NOT_COMPARED)]
    districts = districts.sort_values("value")[
        ["area", "value", "group_low", "group_high", "group_reference", "vs_partnership"]
    ]
    svg = kept(
        f"{__name__}:district_comparison",
        (districts, title, unit, group),
        lambda: svg_bytes(_comparison_figure(districts, title, unit, group)),
    )
    said = []
    for word in (GroupPlace.ABOVE, GroupPlace.BELOW):
        names = list(districts.loc[districts["vs_partnership"] == word, "area"])
        if names:
            said.append(f"{join_words(names)} {'is' if len(names) == 1 else 'are'} {word} the rest of {group}")
    rest = "; the others are in line with the rest" if said else f"Every district is in line with the rest of {group}"
    alt = f"{title} by district ({unit}), each against the rest of {group}. {'; '.join(said)}{rest}."
    return figure_html(
        svg,
        alt,
        f"{title}: each district's value (point), the value of the rest of {group} without it "
        "(black tick) and the range within which the district would read in line with it (grey bar; "
        "see Methods)",
        "medium",
    )


def _comparison_figure(districts: pd.DataFrame, title: str, unit: str, group: str) -> Figure:
    """The figure of ``district_comparison``: ``districts`` lowest value first."""
    y = np.arange(len(districts))
    names = [f"{area}  {value:,.1f}" for area, value in zip(districts["area"], districts["value"])]
    height = 1.9 + 0.32 * len(districts)  # inches: title, the rows, the axis and the legend
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(6.4, height))
        ax = fig.subplots()
        left = min(0.5, (0.2 + 0.075 * max(len(name) for name in names)) / 6.4)  # room for the longest name
        fig.subplots_adjust(left=left, right=0.97, bottom=1.15 / height, top=1 - 0.65 / height)
        low, high = districts["group_low"].to_numpy(float), districts["group_high"].to_numpy(float)
        ax.barh(y, high - low, left=low, height=0.5, color=LIGHT_GREY, alpha=0.6, label="Range in line with the rest")
        ax.scatter(
            districts["group_reference"],
            y,
            marker="|",
            s=180,
            color="black",
            linewidth=1.6,
            zorder=3,
            label="The rest of the group",
        )
        for word, (colour, marker, words) in GROUP_STYLE.items():
            chosen = (districts["vs_partnership"] == word).to_numpy()
            if chosen.any():
                ax.scatter(
                    districts["value"].to_numpy(float)[chosen],
                    y[chosen],
                    s=52,
                    color=colour,
                    marker=marker,
                    zorder=4,
                    edgecolor="white",
                    linewidth=0.6,
                    label=words[0].upper() + words[1:],
                )
        ax.margins(x=0.06)  # no point on the frame's edge
        ax.set_yticks(y, names)
        ax.set_xlabel(unit)
        fig.suptitle(
            f"{title}:\neach district against the rest of {group}",
            x=0.5,
            y=1 - 0.08 / height,
            va="top",
            fontsize=10,
            fontweight="bold",
        )
        fig.legend(loc="lower center", bbox_to_anchor=(0.5, 0.01), ncols=2, fontsize=7.5, frameon=False)
    return fig


_LABEL_SIZE, _LABEL_WEIGHT = 8, "bold"  # district names on the map
_LEADER = {"arrowstyle": "-", "color": DARK_GREY, "linewidth": 0.8}  # from a label moved off its district


def _text_width(text: str, size: float, weight: str = "normal") -> float:
    """The width in points of one line of ``text`` in the charts' font, measured without drawing."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    font = FontProperties(family=STYLE["font.family"], size=size, weight=weight)
    return TextToPath().get_text_width_height_descent(text, font, ismath=False)[0]


def _label_districts(fig, ax, marks: list[tuple], overrides: dict) -> None:
    """Label each district (``marks``: code, text, lon, lat, area) at its label point, or as near it as no label
    overlaps another (``labels.place_labels``, larger districts first), with a leader line when moved off it;
    ``overrides`` (params/partnerships.yaml's ``map_labels``): an ``offset`` in degrees puts a label by hand."""
    marks = sorted(marks, key=lambda mark: -mark[4])
    ax.apply_aspect()  # the final data-to-pixel transform
    to_pixels, px = ax.transData, fig.dpi / 72
    points = [tuple(to_pixels.transform((lon, lat))) for _, _, lon, lat, _ in marks]
    sizes = []
    for _, text, *_ in marks:
        lines = text.split("\n")
        width = max(_text_width(line, _LABEL_SIZE, _LABEL_WEIGHT) for line in lines)
        sizes.append(((width + 3) * px, (len(lines) * 1.2 * _LABEL_SIZE + 2) * px))  # + the white halo
    fixed = {
        i: tuple(to_pixels.transform((lon + overrides[code]["offset"][0], lat + overrides[code]["offset"][1])))
        for i, (code, _, lon, lat, _) in enumerate(marks)
        if "offset" in overrides.get(code, {})
    }
    free = (2, 2, 0.83 * fig.bbox.width, 0.93 * fig.bbox.height)  # left of the colour bar, below the title
    centres = labels.place_labels(points, sizes, free, fixed)
    from_pixels = to_pixels.inverted()
    for (_, text, lon, lat, _), point, size, centre in zip(marks, points, sizes, centres):
        moved = labels.away_from_point(centre, size, point)
        if moved:
            ax.plot([lon], [lat], marker="o", markersize=2.5, color=DARK_GREY, zorder=4)
        ax.annotate(
            text,
            (lon, lat),
            xytext=tuple(from_pixels.transform(centre)),
            ha="center",
            va="center",
            color="black",
            arrowprops=_LEADER if moved else None,
            path_effects=_HALO,
            zorder=5,
            fontsize=_LABEL_SIZE,
            fontweight=_LABEL_WEIGHT,
        )


def district_map(rows: pd.DataFrame, title: str, unit: str, shapes: dict, partnership) -> Markup:
    """Choropleth of the districts (``shapes``: the boundaries' GeoJSON), shaded by value, labelled with value
    and comparison; ``partnership`` gives the labels' short names and places and the districts hatched as not its own."""
    overrides = partnership.map_labels
    own_codes = sorted(
        set(partnership.districts.values()) if len(partnership.districts) < len(partnership.shown_districts) else set()
    )
    values = rows.set_index("area_code")[["area_type", "value", "vs_partnership"]]
    known = values.loc[values["area_type"] == "district", "value"].dropna()
    svg = kept(
        f"{__name__}:district_map",
        (values, title, unit, shapes, overrides, own_codes),
        lambda: svg_bytes(_map_figure(values, title, unit, shapes, overrides, set(own_codes))),
    )
    names = {code: name for name, code in partnership.shown_districts.items()}
    group, hatched = partnership.compared_with.name, join_words(partnership.excludes)
    not_ours = (
        f" {hatched} {'is' if len(partnership.excludes) == 1 else 'are'} shown hatched as not part of the partnership."
        if hatched
        else ""
    )
    alt = (
        f"Map of {title.lower()} by district ({unit}). Highest: {names.get(known.idxmax(), 'none')} at "
        f"{known.max():,.1f}; lowest: {names.get(known.idxmin(), 'none')} at {known.min():,.1f}.{not_ours}"
        if len(known)
        else f"Map of {title}: no data."
    )
    return figure_html(
        svg,
        alt,
        f"Map: {title} by district, shaded by value; {GroupPlace.key(group)}.{' Hatched: ' + hatched + ', not part of the partnership.' if hatched else ''}"
        " Source: Office for National Statistics licensed under the Open Government Licence v.3.0. Contains OS data © Crown "
        "copyright and database right 2023.",
        "medium",
    )


def _map_figure(
    values: pd.DataFrame, title: str, unit: str, shapes: dict, overrides: dict, own_codes: set[str]
) -> Figure:
    """The figure of ``district_map``: ``values`` by area code, ``overrides`` the partnership's ``map_labels``,
    ``own_codes`` the districts outlined as the pack's own."""
    with matplotlib.rc_context({**STYLE, "axes.grid": False}):
        fig = Figure(figsize=(6.4, 4.6))
        ax = fig.add_axes((0.02, 0.0, 0.82, 0.93))  # fixed places for map and colour bar: no layout engine
        known = values.loc[values["area_type"] == "district", "value"].dropna()
        low, high = (known.min(), known.max()) if len(known) else (0, 1)
        marks = []  # each member district's label: code, text, label point (lon, lat), area
        cmap = matplotlib.colors.LinearSegmentedColormap.from_list("af_blue", ["#DCE6F0", DARK_BLUE])
        norm = matplotlib.colors.Normalize(low, high if high > low else low + 1)
        for feature in shapes["features"]:
            code, name = feature["properties"]["LAD23CD"], feature["properties"]["LAD23NM"]
            member = code in values.index and values.at[code, "area_type"] == "district"
            value = values.at[code, "value"] if member else np.nan
            colour = cmap(norm(value)) if pd.notna(value) else "#F2F2F2"
            own = member and code in own_codes  # a district pack outlines its own district among the others
            for polygon in feature["geometry"]["coordinates"]:
                ring = np.array(polygon[0])
                ax.add_patch(
                    Polygon(
                        ring,
                        closed=True,
                        facecolor=colour,
                        zorder=2 if own else 1,
                        edgecolor="black" if own else ("white" if member else LIGHT_GREY),
                        linewidth=2.2 if own else 1.2,
                        hatch=None if member else "///",
                    )
                )
            if member:
                short = overrides.get(code, {}).get("short", name)
                word = GroupPlace.mark_of(values.at[code, "vs_partnership"])
                text = f"{short}\n{value:,.1f} {word}" if pd.notna(value) else f"{short}\nn/a"
                marks.append(
                    (
                        code,
                        text,
                        feature["properties"]["LONG"],
                        feature["properties"]["LAT"],
                        feature["properties"]["Shape__Area"],
                    )
                )
        ax.autoscale_view()
        ax.set_aspect(1 / np.cos(np.radians(np.mean(ax.get_ylim()))))  # degrees east shrink with the latitude
        ax.axis("off")
        _label_districts(fig, ax, marks, overrides)
        bar = fig.colorbar(
            matplotlib.cm.ScalarMappable(norm=norm, cmap=cmap), cax=fig.add_axes((0.84, 0.27, 0.03, 0.46))
        )
        bar.set_label(unit)
        ax.set_title(f"{title} by district", fontsize=10)
    return fig
