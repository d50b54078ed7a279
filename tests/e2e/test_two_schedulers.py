"""Two `feedback scheduler` processes over one database (issue 10, "past one machine"): they share the
sending, every email reaches the SMTP server once, and every answer is counted and classified once."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from feedback_app.core.clock import utcnow
from feedback_app.core.extensions import db
from feedback_app.mail.outbox import SENT, OutboxEmail
from feedback_app.mail.render import message_id
from surveys.answering import tallies as score_tallies
from surveys.answering.links import signed_invitation
from surveys.answering.services import record_answer
from surveys.models import Response
from surveys.scales.answers import Answer
from tests.support.factories import sent_survey
from tests.support.slow_smtp import SlowInbox, SMTPServer
from triage.classification import learning
from triage.loop import reach as loop_reach
from triage.models import TriageItem
from triage.verbatims import sweep
from triage.verbatims import tallies as triage_tallies

pytestmark = pytest.mark.e2e
SENDER = "Acme Feedback <feedback@acme.test>"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EMAILS = 240
COMMENTS = ("The PDF export is broken again", "Support never answered my ticket", "Too expensive for us",
            "التصدير إلى PDF لا يعمل", "پشتیبانی جواب نمی‌دهد", "", "Exporting a PDF takes ages", "love it")


@pytest.fixture
def mail_app(app_factory):
    app = app_factory(MAIL_FROM=SENDER)
    with app.app_context():
        yield app


def scheduler(database_url: str, server: SMTPServer) -> subprocess.Popen:
    env = {**os.environ, "FEEDBACK_DATABASE_URL": database_url, "FEEDBACK_SMTP_HOST": server.host,
           "FEEDBACK_SMTP_PORT": str(server.port), "FEEDBACK_SMTP_TLS": "none", "FEEDBACK_MAIL_FROM": SENDER,
           "FEEDBACK_SMTP_TIMEOUT": "5"}
    return subprocess.Popen([sys.executable, "-c", "from feedback_app.cli import main; main()", "scheduler"],
                            env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def all_done() -> bool:
    db.session.rollback()  # a fresh look at what the schedulers committed
    unsent = db.session.scalar(select(func.count(OutboxEmail.id)).where(OutboxEmail.status != SENT))
    waiting = db.session.scalar(select(func.count(Response.id)).where(score_tallies.WAITING))
    return unsent == 0 and waiting == 0


def test_two_schedulers_share_the_work_and_do_each_part_once(mail_app, database_url):
    now = utcnow()
    _, invitations = sent_survey(mail_app, customers=tuple((f"c{n}@example.com", f"C{n}", ("en", "ar", "fa")[n % 3])
                                                         for n in range(EMAILS)), now=now - timedelta(hours=1))
    for n, invitation in enumerate(invitations[:160]):
        record_answer(signed_invitation(invitation),
                                      Answer(n % 11, COMMENTS[n % len(COMMENTS)], n % 2 == 0), now, timedelta(hours=24))
    learning.train(now)  # the model exists: neither process trains on its first tick
    expected = {message_id(email.dedupe_key, SENDER) for email in db.session.scalars(select(OutboxEmail))}
    worded = sum(1 for n in range(160) if COMMENTS[n % len(COMMENTS)])
    db.session.commit()

    inbox = SlowInbox(delay=lambda n: 0.02)  # 240 emails take ~5 s: both processes are at it together
    server = SMTPServer(inbox).start()
    processes = [scheduler(database_url, server) for _ in range(2)]
    try:
        deadline = time.monotonic() + 120
        while not all_done():
            assert time.monotonic() < deadline, "the schedulers did not finish in two minutes"
            assert all(p.poll() is None for p in processes), "a scheduler stopped"
            time.sleep(0.5)
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        logs = [process.communicate(timeout=60)[1] for process in processes]
        server.stop()
    assert all(process.returncode == 0 for process in processes), logs

    received = [copy["Message-ID"] for copy in inbox.copies]
    assert len(received) == EMAILS and set(received) == expected  # each email once
    sent_by = [sum(int(n) for n in re.findall(r"mail: (\d+) sent", log)) for log in logs]
    classified_by = [sum(int(n) for n in re.findall(r"triage: (\d+) verbatims classified", log)) for log in logs]
    assert sum(sent_by) == EMAILS and sum(classified_by) == worded, (sent_by, classified_by)
    if database_url.startswith("postgresql"):  # SKIP LOCKED: both take batches at once
        assert min(sent_by) > 0, sent_by

    # Every answer counted once and classified once: the kept figures equal a recount.
    db.session.rollback()
    assert db.session.scalar(select(func.count(TriageItem.id))) == worded
    kept = score_tallies.snapshot(), triage_tallies.snapshot(), loop_reach.snapshot()
    assert sum(kept[0].values()) == 160 and kept[2]["loop_person"]  # both swept people awaiting a call
    score_tallies.rebuild()
    loop_reach.rebuild()
    sweep.refresh_copies()
    triage_tallies.rebuild()
    assert (score_tallies.snapshot(), triage_tallies.snapshot(), loop_reach.snapshot()) == kept
    db.session.rollback()
