"""Delivery to a real local HTTP receiver: signed JSON, back-off after failures and success later, a pause after a
day of failures (admins emailed through the outbox), order per endpoint, resend with the same event id, one run at
a time, and the address checked again at delivery."""
from __future__ import annotations

import json
import random
from datetime import UTC, timedelta

import pytest
from sqlalchemy import select

from feedback_app.accounts.services import create_user
from feedback_app.core import leases
from feedback_app.core.extensions import db
from feedback_app.mail.outbox import OutboxEmail
from tests.app.webhooks.helpers import endpoint
from tests.support.factories import NOW
from tests.support.webhook_receiver import Receiver
from webhooks import events, signing
from webhooks.delivery import LEASE, deliver_due_webhooks, paused_email_key
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.sending import Answer
from webhooks.services import resend, resume

SECRET = "whsec_local"


@pytest.fixture
def receiver():
    # The app's clock is the tests' NOW: the receiver checks signatures against it.
    running = Receiver(SECRET, clock=lambda: int(NOW.replace(tzinfo=UTC).timestamp())).start()
    yield running
    running.stop()


def local_endpoint(receiver, events_=("survey.closed",)):
    return endpoint(events_, url=receiver.url, secret=SECRET, allow_private=True)


def closed(*survey_ids, now=NOW):
    for survey_id in survey_ids:
        events.emit(events.SURVEY_CLOSED, {"survey_id": survey_id}, now)
    db.session.commit()


def deliver(now, **options):
    return deliver_due_webhooks(now, admin_url="http://survey.test", rng=random.Random(1), **options)


def deliveries(endpoint_id=None):
    db.session.expire_all()
    query = select(WebhookDelivery).order_by(WebhookDelivery.id)
    if endpoint_id is not None:
        query = query.where(WebhookDelivery.endpoint_id == endpoint_id)
    return db.session.scalars(query).all()


def test_a_delivery_is_a_signed_json_post(app, receiver):
    local_endpoint(receiver)
    closed(7)
    report = deliver(NOW)
    assert (report.delivered, report.failed) == (1, 0)
    [got] = receiver.received
    assert got.signature_ok  # verified by the receiver with webhooks.signing.verify
    assert got.headers["Content-Type"] == "application/json"
    event = json.loads(got.body)
    [delivery] = deliveries()
    assert event == {"id": delivery.event_id, "type": "survey.closed", "created_at": "2026-11-23T12:00:00Z",
                     "data": {"survey_id": 7}}
    # The header's own check: t is the signing time, v1 the HMAC of "t.body".
    t = int(got.headers[signing.HEADER].split(",")[0].removeprefix("t="))
    assert got.headers[signing.HEADER] == signing.header_value(SECRET, t, got.body)
    assert (delivery.attempts, delivery.last_status, delivery.delivered_at) == (1, 200, NOW)
    assert deliver(NOW + timedelta(minutes=1)).delivered == 0  # delivered once


def test_failures_back_off_then_succeed(app, receiver):
    hook = local_endpoint(receiver)
    closed(1)
    receiver.status = 500
    report = deliver(NOW)
    assert (report.delivered, report.failed) == (0, 1)
    [delivery] = deliveries()
    # Attempt 1 waits between 5 and 10 s (webhooks.schedule: half to all of 10 s).
    first_wait = delivery.next_attempt_at - NOW
    assert timedelta(seconds=5) <= first_wait <= timedelta(seconds=10)
    assert (delivery.attempts, delivery.last_status, delivery.last_error) == (1, 500, "HTTP 500 Internal Server Error")
    assert db.session.get(WebhookEndpoint, hook.id).failing_since == NOW
    assert deliver(NOW + timedelta(seconds=4)).failed == 0  # not due yet: not tried
    assert len(receiver.received) == 1
    later = NOW + timedelta(seconds=11)
    assert deliver(later).failed == 1
    second_wait = deliveries()[0].next_attempt_at - later
    assert timedelta(seconds=10) <= second_wait <= timedelta(seconds=20)  # attempt 2: 10 to 20 s
    receiver.status = 204
    assert deliver(later + timedelta(seconds=21)).delivered == 1
    [delivery] = deliveries()
    assert (delivery.attempts, delivery.last_status, delivery.last_error) == (3, 204, None)
    assert db.session.get(WebhookEndpoint, hook.id).failing_since is None
    assert len(set(receiver.ids())) == 1 and len(receiver.received) == 3  # the same event id each time


def test_a_day_of_failures_pauses_the_endpoint_and_emails_the_admins(app, receiver):
    admin = create_user("admin@example.com", "long-enough-password", "admin")
    create_user("viewer@example.com", "long-enough-password", "viewer")
    hook = local_endpoint(receiver)
    closed(1)
    receiver.status = 503
    at = NOW
    while deliver(at).paused == 0:
        assert at - NOW <= timedelta(days=1, hours=1)
        at = deliveries()[0].next_attempt_at
    # Paused at the first failure a day or more after the first one.
    assert NOW + timedelta(days=1) <= at <= NOW + timedelta(days=1, hours=1)
    paused = db.session.get(WebhookEndpoint, hook.id)
    assert paused.paused_at == at
    [email] = db.session.scalars(select(OutboxEmail)).all()
    assert email.recipient == "admin@example.com" and email.dedupe_key == paused_email_key(hook.id, at, admin.id)
    assert email.subject == "A webhook endpoint was paused"
    assert receiver.url in email.body_text and "http://survey.test/admin/webhooks" in email.body_text
    tries = len(receiver.received)
    assert deliver(at + timedelta(days=2)).failed == 0 and len(receiver.received) == tries  # paused: not tried
    closed(2, now=at)  # a paused endpoint gets no new events
    assert len(deliveries()) == 1
    receiver.status = 200
    assert resume(hook.id, at + timedelta(days=2))
    assert deliver(at + timedelta(days=2)).delivered == 1
    assert db.session.get(WebhookEndpoint, hook.id).paused_at is None


