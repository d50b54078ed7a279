"""Which verbatim teaches the model most if a person labels it: the order of the "needs review" list.

PURE: standard library, and numpy/scipy for the similarities. Uncertainty sampling by margin (a verbatim whose two
likeliest types are close teaches more than one the model barely doubts), weighted by density (how alike the
verbatims around it are: a label on a typical comment teaches about many, one on an oddity about itself — plain
uncertainty picked oddities and did no better than random order on real feedback), with diversity from theme
groups: the k-th member of a group counts 1 / (1 + k), so twenty near-identical complaints are not all first —
one of them is, and its label teaches the rest. Rank and density are fixed when a verbatim is classified, so the
order is a stored number that the list reads from an index (triage.models.LIST_ORDER). Measured against random
order in bench/learning_curve.py.
"""
from __future__ import annotations

SCALE = 10_000  # priorities are whole numbers, so a page boundary compares exactly
NEIGHBOURS = 10  # density: the mean similarity to this many most similar verbatims
# With nothing to compare with yet (a process's first verbatim), a middling density: about the median measured
# over real feedback with the team model's features, so such a verbatim is neither first nor last for it.
NO_DENSITY = 0.2


def uncertainty(probabilities: dict[str, float]) -> float:
    """1 − (p₁ − p₂): 1 when the two likeliest types tie or nothing could be told, near 0 when one is sure."""
    if len(probabilities) < 2:
        return 1.0
    first, second = sorted(probabilities.values(), reverse=True)[:2]
    return 1.0 - (first - second)


def priority(probabilities: dict[str, float], rank_in_group: int = 0, density: float = 1.0) -> int:
    return round(SCALE * uncertainty(probabilities) * min(max(density, 0.0), 1.0) / (1 + max(rank_in_group, 0)))


def refined_priority(probabilities: dict[str, float], rank_in_group: int = 0) -> int:
    """The order once the optional encoder has refined a record: margin ÷ (1 + rank), without density. Measured in
    bench/encoder_review_order.py (12 seeds): on the blend with the encoder, margin alone beats random order at every
    point, and the fast model's density (its letter-group features) took half of that gain away."""
    return priority(probabilities, rank_in_group, 1.0)


def densities(vectors: list[dict[str, float]], earlier: list[dict[str, float]],
              neighbours: int = NEIGHBOURS) -> list[float]:
    """Each vector's mean cosine similarity to its `neighbours` most similar among `earlier` and the other
    vectors of the list (never itself). NO_DENSITY where there is nothing to compare with."""
    if not vectors:
        return []
    import numpy
    from scipy import sparse

    rows = earlier + vectors
    columns: dict[str, int] = {}
    data, row_index, column_index = [], [], []
    for number, vector in enumerate(rows):
        norm = sum(v * v for v in vector.values()) ** 0.5 or 1.0
        for name, value in vector.items():
            data.append(value / norm)
            row_index.append(number)
            column_index.append(columns.setdefault(name, len(columns)))
    matrix = sparse.csr_matrix((data, (row_index, column_index)), shape=(len(rows), max(len(columns), 1)))
    similar = (matrix[len(earlier):] @ matrix.T).toarray()
    similar[numpy.arange(len(vectors)), len(earlier) + numpy.arange(len(vectors))] = -1.0  # never itself
    others = len(rows) - 1
    if others == 0:
        return [NO_DENSITY] * len(vectors)
    nearest = numpy.sort(similar, axis=1)[:, -min(neighbours, others):]
    return [float(value) for value in nearest.mean(axis=1)]


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
