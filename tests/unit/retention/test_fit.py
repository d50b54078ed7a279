"""The customer-fit matrix on a worked example."""
import pytest

from retention.fit import CostWeights, FitFacts, FitPoint, cost_of, fit_matrix, quadrant_of


def test_cost_to_serve_is_weighted():
    # 2 support feedback × 2 + 3 contacts × 1 + 4 channel messages × 0.5 = 4 + 3 + 2 = 9.
    assert cost_of(FitFacts("c", 1.0, support_feedback=2, contacts=3, channel_messages=4)) == 9.0
    # With the team's weights 3, 0, 1: 2 × 3 + 3 × 0 + 4 × 1 = 10.
    assert cost_of(FitFacts("c", 1.0, 2, 3, 4), CostWeights(3, 0, 1)) == 10.0


def test_customers_placed_against_the_medians():
    customers = [FitFacts("A", 500.0, support_feedback=1),        # cost 2
                 FitFacts("B", 400.0),                           # cost 0
                 FitFacts("C", 100.0, contacts=1),               # cost 1
                 FitFacts("D", 50.0, channel_messages=4),        # cost 2
                 FitFacts("E", 20.0),                            # cost 0
                 FitFacts("F", None, support_feedback=9)]        # no value: not placed
    matrix = fit_matrix(customers)
    # Value median of 500, 400, 100, 50, 20 = 100; cost median of 2, 0, 1, 2, 0 = 1. High = above the median.
    assert (matrix.value_threshold, matrix.cost_threshold) == (100.0, 1.0)
    assert [(p.key, p.quadrant) for p in matrix.points] == [
        ("A", "protect"),   # 500 > 100, 2 > 1
        ("B", "maintain"),  # 400 > 100, 0 ≤ 1
        ("C", "grow"),      # 100 at the median is low, 1 at the median is low
        ("D", "review"),    # 50 low, 2 > 1
        ("E", "grow")]
    assert matrix.counts == {"maintain": 1, "grow": 2, "protect": 1, "review": 1}
    assert matrix.unvalued == 1
    assert matrix.points[0] == FitPoint("A", 500.0, 2.0, "protect")


def test_thresholds_set_by_the_team_replace_the_medians():
    matrix = fit_matrix([FitFacts("A", 500.0, support_feedback=1), FitFacts("B", 40.0)],
                        value_threshold=1000.0, cost_threshold=0.0)
    assert [p.quadrant for p in matrix.points] == ["review", "grow"]


def test_nobody_with_a_value_gives_an_empty_matrix():
    matrix = fit_matrix([FitFacts("A", None)])
    assert matrix.points == () and matrix.unvalued == 1 and set(matrix.counts.values()) == {0}
    assert matrix.value_threshold is None and matrix.cost_threshold is None


@pytest.mark.parametrize("value, cost, quadrant", [(2, 0, "maintain"), (0, 0, "grow"), (2, 2, "protect"),
                                                   (0, 2, "review"), (1, 1, "grow")])
def test_the_four_corners(value, cost, quadrant):
    assert quadrant_of(value, cost, 1, 1) == quadrant


def test_negative_weights_are_refused():
    with pytest.raises(ValueError):
        CostWeights(contacts=-1)
