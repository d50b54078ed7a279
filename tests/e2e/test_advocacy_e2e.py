"""Promoters asked for a review, for real: NPS answers arrive through the HTTP API, the team sets its review link
with the command, the ask reaches a real SMTP server once per promoter who opted in, a real Chromium opens the
links — one promoter goes to the review site, one says no thanks, in Arabic — and the outcome is counted.
Runs on SQLite and PostgreSQL."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from feedback_app.core.extensions import db
from surveys.models import Response
from tests.e2e.test_loop_e2e import call, cli, inbox_since
from tests.support.html import links

pytestmark = pytest.mark.e2e

REVIEWS = "https://reviews.example/acme"
PEOPLE = {  # email: (locale, score, may_contact, text)
    "ana@example.com": ("en", 10, True, "Exports are fast now, thank you"),
    "layla@example.com": ("ar", 9, True, "التطبيق رائع وسهل"),
    "tom@example.com": ("en", 10, False, "Great support"),   # a promoter who did not say we may contact him
    "una@example.com": ("en", 7, True, "Fine, a bit slow"),  # a passive
}


def ask_link(message, base: str) -> str:
    (link,) = [href for href in links(message.get_body(("html",)).get_content()) if href.startswith(base + "/advocate/")]
    return link


def test_promoters_get_one_ask_follow_it_in_a_browser_and_are_counted(live_server, browser_context):
    app, base, smtp = live_server.app, live_server.url, live_server.smtp
    token = cli(app, "tokens", "create", "helpdesk", "--role", "triager").strip().splitlines()[-1]
    for email, (locale, score, may_contact, text) in PEOPLE.items():
        status, body = call(base, "POST", "/api/v1/feedback", token,
                            {"text": text, "email": email, "locale": locale, "score": score, "kind": "nps",
                             "channel": "in-app", "may_contact": may_contact})
        assert status == 201, body
    cli(app, "advocacy", "set", "--kind", "review", "--url", REVIEWS)
    # Within the hour of their answers nobody is asked (they may still be on the thank-you page)…
    assert cli(app, "advocacy", "ask").strip().splitlines()[-1] == "0 promoters asked."
    with app.app_context():  # …two hours later they are (SQLite has no interval arithmetic: each row in Python)
        for answer in db.session.scalars(select(Response)):
            answer.answered_at -= timedelta(hours=2)
        db.session.commit()
    assert cli(app, "advocacy", "ask").strip().splitlines()[-1] == "2 promoters asked."
    assert cli(app, "advocacy", "ask").strip().splitlines()[-1] == "0 promoters asked."  # once, ever

    before = len(smtp.messages)
    assert cli(app, "mail", "deliver").strip().splitlines()[-1] == "2 sent, 0 to retry later, 0 failed."
    inbox = inbox_since(smtp, before)
    assert sorted(inbox) == ["ana@example.com", "layla@example.com"]
    assert "review" in inbox["ana@example.com"]["Subject"]
    assert '<html lang="ar" dir="rtl">' in inbox["layla@example.com"].get_body(("html",)).get_content()
    assert inbox["ana@example.com"]["List-Unsubscribe"]

    # The review site, as the browser sees it (no network in tests).
    browser_context.route(f"{REVIEWS}**", lambda route: route.fulfill(
        status=200, content_type="text/html", body="<!doctype html><title>Reviews</title><h1>Review Acme</h1>"))
    page = browser_context.new_page()
    page.goto(ask_link(inbox["ana@example.com"], base))
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your kind score")
    page.get_by_role("button", name="Write a review").click()
    page.wait_for_url(REVIEWS)
    expect(page.get_by_role("heading", level=1)).to_have_text("Review Acme")

    page.goto(ask_link(inbox["layla@example.com"], base))
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    page.get_by_role("button", name="لا، شكرًا").click()
    expect(page.locator("main, body").first).to_contain_text("لن نطلب منك ذلك مرة أخرى")

    report = json.loads(cli(app, "advocacy", "report", "--json"))
    assert report == {"kind": "review", "url": REVIEWS, "enabled": True, "asked": 2, "went": 1, "declined": 1,
                      "no_answer": 0, "rate": 50.0}
