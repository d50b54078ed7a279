"""HTTPS settings: Secure cookies and HSTS when served over https, the Referer the CSRF check needs,
and which proxy headers are believed."""
from __future__ import annotations

import re

import pytest

from feedback_app.accounts.services import create_user
from tests.support.factories import sent_survey, survey_path

PASSWORD = "long-enough-password"


@pytest.fixture
def https_app(app_factory):
    app = app_factory(BASE_URL="https://feedback.example", WTF_CSRF_ENABLED=True, TRUSTED_PROXIES=1)
    with app.app_context():
        create_user("admin@example.com", PASSWORD, "admin")
    return app


def csrf_token(page: bytes) -> str:
    return re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1).decode()


def sign_in(client, referer: str | None, remember: bool = False):
    proxy = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    token = csrf_token(client.get("/login", headers=proxy).data)
    headers = {**proxy, **({"Referer": referer} if referer else {})}
    data = {"csrf_token": token, "email": "admin@example.com", "password": PASSWORD}
    return client.post("/login", data={**data, **({"remember": "y"} if remember else {})}, headers=headers)


def test_over_https_cookies_are_secure_and_hsts_is_sent(https_app):
    client = https_app.test_client()
    reply = sign_in(client, "https://localhost/login", remember=True)
    assert reply.status_code == 302  # signed in: the referer came from our own https origin
    cookies = reply.headers.getlist("Set-Cookie")
    assert cookies and all("Secure" in c and "HttpOnly" in c for c in cookies)
    assert {c.split("=")[0] for c in cookies} >= {"session", "remember_token"}
    assert reply.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert client.get("/login").headers["Strict-Transport-Security"] == "max-age=31536000"


def test_the_strict_referer_check_stays_on_over_https(https_app):
    assert sign_in(https_app.test_client(), None).status_code == 400  # no Referer: refused
    assert sign_in(https_app.test_client(), "https://evil.example/login").status_code == 400


def test_team_pages_send_their_referer_to_themselves_only_and_respondents_never(app, client):
    survey, (invitation,) = sent_survey(app)
    assert client.get("/login").headers["Referrer-Policy"] == "same-origin"
    assert client.get(survey_path(app, invitation)).headers["Referrer-Policy"] == "no-referrer"


def test_over_plain_http_no_secure_cookie_and_no_hsts(app_factory):
    app = app_factory(BASE_URL="http://127.0.0.1:5000")
    with app.app_context():
        create_user("admin@example.com", PASSWORD, "admin")
    reply = app.test_client().post("/login", data={"email": "admin@example.com", "password": PASSWORD})
    assert reply.status_code == 302
    assert "Strict-Transport-Security" not in reply.headers
    assert not any("Secure" in c for c in reply.headers.getlist("Set-Cookie"))


@pytest.mark.parametrize("hops, seen", [(0, "127.0.0.1"), (1, "203.0.113.9")])
def test_forwarded_headers_are_believed_only_from_configured_proxies(app_factory, hops, seen):
    app = app_factory(TRUSTED_PROXIES=hops)

    @app.get("/_whoami")
    def whoami():
        from flask import request
        return f"{request.remote_addr} {request.scheme}"

    reply = app.test_client().get("/_whoami", headers={"X-Forwarded-For": "203.0.113.9",
                                                         "X-Forwarded-Proto": "https"})
    assert reply.text == f"{seen} {'https' if hops else 'http'}"
