"""Use cases of webhooks, one commit each: register an endpoint (its URL checked), resume a paused one, remove one,
send an event again; and the reads of the admin page and `feedback webhooks list`."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select

from feedback_app.core.extensions import db
from feedback_app.core.paging import capped_count
from feedback_app.core.refusals import N_, Refusal
from webhooks import addresses
from webhooks.events import EVENT_TYPES, forget_listeners
from webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent

MAX_SECRET = 200


class WebhookError(Refusal):
    """Bad input for a webhook: the message says what is wrong; nothing was changed."""


@dataclass(frozen=True)
class NewEndpoint:
    url: str
    secret: str
    events: tuple[str, ...]
    allow_private: bool = False


def parse_events(text: str) -> tuple[str, ...]:
    """"E1,E2" → the event types, each known, in the order given, once each."""
    events = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    unknown = [event for event in events if event not in EVENT_TYPES]
    if unknown:
        raise WebhookError(N_("unknown event %(events)s (known: %(known)s)"), events=", ".join(unknown),
                           known=", ".join(EVENT_TYPES))
    if not events:
        raise WebhookError(N_("name at least one event (known: %(known)s)"), known=", ".join(EVENT_TYPES))
    return events


def add_endpoint(new: NewEndpoint, now: datetime, resolve: addresses.Resolve = addresses.resolve_by_dns
                 ) -> WebhookEndpoint:
    """Register an endpoint; WebhookError (and nothing stored) for an unknown event, a bad or refused URL or a
    secret that is empty or too long."""
    events = parse_events(",".join(new.events))
    secret = new.secret.strip()
    if not secret:
        raise WebhookError(N_("the secret must not be empty"))
    if len(secret) > MAX_SECRET:
        raise WebhookError(N_("the secret is longer than %(count)d characters"), count=MAX_SECRET)
    url = new.url.strip()
    if len(url) > 2000:
        raise WebhookError(N_("the URL is longer than 2,000 characters"))
    try:
        addresses.check(url, new.allow_private, resolve)
    except addresses.UnsafeURL as error:
        raise WebhookError(error.message, detail=error.detail, **error.values) from None
    endpoint = WebhookEndpoint(url=url, secret=secret, events=list(events), allow_private=new.allow_private,
                               created_at=now)
    db.session.add(endpoint)
    db.session.commit()
    forget_listeners()
    return endpoint


def resume(endpoint_id: int, now: datetime) -> bool:
    """A paused endpoint takes deliveries again, the waiting ones due at once. False when it was not paused."""
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.paused_at is None:
        db.session.rollback()
        return False
    endpoint.paused_at, endpoint.failing_since = None, None
    for delivery in db.session.scalars(select(WebhookDelivery).where(
            WebhookDelivery.endpoint_id == endpoint_id, WebhookDelivery.delivered_at.is_(None),
            WebhookDelivery.next_attempt_at > now).order_by(WebhookDelivery.id).limit(1)):
        delivery.next_attempt_at = now  # its head: the rest follow it in order
    db.session.commit()
    forget_listeners()
    return True


def resend(delivery_id: int, now: datetime) -> WebhookDelivery | None:
    """The delivery's event queued again for its endpoint, with the same event id (receivers dedupe on it), at
    the end of the endpoint's queue. None when there is no such delivery."""
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        return None
    waiting = db.session.scalar(select(WebhookDelivery).where(
        WebhookDelivery.event_id == delivery.event_id, WebhookDelivery.endpoint_id == delivery.endpoint_id,
        WebhookDelivery.delivered_at.is_(None)).limit(1))
    if waiting is not None:  # queued already (a double click): once is enough
        db.session.rollback()
        return waiting
    again = WebhookDelivery(event_id=delivery.event_id, endpoint_id=delivery.endpoint_id, attempts=0,
                            next_attempt_at=now, created_at=now)
    db.session.add(again)
    db.session.commit()
    return again


def remove_endpoint(endpoint_id: int) -> bool:
    """An endpoint and its queue and log go; events no other endpoint still needs go with them. False when there
    is no such endpoint. A delivery running at that moment finds the endpoint gone and records nothing."""
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        db.session.rollback()
        return False
    theirs = select(WebhookDelivery.event_id).where(WebhookDelivery.endpoint_id == endpoint_id)
    shared = select(WebhookDelivery.event_id).where(WebhookDelivery.endpoint_id != endpoint_id)
    # The events only it needed first (their deliveries go with them: ON DELETE CASCADE), then the rest of its queue.
    db.session.execute(delete(WebhookEvent).where(WebhookEvent.id.in_(theirs.except_(shared)))
                       .execution_options(synchronize_session=False))
    db.session.execute(delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
                       .execution_options(synchronize_session=False))
    db.session.delete(endpoint)
    db.session.commit()
    forget_listeners()
    return True


def endpoints() -> list[WebhookEndpoint]:
    return list(db.session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)))


def waiting_counts(ids: list[int], up_to: int) -> dict[int, int]:
    """Undelivered deliveries per endpoint, each counted no further than up_to + 1: one statement, each count a
    range of the queue index, however long the history."""
    if not ids:
        return {}
    counts = db.session.execute(select(*[
        capped_count(select(WebhookDelivery.id).where(WebhookDelivery.endpoint_id == endpoint_id,
                                                      WebhookDelivery.delivered_at.is_(None)), up_to)
        for endpoint_id in ids])).one()
    return dict(zip(ids, counts))
