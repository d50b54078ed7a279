"""The impact formula, the quadrants and the ranked queue, with worked numbers."""
import math
from datetime import datetime, timedelta

import pytest

from triage.fixes.grid import Evidence, Placed, Policy, impact, quadrant, rank, recency, unhappiness, value_weight

NOW = datetime(2026, 11, 23, 12, 0)
NPS = (0, 10)


def evidence(who, score=0, days=0, value=None, scale=NPS):
    return Evidence(who, score, scale, NOW - timedelta(days=days), value)


@pytest.mark.parametrize("score, scale, expected", [
    (0, NPS, 1.0), (10, NPS, 0.25), (5, NPS, 0.625), (1, (1, 5), 1.0), (5, (1, 5), 0.25),
    (4, (1, 7), 0.625), (None, NPS, 0.6), (7, None, 0.6),
])
def test_unhappiness_runs_from_one_at_the_bottom_to_a_quarter_at_the_top(score, scale, expected):
    assert unhappiness(score, scale) == pytest.approx(expected)


def test_value_is_the_square_root_of_value_over_the_median_clipped():
    assert value_weight(400, 100) == pytest.approx(2.0)
    assert value_weight(10_000, 100) == 3.0 and value_weight(1, 100) == 0.5
    assert value_weight(None, 100) == 1.0 and value_weight(50, None) == 1.0


def test_recency_halves_every_half_life():
    assert recency(NOW - timedelta(days=90), NOW, 90) == pytest.approx(0.5)
    assert recency(NOW + timedelta(days=1), NOW, 90) == 1.0  # a clock skew never inflates impact


def test_worked_example_four_very_unhappy_average_customers_make_39():
    result = impact([evidence(f"c{i}") for i in range(4)], NOW)
    assert result.value == pytest.approx(100 * (1 - math.exp(-4 / 8)), abs=0.05) == pytest.approx(39.3, abs=0.05)
    assert result.respondents == 4


def test_a_respondent_counts_once_by_their_strongest_evidence():
    once = impact([evidence("a", score=0)], NOW)
    twice = impact([evidence("a", score=9), evidence("a", score=0), evidence("a", score=3)], NOW)
    assert twice.value == once.value and twice.respondents == 1


def test_unhappy_valuable_recent_evidence_weighs_more():
    base = impact([evidence("a", score=5, days=10)], NOW, reference_value=100).value
    assert impact([evidence("a", score=1, days=10)], NOW, reference_value=100).value > base
    assert impact([evidence("a", score=5, days=10, value=900)], NOW, reference_value=100).value > base
    assert impact([evidence("a", score=5, days=200)], NOW, reference_value=100).value < base
    assert impact([evidence("a", score=5, days=10), evidence("b", score=5, days=10)], NOW).value > base


def test_an_override_replaces_the_value_and_keeps_the_computed_one():
    result = impact([evidence("a")], NOW, override=90)
    assert result.value == 90 and result.overridden and result.computed == pytest.approx(11.8, abs=0.05)


def test_no_evidence_means_no_impact():
    result = impact([], NOW)
    assert result.value == 0 and result.respondents == 0


@pytest.mark.parametrize("cost, impact_value, expected", [
    (1, 35, "quick_win"), (2, 90, "quick_win"), (3, 35, "major_project"), (5, 100, "major_project"),
    (1, 34.9, "fill_in"), (2, 0, "fill_in"), (3, 34.9, "time_sink"), (5, 0, "time_sink"),
])
def test_quadrants_from_the_default_thresholds(cost, impact_value, expected):
    assert quadrant(cost, impact_value) == expected


def test_thresholds_are_configurable():
    policy = Policy(high_impact_from=80, high_cost_from=5)
    assert quadrant(4, 70, policy) == "fill_in" and quadrant(5, 85, policy) == "major_project"


def test_queue_orders_by_quadrant_then_impact_per_cost_then_respondents_then_age():
    fixes = [Placed(1, 5, 10, 1),    # time sink
             Placed(2, 1, 20, 3),    # fill-in
             Placed(3, 4, 90, 9),    # major project, 22.5 per cost
             Placed(4, 2, 50, 4),    # quick win, 25 per cost
             Placed(5, 1, 45, 2),    # quick win, 45 per cost
             Placed(6, 3, 67.5, 9),  # major project, 22.5 per cost, same respondents as 3: older first
             Placed(7, 2, 90, 5)]    # quick win, 45 per cost, more respondents than 5
    order = [(position, fix.id, where) for position, fix, where in rank(fixes)]
    assert order == [(1, 7, "quick_win"), (2, 5, "quick_win"), (3, 4, "quick_win"),
                     (4, 3, "major_project"), (5, 6, "major_project"), (6, 2, "fill_in"), (7, 1, "time_sink")]
