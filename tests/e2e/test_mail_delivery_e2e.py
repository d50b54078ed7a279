"""Exactly-once email delivery, end to end: the real `feedback mail deliver` command, run as its own process
against a real SMTP server (aiosmtpd) that is slow, that is stopped in the middle of a run, or whose
client is killed while it waits for the server's answer (a killed sender leaves its whole batch "maybe
sent": see docs/architecture.md, Delivery semantics)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import select

from feedback_app.core.clock import utcnow
from feedback_app.core.extensions import db
from feedback_app.mail.outbox import PENDING, SENDING, SENT, OutboxEmail
from feedback_app.mail.render import message_id
from tests.support.factories import sent_survey
from tests.support.slow_smtp import SlowInbox, SMTPServer

pytestmark = pytest.mark.e2e
SENDER = "Acme Feedback <feedback@acme.test>"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Small timeouts keep the tests short: a command's answer within 1 s, the verdict on the data within 4 s.
TIMEOUTS = {"FEEDBACK_SMTP_TIMEOUT": "1", "FEEDBACK_SMTP_DATA_TIMEOUT": "4"}
# For the runs that follow, where the server answers at once: a loaded CI machine (the suite on every core) may
# take longer than the first run's tight 1 s to answer, which would read as a slow server and stop the run early.
CALM = {"FEEDBACK_SMTP_TIMEOUT": "20", "FEEDBACK_SMTP_DATA_TIMEOUT": "30"}


def deliver_command(database_url: str, server: SMTPServer, timeouts: dict = TIMEOUTS) -> tuple[list[str], dict]:
    env = {**os.environ, **timeouts, "FEEDBACK_DATABASE_URL": database_url, "FEEDBACK_SMTP_HOST": server.host,
           "FEEDBACK_SMTP_PORT": str(server.port), "FEEDBACK_SMTP_TLS": "none", "FEEDBACK_MAIL_FROM": SENDER}
    return [sys.executable, "-c", "from feedback_app.cli import main; main()", "mail", "deliver"], env


def run_deliver(database_url: str, server: SMTPServer, timeouts: dict = CALM) -> list[str]:
    """One real `feedback mail deliver`; its stdout lines (the last one sums the run up)."""
    db.session.commit()  # the test's own session holds nothing while the command works
    command, env = deliver_command(database_url, server, timeouts)
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()


def rows() -> list[OutboxEmail]:
    db.session.expire_all()
    return db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)).all()


def let_time_pass(delta: timedelta) -> None:
    """The command reads the real clock; instead of waiting, move every retry time back by `delta`."""
    for email in rows():
        if email.status == PENDING:
            email.next_attempt_at -= delta
    db.session.commit()


def customers(count: int):
    return tuple((f"customer{i}@example.com", f"Customer {i}", "en") for i in range(count))


@pytest.fixture
def mail_app(app_factory):
    app = app_factory(MAIL_FROM=SENDER)
    with app.app_context():
        yield app


def test_300_emails_through_a_slow_server_stopped_mid_run_arrive_once_each(mail_app, database_url):
    # Each answer takes 5 ms, two take 1.5 s (longer than the 1 s command timeout, within the data
    # timeout); the server keeps message 150 and is stopped before it answers.
    inbox = SlowInbox(delay=lambda n: 1.5 if n in (40, 80) else 0.005, hold=150)
    server = SMTPServer(inbox).start()
    try:
        sent_survey(mail_app, customers=customers(300))
        expected = {message_id(email.dedupe_key, SENDER) for email in rows()}
        command, env = deliver_command(database_url, server)
        db.session.commit()
        first = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True)
        assert inbox.holding.wait(90), "the server never got message 150"
        server.stop()  # mid-run: message 150 is kept but never answered, and 151 finds no server
        out, err = first.communicate(timeout=60)
        assert first.returncode == 0, err
        assert out.strip().splitlines()[-1] == "149 sent, 2 to retry later, 0 failed."
        assert "Stopped early" in out
        unanswered = rows()[149]
        assert unanswered.status == PENDING and unanswered.last_error.startswith("maybe delivered: ")
        assert unanswered.next_attempt_at >= utcnow() + timedelta(minutes=9)  # not at once

        server.start()  # the same port again
        let_time_pass(timedelta(minutes=10))
        assert run_deliver(database_url, server)[-1] == "151 sent, 0 to retry later, 0 failed."
        assert {email.status for email in rows()} == {SENT}

        arrived = inbox.message_ids()
        assert set(arrived) == expected  # every email arrived, under its own Message-ID
        # Message 150 is the one truly ambiguous case: the server kept it but its answer never came, so it was
        # sent again - with the same Message-ID, which mail systems fold into one. Every other email came once.
        assert inbox.unanswered == [message_id(unanswered.dedupe_key, SENDER)]
        assert {mid: n for mid, n in arrived.items() if n != 1} == {inbox.unanswered[0]: 2}
    finally:
        server.stop()


def test_a_sender_killed_while_the_server_answers_is_followed_up_once(mail_app, database_url):
    inbox = SlowInbox(hold=3)  # keeps message 3, then answers only when released
    server = SMTPServer(inbox).start()
    try:
        sent_survey(mail_app, customers=customers(5))
        command, env = deliver_command(database_url, server)
        db.session.commit()
        victim = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert inbox.holding.wait(60), "the server never got message 3"
        victim.send_signal(signal.SIGKILL)  # while it waits for the verdict on message 3
        victim.communicate(timeout=30)
        inbox.release.set()
        held = rows()[2]
        assert held.status == SENDING and held.claimed_by.split(":")[2] == str(victim.pid)

        # The five were claimed as one batch, and its outcomes were to be recorded at its end: all five are
        # still claimed by the dead process. The next run releases them at once, but does not resend at once.
        assert {email.status for email in rows()} == {SENDING}
        second = run_deliver(database_url, server)
        assert second[-1] == "0 sent, 0 to retry later, 0 failed." and "5 left in 'sending'" in second[0]
        for email in rows():
            assert email.status == PENDING and "sender stopped" in email.last_error
            assert utcnow() + timedelta(seconds=30) <= email.next_attempt_at <= utcnow() + timedelta(minutes=2)
        assert sorted(inbox.message_ids().values()) == [1, 1, 1]  # the server got three before the kill

        let_time_pass(timedelta(minutes=2))  # the short pause after a dead sender
        assert run_deliver(database_url, server)[-1] == "5 sent, 0 to retry later, 0 failed."
        counts = inbox.message_ids()
        # Maybe sent, so sent again: the three the server had got arrive twice, each under its own
        # Message-ID (mail systems fold such copies); the two never sent arrive once. All are sent now.
        assert [counts[message_id(email.dedupe_key, SENDER)] for email in rows()] == [2, 2, 2, 1, 1]
        assert {email.status for email in rows()} == {SENT}
    finally:
        server.stop()
