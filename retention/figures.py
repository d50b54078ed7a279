"""The retention figures of periods from the database (`feedback retention report`, the refresh's stored figures):
customers streamed BATCH at a time into the pure retention.kpis accumulators, each batch read with a few
set-based queries, so 100,000 customers take constant memory.

What is read, and the decisions taken here:
- a lifetime: Customer.customer_since and .ended_at, their first activity of any kind, their latest cancel and
  latest other activity (retention.kpis.lifetime_of);
- purchases: activities of kind `purchase` or `renewal` (PURCHASE_KINDS) — a renewal is a customer paying again,
  which is what the repeat rate and purchase frequency ask about; logins and other kinds are use, not purchases.
  Their amounts give the revenue and its concentration;
- mrr: the customer's value attribute (IMPACT_VALUE_ATTRIBUTE, `mrr` by default) when it reads as a number;
- unhappy respondents: answers that await a call (unhappy, with a comment, may be contacted: Response.awaits_contact)
  with the team's contacted_at;
- fixes: shipped fixes with their earliest linked feedback. Fixes belong to no one customer: a customer condition
  (a segment) narrows customers and respondents, never the fixes.

`customer_condition`: an optional SQLAlchemy boolean clause over surveys.models.Customer (a segment's filter).
"""
from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime
from typing import Sequence

from sqlalchemy import and_, case, func, select

from feedback_app.core.extensions import db
from retention.kpis import (CANCEL_KIND, CustomerHistory, Period, Purchase, RetentionReport, TrendAccumulator,
                            lifetime_of, months)
from retention.models import Activity, RetentionFigure
from surveys.models import Customer, Invitation, Response
from surveys.people.respondents import respondent_customer_id
from triage.models import Fix, FixLink

BATCH = 2000
PURCHASE_KINDS = ("purchase", "renewal")
MONTH_KEY, QUARTER_KEY = "kpis:month:{:%Y-%m}", "kpis:quarter:{}-Q{}"
STORED_MONTHS = 12  # complete months stored by each refresh, beside the current month to date


def retention_trend(periods: Sequence[Period], now: datetime, customer_condition=None,
                    value_attribute: str = "mrr") -> list[RetentionReport]:
    """The figures of each period, from one pass over the customers."""
    if not periods:
        return []
    accumulator = TrendAccumulator(periods, now)
    start, end = min(p.start for p in periods), max(p.end for p in periods)
    for history in _histories(start, end, customer_condition, value_attribute):
        accumulator.add(history)
    for answered_at, contacted_at in _contacts(start, end, customer_condition):
        accumulator.add_contact(answered_at, contacted_at)
    for first_feedback_at, shipped_at in _fixes(start, end):
        accumulator.add_fix(first_feedback_at, shipped_at)
    return accumulator.result()


def retention_report(period: Period, now: datetime, customer_condition=None,
                     value_attribute: str = "mrr") -> RetentionReport:
    return retention_trend([period], now, customer_condition, value_attribute)[0]


def _histories(since: datetime, until: datetime, condition, value_attribute: str):
    """Every customer (matching `condition`) as a CustomerHistory with their purchases in [since, until) and the
    count of those before `since`: the rows read are the periods', not the customers' whole history."""
    after = 0
    while True:
        query = select(Customer.id, Customer.customer_since, Customer.ended_at, Customer.attributes).where(
            Customer.id > after)
        if condition is not None:
            query = query.where(condition)
        customers = db.session.execute(query.order_by(Customer.id).limit(BATCH)).all()
        if not customers:
            return
        low, high = customers[0].id, customers[-1].id
        lifetimes, purchases = _activity_facts(low, high, since), _purchases(low, high, since, until)
        for customer in customers:
            first, cancel, other, earlier = lifetimes.get(customer.id, (None, None, None, 0))
            value = number((customer.attributes or {}).get(value_attribute))
            yield CustomerHistory(lifetime_of(customer.customer_since, customer.ended_at, first, cancel, other),
                                  purchases.get(customer.id, ()), value, earlier)
        after = high


