"""A triggered survey, for real: a transactional CSAT tagged "support" is triggered over HTTP after a "ticket"
(POST /api/v1/invitations), a second one within the cool-down is refused with retry_after, the invitation reaches
a real SMTP server, is answered in a real Chromium, and counts in the touchpoint's figures on the dashboard.
Runs on SQLite and PostgreSQL."""
from __future__ import annotations

import json
import re
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from feedback_app.accounts.services import create_user
from feedback_app.accounts.tokens import create_token
from feedback_app.core.clock import utcnow
from tests.e2e.test_survey_e2e import cli, score_links
from tests.support.factories import add_customers

pytestmark = pytest.mark.e2e
EMAIL, PASSWORD = "lead@example.com", "long-enough-password"


def invite(base: str, token: str, body: dict) -> tuple[int, dict, dict]:
    request = urllib.request.Request(f"{base}/api/v1/invitations", method="POST", data=json.dumps(body).encode(),
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, json.loads(reply.read()), dict(reply.headers)
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read()), dict(refused.headers)


def test_a_triggered_csat_is_emailed_answered_and_counted_at_its_touchpoint(live_server, browser_context):
    app, base = live_server.app, live_server.url
    with app.app_context():
        add_customers(("ana@example.com", "Ana", "en"))
        create_user(EMAIL, PASSWORD, "viewer")
        token = create_token("helpdesk", "triager", utcnow()).plain
    created = cli(app, "surveys", "create", "--kind", "csat", "--name", "After support", "--product", "Acme",
                  "--mode", "transactional", "--touchpoint", "support")
    survey_id = int(created.stdout.strip().splitlines()[-1])

    status, first, _ = invite(base, token, {"survey_id": survey_id, "email": "ana@example.com",
                                            "external_id": "ticket-100", "context": "Ticket #100"})
    assert status == 201 and first["context"] == "Ticket #100"
    # The helpdesk retries: the same invitation, nothing queued twice.
    assert invite(base, token, {"survey_id": survey_id, "email": "ana@example.com", "external_id": "ticket-100"})[:2] \
        == (200, first)
    status, refused, headers = invite(base, token, {"survey_id": survey_id, "email": "ana@example.com",
                                                    "external_id": "ticket-101"})
    # A second ticket the same day: within 7 days, so at most 7 days (604,800 s) and more than 6 days to wait.
    assert status == 429 and 6 * 86400 < refused["retry_after"] <= 7 * 86400
    assert headers["Retry-After"] == str(refused["retry_after"])

    assert cli(app, "mail", "deliver").stdout.strip() == "1 sent, 0 to retry later, 0 failed."
    (message,) = live_server.smtp.messages
    assert message["To"] == "ana@example.com"
    links = score_links(message.get_body(("html",)).get_content(), base)
    assert sorted(links) == [1, 2, 3, 4, 5]

    page = browser_context.new_page()
    page.goto(links[4])
    expect(page.locator("#score-4")).to_be_checked()
    page.locator("textarea").fill("Quick and kind")
    page.locator("#answer-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/thanks$"))

    page.goto(base + "/login")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(base + "/")
    row = page.locator('tr[data-touchpoint="support"]')
    expect(row).to_have_text(re.compile(r"Support\s*100\.0\s*1"))  # one CSAT of 4: satisfied, 100 %, n 1
    page.goto(f"{base}/surveys/{survey_id}")
    expect(page.locator(".invitation-context")).to_have_text("Context: Ticket #100")
    page.close()
