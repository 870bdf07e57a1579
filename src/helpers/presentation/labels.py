"""Map labels placed without overlaps: each label is put as near its district's label point as it can go
without touching a label already placed, another district's label point or the edge of the free area.

A greedy search, as in the point-feature labelling of cartography (Imhof's rules; Christensen, Marks and
Shieber, 1995, "An empirical study of algorithms for point-feature label placement"): labels given a place by
hand come first, then the others in the order given (the map passes larger districts first); each takes the
nearest free position on a fine grid around its point. A label moved off its point is drawn with a leader line.
All positions are in display units (pixels), y upwards, as matplotlib's transforms give them.
"""

from __future__ import annotations

import numpy as np

GRID = 4.0  # pixels between candidate positions
REACH = 40  # grid steps searched each way from the point
PAD = 2.0  # pixels kept clear around every label
DOT = 3.0  # half the side of the box kept clear around another district's label point


def place_labels(
    points: list[tuple[float, float]],
    sizes: list[tuple[float, float]],
    bounds: tuple[float, float, float, float],
    fixed: dict[int, tuple[float, float]] | None = None,
) -> list[tuple[float, float]]:
    """The centre of each label (``sizes``: width, height) for the label points ``points``, inside ``bounds``
    (left, bottom, right, top); ``fixed``: label index -> a centre set by hand, kept as given. When no free
    position is left within reach, the one overlapping least is taken."""
    fixed = fixed or {}
    placed: list[np.ndarray] = []  # boxes: left, bottom, right, top
    centres: dict[int, tuple[float, float]] = {}
    steps = np.arange(-REACH, REACH + 1) * GRID
    dx, dy = (a.ravel() for a in np.meshgrid(steps, steps))
    order = np.argsort(np.hypot(dx, dy), kind="stable")  # nearest first
    dx, dy = dx[order], dy[order]
    dots = np.array([(x - DOT, y - DOT, x + DOT, y + DOT) for x, y in points]).reshape(-1, 4)
    for i in [*fixed, *(i for i in range(len(points)) if i not in fixed)]:
        (w, h), (x, y) = sizes[i], points[i]
        if i in fixed:
            centres[i] = fixed[i]
        else:
            cx, cy = x + dx, y + dy
            boxes = np.column_stack([cx - w / 2 - PAD, cy - h / 2 - PAD, cx + w / 2 + PAD, cy + h / 2 + PAD])
            others = np.array([*placed, *np.delete(dots, i, axis=0)]).reshape(-1, 4)
            overlap = _overlap_area(boxes, others)
            left, bottom, right, top = bounds
            outside = (boxes[:, 0] < left) | (boxes[:, 1] < bottom) | (boxes[:, 2] > right) | (boxes[:, 3] > top)
            cost = overlap + outside * 1e9
            best = int(np.argmin(cost))  # the first (nearest) of the least overlapping
            centres[i] = (float(cx[best]), float(cy[best]))
        cx, cy = centres[i]
        placed.append(np.array([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2]))
    return [centres[i] for i in range(len(points))]


def _overlap_area(boxes: np.ndarray, others: np.ndarray) -> np.ndarray:
    """For each of ``boxes``, the summed area it shares with ``others`` (both rows of left, bottom, right, top)."""
    if not len(others):
        return np.zeros(len(boxes))
    width = np.minimum(boxes[:, None, 2], others[None, :, 2]) - np.maximum(boxes[:, None, 0], others[None, :, 0])
    height = np.minimum(boxes[:, None, 3], others[None, :, 3]) - np.maximum(boxes[:, None, 1], others[None, :, 1])
    return (np.clip(width, 0, None) * np.clip(height, 0, None)).sum(axis=1)


def away_from_point(centre: tuple[float, float], size: tuple[float, float], point: tuple[float, float]) -> bool:
    """Whether the label no longer covers its point, and so needs a leader line."""
    (cx, cy), (w, h), (x, y) = centre, size, point
    return abs(x - cx) > w / 2 or abs(y - cy) > h / 2
