import email
import email.policy
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from feedback_app.core import claimants
from feedback_app.core.extensions import db
from feedback_app.mail import delivery_policy
from feedback_app.mail.delivery import deliver_due, retry_failed
from feedback_app.mail.outbox import FAILED, PENDING, SENDING, SENT, SUPPRESSED, OutboxEmail, enqueue_email
from feedback_app.mail.render import OutgoingEmail, build_message, message_id
from feedback_app.mail.suppression import suppress
from feedback_app.mail.transports import SMTPTransport, transport_from_config
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
        for _ in range(3):  # due first, tried first: the two never tried, then the first again
            deliver(app, NOW + timedelta(hours=1))
        assert [r.attempts for r in rows()] == [2, 1, 1]
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
    here = claimants.this_process()
    dead, elsewhere, alive = rows()
    if here.space == claimants.UNKNOWN:
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
    from surveys.scales.kinds import NPS
    return {"customer": type("C", (), {"name": "A"})(), "survey": None, "kind": NPS, "question": "Q?",
            "buttons": [], "survey_url": "u", "unsubscribe_url": "x"}



# ---------------------------------------------------------------- batches: claimed, sent and recorded together

class Clock:
    """The run's clock, moved on by the test (or by a transport, to play a slow server)."""

    def __init__(self, now=NOW):
        self.now = now

    def __call__(self):
        return self.now


def outbox_statements(app):
    """Every UPDATE of the outbox a run makes, as (SQL, executemany) in order."""
    from sqlalchemy import event

    seen = []

    def note(conn, cursor, statement, parameters, context, executemany):
        if "UPDATE OUTBOX_EMAIL" in statement.upper():
            seen.append((statement, executemany))

    event.listen(db.engine, "before_cursor_execute", note)
    return seen, lambda: event.remove(db.engine, "before_cursor_execute", note)


def test_a_batch_is_claimed_by_one_statement_and_recorded_by_one(app):
    queue(250)
    seen, stop_listening = outbox_statements(app)
    try:
        report = deliver(app, batch=100)
    finally:
        stop_listening()
    assert report.sent == 250 and len(app.config["MAIL_MEMORY_TRANSPORT"].sent) == 250
    claims = [s for s, many in seen if "RETURNING" in s.upper()]
    records = [s for s, many in seen if many]
    # 100 + 100 + 50, then a claim that finds nothing; one executemany of outcomes per batch. Nothing else.
    assert (len(claims), len(records), len(seen)) == (4, 3, 7)
    assert {r.status for r in rows()} == {SENT} and {r.attempts for r in rows()} == {1}


def test_an_idle_run_only_looks(app):
    queue(1, now=NOW + timedelta(hours=1))  # not due yet
    seen, stop_listening = outbox_statements(app)
    try:
        assert deliver(app).sent == 0
    finally:
        stop_listening()
    assert seen == []  # no claim was tried: on SQLite even an UPDATE of nothing would take the writer's lock


def test_two_senders_at_once_share_the_work_and_send_each_email_once(app, slow_smtp):
    import threading

    server = slow_smtp(delay=lambda n: 0.005)
    queue(120)
    reports, start = [], threading.Barrier(2)

    def sender():
        with app.app_context():
            start.wait()
            reports.append(deliver_due(NOW, transport_to(server), SENDER, batch=10))
            db.session.remove()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(server.inbox.message_ids().values()) == [1] * 120
    assert sorted(r.sent for r in reports) != [0, 120] and sum(r.sent for r in reports) == 120  # both took part
    assert {r.status for r in rows()} == {SENT}


class Crash(BaseException):
    """The process dying in the middle of a batch (nothing after it runs, as with SIGKILL)."""


class CrashingTransport(SMTPTransport):
    def __init__(self, server, after):
        super().__init__(server.host, server.port, None, None, "none", 1, 5)
        self.after = after

    def send(self, message):
        if self.after == 0:
            raise Crash()
        self.after -= 1
        super().send(message)


def test_a_crash_after_sending_k_of_n_leaves_all_n_maybe_sent_and_each_is_resent_under_its_message_id(app, slow_smtp):
    here = claimants.this_process()
    if here.space == claimants.UNKNOWN:
        pytest.skip("no /proc here: no claim can be proved dead")
    server = slow_smtp()
    queue(5)
    with pytest.raises(Crash):
        deliver_due(NOW, CrashingTransport(server, after=2), SENDER)
    db.session.rollback()
    assert {r.status for r in rows()} == {SENDING} and len(server.inbox.copies) == 2
    # As if that sender had died: its token names a pid no process can have.
    db.session.execute(update(OutboxEmail).values(claimed_by=f"{here.host}:{here.space}:{2 ** 22 + 1}:1"))
    db.session.commit()

    report = deliver_due(NOW + timedelta(seconds=5), transport_to(server), SENDER)
    assert (report.released, report.sent) == (5, 0)  # maybe sent, all five: not resent at once
    assert all(r.status == PENDING and r.attempts == 1 and "sender stopped" in r.last_error for r in rows())
    assert deliver_due(NOW + timedelta(minutes=2), transport_to(server), SENDER).sent == 5
    counts = server.inbox.message_ids()
    assert [counts[message_id(r.dedupe_key, SENDER)] for r in rows()] == [2, 2, 1, 1, 1]


