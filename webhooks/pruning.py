"""The delivery log kept for a while, not forever: delivered deliveries older than `keep` go, then the events no
delivery needs any more. Undelivered deliveries (waiting, failing or paused) are never pruned, whatever their age:
they are work still owed to a receiver. Batched, each batch its own commit, so a year's backlog goes in slices
and no transaction holds the tables for long."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, exists, select

from feedback_app.core.extensions import db
from webhooks.models import WebhookDelivery, WebhookEvent

KEEP = timedelta(days=30)  # what the admin page's delivery log reaches back to
BATCH = 5000


def prune_webhook_log(now: datetime, keep: timedelta = KEEP, batch: int = BATCH) -> tuple[int, int]:
    """(deliveries, events) removed: deliveries delivered before now − keep, then events older than that which no
    delivery refers to."""
    cutoff = now - keep
    deliveries = _in_batches(select(WebhookDelivery.id).where(WebhookDelivery.delivered_at < cutoff),
                             WebhookDelivery.id, batch)
    unneeded = ~exists().where(WebhookDelivery.event_id == WebhookEvent.id)
    events = _in_batches(select(WebhookEvent.id).where(WebhookEvent.created_at < cutoff, unneeded),
                         WebhookEvent.id, batch)
    return deliveries, events


def _in_batches(ids, column, batch: int) -> int:
    removed = 0
    while True:
        some = db.session.scalars(ids.limit(batch)).all()
        if not some:
            db.session.rollback()
            return removed
        removed += db.session.execute(delete(column.table).where(column.in_(some))).rowcount
        db.session.commit()
