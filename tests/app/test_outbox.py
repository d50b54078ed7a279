import email
import email.policy
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from feedback_app import delivery_policy
from feedback_app.extensions import db
from feedback_app.mail import OutgoingEmail, SMTPTransport, build_message, message_id, transport_from_config
from feedback_app.outbox import (FAILED, PENDING, SENDING, SENT, SUPPRESSED, OutboxEmail, deliver_due, enqueue_email,
                                 retry_failed)
from feedback_app.suppression import suppress
from tests.support.factories import NOW, sent_survey
from tests.support.slow_smtp import SlowInbox, SMTPServer

SENDER = "Acme <feedback@acme.test>"


def rows():
    db.session.expire_all()
    return db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)).all()


def deliver(app, now=NOW, **options):
    return deliver_due(now, transport_from_config(app.config), SENDER, app.config["MAIL_MAX_ATTEMPTS"], **options)


def queue(count, now=NOW):
    """Rows as enqueue_email leaves them, without rendering a template for each."""
    db.session.add_all(OutboxEmail(dedupe_key=f"test:{i}", template="t", recipient=f"c{i}@example.com", locale="en",
                                   subject=f"Email {i}", body_text="text\n", body_html="<p>html</p>", headers={},
                                   status=PENDING, attempts=0, next_attempt_at=now, created_at=now)
                       for i in range(count))
    db.session.commit()


@pytest.fixture
def slow_smtp():
    """Start real SMTP servers with SlowInbox's options; all are stopped after the test."""
    servers = []

    def start(**options):
        servers.append(SMTPServer(SlowInbox(**options)).start())
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def transport_to(server, timeout=1, data_timeout=5):
    return SMTPTransport(server.host, server.port, None, None, "none", timeout, data_timeout)


# ---------------------------------------------------------------- the Message-ID

ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
DOT_ATOM = rf"{ATEXT}+(?:\.{ATEXT}+)*"
MSG_ID = re.compile(rf"<{DOT_ATOM}@{DOT_ATOM}>")  # RFC 5322 §3.6.4, without the obsolete forms


@pytest.mark.parametrize("key", ["survey-invitation:7", "fix-shipped:12:345", ":lead", "trail:", "a::b", "a.b",
                                 "a=3Ab", "with space", "رضا:1", "quote\"<@>", "x" * 200, ""])
def test_message_id_is_valid_rfc_5322_for_any_key(key):
    value = message_id(key, SENDER)
    assert MSG_ID.fullmatch(value), value
    parsed = email.message_from_bytes(bytes(build_message(OutgoingEmail(key, "a@example.com", "s", "t", "<p>h</p>"),
                                                          SENDER)), policy=email.policy.default)
    # A long id may be folded onto its own line (legal: folding white space may precede a msg-id).
    assert parsed["Message-ID"].strip() == value and not parsed["Message-ID"].defects


def test_message_id_depends_on_the_key_and_the_sender_domain_only():
    keys = ["survey-invitation:7", "survey-invitation.7", "survey-invitation=3A7", "survey-invitation:70",
            "a:b:c", "a:b.c", "a::b", "a:=3A:b", "x" * 201, "x" * 202]
    ids = [message_id(key, SENDER) for key in keys]
    assert len(set(ids)) == len(keys)  # different keys, different ids
    assert ids == [message_id(key, "Someone Else <other@ACME.test>") for key in keys]  # same key and domain
    assert message_id("survey-invitation:7", SENDER) == "<survey-invitation.7@acme.test>"  # readable
    assert message_id("k:1", "f@other.test") != message_id("k:1", SENDER)
    assert message_id("k:1", "Ünïcode <f@bücher.example>") == "<k.1@xn--bcher-kva.example>"


def test_transport_from_config_uses_the_timeout_settings(app):
    transport = transport_from_config({**app.config, "MAIL_TRANSPORT": "smtp", "SMTP_HOST": "h",
                                       "SMTP_TIMEOUT": 7, "SMTP_DATA_TIMEOUT": 90})
    assert isinstance(transport, SMTPTransport) and (transport.timeout, transport.data_timeout) == (7, 90)


# ---------------------------------------------------------------- sending and retrying

