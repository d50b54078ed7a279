"""Webhooks end to end: a real receiver checks every signature; feedback sent over HTTP to the API and a closed
survey become events; two `feedback scheduler` processes deliver them; the receiver is stopped for a while, then
started again on the same port, and in the end has every event exactly once by its id, in order."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

import pytest
from sqlalchemy import func, select

from feedback_app.accounts.tokens import create_token
from feedback_app.core.clock import utcnow
from feedback_app.core.extensions import db
from surveys.asking.services import close_survey, create_survey
from surveys.models import Survey
from tests.app.feedback_app.test_cli import run
from tests.support.webhook_receiver import Receiver
from triage.classification import learning
from webhooks.models import WebhookDelivery, WebhookEvent

pytestmark = pytest.mark.e2e
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SECRET = "e2e-secret"


def scheduler(database_url: str) -> subprocess.Popen:
    env = {**os.environ, "FEEDBACK_DATABASE_URL": database_url, "FEEDBACK_MAIL_TRANSPORT": "console"}
    return subprocess.Popen([sys.executable, "-c", "from feedback_app.cli import main; main()", "scheduler"],
                            env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def send_feedback(url: str, token: str, text: str) -> int:
    request = urllib.request.Request(f"{url}/api/v1/feedback", method="POST",
                                     data=json.dumps({"text": text, "channel": "support"}).encode(),
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as reply:
        assert reply.status == 201
        return json.loads(reply.read())["id"]


def wait_for(condition, seconds: float, processes, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"not within {seconds} s: {what}"
        assert all(p.poll() is None for p in processes), "a scheduler stopped"
        time.sleep(0.3)


def undelivered() -> int:
    db.session.rollback()  # a fresh look at what the schedulers committed
    return db.session.scalar(select(func.count()).select_from(WebhookDelivery)
                             .where(WebhookDelivery.delivered_at.is_(None)))


def most_attempts() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.max(WebhookDelivery.attempts))) or 0


def test_a_receiver_down_for_a_while_gets_every_event_once_in_order(live_server, database_url):
    app = live_server.app
    receiver = Receiver(SECRET).start()
    processes = []
    with app.app_context():
        learning.train(utcnow())  # the model exists: the API classifies at once
        token = create_token("e2e", "triager", utcnow()).plain
        survey_id = create_survey("nps", "Quarterly NPS", "Acme").id
        added = run(app, "webhooks", "add", receiver.url, "--secret", SECRET, "--allow-private",
                    "--events", "response.created,response.classified,survey.closed")
        assert added.exit_code == 0, added.output
        try:
            processes = [scheduler(database_url) for _ in range(2)]
            first = [send_feedback(live_server.url, token, text) for text in
                     ("The export crashes on big files", "Support never answered my ticket")]
            wait_for(lambda: len(receiver.received) == 4, 60, processes, "the first four events")

            receiver.stop()  # down: every attempt now fails (connection refused)
            later = [send_feedback(live_server.url, token, text) for text in
                     ("Too expensive for a team of three", "I would love a dark mode")]
            close_survey(db.session.get(Survey, survey_id), utcnow())
            wait_for(lambda: most_attempts() >= 3, 90, processes, "three failed attempts while it is down")
            assert undelivered() == 5 and len(receiver.received) == 4

            receiver.start()  # up again, on the same port
            wait_for(lambda: undelivered() == 0, 120, processes, "every delivery after the receiver came back")
        finally:
            for process in processes:
                process.send_signal(signal.SIGTERM)
            logs = [process.communicate(timeout=60)[1] for process in processes]
            receiver.stop()
        assert all(process.returncode == 0 for process in processes), logs

        db.session.rollback()
        events = db.session.execute(select(WebhookEvent.id, WebhookEvent.type, WebhookEvent.data)
                                    .join(WebhookDelivery, WebhookDelivery.event_id == WebhookEvent.id)
                                    .order_by(WebhookDelivery.id)).all()
    assert all(item.signature_ok for item in receiver.received)
    assert all(item.headers["Content-Type"] == "application/json" for item in receiver.received)
    # Exactly once by id, and in the order the causes happened.
    assert receiver.ids() == [event.id for event in events] and len(set(receiver.ids())) == 9
    got = [(item.event["type"], item.event["data"].get("response_id") or item.event["data"].get("survey_id"))
           for item in receiver.received]
    assert got == [(kind, response_id) for response_id in first + later
                   for kind in ("response.created", "response.classified")] + [("survey.closed", survey_id)]
    assert [item.event for item in receiver.received][:1][0]["data"]["channel"] == "support"
