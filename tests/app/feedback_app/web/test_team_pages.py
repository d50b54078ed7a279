"""What every team page shares: a 404 that keeps the team's navigation (customers' pages keep the public one),
static files whose address names their content and is cached for a year, and the questions asked before an
irreversible action."""
from __future__ import annotations

import re

import pytest

from feedback_app.accounts.services import create_user
from tests.support.factories import add_customers, sent_survey

PASSWORD = "long-enough-password"


@pytest.fixture
def admin(app, client):
    create_user("admin@example.com", PASSWORD, "admin")
    assert client.post("/login", data={"email": "admin@example.com", "password": PASSWORD}).status_code == 302
    return client


def test_a_lost_team_member_keeps_the_team_navigation(admin):
    for path in ("/triage/no-such-page", "/fixes/999999", "/nowhere"):
        reply = admin.get(path, headers={"Accept-Language": "ar"})
        page = reply.get_data(as_text=True)
        assert reply.status_code == 404
        assert 'class="menu"' in page and 'href="/triage"' in page, path
        assert "هذه الصفحة غير موجودة" in page and "العودة إلى لوحة المعلومات" in page


@pytest.mark.parametrize("path", ["/s/not-a-link", "/u/not-a-link", "/early/not-a-link", "/advise/not-a-link"])
def test_a_customer_link_keeps_the_public_page_even_for_a_signed_in_member(admin, path):
    reply = admin.get(path)
    page = reply.get_data(as_text=True)
    assert reply.status_code == 404
    assert "We could not find this page" in page
    assert 'class="menu"' not in page and "/triage" not in page


def test_a_stranger_gets_the_public_page(client):
    page = client.get("/nowhere").get_data(as_text=True)
    assert "We could not find this page" in page and 'class="menu"' not in page


def test_static_addresses_name_their_content_and_are_cached_for_a_year(client):
    page = client.get("/login").get_data(as_text=True)
    stylesheet = re.search(r'href="(/static/app\.css\?v=[0-9a-f]{12})"', page).group(1)
    reply = client.get(stylesheet)
    assert reply.status_code == 200 and "max-age=31536000" in reply.headers["Cache-Control"]
    font = client.get("/static/fonts/vazirmatn/vazirmatn-arabic.woff2")
    assert font.status_code == 200 and font.data[:4] == b"wOF2" and "immutable" in font.headers["Cache-Control"]
    # Without the digest an address may name any version: the browser asks again each time.
    assert "max-age=31536000" not in client.get("/static/app.css").headers.get("Cache-Control", "")


def test_closing_a_survey_and_erasing_a_customer_ask_first(app, admin):
    survey, _ = sent_survey(app)
    results = admin.get(f"/surveys/{survey.id}", headers={"Accept-Language": "fa"}).get_data(as_text=True)
    assert re.search(rf'action="/surveys/{survey.id}/close" class="inline" data-confirm="[^"]*بسته شود؟', results)
    add_customers(("layla@example.com", "Layla", "ar"))
    found = admin.post("/admin/privacy/lookup", data={"lookup-email": "layla@example.com"}).get_data(as_text=True)
    assert 'data-confirm="Erase everything held about layla@example.com? This cannot be undone."' in found