def test_an_endpoint_gets_its_events_in_order_never_n_plus_1_before_n(app, receiver):
    hook = local_endpoint(receiver)
    other = Receiver(SECRET).start()
    try:
        second = local_endpoint(other)
        closed(1, 2, 3)
        receiver.status = 500
        report = deliver(NOW)
        # The first endpoint stops at its failed first event; the second gets all three, in order.
        assert (report.delivered, report.failed) == (3, 1)
        assert [item.event["data"]["survey_id"] for item in other.received] == [1, 2, 3]
        assert [item.event["data"]["survey_id"] for item in receiver.received] == [1]
        receiver.status = 200
        assert deliver(NOW + timedelta(minutes=5)).delivered == 3
        assert [item.event["data"]["survey_id"] for item in receiver.received] == [1, 1, 2, 3]
        assert other.ids() == receiver.ids()[1:]  # one event id per event, for every endpoint
        assert all(d.delivered_at for d in deliveries(hook.id) + deliveries(second.id))
    finally:
        other.stop()


def test_resend_queues_the_same_event_id_again_once(app, receiver):
    local_endpoint(receiver)
    closed(1)
    deliver(NOW)
    [first] = deliveries()
    again = resend(first.id, NOW + timedelta(hours=1))
    assert resend(first.id, NOW + timedelta(hours=1)).id == again.id  # a double click queues it once
    assert again.event_id == first.event_id and again.id != first.id
    assert deliver(NOW + timedelta(hours=1)).delivered == 1
    assert receiver.ids() == [first.event_id, first.event_id]
    assert resend(10**9, NOW) is None


def test_one_run_at_a_time(app, receiver):
    local_endpoint(receiver)
    closed(1)
    assert leases.take(LEASE, "another-scheduler", NOW, timedelta(minutes=5))
    report = deliver(NOW)
    assert report.busy and receiver.received == []
    leases.release(LEASE, "another-scheduler")
    assert deliver(NOW).delivered == 1


def test_the_address_is_checked_again_at_delivery(app):
    sent = []
    endpoint(("survey.closed",))  # registered while hooks.example.com resolved to a public address
    closed(1)
    report = deliver(NOW, resolve=lambda host, port: ["127.0.0.1"],
                     post=lambda *args: sent.append(args))  # now it resolves to loopback
    assert (report.delivered, report.failed, sent) == (0, 1, [])
    [delivery] = deliveries()
    assert delivery.last_error.startswith("refused: hooks.example.com resolves to 127.0.0.1, a loopback address")


def test_a_receiver_that_is_down_is_a_failure_without_status(app):
    down = Receiver(SECRET).start()
    down.stop()  # its port is free: connection refused
    endpoint(("survey.closed",), url=down.url, secret=SECRET, allow_private=True)
    closed(1)
    assert deliver(NOW).failed == 1
    [delivery] = deliveries()
    assert delivery.last_status is None and "Connection" in delivery.last_error


def test_the_scheduler_delivers_every_few_seconds(app):
    from feedback_app import scheduler
    job = next(job for job in scheduler.JOBS if job.name == "deliver-webhooks")
    assert job.every <= timedelta(seconds=10)
    receiver = Receiver(SECRET).start()  # real time: the job signs with the clock
    try:
        local_endpoint(receiver)
        closed(1)
        scheduler.run_job(app, job)
        assert len(receiver.received) == 1 and receiver.received[0].signature_ok
    finally:
        receiver.stop()


def test_a_long_run_renews_its_lease_and_stops_when_it_is_lost(app):
    endpoint(("survey.closed",))
    closed(1, 2, 3, 4)
    moments = iter(NOW + timedelta(minutes=2 * n) for n in range(100))  # each look at the clock: 2 min later
    posted = []

    def post(target, body, headers):
        posted.append(json.loads(body)["data"]["survey_id"])
        if len(posted) == 2:  # meanwhile its lease expired and another scheduler took it
            db.session.execute(leases.Lease.__table__.update().values(holder="another-scheduler"))
            db.session.commit()
        return Answer(200, None)

    report = deliver(NOW, clock=lambda: next(moments), post=post, resolve=lambda host, port: ["93.184.216.34"])
    # Renewed after the first delivery (over a third of 5 min since it was taken); the renewal after the second
    # finds the lease another's: the run stops there, leaving the rest to the lease's holder.
    assert posted == [1, 2] and report.delivered == 2
    assert [d.delivered_at is not None for d in deliveries()] == [True, True, False, False]
