"""Hotspot maps: a year's crime locations binned into hexagons of one size, shown within the district boundary,
with the busiest neighbourhoods numbered (the table beside the map names them and gives the numbers), the
district's main town named and a scale bar. The small maps of one figure share one scale (km per inch) and one
colour scale, so a small district draws small.

Drawn in the house style of ``charts`` (SVG with live text, alt text stating the message), and kept as its charts
are (``charts.kept``), keyed by the points, outlines and names drawn.
"""

from __future__ import annotations

from typing import NamedTuple

import matplotlib
import matplotlib.colors
import numpy as np
import pandas as pd
from markupsafe import Markup
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch
from matplotlib.path import Path as MplPath

from .charts import _HALO, DARK_BLUE, DARK_GREY, STYLE, figure_html, kept, svg_bytes

HEX_KM = 0.75  # width of a hexagon: one size on every map, so shades compare across districts
LABELLED = 5  # neighbourhoods numbered on each map
KM_PER_DEGREE = 111.32
HOT = matplotlib.colors.LinearSegmentedColormap.from_list("hot_spots", ["#FCE7D6", "#F46A25", "#801650"])
SOURCE = (
    "police.uk street-level crime data (each crime at an anonymised map point); boundaries: Office for National "
    "Statistics licensed under the Open Government Licence v.3.0, contains OS data © Crown copyright and "
    "database right 2023."
)


class Town(NamedTuple):
    """A district's main town and where its name is written (the bottom centre of the words)."""

    name: str
    longitude: float
    latitude: float


def district_outline(boundaries: dict, district: str) -> MplPath | None:
    """The district's boundary (every ring of its polygons) as one matplotlib path, or None if absent."""
    for feature in boundaries.get("features", []):
        if feature["properties"].get("LAD23NM") == district:
            geometry = feature["geometry"]
            polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
            rings = [np.asarray(ring, dtype=float)[:, :2] for polygon in polygons for ring in polygon]
            return MplPath.make_compound_path(*(MplPath(ring, closed=True) for ring in rings))
    return None


def centres(points: pd.DataFrame) -> pd.DataFrame:
    """Where to put each neighbourhood's number: the median of its crimes' map points (longitude, latitude)."""
    return points.groupby("neighbourhood", observed=True)[["longitude", "latitude"]].median()


def outside(outline: MplPath, reach: tuple[float, float]) -> MplPath:
    """Everything around ``outline`` out to ``reach`` (x, y) beyond its extents: a rectangle with the outline's rings as
    holes, wound against its first ring (an outer ring, wound as the file's outer rings are), so that under the
    non-zero fill rule the district and nothing else is left open."""
    (west, south), (east, north) = outline.get_extents().get_points()
    west, south, east, north = west - reach[0], south - reach[1], east + reach[0], north + reach[1]
    corners = [(west, south), (east, south), (east, north), (west, north)]  # anticlockwise
    if _signed_area(np.asarray(outline.to_polygons()[0])) > 0:  # outer rings anticlockwise: the rectangle clockwise
        corners.reverse()
    return MplPath.make_compound_path(MplPath([*corners, corners[0]], closed=True), outline)


def _signed_area(ring: np.ndarray) -> float:
    """The area within ``ring`` (n x 2, its first point repeated last or not), positive when anticlockwise."""
    x, y = ring[:, 0], ring[:, 1]
    return float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y)) / 2


def _span_km(outline: MplPath) -> tuple[float, float]:
    """The width and height of the outline's bounding box in km."""
    (west, south), (east, north) = outline.get_extents().get_points()
    return (east - west) * KM_PER_DEGREE * np.cos(np.radians((south + north) / 2)), (north - south) * KM_PER_DEGREE


