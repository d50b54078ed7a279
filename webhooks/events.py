"""Events queued in the transaction of their cause: `emit(type, data, now)` adds the event and one delivery per
subscribed, unpaused endpoint to the caller's session and never commits, so a cause rolled back queues nothing
and a committed one cannot lose its event. Imported by the domains whose changes are events; imports none."""
from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import insert, select

from feedback_app.core.extensions import db
from feedback_app.core.process_copy import forget_copy, process_copy
from webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent

RESPONSE_CREATED = "response.created"
RESPONSE_CLASSIFIED = "response.classified"
FIX_STATUS_CHANGED = "fix.status_changed"
CUSTOMER_STAGE_CHANGED = "customer.stage_changed"
SURVEY_CLOSED = "survey.closed"
EVENT_TYPES = (RESPONSE_CREATED, RESPONSE_CLASSIFIED, FIX_STATUS_CHANGED, CUSTOMER_STAGE_CHANGED, SURVEY_CLOSED)


def new_event_id() -> str:
    return "evt_" + secrets.token_hex(12)


def emit(event_type: str, data: dict, now: datetime) -> int:
    """Queue one event in the caller's transaction; the deliveries queued (0: nobody listens)."""
    return emit_many(event_type, [data], now)


def emit_many(event_type: str, items: list[dict], now: datetime) -> int:
    """Queue an event per item (in order) in two statements, inside the caller's transaction (no commit)."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown webhook event {event_type!r}")
    endpoints = subscribed(event_type)
    if not endpoints or not items:
        return 0
    events = [{"id": new_event_id(), "type": event_type, "data": data, "created_at": now} for data in items]
    db.session.execute(insert(WebhookEvent), events)
    deliveries = [{"event_id": event["id"], "endpoint_id": endpoint, "attempts": 0, "next_attempt_at": now,
                   "created_at": now} for event in events for endpoint in endpoints]
    db.session.execute(insert(WebhookDelivery), deliveries)
    return len(deliveries)


def subscribed(event_type: str) -> list[int]:
    """The unpaused endpoints listening to `event_type`, by id (few rows: read whole, filtered here, the same on
    both databases)."""
    rows = db.session.execute(select(WebhookEndpoint.id, WebhookEndpoint.events)
                              .where(WebhookEndpoint.paused_at.is_(None)).order_by(WebhookEndpoint.id))
    return [endpoint_id for endpoint_id, events in rows if event_type in (events or ())]


# The survey POST asks this per-process copy whether anybody listens to new answers, so that while nobody does
# its one INSERT stays one INSERT. An endpoint added or resumed in another process is heard within this many
# seconds; in this process at once (forget_listeners).
LISTENERS_REFRESH = 5.0
_COPY = "webhooks.listened"


def listened(event_type: str) -> bool:
    kinds = process_copy(_COPY, LISTENERS_REFRESH, lambda _: _listened_types(), frozenset())
    return event_type in kinds


def forget_listeners() -> None:
    forget_copy(_COPY)


def _listened_types() -> frozenset[str]:
    rows = db.session.scalars(select(WebhookEndpoint.events).where(WebhookEndpoint.paused_at.is_(None)))
    return frozenset(kind for events in rows for kind in (events or ()))
