"""The customer-fit matrix: each customer's value against their cost to serve, to decide where retention effort goes.

PURE: standard library only.

Value is the customer's `mrr` or revenue (whichever the team keeps). Cost to serve is what they take of the team,
counted over the same window for everyone and weighted (`CostWeights`):

- a support-type feedback (a problem the team must look into: reliability, service, functionality…) weighs 2 —
  it is read, investigated and answered, about two contacts' worth of work;
- a contact (the team reaching them, a call or an email) weighs 1 — the unit;
- any other message through a channel weighs 0.5 — read and triaged, rarely more.

High means above the threshold; at or below it is low. Thresholds are the medians of the team's own customers by
default (half above, half at or below, whatever the currency or the business), or set by the team. Quadrants:

- maintain — high value, low cost: the best fit; keep doing what works.
- grow — low value, low cost: easy to serve, room to sell more.
- review — low value, high cost: they cost more than they bring; change how they are served (or the offer).
- protect — high value, high cost. Not `maintain`: serving them as today keeps a high cost; not `review`: they pay
  for it. They are worth keeping and their high need for the team is also a risk signal, so the action is to
  protect the relationship while removing what makes them costly (the fixes their feedback points to). A fourth
  label keeps the chart's four corners distinct.

Customers without a known value are not placed (counted apart): a cost alone says nothing about fit.
"""
from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Sequence

QUADRANTS = ("maintain", "grow", "protect", "review")


@dataclass(frozen=True)
class CostWeights:
    support_feedback: float = 2.0
    contacts: float = 1.0
    channel_messages: float = 0.5

    def __post_init__(self):
        if min(self.support_feedback, self.contacts, self.channel_messages) < 0:
            raise ValueError("cost weights cannot be negative")


@dataclass(frozen=True)
class FitFacts:
    key: str                 # the customer (e.g. "customer:12"), handed back on their point
    value: float | None      # mrr or revenue; None: unknown
    support_feedback: int = 0
    contacts: int = 0
    channel_messages: int = 0


@dataclass(frozen=True)
class FitPoint:
    key: str
    value: float
    cost: float
    quadrant: str


@dataclass(frozen=True)
class FitMatrix:
    points: tuple[FitPoint, ...]       # for the chart and the table, in the order given
    value_threshold: float | None
    cost_threshold: float | None
    counts: dict[str, int]             # per quadrant, every quadrant present
    unvalued: int                      # customers left out for lack of a value


def cost_of(facts: FitFacts, weights: CostWeights = CostWeights()) -> float:
    return (weights.support_feedback * facts.support_feedback + weights.contacts * facts.contacts
            + weights.channel_messages * facts.channel_messages)


def quadrant_of(value: float, cost: float, value_threshold: float, cost_threshold: float) -> str:
    high_value, high_cost = value > value_threshold, cost > cost_threshold
    if high_value:
        return "protect" if high_cost else "maintain"
    return "review" if high_cost else "grow"


def fit_matrix(customers: Iterable[FitFacts], weights: CostWeights = CostWeights(),
               value_threshold: float | None = None, cost_threshold: float | None = None) -> FitMatrix:
    """Every customer with a value placed on the matrix; thresholds not given are the medians of those placed."""
    valued: list[tuple[FitFacts, float]] = []
    unvalued = 0
    for facts in customers:
        if facts.value is None:
            unvalued += 1
        else:
            valued.append((facts, cost_of(facts, weights)))
    if not valued:
        return FitMatrix((), value_threshold, cost_threshold, dict.fromkeys(QUADRANTS, 0), unvalued)
    value_threshold, cost_threshold = thresholds([facts.value for facts, _ in valued], [cost for _, cost in valued],
                                                 value_threshold, cost_threshold)
    points = tuple(FitPoint(facts.key, facts.value, cost, quadrant_of(facts.value, cost, value_threshold,
                                                                       cost_threshold)) for facts, cost in valued)
    counted = Counter(point.quadrant for point in points)
    return FitMatrix(points, value_threshold, cost_threshold, {q: counted.get(q, 0) for q in QUADRANTS}, unvalued)


def thresholds(values: Sequence[float], costs: Sequence[float], value_threshold: float | None = None,
               cost_threshold: float | None = None) -> tuple[float, float]:
    """The (value, cost) thresholds over the placed customers' values and costs (at least one each): those given,
    else the medians. Apart from fit_matrix so a caller with many customers can keep them as compact columns."""
    return _median_or(value_threshold, values), _median_or(cost_threshold, costs)


def _median_or(given: float | None, numbers: Sequence[float]) -> float:
    return given if given is not None else float(statistics.median(numbers))