def _draw(
    ax,
    points: pd.DataFrame,
    outline: MplPath,
    top: list[str],
    places: pd.DataFrame,
    font: float,
    town: Town | None = None,
    span: tuple[float, float] | None = None,
):
    """One district's hexagons within ``outline``, the outline, the numbers 1.. of ``top`` and the town's
    name; ``span`` (width, height in km) centres the district in a frame of that size, so maps share a scale."""
    (west, south), (east, north) = outline.get_extents().get_points()
    km_x = KM_PER_DEGREE * np.cos(np.radians((south + north) / 2))
    across = max(1, round((east - west) * km_x / HEX_KM))
    down = max(1, round((north - south) * KM_PER_DEGREE / (HEX_KM * np.sqrt(3))))
    hexes = ax.hexbin(
        points["longitude"],
        points["latitude"],
        gridsize=(across, down),
        mincnt=1,
        cmap=HOT,
        extent=(west, east, south, north),
        linewidths=0.1,
        edgecolors="white",
    )
    ax.add_patch(PathPatch(outline, facecolor="#F2F2F2", edgecolor="none", zorder=0))
    # The hexagons beyond the boundary are hidden under one white cover, not clipped: an SVG clip path is
    # written for every hexagon of a clipped collection (most of the maps' drawing time). The cover reaches a
    # hexagon (the grid's spacing) beyond the extents, as far as any hexagon does, and is not clipped to the axes,
    # so where a hexagon crosses their edge no sliver of it shows beside the cover's own edge.
    reach = ((east - west) / across, (north - south) / down)
    ax.add_patch(PathPatch(outside(outline, reach), facecolor="white", edgecolor="none", zorder=2, clip_on=False))
    ax.add_patch(PathPatch(outline, facecolor="none", edgecolor=DARK_GREY, linewidth=0.8, zorder=3))
    frame = span or ((east - west) * km_x, (north - south) * KM_PER_DEGREE)
    middle_x, middle_y = (west + east) / 2, (south + north) / 2
    box = ax.get_position()
    width, height = ax.figure.get_size_inches()
    point = max(frame[0] / (box.width * width * 72), frame[1] / (box.height * height * 72))  # km per point
    numbered = [(rank, places.loc[name]) for rank, name in enumerate(top, start=1) if name in places.index]
    # the numbers' places in km from the middle, moved apart until none overlaps another (about 1.3 font sizes)
    km = spread(
        np.array([[(lon - middle_x) * km_x, (lat - middle_y) * KM_PER_DEGREE] for _, (lon, lat) in numbered]).reshape(
            -1, 2
        ),
        1.3 * font * point,
    )
    for (rank, _), (x, y) in zip(numbered, km):
        ax.annotate(
            str(rank),
            (middle_x + x / km_x, middle_y + y / KM_PER_DEGREE),
            ha="center",
            va="center",
            fontsize=font,
            fontweight="bold",
            color=DARK_BLUE,
            path_effects=_HALO,
            zorder=4,
        )
    if town:
        _name_town(ax, town, km, (middle_x, middle_y), km_x, font, point)
    if span:
        half_x, half_y = span[0] / 2 / km_x, span[1] / 2 / KM_PER_DEGREE
        west, east, south, north = middle_x - half_x, middle_x + half_x, middle_y - half_y, middle_y + half_y
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_aspect(1 / np.cos(np.radians((south + north) / 2)))
    ax.axis("off")
    return hexes


def _name_town(
    ax, town: Town, numbers: np.ndarray, middle: tuple[float, float], km_x: float, font: float, point: float
) -> None:
    """The town's name in italics, centred just above the town's place, lifted above any number (``numbers``: km
    from ``middle``) under its words; ``point``: km per typographic point."""
    x, bottom = (town.longitude - middle[0]) * km_x, (town.latitude - middle[1]) * KM_PER_DEGREE + 2 * point
    half, tall, number = 0.3 * len(town.name) * (font - 1) * point, (font - 1) * point, 0.6 * font * point
    for _ in range(len(numbers)):
        under = [y for nx, y in numbers if abs(nx - x) < half + number and bottom - number < y < bottom + tall + number]
        if not under:
            break
        bottom = max(under) + number
    ax.annotate(
        town.name,
        (town.longitude, middle[1] + bottom / KM_PER_DEGREE),
        ha="center",
        va="bottom",
        fontsize=font - 1,
        fontstyle="italic",
        color=DARK_GREY,
        path_effects=_HALO,
        zorder=5,
    )