def _activity_facts(low: int, high: int, since: datetime) -> dict[int, tuple]:
    """(first activity, latest cancel, latest other activity, purchases before `since`) by customer id in
    [low, high]: one pass over their activity in the database, one row per customer out of it."""
    cancel = Activity.kind == CANCEL_KIND
    earlier = and_(Activity.kind.in_(PURCHASE_KINDS), Activity.occurred_at < since)
    rows = db.session.execute(
        select(Activity.customer_id, func.min(Activity.occurred_at),
               func.max(case((cancel, Activity.occurred_at))), func.max(case((~cancel, Activity.occurred_at))),
               func.count(case((earlier, 1))))
        .where(Activity.customer_id.between(low, high)).group_by(Activity.customer_id))
    return {customer_id: (first, last_cancel, last_other, before)
            for customer_id, first, last_cancel, last_other, before in rows}


def _purchases(low: int, high: int, since: datetime, until: datetime) -> dict[int, list[Purchase]]:
    found: dict[int, list[Purchase]] = defaultdict(list)
    for customer_id, at, amount in db.session.execute(
            select(Activity.customer_id, Activity.occurred_at, Activity.amount)
            .where(Activity.customer_id.between(low, high), Activity.kind.in_(PURCHASE_KINDS),
                   Activity.occurred_at >= since, Activity.occurred_at < until)):
        found[customer_id].append(Purchase(at, amount))
    return found


def number(value) -> float | None:
    """An attribute's value as a finite number (a CSV keeps "120", "120.5"), else None."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        parsed = float(str(value).strip().replace(",", ""))
    except ValueError:
        return None
    return parsed if math.isfinite(parsed) else None


def _contacts(start: datetime, end: datetime, condition):
    query = (select(Response.answered_at, Response.contacted_at)
             .where(Response.awaits_contact, Response.answered_at >= start, Response.answered_at < end))
    if condition is not None:
        query = (query.outerjoin(Invitation, Invitation.id == Response.invitation_id)
                 .join(Customer, Customer.id == respondent_customer_id()).where(condition))
    return db.session.execute(query.execution_options(yield_per=5000))


def _fixes(start: datetime, end: datetime):
    first_feedback = (select(func.min(FixLink.answered_at)).where(FixLink.fix_id == Fix.id)
                      .correlate(Fix).scalar_subquery())
    return [(first, shipped) for shipped, first in db.session.execute(
        select(Fix.shipped_at, first_feedback)
        .where(Fix.status == "shipped", Fix.shipped_at >= start, Fix.shipped_at < end))]


# ---------------------------------------------------------------- the stored figures (RetentionFigure)

def stored_periods(now: datetime) -> dict[str, Period]:
    """The periods each refresh stores, by key: the last STORED_MONTHS complete months and the current month to
    date; the last complete quarter and the current one to date."""
    month = datetime(now.year, now.month, 1)
    first = add_months(month, -STORED_MONTHS)
    periods = {MONTH_KEY.format(p.start): p for p in months(first, add_months(month, 1))}
    quarter = datetime(now.year, 3 * ((now.month - 1) // 3) + 1, 1)
    for start in (add_months(quarter, -3), quarter):
        periods[QUARTER_KEY.format(start.year, (start.month - 1) // 3 + 1)] = Period(start, add_months(start, 3))
    return periods


def store_figures(now: datetime, value_attribute: str = "mrr") -> list[str]:
    """Compute the stored periods' figures and write them (the caller commits); returns their keys."""
    periods = stored_periods(now)
    reports = retention_trend(list(periods.values()), now, value_attribute=value_attribute)
    for key, report in zip(periods, reports):
        figure = db.session.get(RetentionFigure, key)
        if figure is None:
            db.session.add(RetentionFigure(key=key, data=report.as_dict(), computed_at=now))
        else:
            figure.data, figure.computed_at = report.as_dict(), now
    return list(periods)


def add_months(moment: datetime, count: int) -> datetime:
    index = moment.year * 12 + moment.month - 1 + count
    return datetime(index // 12, index % 12 + 1, 1)
