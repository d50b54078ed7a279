"""Geometry of the loop and fit charts, drawn as inline SVG by the templates.

PURE: standard library only. Coordinates are in the SVG's own units (viewBox), y downwards.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

BAR_WIDTH, BAR_HEIGHT = 320, 200     # the two-bar chart: retention 0–100 %
SCATTER_WIDTH, SCATTER_HEIGHT, PAD = 560, 320, 40
LOG_WHEN_RATIO = 100                 # values spanning more than this factor are drawn on a log axis


@dataclass(frozen=True)
class Bar:
    x: float
    y: float            # top of the bar
    height: float
    whisker_top: float | None
    whisker_bottom: float | None
    value: float


def percent_y(percent: float) -> float:
    return round(BAR_HEIGHT - max(0.0, min(percent, 100.0)) / 100 * BAR_HEIGHT, 1)


def bars(rates: list[dict | None]) -> list[Bar | None]:
    """One bar per rate ({value, low, high} in %; None or a None value: no bar), side by side."""
    slot = BAR_WIDTH / max(len(rates), 1)
    drawn: list[Bar | None] = []
    for i, rate in enumerate(rates):
        if not rate or rate.get("value") is None:
            drawn.append(None)
            continue
        top = percent_y(rate["value"])
        low, high = rate.get("low"), rate.get("high")
        drawn.append(Bar(round(i * slot + slot * 0.25, 1), top, round(BAR_HEIGHT - top, 1),
                         percent_y(high) if high is not None else None,
                         percent_y(low) if low is not None else None, rate["value"]))
    return drawn


@dataclass(frozen=True)
class Scale:
    low: float
    high: float
    log: bool

    def position(self, value: float, length: float) -> float:
        """Where value falls along an axis of this length (0 at low)."""
        a, b, v = (self._log(self.low), self._log(self.high), self._log(value)) if self.log else (
            self.low, self.high, value)
        return 0.0 if b == a else (min(max(v, a), b) - a) / (b - a) * length

    @staticmethod
    def _log(v: float) -> float:
        return math.log10(max(v, 0.0) + 1)   # +1: a value of 0 has a place


def scale_of(values: list[float]) -> Scale:
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    low = min(low, 0.0)
    positive = [v for v in values if v > 0]
    log = bool(positive) and max(positive) / min(positive) > LOG_WHEN_RATIO
    return Scale(low, high if high > low else low + 1, log)


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    quadrant: str
    id: int
    value: float
    cost: float


@dataclass(frozen=True)
class Scatter:
    dots: tuple[Dot, ...]
    cost_line: float | None      # x of the cost threshold
    value_line: float | None     # y of the value threshold
    value_log: bool


def scatter(points: list[dict], value_threshold: float | None, cost_threshold: float | None) -> Scatter:
    """Cost to serve across (x), value up (y), each from its own scale; the thresholds as lines."""
    values = [p["value"] for p in points] + ([value_threshold] if value_threshold is not None else [])
    costs = [p["cost"] for p in points] + ([cost_threshold] if cost_threshold is not None else [])
    xs, ys = scale_of(costs), scale_of(values)
    width, height = SCATTER_WIDTH - 2 * PAD, SCATTER_HEIGHT - 2 * PAD

    def x(cost: float) -> float:
        return round(PAD + xs.position(cost, width), 1)

    def y(value: float) -> float:
        return round(SCATTER_HEIGHT - PAD - ys.position(value, height), 1)

    dots = tuple(Dot(x(p["cost"]), y(p["value"]), p["quadrant"], p["id"], p["value"], p["cost"]) for p in points)
    return Scatter(dots, x(cost_threshold) if cost_threshold is not None else None,
                   y(value_threshold) if value_threshold is not None else None, ys.log)
