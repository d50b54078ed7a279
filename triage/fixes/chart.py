"""Where each fix is drawn on the cost/impact chart.

PURE: standard library only. Cost runs 1–5 left to right (one column each), impact 0–100 bottom to
top. Cost is a whole number, so fixes of equal cost and similar impact would sit on one another; they
are moved apart (within their cost column) so every circle can be seen and clicked.

The work grows with the number of fixes, not its square: a nudged circle looks for room along
horizontal lines — its own height first, then lines of a fixed grid below and above, nearest first — and
on each line only the circles placed near it (a spatial hash by height) are read: each blocks one stretch
of the line, so a line's free spot nearest the ideal is found from those stretches at once. Circles are
only ever added, so a line found full for a circle stays full for any as big: a pile is crossed at the
cost of a lookup per line, not read again for every new circle.
"""
from __future__ import annotations

import heapq
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
LINE_SPACING = 3.0    # the lines a nudged circle may sit on are this far apart (under one point of impact)


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


@dataclass(frozen=True)
class Layout:
    drawn: list[Drawn]
    checks: int   # distances from a spot to a circle computed: the work done, whatever the machine


def layout(points: Sequence[Point], area: Frame) -> list[Drawn]:
    """Each fix at its cost and impact, or, when that spot is taken, at the nearest free spot in its
    cost column. Fixes are placed in the order given (the queue's), so the higher a fix ranks the
    truer its place. Deterministic: the same fixes are always drawn in the same places."""
    return place(points, area).drawn


def place(points: Sequence[Point], area: Frame) -> Layout:
    """`layout`, and how much work it took."""
    sizes = _fitted_radii(points, area)
    biggest: dict[int, float] = {}
    for point, r in zip(points, sizes):
        biggest[point.cost] = max(r, biggest.get(point.cost, 0.0))
    columns = {cost: _Column(r) for cost, r in biggest.items()}
    drawn = []
    for point, r in zip(points, sizes):
        ideal = (x_of(point.cost, area), y_of(point.impact, area.top, area.bottom))
        column = columns[point.cost]
        cx, cy = column.free_spot(ideal, r, _bounds(point.cost, r, area))
        column.add(cx, cy, r)
        drawn.append(Drawn(point.id, round(cx, 1), round(cy, 1), r))
    return Layout(drawn, sum(c.checks for c in columns.values()))


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


class _Column:
    """One cost column: the circles placed in it, by rows as high as two of the biggest circles and a gap —
    so a circle can only touch circles of its own row and the two beside it."""

    def __init__(self, biggest: float):
        self.row, self.checks = 2 * biggest + GAP, 0
        self.rows: dict[int, list[tuple[float, float, float]]] = {}
        self.full_from = math.inf  # a circle this big found no free spot: none as big will
        self.full_lines: dict[int, float] = {}  # line of the grid → the smallest circle found no room on it

    def add(self, x: float, y: float, r: float) -> None:
        self.rows.setdefault(int(y // self.row), []).append((x, y, r))

    def _near(self, y: float):
        row = int(y // self.row)
        for near in (row - 1, row, row + 1):
            yield from self.rows.get(near, ())

    def touches(self, x: float, y: float, r: float) -> bool:
        for ox, oy, orad in self._near(y):
            self.checks += 1
            if math.hypot(x - ox, y - oy) < r + orad + GAP:
                return True
        return False

    def free_spot(self, ideal: tuple[float, float], r: float,
                  bounds: tuple[float, float, float, float]) -> tuple[float, float]:
        """The ideal spot if the circle touches no other there, else the nearest spot on the lines.
        A column too full for that (it cannot be, once radii are fitted) keeps the ideal spot."""
        low_x, high_x, low_y, high_y = bounds
        spot = (min(max(ideal[0], low_x), high_x), min(max(ideal[1], low_y), high_y))
        if r >= self.full_from or not self.touches(*spot, r):
            return spot
        best, best_distance = None, math.inf
        x = self._free_on_line(spot[1], spot[0], r, low_x, high_x)
        if x is not None:
            best, best_distance = (x, spot[1]), abs(x - spot[0])
        below, lowest, highest = (math.floor(spot[1] / LINE_SPACING), math.ceil(low_y / LINE_SPACING),
                                  math.floor(high_y / LINE_SPACING))
        downwards = ((spot[1] - line * LINE_SPACING, line) for line in range(min(below, highest), lowest - 1, -1))
        upwards = ((line * LINE_SPACING - spot[1], line) for line in range(max(below + 1, lowest), highest + 1))
        for rise, line in heapq.merge(downwards, upwards):  # the lines nearest the ideal height first
            if rise >= best_distance:
                break
            if r >= self.full_lines.get(line, math.inf):
                continue
            x = self._free_on_line(line * LINE_SPACING, spot[0], r, low_x, high_x)
            if x is None:
                self.full_lines[line] = r  # full for this circle: for any as big, for ever
            elif math.hypot(x - spot[0], rise) < best_distance:
                best, best_distance = (x, line * LINE_SPACING), math.hypot(x - spot[0], rise)
        if best is None:
            self.full_from = r
            return spot
        return best

    def _free_on_line(self, y: float, x: float, r: float, low_x: float, high_x: float) -> float | None:
        """The point of the line at height y, between low_x and high_x, nearest x where the circle touches
        no other; None if there is none. Each circle near the line blocks the stretch where it would."""
        blocked = []
        for ox, oy, orad in self._near(y):
            self.checks += 1
            reach = r + orad + GAP + 1e-9  # a hair more: the spot found must pass `touches` exactly
            if abs(y - oy) < reach:
                half = math.sqrt(reach * reach - (y - oy) ** 2)
                blocked.append((ox - half, ox + half))
        free = []   # the free stretches of the line, left to right
        start = low_x
        for left, right in sorted(blocked):
            if left > start:
                free.append((start, min(left, high_x)))
            start = max(start, right)
            if start > high_x:
                break
        if start <= high_x:
            free.append((start, high_x))
        free = [(a, b) for a, b in free if a <= b]
        return min((min(max(x, a), b) for a, b in free), key=lambda spot: abs(spot - x), default=None)