def test_emails_reach_a_real_smtp_server_once(smtp_app, smtp_server):
    sent_survey(smtp_app, customers=(("ana@example.com", "Ana", "en"), ("reza@example.com", "رضا", "fa")))
    assert deliver(smtp_app).sent == 2
    assert deliver(smtp_app).sent == 0  # a second sweep sends nothing again
    assert sorted(m["To"] for m in smtp_server.messages) == ["ana@example.com", "reza@example.com"]
    persian = next(m for m in smtp_server.messages if m["To"] == "reza@example.com")
    assert "پیشنهاد" in persian["Subject"]
    assert persian["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert persian.get_body(("html",)).get_content().count("?score=") == 11
    assert all(r.status == SENT and r.sent_at == NOW for r in rows())
    assert {m["Message-ID"] for m in smtp_server.messages} == {message_id(r.dedupe_key, SENDER) for r in rows()}


def test_same_dedupe_key_is_queued_once(app):
    first = enqueue_email("k:1", "survey_invitation", "a@example.com", "en", _context(app), NOW)
    second = enqueue_email("k:1", "survey_invitation", "a@example.com", "en", _context(app), NOW)
    db.session.commit()
    assert (first, second) == (True, False) and len(rows()) == 1


def test_one_call_sends_every_due_email_not_just_a_batch(app):
    queue(201)  # the old limit was 200 per call; batches are 50
    ticks = []
    report = deliver(app, progress=ticks.append)
    assert (report.sent, sum(ticks)) == (201, 201)
    assert len(app.config["MAIL_MEMORY_TRANSPORT"].sent) == 201 and {r.status for r in rows()} == {SENT}


def test_one_session_carries_every_email_of_a_run(app, slow_smtp):
    server = slow_smtp()
    queue(4)
    assert deliver_due(NOW, transport_to(server), SENDER).sent == 4
    assert server.inbox.sessions == 1 and len(server.inbox.copies) == 4


def test_a_session_the_server_ends_is_reopened_without_losing_the_email(app, slow_smtp):
    server = slow_smtp(per_session=2)  # then "421 too many messages", as large providers do
    queue(5)
    assert deliver_due(NOW, transport_to(server), SENDER).sent == 5
    assert server.inbox.sessions == 3 and sorted(server.inbox.message_ids().values()) == [1] * 5


def test_smtp_failure_is_retried_with_back_off_then_delivered(smtp_app, smtp_server):
    sent_survey(smtp_app)
    smtp_server.fail_next = 2  # "451 try again later" as the answer to the message data: definitely not sent
    assert deliver(smtp_app).retrying == 1
    (email,) = rows()
    assert email.status == PENDING and email.attempts == 1 and "451" in email.last_error
    assert email.next_attempt_at == NOW + timedelta(minutes=1)
    assert deliver(smtp_app, NOW + timedelta(seconds=30)).sent == 0  # not due yet
    assert deliver(smtp_app, NOW + timedelta(minutes=1)).retrying == 1
    assert rows()[0].next_attempt_at == NOW + timedelta(minutes=3)
    assert deliver(smtp_app, NOW + timedelta(minutes=3)).sent == 1
    assert len(smtp_server.messages) == 1 and rows()[0].status == SENT and rows()[0].last_error is None


def test_a_refused_recipient_fails_at_once(app, slow_smtp):
    server = slow_smtp(refuse={"c0@example.com"})
    queue(2)
    report = deliver_due(NOW, transport_to(server), SENDER)
    assert (report.sent, report.failed, report.retrying) == (1, 1, 0)
    refused = rows()[0]
    assert refused.status == FAILED and refused.attempts == 1 and refused.last_error.startswith("refused: ")
    assert "550" in refused.last_error


def test_an_unreachable_server_stops_the_run_and_fails_after_max_attempts(app_factory):
    app = app_factory(MAIL_TRANSPORT="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=1, SMTP_TLS="none",
                      MAIL_MAX_ATTEMPTS=2)
    with app.app_context():
        queue(3)
        first = deliver(app)
        assert first.retrying == 1 and "127.0.0.1:1" in first.stopped_early
        assert [r.attempts for r in rows()] == [1, 0, 0]  # the others were not tried in vain
        deliver(app, NOW + timedelta(hours=1))
        deliver(app, NOW + timedelta(hours=1))
        email = rows()[0]
        assert email.status == FAILED and email.attempts == 2 and "Connection" in email.last_error
        assert retry_failed(email.id, NOW) and rows()[0].status == PENDING


# ---------------------------------------------------------------- a slow server: sent once, or "maybe sent"

def test_a_server_slower_than_the_command_timeout_gets_each_email_once(app, slow_smtp):
    server = slow_smtp(delay=lambda n: 1.5)  # answers the data after 1.5 s: more than 1 s, less than 5 s
    queue(2)
    report = deliver_due(NOW, transport_to(server, timeout=1, data_timeout=5), SENDER)
    assert report.sent == 2 and {r.status for r in rows()} == {SENT}
    assert sorted(server.inbox.message_ids().values()) == [1, 1]


def test_no_answer_to_the_data_means_maybe_sent_retried_later_with_the_same_message_id(app, slow_smtp):
    server = slow_smtp(delay=lambda n: 3 if n == 1 else 0)  # keeps the first copy, answers after 3 s
    queue(1)
    transport = transport_to(server, timeout=1, data_timeout=1)
    assert deliver_due(NOW, transport, SENDER).retrying == 1
    (email,) = rows()
    assert email.status == PENDING and email.last_error.startswith("maybe delivered: ")
    assert email.next_attempt_at >= NOW + timedelta(minutes=10)  # not at once
    assert deliver_due(NOW + timedelta(minutes=5), transport, SENDER).sent == 0
    assert len(server.inbox.copies) == 1
    assert deliver_due(email.next_attempt_at, transport, SENDER).sent == 1
    assert rows()[0].status == SENT and server.inbox.message_ids() == {message_id("test:0", SENDER): 2}


# ---------------------------------------------------------------- claims left by senders that stopped

def claim(email, token, at=NOW):
    email.status, email.claimed_at, email.claimed_by = SENDING, at, token
    db.session.commit()


def test_a_claim_of_a_dead_sender_on_this_host_is_released_early(app):
    queue(3)
    here = delivery_policy.this_process()
    dead, elsewhere, alive = rows()
    if here.space == delivery_policy.UNKNOWN:
        pytest.skip("no /proc here: no claim can be proved dead")
    beyond_any_pid = 2 ** 22 + 1  # Linux's PID_MAX_LIMIT is 2**22: no process can have this pid
    claim(dead, f"{here.host}:{here.space}:{beyond_any_pid}:12345")
    claim(elsewhere, "other-host:0123456789ab:4242:777")
    claim(alive, here.token)

    report = deliver(app, NOW + timedelta(seconds=5))
    dead, elsewhere, alive = rows()
    assert report.released == 1 and report.sent == 0  # released, and not resent at once
    assert dead.status == PENDING and dead.attempts == 1 and "sender stopped" in dead.last_error
    assert NOW + timedelta(minutes=1) <= dead.next_attempt_at <= NOW + timedelta(minutes=2)
    assert (elsewhere.status, alive.status) == (SENDING, SENDING)
    assert deliver(app, dead.next_attempt_at).sent == 1


def test_a_claim_of_unknown_liveness_waits_longer_than_the_longest_send(smtp_app):
    queue(2)
    transport = transport_from_config(smtp_app.config)
    stale = delivery_policy.stale_after(transport.longest_send)
    assert stale > timedelta(minutes=15)  # the default timeouts allow a 37-minute conversation
    legacy, elsewhere = rows()
    claim(legacy, None)  # claimed before claims were named
    claim(elsewhere, "other-host:0123456789ab:4242:777")
    assert deliver(smtp_app, NOW + stale - timedelta(seconds=1)).released == 0
    report = deliver(smtp_app, NOW + stale)
    assert report.released == 2 and {r.status for r in rows()} == {PENDING}
    assert all(r.last_error.startswith("maybe delivered: ") for r in rows())


# ---------------------------------------------------------------- the suppression list, the last guard

def test_a_suppressed_address_is_never_sent_to(app, slow_smtp):
    from feedback_app.accounts.services import create_user

    server = slow_smtp()
    queue(3)
    suppress("C1@Example.com", NOW)
    db.session.commit()
    report = deliver_due(NOW, transport_to(server), SENDER)
    assert (report.sent, report.suppressed) == (2, 1)
    assert sorted(m["To"] for m in server.inbox.copies) == ["c0@example.com", "c2@example.com"]
    barred = rows()[1]
    assert barred.status == SUPPRESSED and "suppression list" in barred.last_error
    assert deliver_due(NOW + timedelta(days=1), transport_to(server), SENDER).sent == 0

    create_user("admin@example.com", "long-enough-password", "admin")
    client = app.test_client()
    client.post("/login", data={"email": "admin@example.com", "password": "long-enough-password"})
    assert "suppressed (1)" in client.get("/admin/outbox").get_data(as_text=True)
    listing = client.get("/admin/outbox?status=suppressed").get_data(as_text=True)
    assert "c1@example.com" in listing and "c0@example.com" not in listing


def _context(app):
    from surveys.kinds import NPS
    return {"customer": type("C", (), {"name": "A"})(), "survey": None, "kind": NPS, "question": "Q?",
            "buttons": [], "survey_url": "u", "unsubscribe_url": "x"}

