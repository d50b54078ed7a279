"""Customers' lifetimes and revenue for a batch of customer ids, in one grouped query (never one per customer):
`facts_of` for any ids (a few hundred a statement), `facts_between` for every customer of an id range (one
statement whatever the batch: the fit matrix walks all customers this way)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Sequence

from sqlalchemy import DateTime, Float, case, func, select, type_coerce

from feedback_app.core.extensions import db
from feedback_app.core.sql import slices
from retention.kpis import CANCEL_KIND, Lifetime, lifetime_of
from retention.models import Activity
from surveys.models import Customer


@dataclass(frozen=True)
class CustomerFacts:
    lifetime: Lifetime
    attributes: dict
    revenue: float | None      # sum of activity amounts since `revenue_since`; None: no amount at all


def facts_of(customer_ids: Sequence[int], revenue_since: datetime | None = None) -> dict[int, CustomerFacts]:
    """Each customer's lifetime (retention.kpis.lifetime_of over their dates and activity aggregates) and revenue;
    one query per slice of ids (a few hundred ids a statement)."""
    found: dict[int, CustomerFacts] = {}
    for ids in slices(list(customer_ids)):
        found.update(_read(_query(Customer.id.in_(ids), Activity.customer_id.in_(ids), revenue_since)))
    return found


def facts_between(low: int, high: int, revenue_since: datetime | None = None) -> dict[int, CustomerFacts]:
    """As facts_of, for every customer with an id in [low, high]: one statement, reaching the activity by its
    customer index as a range instead of a list of ids (sending and planning a list of a thousand ids cost the
    fit matrix a third of its time at 100,000 customers)."""
    return _read(_query(Customer.id.between(low, high), Activity.customer_id.between(low, high), revenue_since))


def _read(query) -> dict[int, CustomerFacts]:
    found: dict[int, CustomerFacts] = {}
    for row in db.session.execute(query):
        lifetime = lifetime_of(row.customer_since, row.ended_at, row.first_at, row.last_cancel_at, row.last_other_at)
        found[row.id] = CustomerFacts(lifetime, row.attributes or {}, row.revenue)
    return found


def _query(customers, activities, revenue_since: datetime | None):
    """`customers`, `activities`: the same customers as a condition on Customer.id and on Activity.customer_id."""
    cancel = Activity.kind == CANCEL_KIND
    counted = Activity.amount if revenue_since is None else case((Activity.occurred_at >= revenue_since,
                                                                   Activity.amount))
    # Activity aggregated apart, then joined: PostgreSQL cannot group by a JSON column (the attributes).
    activity = (select(Activity.customer_id,
                       func.min(Activity.occurred_at).label("first_at"),
                       func.max(case((cancel, Activity.occurred_at))).label("last_cancel_at"),
                       func.max(case((~cancel, Activity.occurred_at))).label("last_other_at"),
                       func.sum(counted).label("revenue"))
                .where(activities).group_by(Activity.customer_id).subquery())
    # SQLite hands back aggregates of a CASE as text: the types say how to read them.
    return (select(Customer.id, Customer.customer_since, Customer.ended_at, Customer.attributes,
                   type_coerce(activity.c.first_at, DateTime).label("first_at"),
                   type_coerce(activity.c.last_cancel_at, DateTime).label("last_cancel_at"),
                   type_coerce(activity.c.last_other_at, DateTime).label("last_other_at"),
                   type_coerce(activity.c.revenue, Float).label("revenue"))
            .outerjoin(activity, activity.c.customer_id == Customer.id)
            .where(customers))
