"""The customer-fit matrix read from the database: each current customer's value against their cost to serve.

Decisions (docs/retention.md, "The customer-fit matrix"):

- Who: current customers (their lifetime, retention.kpis.lifetime_of, has not ended by now).
- Value: the customer's numeric value attribute (IMPACT_VALUE_ATTRIBUTE, `mrr` by default), else their revenue — the sum of their activity amounts over the
  last 365 days (None when neither is known: not placed, counted apart).
- Cost to serve, over the same 365 days for everyone: support-type feedback = their answers and channel
  feedback classified into a problem type (every type but praise and the other no-problem outcomes; unclassified
  ones are not counted); contacts = their answers the team marked contacted (contacted_at); channel messages =
  their other channel feedback (not survey answers, not already counted as support).
- Stored: thresholds, counts per quadrant, at most SAMPLE points for the chart (the most valuable half, the rest
  drawn at random with a seed of the day, so a refresh on the same day draws the same) and the TOP customers of
  each quadrant for the table.
"""
from __future__ import annotations

import heapq
import random
from array import array
from collections import Counter
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Iterator

from sqlalchemy import func, or_, select

from feedback_app.core.extensions import db
from retention.fit import QUADRANTS, CostWeights, FitFacts, cost_of, quadrant_of, thresholds
from retention.insight.lifetimes import facts_between
from surveys.models import Customer, Invitation, Response
from triage.classification.types import NOT_PROBLEM_KEYS
from triage.models import TriageItem

WINDOW_DAYS = 365
SAMPLE = 500
TOP = 10
BATCH = 1000
VALUE_ATTRIBUTE = "mrr"


