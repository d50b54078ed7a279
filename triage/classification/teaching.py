"""Which verbatim teaches the model most if a person labels it: the order of the "needs review" list.

PURE: standard library. Uncertainty sampling by margin (a verbatim whose two likeliest types are close teaches
more than one the model barely doubts), with diversity from theme groups: the k-th member of a group counts
1 / (1 + k), so twenty near-identical complaints are not all first — one of them is, and its label teaches the
rest. The rank in its group is fixed when a verbatim joins the group, so the order is a stored number that the
list reads from an index (triage.models.LIST_ORDER); measured against random order in bench/learning_curve.py.
"""
from __future__ import annotations

SCALE = 10_000  # priorities are whole numbers, so a page boundary compares exactly


def uncertainty(probabilities: dict[str, float]) -> float:
    """1 − (p₁ − p₂): 1 when the two likeliest types tie or nothing could be told, near 0 when one is sure."""
    if len(probabilities) < 2:
        return 1.0
    first, second = sorted(probabilities.values(), reverse=True)[:2]
    return 1.0 - (first - second)


def priority(probabilities: dict[str, float], rank_in_group: int = 0) -> int:
    return round(SCALE * uncertainty(probabilities) / (1 + max(rank_in_group, 0)))


def regrouped(priority_points: int, old_rank: int | None, new_rank: int) -> int:
    """A stored priority moved to a new rank in a group (the uncertainty it holds is kept)."""
    return round(priority_points * (1 + (old_rank or 0)) / (1 + new_rank))


def ranks_in_groups(groups: list[str | None], sizes: dict[str, int]) -> list[int]:
    """Each verbatim's rank in its group as it joins: the members the group had (`sizes`) plus those of this
    list before it. A verbatim without a group is alone (rank 0)."""
    joined: dict[str, int] = {}
    ranks = []
    for group in groups:
        if group is None:
            ranks.append(0)
            continue
        ranks.append(sizes.get(group, 0) + joined.get(group, 0))
        joined[group] = joined.get(group, 0) + 1
    return ranks
