"""Where each fix is drawn on the cost/impact chart.

PURE: standard library only. Cost runs 1–5 left to right (one column each), impact 0–100 bottom to
top. Cost is a whole number, so fixes of equal cost and similar impact would sit on one another; they
are moved apart (within their cost column) so every circle can be seen and clicked.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

WIDTH, HEIGHT = 560, 400
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 40   # room for the axis labels
COSTS = 5
MIN_RADIUS, MAX_RADIUS = 9.0, 24.0
CROWDED_SHARE = 0.4  # at most this share of a column's area is covered by circles
SMALLEST_RADIUS = 4.0
GAP = 2.0            # space kept between two nudged circles
SPIRAL_STEPS, SPIRAL_SPACING = 16000, 3.0  # candidate spots out to 3·√16000 ≈ 380 units: a whole column
GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))  # a sunflower spiral: candidates cover the plane evenly


@dataclass(frozen=True)
class Point:
    """A fix as the chart needs it."""
    id: int
    cost: int
    impact: float
    respondents: int


@dataclass(frozen=True)
class Drawn:
    id: int
    cx: float
    cy: float
    r: float


@dataclass(frozen=True)
class Frame:
    """The plot area and the quadrant lines, in SVG units."""
    left: float
    top: float
    right: float
    bottom: float
    cost_line: float     # x of the line between low and high cost
    impact_line: float   # y of the line between low and high impact

    @property
    def column(self) -> float:
        return (self.right - self.left) / COSTS


def frame(high_cost_from: int, high_impact_from: float) -> Frame:
    left, top, right, bottom = LEFT, TOP, WIDTH - RIGHT, HEIGHT - BOTTOM
    column = (right - left) / COSTS
    return Frame(left, top, right, bottom, left + (high_cost_from - 1) * column, y_of(high_impact_from, top, bottom))


def x_of(cost: int, area: Frame) -> float:
    return area.left + (cost - 0.5) * area.column


def y_of(impact: float, top: float, bottom: float) -> float:
    return top + (100.0 - min(100.0, max(0.0, impact))) / 100.0 * (bottom - top)


def radius(respondents: int) -> float:
    """Area grows with the number of respondents, so one loud fix does not hide the others."""
    return round(min(MAX_RADIUS, MIN_RADIUS + 3.0 * math.sqrt(max(0, respondents))), 1)


def layout(points: Sequence[Point], area: Frame) -> list[Drawn]:
    """Each fix at its cost and impact, or, when that spot is taken, at the nearest free spot in its
    cost column. Fixes are placed in the order given (the queue's), so the higher a fix ranks the
    truer its place. Deterministic: the same fixes are always drawn in the same places."""
    sizes = _fitted_radii(points, area)
    taken: dict[int, list[tuple[float, float, float]]] = {}  # per cost column: circles placed so far
    drawn = []
    for point, r in zip(points, sizes):
        ideal = (x_of(point.cost, area), y_of(point.impact, area.top, area.bottom))
        column = taken.setdefault(point.cost, [])
        cx, cy = _free_spot(ideal, r, column, _bounds(point.cost, r, area))
        column.append((cx, cy, r))
        drawn.append(Drawn(point.id, round(cx, 1), round(cy, 1), r))
    return drawn


def _fitted_radii(points: Sequence[Point], area: Frame) -> list[float]:
    """Circles shrink, together, in a column too crowded for all of them to be seen side by side."""
    room = CROWDED_SHARE * area.column * (area.bottom - area.top)
    used: dict[int, float] = {}
    for p in points:
        used[p.cost] = used.get(p.cost, 0.0) + math.pi * radius(p.respondents) ** 2
    return [round(max(SMALLEST_RADIUS, radius(p.respondents) * min(1.0, math.sqrt(room / used[p.cost]))), 1)
            for p in points]


def _bounds(cost: int, r: float, area: Frame) -> tuple[float, float, float, float]:
    """A fix stays inside its own cost column and inside the plot."""
    centre, half = x_of(cost, area), area.column / 2
    return centre - half + r, centre + half - r, area.top + r, area.bottom - r


def _free_spot(ideal: tuple[float, float], r: float, others: list[tuple[float, float, float]],
               bounds: tuple[float, float, float, float]) -> tuple[float, float]:
    """The first spot on a spiral out from the ideal one where the circle touches no other.
    A column too full for that (it cannot be, once radii are fitted) keeps the ideal spot."""
    low_x, high_x, low_y, high_y = bounds
    for step in range(SPIRAL_STEPS):
        distance, angle = SPIRAL_SPACING * math.sqrt(step), step * GOLDEN_ANGLE
        x = min(max(ideal[0] + distance * math.cos(angle), low_x), high_x)
        y = min(max(ideal[1] + distance * math.sin(angle), low_y), high_y)
        if all(math.hypot(x - ox, y - oy) >= r + orad + GAP for ox, oy, orad in others):
            return x, y
    return min(max(ideal[0], low_x), high_x), min(max(ideal[1], low_y), high_y)