def number_of(value) -> float | None:
    """An attribute read as a number: attributes arrive as text from a CSV ("49.90"), or as numbers."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value).strip().replace(",", ""))
    except ValueError:
        return None


def customer_ranges() -> Iterator[tuple[int, int]]:
    """Every customer, a batch at a time, as the (first id, last id) of the batch (keyset: memory flat). Every
    customer with an id in the range belongs to the batch, so the batch is read by range, not by a list of ids."""
    after = 0
    while True:
        ids = db.session.scalars(select(Customer.id).where(Customer.id > after).order_by(Customer.id)
                                 .limit(BATCH)).all()
        if not ids:
            return
        yield ids[0], ids[-1]
        after = ids[-1]


def costs_of(low: int, high: int, since: datetime) -> tuple[dict, dict, dict]:
    """(support feedback, contacts, other channel messages) per customer with an id in [low, high], over answers
    since `since`."""
    is_support = TriageItem.type_key.is_not(None) & TriageItem.type_key.not_in(sorted(NOT_PROBLEM_KEYS))
    not_support = or_(TriageItem.type_key.is_(None), TriageItem.type_key.in_(sorted(NOT_PROBLEM_KEYS)))
    support = _per_customer(low, high, since, lambda q: q.join(TriageItem, TriageItem.response_id == Response.id)
                            .where(is_support))
    contacts = _per_customer(low, high, since, lambda q: q.where(Response.contacted_at.is_not(None)))
    channel = _per_customer(low, high, since,
                            lambda q: q.outerjoin(TriageItem, TriageItem.response_id == Response.id)
                            .where(Response.channel != "survey", not_support))
    return support, contacts, channel


def _per_customer(low: int, high: int, since: datetime, narrowed) -> dict[int, int]:
    """How many answers since `since` each customer with an id in [low, high] gave, as `narrowed` filters them. An
    answer's customer (surveys.people.respondents.respondent_customer_id) is the answer's own, else its
    invitation's: two queries, each reaching the answers through an index on its customer column instead of
    scanning every answer."""
    own = (select(Response.customer_id, func.count()).select_from(Response)
           .where(Response.customer_id.between(low, high), Response.answered_at >= since)
           .group_by(Response.customer_id))
    # `customer_id + 0`: the same test, which no index serves. As `customer_id IS NULL`, SQLite (no statistics)
    # read every survey answer through the customer index for each batch — a scan per batch, quadratic in all —
    # instead of the batch's invitations through theirs, then each one's answer.
    invited = (select(Invitation.customer_id, func.count()).select_from(Invitation)
               .join(Response, Response.invitation_id == Invitation.id)
               .where(Invitation.customer_id.between(low, high), (Response.customer_id + 0).is_(None),
                      Response.answered_at >= since).group_by(Invitation.customer_id))
    counts: Counter[int] = Counter()
    for query in (own, invited):
        counts.update(dict(db.session.execute(narrowed(query)).all()))
    return counts


def fit_facts(now: datetime, value_attribute: str = VALUE_ATTRIBUTE) -> Iterator[FitFacts]:
    since = now - timedelta(days=WINDOW_DAYS)
    for low, high in customer_ranges():
        facts = facts_between(low, high, revenue_since=since)
        support, contacts, channel = costs_of(low, high, since)
        for customer_id, known in sorted(facts.items()):
            if known.lifetime.ends is not None and known.lifetime.ends <= now:
                continue
            value = number_of(known.attributes.get(value_attribute))
            if value is None:
                value = known.revenue
            yield FitFacts(str(customer_id), value, support.get(customer_id, 0), contacts.get(customer_id, 0),
                           channel.get(customer_id, 0))


class Placed:
    """The customers placed on the matrix, in the order read, as compact columns: about 50 bytes a customer where a
    FitFacts, a FitPoint and a dict each took some 900 (100,000 customers: 5 MB instead of 85). Only the SAMPLE
    and TOP customers become dicts."""

    def __init__(self):
        self.ids, self.values, self.costs = array("q"), array("d"), array("d")
        self.support, self.contacts, self.channel = array("q"), array("q"), array("q")
        self.quadrants = bytearray()  # index in QUADRANTS, once placed

    def __len__(self) -> int:
        return len(self.ids)

    def add(self, facts: FitFacts, cost: float) -> None:
        self.ids.append(int(facts.key))
        self.values.append(facts.value)
        self.costs.append(cost)
        self.support.append(facts.support_feedback)
        self.contacts.append(facts.contacts)
        self.channel.append(facts.channel_messages)

    def place(self, value_threshold: float, cost_threshold: float) -> None:
        self.quadrants = bytearray(QUADRANTS.index(quadrant_of(value, cost, value_threshold, cost_threshold))
                                   for value, cost in zip(self.values, self.costs))

    def by_value(self, index: int) -> tuple:
        return -self.values[index], -self.costs[index], self.ids[index]

    def by_cost(self, index: int) -> tuple:
        return -self.costs[index], self.values[index], self.ids[index]

    def point(self, index: int) -> dict:
        return {"id": self.ids[index], "value": self.values[index], "cost": self.costs[index],
                "quadrant": QUADRANTS[self.quadrants[index]], "support_feedback": self.support[index],
                "contacts": self.contacts[index], "channel_messages": self.channel[index]}


def fit_figures(now: datetime, value_attribute: str = VALUE_ATTRIBUTE) -> dict:
    """The `fit:all` figure (JSON): retention.fit.fit_matrix's placing, over customers streamed into compact
    columns (memory flat but for some 50 bytes a customer)."""
    weights, placed, customers = CostWeights(), Placed(), 0
    for facts in fit_facts(now, value_attribute):
        customers += 1
        if facts.value is not None:
            placed.add(facts, cost_of(facts, weights))
    value_threshold = cost_threshold = None
    if len(placed):
        value_threshold, cost_threshold = thresholds(placed.values, placed.costs)
        placed.place(value_threshold, cost_threshold)
    counted = Counter(placed.quadrants)
    by_value = sorted(range(len(placed)), key=placed.by_value)
    return {
        "customers": customers,
        "unvalued": customers - len(placed),
        "value_threshold": value_threshold,
        "cost_threshold": cost_threshold,
        "counts": {q: counted.get(i, 0) for i, q in enumerate(QUADRANTS)},
        "weights": asdict(weights),
        "window_days": WINDOW_DAYS,
        "sample": [placed.point(i) for i in sample_of(by_value, now)],
        "top": {q: [placed.point(i) for i in top_of(placed, q)] for q in QUADRANTS},
    }


def sample_of(by_value: list, now: datetime) -> list:
    """At most SAMPLE of the customers, most valuable first: the first half of SAMPLE, the rest drawn at random
    with a seed of the day."""
    if len(by_value) <= SAMPLE:
        return by_value
    head = by_value[:SAMPLE // 2]
    rest = random.Random(now.date().toordinal()).sample(by_value[SAMPLE // 2:], SAMPLE - len(head))
    return head + rest


def top_of(placed: Placed, quadrant: str) -> list[int]:
    """The customers to look at first (their indexes in `placed`): the most valuable, except in review (low value,
    high cost) — the costliest."""
    wanted = QUADRANTS.index(quadrant)
    chosen = (i for i, q in enumerate(placed.quadrants) if q == wanted)
    return heapq.nsmallest(TOP, chosen, key=placed.by_cost if quadrant == "review" else placed.by_value)
