"""A customer's value, as the Save list ranks them and a win-back email picks its incentive tier: their value
attribute (IMPACT_VALUE_ATTRIBUTE, `mrr` by default — the one impact, the retention figures and the fit matrix read)
when it is a number, else their revenue (the sum of their activity's amounts), else unknown (None)."""
from __future__ import annotations

import math
from datetime import datetime
from typing import Iterable, Iterator

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from feedback_app.core.extensions import db
from feedback_app.core.sql import slices
from retention.incentives import Thresholds, thresholds_from
from retention.models import Activity
from retention.saving.models import CustomerValue
from surveys.models import Customer

STREAM = 5000  # customers read at a time when the whole team's values are needed


def value_attribute() -> str:
    """The attribute that holds a customer's value, from the app's settings."""
    return current_app.config.get("IMPACT_VALUE_ATTRIBUTE", "mrr")


def mrr_of(attributes: dict | None, name: str = "mrr") -> float | None:
    """The value attribute (`mrr` unless named) as a number ("120", "99.5"); None when missing, not a number, or
    not finite."""
    raw = (attributes or {}).get(name)
    if raw is None or isinstance(raw, bool):
        return None
    try:
        value = float(str(raw).strip().replace(",", ""))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def revenue_of(customer_ids: Iterable[int] | None = None) -> dict[int, float]:
    """{customer id: sum of their activity's amounts}, for these customers (None: everyone with an amount)."""
    statement = (select(Activity.customer_id, func.sum(Activity.amount)).where(Activity.amount.is_not(None))
                 .group_by(Activity.customer_id))
    if customer_ids is None:
        return {customer: float(total) for customer, total in db.session.execute(statement)}
    revenue: dict[int, float] = {}
    for some in slices(list(customer_ids)):
        revenue.update((customer, float(total)) for customer, total in
                       db.session.execute(statement.where(Activity.customer_id.in_(some))))
    return revenue


def value_of(attributes: dict | None, revenue: float | None, name: str) -> float | None:
    mrr = mrr_of(attributes, name)
    return mrr if mrr is not None else revenue


def every_value() -> Iterator[float | None]:
    """Every customer's value, read a slice of customers at a time (one grouped query for the revenue)."""
    for _, value in _values():
        yield value


def _values() -> Iterator[tuple[int, float | None]]:
    revenue, name = revenue_of(), value_attribute()
    rows = db.session.execute(select(Customer.id, Customer.attributes).execution_options(yield_per=STREAM))
    for customer_id, attributes in rows:
        yield customer_id, value_of(attributes, revenue.get(customer_id), name)


def refresh_values(now: datetime) -> int:
    """Store every customer's value (0 when unknown) for the Save list, STREAM rows per statement; one commit.
    Returns the customers valued."""
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(CustomerValue.__table__)
    statement = statement.on_conflict_do_update(
        index_elements=["customer_id"],
        set_={"value": statement.excluded.value, "computed_at": statement.excluded.computed_at})
    rows = [{"customer_id": customer_id, "value": value or 0.0, "computed_at": now}
            for customer_id, value in _values()]  # read whole first: one cursor at a time on SQLite
    for some in slices(rows, STREAM):
        db.session.execute(statement, list(some))
    db.session.commit()
    return len(rows)


def team_thresholds() -> Thresholds:
    """The incentive tiers' thresholds from the team's own distribution of values (retention.incentives)."""
    return thresholds_from(every_value())
