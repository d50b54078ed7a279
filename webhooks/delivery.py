"""Delivery of queued webhook events: `deliver_due_webhooks(now)` POSTs every due delivery, endpoint by endpoint
in queue order, retries failures with back-off and pauses an endpoint that has failed for a day.

- In order per endpoint: an endpoint's deliveries go strictly one after another; while its oldest undelivered one
  waits for a retry, nothing later is sent to it.
- At least once: a delivery is recorded after the receiver's 2xx; a run that dies between the two sends it again
  (same event id, so receivers dedupe).
- One run at a time: a database lease (feedback_app.core.leases) is held for the run, so two schedulers (or a
  scheduler and `feedback webhooks deliver`) never both send; the other skips. Each delivery's outcome is its own
  commit, so a run stopped half-way loses nothing.
- The URL is checked again before each POST (webhooks.addresses): the host name may resolve elsewhere by now.
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Callable

from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from feedback_app.accounts.models import User
from feedback_app.core import leases
from feedback_app.core.extensions import db
from feedback_app.mail.outbox import enqueue_email
from webhooks import addresses, schedule, sending, signing
from webhooks.events import forget_listeners
from webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent

LEASE = "deliver-webhooks"
LEASE_TTL = timedelta(minutes=5)
BATCH = 100  # an endpoint's queue is read this many rows at a time
PAUSED_TEMPLATE = "webhook_paused"

Post = Callable[[addresses.Target, bytes, dict], sending.Answer]


@dataclass
class WebhookReport:
    delivered: int = 0
    failed: int = 0        # attempts that failed and will be retried
    paused: int = 0        # endpoints paused by this run
    busy: bool = False     # another process holds the lease: it delivers now


@dataclass
class _Run:
    now: datetime
    clock: Callable[[], datetime]
    post: Post
    resolve: addresses.Resolve
    rng: random.Random
    admin_url: str
    report: WebhookReport
    stop: Callable[[], bool]
    progress: Callable[[int], object] | None
    lease: leases.Holding | None = None
    renewed_at: datetime | None = None

    def may_go_on(self) -> bool:
        """Not asked to stop, and the lease still ours: renewed every third of its time, so a long backlog never
        outlives it (another scheduler would then deliver the same queue at once)."""
        if self.stop():
            return False
        if self.lease is not None and self.clock() - self.renewed_at > LEASE_TTL / 3:
            self.renewed_at = self.clock()
            if not self.lease.renew():
                self.lease = None
                return False
        return True


def deliver_due_webhooks(now: datetime, *, admin_url: str = "", clock: Callable[[], datetime] | None = None,
                         post: Post = sending.post, resolve: addresses.Resolve = addresses.resolve_by_dns,
                         rng: random.Random | None = None, stop: Callable[[], bool] | None = None,
                         progress: Callable[[int], object] | None = None) -> WebhookReport:
    """Deliver everything due at `now`. `clock` stamps attempts as the run goes on (default: `now`); `admin_url`
    is the app's address, for the link in the email that tells admins an endpoint was paused."""
    clock = clock or (lambda: now)
    run = _Run(now, clock, post, resolve, rng or random.Random(), admin_url.rstrip("/"), WebhookReport(),
               stop or (lambda: False), progress)
    if not anything_due(now):  # the idle scheduler's tick: one read, no lease taken (no write)
        return run.report
    with leases.held(LEASE, LEASE_TTL, clock) as lease:
        if lease is None:
            run.report.busy = True
            return run.report
        run.lease, run.renewed_at = lease, clock()
        for endpoint_id in _unpaused_endpoints():
            if not run.may_go_on():
                break
            _deliver_to(run, endpoint_id)
    return run.report


def count_due(now: datetime) -> int:
    """Deliveries waiting for an unpaused endpoint and due now (the CLI's progress bar)."""
    return db.session.scalar(select(func.count()).select_from(WebhookDelivery)
                             .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
                             .where(WebhookDelivery.delivered_at.is_(None), WebhookEndpoint.paused_at.is_(None),
                                    WebhookDelivery.next_attempt_at <= now))


