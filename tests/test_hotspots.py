"""helpers.presentation.hotspots: the white cover hides what lies beyond the district's boundary (and in its holes)
out to the reach asked, and nothing within the district or further out, whichever way the file winds its rings."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch, Rectangle

from helpers.presentation import hotspots

# A district 1 degree square with a square hole in its middle (outer ring clockwise, hole anticlockwise).
OUTER = [[0.0, 0.0], [0.0, 1.0], [1.0, 1.0], [1.0, 0.0], [0.0, 0.0]]
HOLE = [[0.4, 0.4], [0.6, 0.4], [0.6, 0.6], [0.4, 0.6], [0.4, 0.4]]


def covered(outline_rings: list[list[list[float]]]) -> dict[tuple[float, float], bool]:
    """Whether each test place is white after drawing red everywhere and the cover above it."""
    boundaries = {
        "features": [
            {
                "properties": {"LAD23NM": "Melton"},
                "geometry": {"type": "Polygon", "coordinates": outline_rings},
            }
        ]
    }
    outline = hotspots.district_outline(boundaries, "Melton")
    fig = Figure(figsize=(3, 3), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(-1, 2)
    ax.set_ylim(-1, 2)
    ax.axis("off")
    ax.add_patch(Rectangle((-1, -1), 3, 3, facecolor="red", zorder=1))
    ax.add_patch(PathPatch(hotspots.outside(outline, (0.5, 0.25)), facecolor="white", edgecolor="none", zorder=2))
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())
    places = [(0.2, 0.2), (0.8, 0.5), (0.5, 0.5), (1.4, 0.5), (-0.4, -0.2), (1.6, 0.5), (0.5, 1.3)]
    found = {}
    for x, y in places:
        column, row = ax.transData.transform((x, y))
        found[(x, y)] = bool((pixels[pixels.shape[0] - 1 - int(row), int(column), :3] == 255).all())
    return found


@pytest.mark.parametrize("wound", ["as the bundled file (outer clockwise)", "as RFC 7946 (outer anticlockwise)"])
def test_the_cover_hides_what_is_beyond_the_boundary_and_in_its_holes(wound):
    rings = [OUTER, HOLE] if wound.startswith("as the bundled") else [OUTER[::-1], HOLE[::-1]]
    assert covered(rings) == {
        (0.2, 0.2): False,  # within the district: the hexagons show
        (0.8, 0.5): False,
        (0.5, 0.5): True,  # its hole
        (1.4, 0.5): True,  # beside it, within the reach (0.5 across, 0.25 up and down)
        (-0.4, -0.2): True,
        (1.6, 0.5): False,  # beyond the reach: whatever is drawn there shows
        (0.5, 1.3): False,
    }