def spread(places: np.ndarray, gap: float, rounds: int = 100) -> np.ndarray:
    """``places`` (n x 2) moved apart, each close pair pushed along the line between them (the first pair member
    to the left where they coincide), until no two are closer than ``gap`` or ``rounds`` passes are done."""
    places = np.array(places, dtype=float)
    for _ in range(rounds):
        moved = False
        for i in range(len(places)):
            for j in range(i + 1, len(places)):
                apart = places[j] - places[i]
                distance = float(np.hypot(*apart))
                if distance < gap * (1 - 1e-9):
                    direction = apart / distance if distance > 0 else np.array([1.0, 0.0])
                    push = (gap - distance) / 2 * direction
                    places[i] -= push
                    places[j] += push
                    moved = True
        if not moved:
            break
    return places


def _scale_bar(ax, font: float) -> None:
    """A bar of a round number of km (about a fifth of the map's width) in the map's lower left corner."""
    (west, east), (south, north) = ax.get_xlim(), ax.get_ylim()
    km_x = KM_PER_DEGREE * np.cos(np.radians((south + north) / 2))
    km = max([k for k in (1, 2, 5, 10, 20, 50) if k <= (east - west) * km_x / 5] or [1])
    x, y = west + (east - west) * 0.03, south + (north - south) * 0.03
    ax.plot([x, x + km / km_x], [y, y], color=DARK_GREY, linewidth=2, solid_capstyle="butt", zorder=6)
    ax.annotate(
        f"{km} km",
        (x + km / km_x / 2, y),
        xytext=(0, 3),
        textcoords="offset points",
        ha="center",
        va="bottom",
        fontsize=font - 1,
        color=DARK_GREY,
        zorder=6,
    )


def _colour_key(fig, norm, where: tuple, size: float):
    """The colour scale beside the maps, its ticks in plain numbers (1, 2, 5, 10, …)."""
    bar = fig.colorbar(matplotlib.cm.ScalarMappable(norm=norm, cmap=HOT), cax=fig.add_axes(where))
    ticks = [t for t in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000) if t <= norm.vmax]
    bar.set_ticks(ticks, labels=[f"{t:,}" for t in ticks], fontsize=size)
    bar.ax.minorticks_off()
    bar.set_label(f"crimes in a {HEX_KM:g} km hexagon", fontsize=size)


def _share_scale(hexes: list) -> matplotlib.colors.LogNorm:
    """One colour scale for the maps of a figure, from 1 crime a hexagon to the most any has (log: hotspots
    are many times busier than the rest)."""
    highest = max([h.get_array().max() for h in hexes if len(h.get_array())] or [1])
    norm = matplotlib.colors.LogNorm(1, max(highest, 2))
    for h in hexes:
        h.set_norm(norm)
    return norm


def _picture_parts(points: pd.DataFrame, outline: MplPath) -> tuple:
    """What a district's map is drawn from, for its key (``charts.chart_key``): its points and its outline."""
    return points[["neighbourhood", "longitude", "latitude"]], outline.vertices, outline.codes


def small_multiples(
    points: pd.DataFrame,
    tops: dict[str, list[str]],
    boundaries: dict,
    title: str,
    year: str,
    towns: dict[str, Town] | None = None,
) -> tuple[Markup, str]:
    """One small hotspot map per district of ``tops`` (district -> its busiest neighbourhoods, busiest
    first), all at one scale (the widest and tallest district's frame; a scale bar on the first) and on one
    colour scale, each district's main town (``towns``) named. ``points``: this year's points of the indicator
    (district, neighbourhood, longitude, latitude). Returns (figure html, alt text)."""
    towns = towns or {}
    outlines = {d: outline for d in tops if (outline := district_outline(boundaries, d)) is not None}
    districts = list(outlines)
    chosen = {d: points[points["district"] == d] for d in districts}
    shown = {d: (tops[d], towns.get(d)) for d in districts}
    svg = kept(
        f"{__name__}:small_multiples",
        (shown, *(part for d in districts for part in _picture_parts(chosen[d], outlines[d]))),
        lambda: svg_bytes(_small_multiples_figure(chosen, outlines, tops, towns)),
    )
    busiest = [f"{d}: {tops[d][0]}" for d in districts if tops[d]]
    named = [f"{d}: {towns[d].name}" for d in districts if d in towns]
    alt = (
        f"Hotspot maps of {title.lower()} in {year}, one per district, all drawn at the same scale, each crime's "
        f"location counted in hexagons {HEX_KM:g} km across (darker: more crimes; one colour scale for every map). "
        f"Numbers 1 to {LABELLED} mark each district's busiest neighbourhoods. The busiest neighbourhood of each "
        f"district: {'; '.join(busiest)}." + (f" The main town named on each map: {'; '.join(named)}." if named else "")
    )
    caption = (
        f"{title}, {year}: where the crimes were, by district, every map at the same scale (scale bar on the "
        f"first) and on one colour scale (hexagons {HEX_KM:g} km across; numbers: the district's {LABELLED} busiest "
        f"neighbourhoods, named in the table; in italics, the district's main town). Source: {SOURCE}"
    )
    return figure_html(svg, alt, caption), alt


