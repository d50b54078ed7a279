"""An endpoint removed takes its queue and log with it (events another endpoint still needs stay); the log of
delivered events is pruned after 30 days, what is still owed never. On SQLite and PostgreSQL."""
from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, select

from feedback_app.core.extensions import db
from tests.app.feedback_app.test_cli import run
from tests.app.webhooks.helpers import endpoint, public_resolver
from tests.app.webhooks.test_page import signed_in
from tests.support.factories import NOW
from webhooks import events
from webhooks.delivery import deliver_due_webhooks
from webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from webhooks.pruning import prune_webhook_log
from webhooks.sending import Answer
from webhooks.services import remove_endpoint


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def emit(kind: str, at=NOW, n: int = 1) -> None:
    for number in range(n):
        events.emit(kind, {"survey_id": number} if kind == events.SURVEY_CLOSED else {"fix_id": number}, at)
    db.session.commit()


def test_removing_an_endpoint_keeps_the_events_another_endpoint_still_needs(app):
    closures = endpoint(("survey.closed",))
    both = endpoint(("survey.closed", "fix.status_changed"), url="https://other.example.com/in")
    emit(events.SURVEY_CLOSED, n=2)      # 2 events × 2 endpoints = 4 deliveries
    emit(events.FIX_STATUS_CHANGED)      # 1 event for `both` only
    assert (count(WebhookEvent), count(WebhookDelivery)) == (3, 5)

    assert remove_endpoint(both.id) is True
    # Its 3 deliveries go; the fix event only it needed goes; the two closures stay for `closures`.
    assert (count(WebhookEvent), count(WebhookDelivery), count(WebhookEndpoint)) == (2, 2, 1)
    assert remove_endpoint(both.id) is False
    assert remove_endpoint(closures.id) is True
    assert (count(WebhookEvent), count(WebhookDelivery), count(WebhookEndpoint)) == (0, 0, 0)


def test_remove_from_the_command_line_and_the_admin_page(app):
    first, second = endpoint(("survey.closed",)), endpoint(("survey.closed",), url="https://b.example.com/in")
    removed = run(app, "webhooks", "remove", str(first.id))
    assert removed.exit_code == 0 and f"Endpoint {first.id} removed" in removed.output
    unknown = run(app, "webhooks", "remove", "424242")
    assert unknown.exit_code == 1 and "There is no webhook endpoint 424242" in unknown.output
    admin = signed_in(app, "admin")
    assert 'data-confirm="Remove endpoint' in admin.get("/admin/webhooks").get_data(as_text=True)
    assert admin.post(f"/admin/webhooks/{second.id}/remove").status_code == 302
    assert admin.post(f"/admin/webhooks/{second.id}/remove").status_code == 404
    assert count(WebhookEndpoint) == 0
    triager = signed_in(app, "triager")
    assert triager.post(f"/admin/webhooks/{second.id}/remove").status_code == 403


def test_pruning_keeps_30_days_of_log_and_everything_still_owed(app):
    hook = endpoint(("survey.closed",))
    emit(events.SURVEY_CLOSED, at=NOW - timedelta(days=40), n=3)  # old: two delivered, one never delivered
    emit(events.SURVEY_CLOSED, at=NOW - timedelta(days=5))        # recent, delivered
    rows = db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()
    rows[0].delivered_at = rows[1].delivered_at = NOW - timedelta(days=39)
    rows[3].delivered_at = NOW - timedelta(days=5)
    db.session.commit()

    assert prune_webhook_log(NOW, batch=1) == (2, 2)  # one row a batch: the batches add up
    left = db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()
    assert [d.id for d in left] == [rows[2].id, rows[3].id]  # the one owed (40 days old) and the recent one
    assert count(WebhookEvent) == 2 and db.session.get(WebhookEndpoint, hook.id) is not None
    assert prune_webhook_log(NOW) == (0, 0)


def test_an_endpoint_removed_during_its_post_ends_the_run_quietly(app):
    hook = endpoint(("survey.closed",))
    emit(events.SURVEY_CLOSED, n=2)

    def post_while_an_admin_removes_it(target, body, headers):
        def remove():
            with app.app_context():
                assert remove_endpoint(hook.id) is True
                db.session.remove()
        remover = threading.Thread(target=remove)  # another connection, as the admin page's would be
        remover.start()
        remover.join(timeout=30)
        return Answer(200, None)

    report = deliver_due_webhooks(NOW, post=post_while_an_admin_removes_it, resolve=public_resolver)
    assert report.busy is False
    assert (count(WebhookEndpoint), count(WebhookDelivery), count(WebhookEvent)) == (0, 0, 0)