def test_a_slow_server_gets_no_row_after_the_batch_window_the_rest_is_claimed_afresh(app, slow_smtp):
    server = slow_smtp()
    clock = Clock()

    class SlowTransport(SMTPTransport):
        def send(self, message):
            super().send(message)
            clock.now += timedelta(seconds=25)  # each email takes 25 s

    queue(5)
    transport = SlowTransport(server.host, server.port, None, None, "none", 1, 5)
    report = deliver_due(NOW, transport, SENDER, clock=clock)
    assert report.sent == 5 and sorted(server.inbox.message_ids().values()) == [1] * 5
    # Sends started at 0, 25 and 50 s after the claim; the fourth would start at 75 s, past the window,
    # so the last two were handed back and claimed again at 75 s.
    assert [r.claimed_at - NOW for r in rows()] == [timedelta(0)] * 3 + [timedelta(seconds=75)] * 2
    assert [r.sent_at - NOW for r in rows()] == [timedelta(seconds=s) for s in (25, 50, 75, 100, 125)]


def test_a_run_asked_to_stop_records_what_it_sent_and_hands_back_the_rest(app):
    transport = app.config.setdefault("MAIL_MEMORY_TRANSPORT", transport_from_config(app.config))
    queue(5)
    report = deliver(app, stop=lambda: len(transport.sent) >= 2)
    assert (report.sent, report.stopped_early) == (2, "asked to stop")
    assert [(r.status, r.attempts) for r in rows()] == [(SENT, 1)] * 2 + [(PENDING, 0)] * 3  # nothing left claimed
    assert deliver(app).sent == 3


def test_an_erasure_during_a_slow_batch_is_heeded_within_a_second_and_its_suppression_is_kept(app, slow_smtp):
    from privacy.scrubbing import scrub_outbox

    server = slow_smtp()
    clock = Clock()

    class ErasingTransport(SMTPTransport):
        def send(self, message):
            super().send(message)
            if len(server.inbox.copies) == 1:  # another process erases c2 while c0 goes out
                with app.app_context():
                    suppress("c2@example.com", NOW)
                    scrub_outbox("c2@example.com")
                    db.session.commit()
            clock.now += timedelta(seconds=2)

    queue(4)
    report = deliver_due(NOW, ErasingTransport(server.host, server.port, None, None, "none", 1, 5), SENDER, clock=clock)
    assert sorted(m["To"] for m in server.inbox.copies) == ["c0@example.com", "c1@example.com", "c3@example.com"]
    assert (report.sent, report.suppressed) == (3, 1)
    erased = rows()[2]
    assert erased.status == SUPPRESSED and erased.recipient == "erased@invalid"  # not overwritten by the outcome


def test_an_address_that_needs_smtputf8_goes_where_the_server_offers_it_and_waits_where_not(app):
    from aiosmtpd.controller import Controller

    from tests.support.postgres import free_port
    from tests.support.slow_smtp import SlowInbox

    inbox, port = SlowInbox(), free_port()
    db.session.add(OutboxEmail(dedupe_key="test:utf8", template="t", recipient="رضا@example.com", locale="fa",
                               subject="سلام", body_text="text\n", body_html="<p>html</p>", headers={},
                               status=PENDING, attempts=0, next_attempt_at=NOW, created_at=NOW))
    db.session.commit()
    plain = Controller(inbox, hostname="127.0.0.1", port=port, enable_SMTPUTF8=False)
    plain.start()
    try:
        report = deliver_due(NOW, SMTPTransport("127.0.0.1", port, None, None, "none", 1, 5), SENDER)
    finally:
        plain.stop()
    assert report.retrying == 1 and "SMTPUTF8" in rows()[0].last_error and inbox.copies == []
    international = Controller(inbox, hostname="127.0.0.1", port=port, enable_SMTPUTF8=True)
    international.start()
    try:
        report = deliver_due(NOW + timedelta(minutes=1), SMTPTransport("127.0.0.1", port, None, None, "none", 1, 5),
                             SENDER)
    finally:
        international.stop()
    assert report.sent == 1 and [m["To"] for m in inbox.copies] == ["رضا@example.com"]
