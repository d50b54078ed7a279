"""The loop and fit charts' geometry (retention.insight.charts), worked by hand."""
from __future__ import annotations

import pytest

from retention.insight import charts


def test_a_bar_stands_as_high_as_its_rate_with_its_interval_as_whisker():
    told, missing = charts.bars([{"value": 75.0, "low": 30.0, "high": 95.0}, None])
    # 200 units high: 75 % → top at 200 − 150 = 50; whisker from 95 % (y 10) down to 30 % (y 140).
    assert (told.y, told.height, told.whisker_top, told.whisker_bottom) == (50.0, 150.0, 10.0, 140.0)
    assert told.x == 40.0  # two slots of 160: a quarter into the first
    assert missing is None


def test_values_spanning_more_than_a_hundredfold_are_drawn_on_a_log_axis():
    assert charts.scale_of([1.0, 50.0]).log is False
    assert charts.scale_of([1.0, 1000.0]).log is True
    axis = charts.Scale(0.0, 999.0, log=True)
    # log10(v + 1): 0 → 0, 999 → 3; 9 is at log10(10) = 1, a third of the way.
    assert axis.position(9.0, 300) == pytest.approx(100.0)


def test_the_scatter_puts_each_point_and_the_median_lines_inside_the_frame():
    drawn = charts.scatter([{"id": 1, "value": 100.0, "cost": 5.0, "quadrant": "protect"},
                            {"id": 2, "value": 0.0, "cost": 0.0, "quadrant": "grow"}], 50.0, 2.5)
    high, low = drawn.dots
    # x from 40 to 520 over costs 0–5; y from 280 (bottom) to 40 over values 0–100.
    assert (high.x, high.y, low.x, low.y) == (520.0, 40.0, 40.0, 280.0)
    assert (drawn.cost_line, drawn.value_line) == (280.0, 160.0)
