"""The delivery log kept for a while, not forever: delivered deliveries older than `keep` go, and with each batch
the events it leaves without a delivery. Undelivered deliveries (waiting, failing or paused) are never pruned,
whatever their age: they are work still owed to a receiver. Batched, each batch its own commit, so a year's backlog
goes in slices and no transaction holds the tables for long.

Each batch finds the events it may delete among its own deliveries' events, one index probe each
(ix_webhook_delivery_event_id): asked instead for every old event with no delivery left, PostgreSQL plans an
anti-join that reads the whole delivery table once per batch (measured: 200,000 old deliveries 8 s, 400,000 up to
32 s — docs/benchmarks.md, issue 15)."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, exists, select

from feedback_app.core.extensions import db
from webhooks.models import WebhookDelivery, WebhookEvent

KEEP = timedelta(days=30)  # what the admin page's delivery log reaches back to
BATCH = 5000


def prune_webhook_log(now: datetime, keep: timedelta = KEEP, batch: int = BATCH) -> tuple[int, int]:
    """(deliveries, events) removed: deliveries delivered before now − keep, and the events of theirs that no other
    delivery (to another endpoint, still owed, or recent) needs."""
    old = (select(WebhookDelivery.id, WebhookDelivery.event_id)
           .where(WebhookDelivery.delivered_at < now - keep).order_by(WebhookDelivery.id).limit(batch))
    deliveries = events = 0
    while rows := db.session.execute(old).all():
        deliveries += db.session.execute(delete(WebhookDelivery).where(
            WebhookDelivery.id.in_([row.id for row in rows]))).rowcount
        still_needed = exists().where(WebhookDelivery.event_id == WebhookEvent.id)
        events += db.session.execute(delete(WebhookEvent).where(
            WebhookEvent.id.in_({row.event_id for row in rows}), ~still_needed)
            .execution_options(synchronize_session=False)).rowcount
        db.session.commit()
    db.session.rollback()
    return deliveries, events
