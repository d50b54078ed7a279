"""Every route is either public for a stated reason or refuses strangers and read-only members.

A route added later that is in neither list fails here until someone decides what it is."""
from __future__ import annotations

import pytest

from feedback_app.accounts.services import create_user
from feedback_app.accounts.tokens import create_token
from tests.support.factories import NOW
from tests.support.routes import PUBLIC, READ_METHODS, WRITES_FOR_EVERY_MEMBER, sample_path, team_rules

PASSWORD = "long-enough-password"


def requests_of(app):
    for rule, endpoint, methods in team_rules(app):
        for method in methods:
            yield endpoint, method, sample_path(rule)


def test_every_public_route_is_still_a_route(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert set(PUBLIC) <= endpoints, "a listed public route was renamed or removed"


def test_every_other_route_refuses_a_stranger(app):
    client = app.test_client()
    refused = {}
    for endpoint, method, path in requests_of(app):
        reply = client.open(path, method=method)
        api = path.startswith("/api/")
        ok = reply.status_code == 401 if api else (
            reply.status_code == 302 and reply.headers["Location"].startswith("/login"))
        if not ok:
            refused[f"{method} {path} ({endpoint})"] = reply.status_code
    assert refused == {}, "these answer a stranger; protect them or list them in tests/support/routes.py"


@pytest.fixture
def viewer_client(app):
    create_user("viewer@example.com", PASSWORD, "viewer")
    client = app.test_client()
    assert client.post("/login", data={"email": "viewer@example.com", "password": PASSWORD}).status_code == 302
    return client


def test_a_viewer_may_not_write_anywhere(app, viewer_client):
    token = create_token("reader", "viewer", NOW).plain
    writes = [(e, m, p) for e, m, p in requests_of(app) if m not in READ_METHODS and e not in WRITES_FOR_EVERY_MEMBER]
    assert len(writes) > 20  # the audit walks the real route map
    allowed = {}
    for endpoint, method, path in writes:
        if path.startswith("/api/"):
            reply = viewer_client.open(path, method=method, json={}, headers={"Authorization": f"Bearer {token}"})
        else:
            reply = viewer_client.open(path, method=method, data={})
        if reply.status_code != 403:
            allowed[f"{method} {path} ({endpoint})"] = reply.status_code
    assert allowed == {}, "a viewer could send these; check the role before anything else"
