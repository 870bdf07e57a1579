"""Wide partnerships fit: map labels placed without overlaps (presentation.labels, charts.district_map) and
district tables split to the page's width (render.column_parts)."""

import itertools

import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text

import another_force
from helpers.inputs.boundaries import read_boundaries
from helpers.inputs.partnerships import load_partnerships
from helpers.presentation import charts
from helpers.presentation.labels import away_from_point, place_labels
from helpers.presentation.render import column_parts


def boxes(centres, sizes):
    return [(x - w / 2, y - h / 2, x + w / 2, y + h / 2) for (x, y), (w, h) in zip(centres, sizes)]


def overlapping(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_crowded_labels_are_moved_apart_and_kept_inside_the_bounds():
    points = [(100, 100), (104, 102), (98, 97), (300, 300)]  # three labels on top of one another, one alone
    sizes = [(60, 20), (50, 20), (40, 20), (60, 20)]
    centres = place_labels(points, sizes, (0, 0, 400, 400))
    placed = boxes(centres, sizes)
    assert not any(overlapping(a, b) for a, b in itertools.combinations(placed, 2))
    assert all(0 <= left and 0 <= bottom and right <= 400 and top <= 400 for left, bottom, right, top in placed)
    assert centres[3] == (300, 300)  # a label with room stays on its point
    assert [away_from_point(c, s, p) for c, s, p in zip(centres, sizes, points)].count(True) >= 1  # a leader line


def test_a_label_placed_by_hand_is_kept_and_the_others_avoid_it():
    points, sizes = [(100, 100), (100, 100)], [(60, 20), (60, 20)]
    centres = place_labels(points, sizes, (0, 0, 400, 400), fixed={1: (100, 100)})
    assert centres[1] == (100, 100) and not overlapping(*boxes(centres, sizes))


def test_a_label_at_the_edge_moves_inside():
    (centre,) = place_labels([(5, 200)], [(60, 20)], (0, 0, 400, 400))
    assert centre[0] - 30 >= 0 and away_from_point(centre, (60, 20), (5, 200)) is False


@pytest.mark.parametrize(
    "count, most, sizes",
    [(8, 10, [8]), (10, 10, [10]), (12, 10, [6, 6]), (16, 10, [8, 8]), (21, 10, [7, 7, 7]), (11, 5, [4, 4, 3])],
)
def test_table_columns_split_into_even_parts_that_fit(count, most, sizes):
    parts = column_parts(count, most)
    assert [len(p) for p in parts] == sizes and [i for p in parts for i in p] == list(range(count))


def test_fourteen_district_map_has_no_overlapping_labels(tmp_path):
    """The real boundaries of Lancashire's 14 districts, drawn and measured by matplotlib itself."""
    path = tmp_path / "partnerships.yaml"
    path.write_text(another_force.PARTNERSHIPS_YAML)
    partnership = load_partnerships(path)["pan-lancashire"]
    codes = list(another_force.DISTRICTS)
    rows = pd.DataFrame(
        {
            "area_code": codes,
            "area_type": "district",
            "value": [10.0 + i for i in range(len(codes))],
            "vs_partnership": "similar",
        }
    )
    figure = charts._map_figure(
        rows.set_index("area_code"),
        "Total recorded crime",
        "per 10,000",
        read_boundaries(codes=codes),
        partnership.map_labels,
        set(),
    )
    renderer = FigureCanvasAgg(figure).get_renderer()
    texts = [t for t in figure.axes[0].texts if "\n" in t.get_text()]
    assert sorted(t.get_text().split("\n")[0] for t in texts) == sorted(another_force.DISTRICTS.values())
    for text in texts:
        text.update_positions(renderer)
    extents = [Text.get_window_extent(t, renderer) for t in texts]  # the words, without the leader line
    touching = [
        (a.get_text(), b.get_text())
        for (a, ea), (b, eb) in itertools.combinations(zip(texts, extents), 2)
        if ea.overlaps(eb)
    ]
    assert touching == []
    width, height = figure.bbox.width, figure.bbox.height
    assert all(0 <= e.x0 and e.x1 <= width and 0 <= e.y0 and e.y1 <= height for e in extents)
