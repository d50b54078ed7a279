"""Where fixes are drawn on the cost/impact chart: true to their numbers, never on top of each other."""
import math
import random

import pytest

from triage.fixes import chart

AREA = chart.frame(high_cost_from=3, high_impact_from=35)


def overlaps(drawn):
    return [(a.id, b.id) for i, a in enumerate(drawn) for b in drawn[i + 1:]
            if math.hypot(a.cx - b.cx, a.cy - b.cy) < a.r + b.r]


def test_a_lone_fix_sits_exactly_at_its_cost_and_impact():
    (drawn,) = chart.layout([chart.Point(1, 4, 50.0, 3)], AREA)
    assert drawn.cx == pytest.approx(chart.x_of(4, AREA), abs=0.1)
    assert drawn.cy == pytest.approx((AREA.top + AREA.bottom) / 2, abs=0.1)


def test_the_quadrant_lines_follow_the_thresholds():
    assert AREA.cost_line == pytest.approx(AREA.left + 2 * AREA.column)
    assert chart.frame(2, 35).cost_line < AREA.cost_line
    assert chart.frame(3, 60).impact_line < AREA.impact_line  # a higher bar sits higher on the chart


def test_more_respondents_make_a_bigger_circle_up_to_a_limit():
    sizes = [chart.radius(n) for n in (0, 1, 4, 25, 1000)]
    assert sizes == sorted(sizes) and sizes[0] == chart.MIN_RADIUS and sizes[-1] == chart.MAX_RADIUS


@pytest.mark.parametrize("count", [2, 5, 30, 60])
def test_fixes_with_the_same_numbers_are_moved_apart_within_their_cost_column(count):
    drawn = chart.layout([chart.Point(i, 2, 0.0, 1) for i in range(count)], AREA)
    assert overlaps(drawn) == []
    low, high = AREA.left + AREA.column, AREA.left + 2 * AREA.column
    assert all(low <= d.cx - d.r and d.cx + d.r <= high and AREA.top <= d.cy - d.r and d.cy + d.r <= AREA.bottom
               for d in drawn)


def test_the_first_fix_in_the_queue_keeps_its_true_place_and_the_layout_never_changes():
    points = [chart.Point(i, 3, 70.0, 5) for i in range(6)]
    first = chart.layout(points, AREA)
    assert (first[0].cx, first[0].cy) == (round(chart.x_of(3, AREA), 1), round(chart.y_of(70.0, AREA.top, AREA.bottom), 1))
    assert chart.layout(points, AREA) == first


def test_a_busy_board_has_no_hidden_fix():
    rng = random.Random(7)
    points = [chart.Point(i, rng.randint(1, 5), rng.uniform(0, 100), rng.randint(0, 40)) for i in range(200)]
    assert overlaps(chart.layout(points, AREA)) == []


@pytest.mark.parametrize("impacts", ["spread", "piled"])
def test_a_thousand_fixes_are_laid_out_with_work_that_grows_with_their_number_not_its_square(impacts):
    rng = random.Random(11)
    points = [chart.Point(i, rng.randint(1, 5), rng.uniform(0, 100) if impacts == "spread" else rng.choice([0.0, 3.0]),
                          rng.randint(0, 40)) for i in range(1000)]
    done = chart.place(points, AREA)
    assert overlaps(done.drawn) == []
    # Each circle is checked against those near it only: a few hundred distances per fix, where checking
    # candidate spots against every circle of the column made millions (3.8 million for 160 fixes).
    assert done.checks < 400 * len(points)
    small = chart.place(points[:100], AREA)
    assert done.checks / 1000 < 5 * small.checks / 100


def test_a_column_fuller_than_any_layout_still_finishes_quickly():
    done = chart.place([chart.Point(i, 2, 0.0, 1) for i in range(1000)], AREA)
    assert len(done.drawn) == 1000 and done.checks < 100 * 1000
