"""The admins' webhooks page: admins only; endpoints with their state, the add form (its refusals shown), the
delivery log newest first a page at a time with "resend", "resume" for a paused endpoint; bounded statements."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from feedback_app.accounts.services import create_user
from feedback_app.core.extensions import db
from tests.app.test_query_counts import statements_of
from tests.app.webhooks.helpers import endpoint
from tests.support.factories import NOW
from webhooks import events, views
from webhooks.models import WebhookDelivery, WebhookEndpoint

PASSWORD = "long-enough-password"


def signed_in(app, role):
    create_user(f"{role}@example.com", PASSWORD, role)
    db.session.commit()
    client = app.test_client()
    assert client.post("/login", data={"email": f"{role}@example.com", "password": PASSWORD}).status_code == 302
    return client


@pytest.fixture
def admin(app):
    return signed_in(app, "admin")


def closed(count: int, now=NOW):
    for n in range(count):
        events.emit(events.SURVEY_CLOSED, {"survey_id": n}, now + timedelta(seconds=n))
    db.session.commit()


def test_admins_only(app):
    triager = signed_in(app, "triager")
    assert triager.get("/admin/webhooks").status_code == 403
    assert triager.post("/admin/webhooks", data={"url": "https://x.example"}).status_code == 403


def test_the_page_shows_endpoints_their_state_and_the_log(app, admin):
    active = endpoint(("survey.closed",))
    paused = endpoint(("survey.closed", "fix.status_changed"), url="https://other.example.com/in")
    closed(2)
    paused.paused_at = NOW
    db.session.commit()
    html = admin.get("/admin/webhooks").get_data(as_text=True)
    assert "https://hooks.example.com/in" in html and "https://other.example.com/in" in html
    assert "survey.closed, fix.status_changed" in html and "Paused since 2026-11-23 12:00" in html
    assert f'action="/admin/webhooks/{paused.id}/resume"' in html
    assert f'action="/admin/webhooks/{active.id}/resume"' not in html
    event_ids = db.session.scalars(select(WebhookDelivery.event_id).order_by(WebhookDelivery.id.desc())).all()
    positions = [html.index(event_id) for event_id in event_ids]
    assert len(event_ids) == 4 and positions == sorted(positions)  # newest first
    assert html.count(">Resend</button>") == 4


def test_adding_an_endpoint_through_the_form(app, admin, monkeypatch):
    reply = admin.post("/admin/webhooks", data={"url": "http://127.0.0.1:9/hook", "secret": "s",
                                                "events": ["survey.closed"]})
    assert reply.status_code == 422
    assert "127.0.0.1 resolves to 127.0.0.1, a loopback address" in reply.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(WebhookEndpoint)) == 0
    reply = admin.post("/admin/webhooks", data={"url": "http://127.0.0.1:9/hook", "secret": "s",
                                                "events": ["survey.closed", "response.created"],
                                                "allow_private": "y"})
    assert reply.status_code == 302
    [added] = db.session.scalars(select(WebhookEndpoint)).all()
    assert (added.url, added.events, added.allow_private) == ("http://127.0.0.1:9/hook",
                                                              ["survey.closed", "response.created"], True)
    reply = admin.post("/admin/webhooks", data={"url": "", "secret": "", "events": []})
    html = reply.get_data(as_text=True)
    assert reply.status_code == 422
    assert "Enter the receiver's URL." in html and "Choose at least one event." in html
    reply = admin.post("/admin/webhooks", data={"url": "https://x.example", "secret": "s", "events": ["nope"]})
    assert reply.status_code == 422


def test_resend_and_resume_buttons(app, admin):
    hook = endpoint(("survey.closed",))
    closed(1)
    [first] = db.session.scalars(select(WebhookDelivery)).all()
    assert admin.post(f"/admin/webhooks/deliveries/{first.id}/resend").status_code == 302
    db.session.expire_all()
    # Still waiting: a resend of a delivery not yet made queues nothing more.
    assert db.session.scalar(select(func.count()).select_from(WebhookDelivery)) == 1
    first.delivered_at = NOW
    db.session.commit()
    admin.post(f"/admin/webhooks/deliveries/{first.id}/resend")
    again = db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()
    assert len(again) == 2 and again[1].event_id == first.event_id and again[1].delivered_at is None
    assert admin.post("/admin/webhooks/deliveries/999999/resend").status_code == 404
    hook.paused_at = NOW
    db.session.commit()
    assert admin.post(f"/admin/webhooks/{hook.id}/resume").status_code == 302
    db.session.expire_all()
    assert db.session.get(WebhookEndpoint, hook.id).paused_at is None


def test_the_log_is_paged_and_its_statements_do_not_grow(app, admin, monkeypatch):
    monkeypatch.setattr(views, "PER_PAGE", 5)
    endpoint(("survey.closed",))
    endpoint(("survey.closed",), url="https://two.example.com/in")
    closed(4)
    admin.get("/admin/webhooks")
    db.session.remove()
    few = statements_of(app, lambda: admin.get("/admin/webhooks"))
    closed(16, now=NOW + timedelta(hours=1))
    db.session.remove()
    many = statements_of(app, lambda: admin.get("/admin/webhooks"))
    assert many <= few
    html = admin.get("/admin/webhooks").get_data(as_text=True)
    assert html.count(">Resend</button>") == 5 and 'rel="next"' in html
    older = html.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    assert admin.get(older).status_code == 200
    assert admin.get("/admin/webhooks?after=garbage").status_code == 404