def anything_due(now: datetime) -> bool:
    """Whether any unpaused endpoint has a delivery due: one look, before any lease is taken."""
    found = db.session.scalar(select(WebhookDelivery.id)
                              .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
                              .where(WebhookDelivery.delivered_at.is_(None), WebhookEndpoint.paused_at.is_(None),
                                     WebhookDelivery.next_attempt_at <= now).limit(1))
    db.session.rollback()  # no read transaction held while the lease is taken
    return found is not None


def _unpaused_endpoints() -> list[int]:
    ids = list(db.session.scalars(select(WebhookEndpoint.id).where(WebhookEndpoint.paused_at.is_(None))
                                  .order_by(WebhookEndpoint.id)))
    db.session.rollback()
    return ids


def _deliver_to(run: _Run, endpoint_id: int) -> None:
    """The endpoint's queue, oldest first, until it is empty, a delivery fails or one is not due yet."""
    while True:
        rows = db.session.execute(
            select(WebhookDelivery, WebhookEvent).join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
            .where(WebhookDelivery.endpoint_id == endpoint_id, WebhookDelivery.delivered_at.is_(None))
            .order_by(WebhookDelivery.id).limit(BATCH)).all()
        if not rows:
            db.session.rollback()
            return
        for delivery, event in rows:
            if delivery.next_attempt_at > run.now or not run.may_go_on():
                db.session.rollback()
                return
            endpoint = db.session.get(WebhookEndpoint, endpoint_id)
            if endpoint is None or endpoint.paused_at is not None:  # paused or removed meanwhile
                db.session.rollback()
                return
            if not _attempt(run, endpoint, delivery, event):
                return


def body_of(event: WebhookEvent) -> bytes:
    """What receivers get: the event's id, type, time and data, as compact JSON."""
    return json.dumps({"id": event.id, "type": event.type, "created_at": _iso(event.created_at), "data": event.data},
                      separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _iso(moment: datetime) -> str:
    return moment.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")


def _attempt(run: _Run, endpoint: WebhookEndpoint, delivery: WebhookDelivery, event: WebhookEvent) -> bool:
    """One POST and its outcome, committed. True when delivered."""
    body = body_of(event)
    try:
        target = addresses.check(endpoint.url, endpoint.allow_private, run.resolve)
    except addresses.UnsafeURL as error:
        answer = sending.Answer(None, f"refused: {error}")
    else:
        stamp = int(run.clock().replace(tzinfo=UTC).timestamp())
        answer = run.post(target, body, {signing.HEADER: signing.header_value(endpoint.secret, stamp, body),
                                         "Feedback-Event-Id": event.id, "Feedback-Event-Type": event.type})
    at = run.clock()
    delivery.attempts += 1
    delivery.last_status, delivery.last_error = answer.status, answer.error
    if run.progress:
        run.progress(1)
    if answer.delivered:
        delivery.delivered_at = at
        endpoint.failing_since = None
        run.report.delivered += 1
        return _recorded()
    delivery.next_attempt_at = at + schedule.retry_delay(delivery.attempts, run.rng)
    endpoint.failing_since = endpoint.failing_since or at
    run.report.failed += 1
    if schedule.should_pause(endpoint.failing_since, at):
        _pause(run, endpoint, at)
    _recorded()
    return False


def _recorded() -> bool:
    """The attempt's outcome committed; False when an admin removed the endpoint during the POST (its rows are
    gone: nothing to record, and its queue is over)."""
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        return False
    return True


def _pause(run: _Run, endpoint: WebhookEndpoint, at: datetime) -> None:
    """Paused, and every active admin told once per pause (the outbox key names the endpoint and the pause)."""
    endpoint.paused_at = at
    run.report.paused += 1
    context = {"url": endpoint.url, "endpoint_id": endpoint.id, "failing_since": endpoint.failing_since,
               "admin_url": f"{run.admin_url}/admin/webhooks"}
    for user in db.session.scalars(select(User).where(User.active.is_(True), User.role == "admin").order_by(User.id)):
        enqueue_email(paused_email_key(endpoint.id, at, user.id), PAUSED_TEMPLATE, user.email, "en",
                      context, at)
    forget_listeners()


def paused_email_key(endpoint_id: int, paused_at: datetime, user_id: int) -> str:
    return f"webhook-paused:{endpoint_id}:{paused_at.isoformat(timespec='seconds')}:{user_id}"
