"""`feedback webhooks add | list | deliver`: the id printed last, clear refusals that store nothing, the list's
states, and a delivery run's summary."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from feedback_app.core.extensions import db
from tests.app.feedback_app.test_cli import run
from tests.support.webhook_receiver import Receiver
from webhooks import events
from webhooks.models import WebhookEndpoint


def stored() -> int:
    return db.session.scalar(select(func.count()).select_from(WebhookEndpoint))


def test_add_prints_the_endpoint_id_last(app):
    result = run(app, "webhooks", "add", "https://93.184.216.34/hooks", "--secret", "s3cret",
                 "--events", "response.created,survey.closed")
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    [endpoint] = db.session.scalars(select(WebhookEndpoint)).all()
    assert lines[-1] == str(endpoint.id)
    assert lines[0] == f"Endpoint {endpoint.id} receives response.created, survey.closed at https://93.184.216.34/hooks"
    assert (endpoint.secret, endpoint.allow_private) == ("s3cret", False)


def test_add_refuses_clearly_and_stores_nothing(app):
    refusals = {
        ("https://93.184.216.34/h", "response.created,survey.opened"): "unknown event survey.opened (known: ",
        ("ftp://93.184.216.34/h", "survey.closed"): "only http:// and https:// URLs are allowed",
        ("not a url", "survey.closed"): "only http:// and https:// URLs are allowed",
        ("http://192.168.1.20/h", "survey.closed"): "192.168.1.20 resolves to 192.168.1.20, a private address",
        ("http://localhost:8000/h", "survey.closed"): "localhost resolves to",
    }
    for (url, kinds), message in refusals.items():
        result = run(app, "webhooks", "add", url, "--secret", "s", "--events", kinds)
        assert result.exit_code == 1 and f"Error: {message}" in result.output, (url, result.output)
    assert "--secret" in run(app, "webhooks", "add", "https://93.184.216.34/h", "--events", "survey.closed").output
    assert stored() == 0


def test_allow_private_and_list(app):
    assert run(app, "webhooks", "list").output.startswith("No webhook endpoints.")
    run(app, "webhooks", "add", "http://127.0.0.1:9/h", "--secret", "s", "--events", "survey.closed",
        "--allow-private")
    run(app, "webhooks", "add", "https://93.184.216.34/h", "--secret", "s", "--events", "fix.status_changed")
    first, second = db.session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)).all()
    second.paused_at = datetime(2026, 11, 23, 12)
    events.emit(events.SURVEY_CLOSED, {"survey_id": 1}, datetime(2026, 11, 23, 12))
    db.session.commit()
    lines = run(app, "webhooks", "list").output.strip().splitlines()
    assert lines == [f"{first.id}\tactive\tsurvey.closed\t1 waiting\thttp://127.0.0.1:9/h (private addresses allowed)",
                     f"{second.id}\tpaused since 2026-11-23 12:00\tfix.status_changed\t0 waiting\t"
                     "https://93.184.216.34/h"]


def test_deliver_sends_what_is_due_and_says_so(app):
    receiver = Receiver("s", clock=lambda: int(datetime.now(UTC).timestamp())).start()
    try:
        run(app, "webhooks", "add", receiver.url, "--secret", "s", "--events", "survey.closed", "--allow-private")
        for n in range(3):
            events.emit(events.SURVEY_CLOSED, {"survey_id": n}, datetime(2026, 1, 1))
        db.session.commit()
        result = run(app, "webhooks", "deliver")
        assert result.exit_code == 0, result.output
        assert result.output.strip().splitlines()[-1] == "3 delivered, 0 failed (retried later), 0 endpoints paused"
        assert len(receiver.received) == 3 and all(item.signature_ok for item in receiver.received)
        assert run(app, "webhooks", "deliver").output.strip().splitlines()[-1] == (
            "0 delivered, 0 failed (retried later), 0 endpoints paused")
    finally:
        receiver.stop()
