"""Charts in one house style (UK Government Analysis Function colours), as inline HTML figures.

Every figure is returned as HTML (the ``figure`` fragment) with the SVG inlined, alt text
that states its message, and a caption; the numbers it shows are given in a table beside it.
Figures are made with matplotlib's object API (``Figure``), not pyplot: no backend or
figure manager is involved, and nothing needs closing.
"""
from __future__ import annotations

import base64
import io

import matplotlib
import matplotlib.cm
import matplotlib.colors
import matplotlib.patheffects
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Polygon
from markupsafe import Markup

from .. import config
from ..analysis.spc import RULES
from .fragments import render
from .narrative import figure

# Analysis Function categorical palette (colour-blind safe in this order).
DARK_BLUE, TURQUOISE, DARK_PINK, ORANGE, DARK_GREY, PURPLE = "#12436D", "#28A197", "#801650", "#F46A25", "#3D3D3D", "#A285D1"
LIGHT_GREY = "#BFBFBF"

STYLE = {
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


def figure_html(fig, alt: str, caption: str, size: str = "wide") -> Markup:
    """Render ``fig`` to an inline SVG figure with alt text and caption (the ``figure`` fragment)."""
    buffer = io.BytesIO()
    # No bbox_inches="tight" (it draws the figure twice): each chart sets its own layout.
    with matplotlib.rc_context(STYLE):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    return render("figure", svg_base64=base64.b64encode(buffer.getvalue()).decode("ascii"), alt=alt, caption=caption,
                  size=size)


def _month_labels(months: list[str]) -> list[str]:
    return [pd.Period(m, "M").strftime("%b %y") for m in months]


def trajectory(series: pd.DataFrame, monthly: pd.Series | None, title: str, unit: str, measure: str,
               target: dict | None = None, spc: pd.DataFrame | None = None) -> tuple[Markup, str]:
    """Rolling 12-month line (left) and the XmR chart of monthly counts (right).

    ``series``: period_end, value for one indicator and area; ``monthly``: counts by
    month (or None where there is no monthly series); ``spc``: the months' SPC points
    (``Results.spc``: mean, upper, lower and the rules' flags by month), None where a
    month is missing. A missing value (NaN) breaks the line there; without ``spc`` the
    counts get no limits or signals, as in the table. Returns (figure html, alt text).
    """
    values = series["value"].to_numpy(dtype=float)
    known = np.flatnonzero(~np.isnan(values))  # positions with a value
    with matplotlib.rc_context(STYLE):
        panels = 2 if monthly is not None and len(monthly) >= 12 else 1
        fig = Figure(figsize=(9.6 if panels == 2 else 5.6, 3.0))
        axes = fig.subplots(1, panels, squeeze=False)
        # Fixed margins: about 40% quicker to draw than a constrained layout, for 20-odd charts a build.
        fig.subplots_adjust(left=0.07 if panels == 2 else 0.1, right=0.98, bottom=0.11, top=0.9, wspace=0.18)
        ax = axes[0][0]
        x = np.arange(len(series))
        ax.plot(x, values, color=DARK_BLUE, linewidth=2.2, marker="o", markersize=3)
        ax.set_title(f"Rolling 12 months ({unit})", fontsize=10)
        ticks = x[::6] if len(x) > 12 else x[::3]
        ax.set_xticks(ticks, [ _month_labels(list(series["period_end"]))[i] for i in ticks], rotation=0)
        top = max(values[known].max() if len(known) else 0, target["high"] if target else 0) * 1.15
        ax.set_ylim(bottom=0, top=max(top, 1e-9))
        if target:
            ax.axhspan(target["low"], target["high"], color=TURQUOISE, alpha=0.15, linewidth=0,
                       label=f"{target.get('label', 'Target range')} {target['low']:g}–{target['high']:g}%")
            ax.legend(fontsize=8, loc="lower left")
        if len(known):
            ax.annotate(figure(values[known[-1]], measure), (known[-1], values[known[-1]]), textcoords="offset points",
                        xytext=(0, 7), ha="center", color=DARK_BLUE, fontweight="bold")
        alt_parts = []
        if len(known) >= 2:
            first, last = series.iloc[known[0]], series.iloc[known[-1]]
            alt_parts.append(f"{title}: the rolling 12-month value moved from {figure(first['value'], measure)} in the 12 months to "
                             f"{pd.Period(first['period_end'], 'M').strftime('%B %Y')} to {figure(last['value'], measure)} in the 12 months to "
                             f"{pd.Period(last['period_end'], 'M').strftime('%B %Y')} ({unit}).")
        if panels == 2:
            ax2 = axes[0][1]
            counts = monthly.to_numpy(dtype=float)
            mx = np.arange(len(counts))
            ax2.plot(mx, counts, color=DARK_GREY, linewidth=1.4, marker="o", markersize=3, label="Monthly count")
            highest = np.nanmax(counts)
            if spc is not None:
                for number, period in spc.reset_index(drop=True).groupby("period", sort=False):
                    at, first = period.index.to_numpy(), number == spc["period"].iloc[0]
                    ax2.plot(at, period["mean"], color=TURQUOISE, linewidth=1.5, label="Usual level" if first else None)
                    ax2.plot(at, period["upper"], color=DARK_GREY, linewidth=1, linestyle="--",
                             label="Usual range" if first else None)
                    ax2.plot(at, period["lower"].clip(lower=0), color=DARK_GREY, linewidth=1, linestyle="--")
                flagged = spc[list(RULES)].any(axis=1).to_numpy()
                if flagged.any():
                    ax2.scatter(mx[flagged], counts[flagged], s=36, color=ORANGE, zorder=3,
                                edgecolor=DARK_GREY, linewidth=0.6, marker="D", label="Part of a signal")
                ax2.set_title("Monthly count with SPC limits", fontsize=10)
                highest = max(highest, spc["upper"].max())
                latest = spc.iloc[-1]
                alt_parts.append(f"Monthly counts: the usual level is {latest['mean']:,.1f} with a usual range of "
                                 f"{max(latest['lower'], 0):,.1f} to {latest['upper']:,.1f}; {int(flagged.sum())} month(s) "
                                 "are part of a signal.")
            else:
                missing = int(np.isnan(counts).sum())
                ax2.set_title(f"Monthly count (no SPC limits: {missing} month(s) missing)", fontsize=10)
                alt_parts.append(f"Monthly counts: {missing} of the {len(counts)} months {'is' if missing == 1 else 'are'} "
                                 "missing, so no process limits or signals are drawn.")
            labels = _month_labels(list(monthly.index))
            mticks = mx[::6] if len(mx) > 12 else mx[::3]
            ax2.set_xticks(mticks, [labels[i] for i in mticks])
            # Headroom above the highest point and the upper limit keeps the legend clear of both.
            ax2.set_ylim(0, max(highest * 1.4, 1e-9))
            ax2.legend(fontsize=8, loc="upper center", ncols=2, frameon=False)
    alt = " ".join(alt_parts) or f"{title}: not enough data for a trajectory."
    if panels == 2:
        second = "monthly statistical process control chart" if spc is not None else "monthly counts (months missing: no SPC)"
        return figure_html(fig, alt, f"{title}: rolling 12-month trajectory and {second}"), alt
    return figure_html(fig, alt, f"{title}: rolling 12-month trajectory (quarterly returns: too few points for SPC)", "narrow"), alt


def district_bars(rows: pd.DataFrame, title: str, unit: str) -> Markup:
    """Horizontal bars of each district's value with its 95% interval and the partnership line."""
    districts = rows[rows["area_type"] == "district"].dropna(subset=["value"]).iloc[::-1]
    partnership = rows.loc[rows["area"] == config.PARTNERSHIP, "value"]
    with matplotlib.rc_context({**STYLE, "axes.grid.axis": "x"}):
        fig = Figure(figsize=(6.4, 3.2))
        ax = fig.subplots()
        # Fixed margins (a constrained layout measures every label: twice the drawing time).
        fig.subplots_adjust(left=0.44, right=0.97, bottom=0.25, top=0.9)
        colours = {"significantly higher": DARK_PINK, "significantly lower": TURQUOISE}
        y = np.arange(len(districts))
        ax.barh(y, districts["value"], color=[colours.get(v, DARK_BLUE) for v in districts["vs_partnership"]], height=0.62)
        ax.errorbar(districts["value"], y, xerr=[districts["value"] - districts["ci_low"], districts["ci_high"] - districts["value"]],
                    fmt="none", ecolor=DARK_GREY, capsize=3, linewidth=1)
        markers = {"significantly higher": "▲ higher", "significantly lower": "▼ lower", "similar": "similar"}
        ax.set_yticks(y, [f"{a}  ({markers.get(v, '')})" for a, v in zip(districts["area"], districts["vs_partnership"])])
        if len(partnership) and pd.notna(partnership.iloc[0]):
            ax.axvline(partnership.iloc[0], color=ORANGE, linewidth=2, linestyle="--", label=f"{config.PARTNERSHIP} {partnership.iloc[0]:,.2f}")
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), fontsize=8)
        ax.set_xlabel(unit)
        ax.set_title(f"{title} by district", fontsize=10)
    higher = list(districts.loc[districts["vs_partnership"] == "significantly higher", "area"])
    lower = list(districts.loc[districts["vs_partnership"] == "significantly lower", "area"])
    alt = (f"{title} by district ({unit}). Significantly higher than {config.PARTNERSHIP}: {', '.join(higher[::-1]) or 'none'}. "
           f"Significantly lower: {', '.join(lower[::-1]) or 'none'}.")
    return figure_html(fig, alt, f"{title}: districts with 95% confidence intervals against the {config.PARTNERSHIP} value",
                       "medium")


