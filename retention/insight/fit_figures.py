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

import random
from collections import Counter
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Iterator, Sequence

from sqlalchemy import func, or_, select

from feedback_app.core.extensions import db
from feedback_app.core.sql import slices
from retention.fit import QUADRANTS, CostWeights, FitFacts, fit_matrix
from retention.insight.lifetimes import facts_of
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


def customer_ids() -> Iterator[list[int]]:
    """Every customer id, a batch at a time (keyset: memory flat)."""
    after = 0
    while True:
        ids = db.session.scalars(select(Customer.id).where(Customer.id > after).order_by(Customer.id)
                                 .limit(BATCH)).all()
        if not ids:
            return
        yield list(ids)
        after = ids[-1]


def costs_of(ids: Sequence[int], since: datetime) -> tuple[dict, dict, dict]:
    """(support feedback, contacts, other channel messages) per customer of `ids`, over answers since `since`."""
    is_support = TriageItem.type_key.is_not(None) & TriageItem.type_key.not_in(sorted(NOT_PROBLEM_KEYS))
    not_support = or_(TriageItem.type_key.is_(None), TriageItem.type_key.in_(sorted(NOT_PROBLEM_KEYS)))
    support = _per_customer(ids, since, lambda q: q.join(TriageItem, TriageItem.response_id == Response.id)
                            .where(is_support))
    contacts = _per_customer(ids, since, lambda q: q.where(Response.contacted_at.is_not(None)))
    channel = _per_customer(ids, since, lambda q: q.outerjoin(TriageItem, TriageItem.response_id == Response.id)
                            .where(Response.channel != "survey", not_support))
    return support, contacts, channel


def _per_customer(ids: Sequence[int], since: datetime, narrowed) -> dict[int, int]:
    """How many answers since `since` each customer of `ids` gave, as `narrowed` filters them. An answer's customer
    (surveys.people.respondents.respondent_customer_id) is the answer's own, else its invitation's: two queries,
    each reaching the answers through an index on its customer column instead of scanning every answer."""
    counts: Counter[int] = Counter()
    for part in slices(list(ids)):
        own = (select(Response.customer_id, func.count()).select_from(Response)
               .where(Response.customer_id.in_(part), Response.answered_at >= since).group_by(Response.customer_id))
        invited = (select(Invitation.customer_id, func.count()).select_from(Invitation)
                   .join(Response, Response.invitation_id == Invitation.id)
                   .where(Invitation.customer_id.in_(part), Response.customer_id.is_(None),
                          Response.answered_at >= since).group_by(Invitation.customer_id))
        for query in (own, invited):
            counts.update(dict(db.session.execute(narrowed(query)).all()))
    return counts


def fit_facts(now: datetime, value_attribute: str = VALUE_ATTRIBUTE) -> Iterator[FitFacts]:
    since = now - timedelta(days=WINDOW_DAYS)
    for ids in customer_ids():
        facts = facts_of(ids, revenue_since=since)
        support, contacts, channel = costs_of(ids, since)
        for customer_id in ids:
            known = facts[customer_id]
            if known.lifetime.ends is not None and known.lifetime.ends <= now:
                continue
            value = number_of(known.attributes.get(value_attribute))
            if value is None:
                value = known.revenue
            yield FitFacts(str(customer_id), value, support.get(customer_id, 0), contacts.get(customer_id, 0),
                           channel.get(customer_id, 0))


def _point(point, facts: FitFacts) -> dict:
    return {"id": int(point.key), "value": point.value, "cost": point.cost, "quadrant": point.quadrant,
            "support_feedback": facts.support_feedback, "contacts": facts.contacts,
            "channel_messages": facts.channel_messages}


def fit_figures(now: datetime, value_attribute: str = VALUE_ATTRIBUTE) -> dict:
    """The `fit:all` figure (JSON)."""
    facts = list(fit_facts(now, value_attribute))
    matrix = fit_matrix(facts)
    valued = [f for f in facts if f.value is not None]
    points = [_point(point, f) for point, f in zip(matrix.points, valued)]  # fit_matrix keeps the order given
    by_value = sorted(points, key=lambda p: (-p["value"], -p["cost"], p["id"]))
    return {
        "customers": len(facts),
        "unvalued": matrix.unvalued,
        "value_threshold": matrix.value_threshold,
        "cost_threshold": matrix.cost_threshold,
        "counts": matrix.counts,
        "weights": asdict(CostWeights()),
        "window_days": WINDOW_DAYS,
        "sample": sample_of(by_value, now),
        "top": {q: top_of(points, q) for q in QUADRANTS},
    }


def sample_of(by_value: list[dict], now: datetime) -> list[dict]:
    if len(by_value) <= SAMPLE:
        return by_value
    head = by_value[:SAMPLE // 2]
    rest = random.Random(now.date().toordinal()).sample(by_value[SAMPLE // 2:], SAMPLE - len(head))
    return head + rest


def top_of(points: list[dict], quadrant: str) -> list[dict]:
    """The customers to look at first: the most valuable, except in review (low value, high cost) — the costliest."""
    chosen = [p for p in points if p["quadrant"] == quadrant]
    if quadrant == "review":
        chosen.sort(key=lambda p: (-p["cost"], p["value"], p["id"]))
    else:
        chosen.sort(key=lambda p: (-p["value"], -p["cost"], p["id"]))
    return chosen[:TOP]