def _small_multiples_figure(
    chosen: dict[str, pd.DataFrame], outlines: dict[str, MplPath], tops: dict[str, list[str]], towns: dict[str, Town]
) -> Figure:
    """The figure of ``small_multiples``: a map of each district of ``outlines`` from its ``chosen`` points."""
    districts = list(outlines)
    columns = min(3, max(1, len(districts)))  # three across: at one scale a small district still reads
    rows = -(-len(districts) // columns)
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(9.6, 3.0 * rows + 0.6))
        axes = fig.subplots(rows, columns, squeeze=False)
        fig.subplots_adjust(
            left=0.01, right=0.9, bottom=0.02, top=1 - 0.35 / (3.0 * rows + 0.6), wspace=0.08, hspace=0.15
        )
        hexes = []
        spans = [_span_km(o) for o in outlines.values()]
        span = (max(w for w, _ in spans), max(h for _, h in spans)) if spans else None
        for ax, district in zip(axes.flat, districts):
            hexes.append(
                _draw(
                    ax,
                    chosen[district],
                    outlines[district],
                    tops[district],
                    centres(chosen[district]),
                    8,
                    towns.get(district),
                    span,
                )
            )
            ax.set_title(district, fontsize=9, loc="center")
        if districts:
            _scale_bar(axes.flat[0], 8)
        norm = _share_scale(hexes)
        for ax in list(axes.flat)[len(districts) :]:
            ax.axis("off")
        _colour_key(fig, norm, (0.92, 0.2, 0.015, 0.6), 8)
    return fig


def district_hotspot(
    points: pd.DataFrame,
    top: list[str],
    boundaries: dict,
    district: str,
    title: str,
    year: str,
    town: Town | None = None,
) -> tuple[Markup, str]:
    """One district's hotspot map, larger, its busiest neighbourhoods numbered and named, its main town named,
    with a scale bar. Returns (html, alt)."""
    outline = district_outline(boundaries, district)
    if outline is None:
        raise ValueError(f"the boundaries file has no boundary for {district}")
    svg = kept(
        f"{__name__}:district_hotspot",
        (top, district, title, town, *_picture_parts(points, outline)),
        lambda: svg_bytes(_district_figure(points, top, outline, district, title, town)),
    )
    named = "; ".join(f"{rank} {name}" for rank, name in enumerate(top, start=1))
    alt = (
        f"Hotspot map of {title.lower()} in {district}, {year}: crime locations counted in hexagons {HEX_KM:g} km "
        f"across, darker where there were more. The busiest neighbourhoods, numbered on the map: {named}."
        + (f" The main town, named in italics: {town.name}." if town else "")
    )
    caption = (
        f"{title} in {district}, {year}, by location (hexagons {HEX_KM:g} km across; numbers: the busiest "
        f"neighbourhoods, named in the table{'; in italics, the main town' if town else ''}). Source: {SOURCE}"
    )
    return figure_html(svg, alt, caption, "medium"), alt


def _district_figure(
    points: pd.DataFrame, top: list[str], outline: MplPath, district: str, title: str, town: Town | None
) -> Figure:
    """The figure of ``district_hotspot``."""
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(6.4, 5.2))
        ax = fig.subplots()
        fig.subplots_adjust(left=0.01, right=0.84, bottom=0.02, top=0.93)
        norm = _share_scale([_draw(ax, points, outline, top, centres(points), 10, town)])
        _scale_bar(ax, 9)
        ax.set_title(f"{title}, {district}", fontsize=10)
        _colour_key(fig, norm, (0.87, 0.2, 0.025, 0.6), 9)
    return fig
