import pytest

from triage.classification.teaching import (
    NO_DENSITY,
    SCALE,
    densities,
    priority,
    ranks_in_groups,
    refined_priority,
    regrouped,
    uncertainty,
)


@pytest.mark.parametrize("probabilities, expected", [
    ({"pricing": 0.5, "service": 0.5}, 1.0),                     # a tie: the most to learn
    ({"pricing": 0.9, "service": 0.05, "usability": 0.05}, 0.15),
    ({"pricing": 1.0, "service": 0.0}, 0.0),                     # sure: nothing to learn
    ({"pricing": 1.0}, 1.0),                                     # one type known: no margin to trust
    ({}, 1.0),                                                   # nothing could be told
])
def test_uncertainty_is_one_minus_the_margin_of_the_two_likeliest_types(probabilities, expected):
    assert uncertainty(probabilities) == pytest.approx(expected)


def test_a_closer_call_comes_first_and_later_members_of_a_group_count_less():
    close, clear = {"a": 0.45, "b": 0.40, "c": 0.15}, {"a": 0.7, "b": 0.2, "c": 0.1}
    assert priority(close) > priority(clear)
    assert priority(close) == round(SCALE * 0.95)
    assert priority(close, 1) == round(SCALE * 0.95 / 2) and priority(close, 19) < priority(clear, 0)


def test_twenty_near_identical_complaints_are_not_all_first():
    # 20 verbatims of one group, each a little less sure than the last, and 5 others, each alone.
    groups = ["export pdf"] * 20 + [None] * 5
    ranks = ranks_in_groups(groups, {})
    scores = [priority({"a": 0.5, "b": 0.45 - i / 100}, rank) for i, rank in enumerate(ranks[:20])]
    scores += [priority({"a": 0.6, "b": 0.3}, 0) for _ in range(5)]
    first_six = sorted(range(25), key=lambda i: -scores[i])[:6]
    assert sum(1 for i in first_six if i < 20) == 1  # one of the twenty, then the five others


def test_ranks_count_the_members_a_group_had_and_those_joining_before():
    assert ranks_in_groups(["x", "y", "x", None, "x"], {"x": 3}) == [3, 0, 4, 0, 5]


def test_a_priority_moved_to_another_rank_keeps_its_uncertainty():
    stored = priority({"a": 0.5, "b": 0.4}, 0)
    assert regrouped(stored, None, 3) == priority({"a": 0.5, "b": 0.4}, 3)
    assert regrouped(regrouped(stored, 0, 3), 3, 0) == stored


def test_density_is_the_mean_similarity_to_the_nearest_others_never_itself():
    export = {"w:export": 1.0, "w:slow": 1.0}
    same, half, other = dict(export), {"w:export": 1.0}, {"w:invoice": 1.0}
    found = densities([export, other], [same, half, other], neighbours=2)
    assert found[0] == pytest.approx((1.0 + 0.5 ** 0.5) / 2)  # the copy and the half-alike, not the invoice
    assert found[1] == pytest.approx((1.0 + 0.0) / 2)          # the other invoice (earlier), then nothing alike
    assert densities([export], []) == [NO_DENSITY] and densities([], [export]) == []
    assert densities([export, same], [], neighbours=5) == pytest.approx([1.0, 1.0])  # each other, not themselves


def test_a_typical_comment_comes_before_an_oddity_as_unsure():
    unsure = {"a": 0.5, "b": 0.45}
    assert priority(unsure, 0, 0.6) > priority(unsure, 0, 0.1) and priority(unsure, 0, 1.7) == priority(unsure, 0, 1)


def test_once_refined_the_order_is_the_margin_within_the_group_without_density():
    # margin 0.5 − 0.4 → uncertainty 0.9: 9,000 alone, 4,500 as a group's second member, whatever the density was.
    unsure = {"a": 0.5, "b": 0.4, "c": 0.1}
    assert refined_priority(unsure) == 9_000 and refined_priority(unsure, 1) == 4_500
    assert refined_priority(unsure) > priority(unsure, 0, 0.3)  # the fast model's formula, a typical density
    assert refined_priority({"a": 0.8, "b": 0.1}, 0) < refined_priority(unsure, 0)