_SHORT = {"Hinckley and Bosworth": "Hinckley &\nBosworth", "North West Leicestershire": "North West\nLeicestershire",
          "Oadby and Wigston": "Oadby &\nWigston"}
# Labels of the small districts round Leicester sit outside them, with a leader line (degrees).
_LABEL_OFFSETS = {"Blaby": (-0.16, -0.13), "Oadby and Wigston": (0.2, -0.2)}
_HALO = [matplotlib.patheffects.withStroke(linewidth=3, foreground="white")]


def district_map(rows: pd.DataFrame, title: str, unit: str, shapes: dict) -> Markup:
    """Choropleth of the districts (``shapes``: the boundaries' GeoJSON), shaded by value, labelled
    with value and comparison."""
    values = rows.set_index("area_code")
    with matplotlib.rc_context({**STYLE, "axes.grid": False}):
        fig = Figure(figsize=(6.4, 4.6))
        ax = fig.add_axes((0.02, 0.0, 0.82, 0.93))  # fixed places for map and colour bar: no layout engine
        known = values.loc[values["area_type"] == "district", "value"].dropna()
        low, high = (known.min(), known.max()) if len(known) else (0, 1)
        cmap = matplotlib.colors.LinearSegmentedColormap.from_list("af_blue", ["#DCE6F0", DARK_BLUE])
        norm = matplotlib.colors.Normalize(low, high if high > low else low + 1)
        for feature in shapes["features"]:
            code, name = feature["properties"]["LAD23CD"], feature["properties"]["LAD23NM"]
            member = code in values.index and values.at[code, "area_type"] == "district"
            value = values.at[code, "value"] if member else np.nan
            colour = cmap(norm(value)) if pd.notna(value) else "#F2F2F2"
            for polygon in feature["geometry"]["coordinates"]:
                ring = np.array(polygon[0])
                ax.add_patch(Polygon(ring, closed=True, facecolor=colour, edgecolor="white" if member else LIGHT_GREY,
                                     linewidth=1.2, hatch=None if member else "///"))
            lon, lat = feature["properties"]["LONG"], feature["properties"]["LAT"]
            dx, dy = _LABEL_OFFSETS.get(name, (0, 0))
            arrow = {"arrowstyle": "-", "color": DARK_GREY, "linewidth": 0.8} if (dx or dy) else None
            if member:
                word = {"significantly higher": "▲", "significantly lower": "▼", "similar": "►"}.get(values.at[code, "vs_partnership"], "")
                label = f"{_SHORT.get(name, name)}\n{value:,.1f} {word}" if pd.notna(value) else f"{_SHORT.get(name, name)}\nn/a"
                ax.annotate(label, (lon, lat), xytext=(lon + dx, lat + dy), ha="center", va="center", fontsize=8,
                            color="black", fontweight="bold", arrowprops=arrow, path_effects=_HALO)
        ax.autoscale_view()
        ax.set_aspect(1 / np.cos(np.radians(52.7)))
        ax.axis("off")
        bar = fig.colorbar(matplotlib.cm.ScalarMappable(norm=norm, cmap=cmap), cax=fig.add_axes((0.84, 0.27, 0.03, 0.46)))
        bar.set_label(unit)
        ax.set_title(f"{title} by district", fontsize=10)
    top = known.idxmax() if len(known) else None
    top_name = {c: n for n, c in config.DISTRICTS.items()}.get(top, "none")
    alt = (f"Map of {title.lower()} by district ({unit}). Highest: {top_name} at {known.max():,.1f}; "
           f"lowest: {({c: n for n, c in config.DISTRICTS.items()}).get(known.idxmin(), 'none')} at {known.min():,.1f}. "
           "Leicester city is shown hatched as it is not part of the partnership." if len(known) else f"Map of {title}: no data.")
    return figure_html(fig, alt, f"Map: {title} by district, shaded by value; ▲ significantly higher, ▼ significantly lower, "
                       f"► similar to {config.PARTNERSHIP}. Hatched: Leicester city, not part of the partnership. Source: Office "
                       "for National Statistics licensed under the Open Government Licence v.3.0. Contains OS data © Crown "
                       "copyright and database right 2023.", "medium")
