"""Closing the loop, for real: feedback from several people arrives through the HTTP API, the team groups
it into fixes, plans one (a customer asks to try it early, another offers advice), opens its beta and ships it
from the fix page in a real Chromium, and a real SMTP server receives exactly the emails it should — once each,
in each person's language. Runs on SQLite and PostgreSQL.
"""
from __future__ import annotations

import json
import re
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from feedback_app.accounts.services import create_user
from feedback_app.core.clock import utcnow
from feedback_app.core.extensions import db
from surveys.models import Customer
from surveys.people.services import unsubscribe
from tests.support.html import links
from triage.models import BetaTester, FixAdviser

pytestmark = pytest.mark.e2e

PEOPLE = {  # email: (locale, score, text, may_contact)
    "ana@example.com": ("en", 2, "Exporting a big report to PDF never finishes", True),
    "layla@example.com": ("ar", 3, "تصدير التقرير إلى PDF لا يكتمل أبدًا", True),
    "dariush@example.com": ("fa", 1, "خروجی PDF گزارش‌های بزرگ هیچ‌وقت تمام نمی‌شود", True),  # unsubscribes
    "tom@example.com": ("en", 0, "PDF export of large reports hangs forever", False),      # did not opt in
    "hana@example.com": ("en", 10, "Lovely app, a dark mode would be nice", True),          # another fix
}


def call(base: str, method: str, path: str, token: str | None, body: dict | None = None) -> tuple[int, dict]:
    """One real HTTP request to the API."""
    request = urllib.request.Request(base + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None)
    if body is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, json.loads(reply.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def cli(app, *args) -> str:
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, f"{' '.join(args)} failed:\n{result.output}\n{result.exception!r}"
    return result.output


def early_access_link(message, base: str, prefix: str = "/early/") -> str:
    """The planned email's link to `prefix` (early access, or "/advise/"), from its HTML, and the same in its text."""
    (link,) = [href for href in links(message.get_body(("html",)).get_content()) if href.startswith(base + prefix)]
    assert link in message.get_body(("plain",)).get_content()
    return link


def inbox_since(smtp, start: int) -> dict[str, object]:
    messages = smtp.messages[start:]
    by_recipient = {m["To"].addresses[0].addr_spec: m for m in messages}
    assert len(by_recipient) == len(messages), "somebody got two emails"
    return by_recipient


def test_feedback_through_the_api_to_a_shipped_fix_tells_exactly_the_right_people_once(live_server, browser_context):
    app, base, smtp = live_server.app, live_server.url, live_server.smtp
    token = cli(app, "tokens", "create", "helpdesk", "--role", "triager").strip().splitlines()[-1]
    viewer = cli(app, "tokens", "create", "wallboard", "--role", "viewer").strip().splitlines()[-1]
    with app.app_context():
        create_user("tri@example.com", "long-enough-password", "triager")

    # ---- feedback from several people, through the API
    ids = {}
    for email, (locale, score, text, may_contact) in PEOPLE.items():
        status, body = call(base, "POST", "/api/v1/feedback", token,
                            {"text": text, "email": email, "locale": locale, "score": score, "kind": "nps",
                             "channel": "support-email", "may_contact": may_contact})
        assert status == 201, body
        assert body["type"] and body["language"] == locale
        ids[email] = body["id"]

    # ---- bad requests change nothing
    assert call(base, "POST", "/api/v1/fixes", None, {"title": "x", "cost": 2})[0] == 401
    assert call(base, "POST", "/api/v1/fixes", viewer, {"title": "x", "cost": 2})[0] == 403
    status, body = call(base, "POST", "/api/v1/fixes", token, {"title": "x", "cost": 9})
    assert status == 422 and "cost" in body["errors"]
    status, body = call(base, "POST", "/api/v1/fixes", token, {"title": "x", "cost": 2, "colour": "red"})
    assert status == 422 and "colour" in body["errors"]
    assert call(base, "GET", "/api/v1/fixes", viewer)[1] == {"fixes": []}

    # ---- grouped into fixes of different costs; the queue puts the quick win first
    pdf_people = [ids[e] for e in PEOPLE if e != "hana@example.com"]
    status, pdf = call(base, "POST", "/api/v1/fixes", token,
                       {"title": "PDF-311 export worker", "cost": 2, "response_ids": pdf_people,
                        "public_title": {"en": "Finish large PDF exports", "ar": "إنهاء تصدير الملفات الكبيرة"}})
    assert status == 201 and pdf["quadrant"] == "quick_win" and pdf["rank"] == 1, pdf
    status, dark = call(base, "POST", "/api/v1/fixes", token,
                        {"title": "Dark mode", "cost": 5, "response_ids": [ids["hana@example.com"]]})
    assert status == 201 and dark["quadrant"] == "time_sink"
    queue = call(base, "GET", "/api/v1/fixes", viewer)[1]["fixes"]
    assert [(f["id"], f["rank"], f["respondents"]) for f in queue] == [(pdf["id"], 1, 4), (dark["id"], 2, 1)]

    with app.app_context():  # Dariush unsubscribes (one click in any email) before anything is sent
        dariush = db.session.scalar(select(Customer.id).where(Customer.email == "dariush@example.com"))
        unsubscribe(dariush, utcnow())

    # ---- planned, with the news: Ana and Layla only
    status, body = call(base, "PATCH", f"/api/v1/fixes/{pdf['id']}", token, {"status": "planned",
                                                                           "notify_planned": True})
    assert status == 200, body
    before = len(smtp.messages)
    assert cli(app, "mail", "deliver").strip().splitlines()[-1] == "2 sent, 0 to retry later, 0 failed."
    planned = inbox_since(smtp, before)
    assert sorted(planned) == ["ana@example.com", "layla@example.com"]
    assert '<html lang="ar" dir="rtl">' in planned["layla@example.com"].get_body(("html",)).get_content()
    assert "Finish large PDF exports" in planned["ana@example.com"].get_body(("plain",)).get_content()

    # Ana asks to try it early from her email: the page asks first (a scanner's GET records nothing)
    page = browser_context.new_page()
    page.goto(early_access_link(planned["ana@example.com"], base))
    with app.app_context():
        assert db.session.scalars(select(BetaTester)).all() == []
    page.get_by_role("button", name="Yes, I would like to try it early").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you!")
    page.close()
    with app.app_context():
        assert len(db.session.scalars(select(BetaTester)).all()) == 1

    # Layla offers advice from her email, in Arabic: the page asks first, its button records her once
    page = browser_context.new_page()
    page.goto(early_access_link(planned["layla@example.com"], base, "/advise/"))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    with app.app_context():
        assert db.session.scalars(select(FixAdviser)).all() == []
    page.get_by_role("button", name="نعم، يمكنكم التواصل معي").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("شكرًا لك!")
    page.close()
    with app.app_context():
        assert [(a.fix_id, a.customer_id) for a in db.session.scalars(select(FixAdviser))] == [
            (pdf["id"], db.session.scalar(select(Customer.id).where(Customer.email == "layla@example.com")))]

    # ---- a triager opens the beta from the fix page, in the browser: Ana, the one tester, hears once
    page = browser_context.new_page()
    page.goto(base + "/login")
    page.get_by_label("Email").fill("tri@example.com")
    page.get_by_label("Password").fill("long-enough-password")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{base}/fixes/{pdf['id']}")
    expect(page.locator("#advisers")).to_contain_text("layla@example.com")
    expect(page.locator("#advisers a[href='mailto:?bcc=layla@example.com']")).to_have_count(1)
    page.get_by_label("Beta link").fill("https://beta.example.com/pdf")
    page.get_by_role("button", name="Open the beta").click()
    expect(page.locator("#beta")).to_contain_text("told the beta is ready")
    before = len(smtp.messages)
    assert cli(app, "mail", "deliver").strip().splitlines()[-1] == "1 sent, 0 to retry later, 0 failed."
    ready = inbox_since(smtp, before)
    assert list(ready) == ["ana@example.com"]
    assert "https://beta.example.com/pdf" in ready["ana@example.com"].get_body(("plain",)).get_content()
    assert str(ready["ana@example.com"]["Subject"]) == "Ready to try: Finish large PDF exports"
    # opened again with another link (API): nobody hears twice
    status, body = call(base, "POST", f"/api/v1/fixes/{pdf['id']}/beta", token, {"url": "https://beta2.example.com/"})
    assert status == 200 and body["emails_queued"] == 0 and body["beta_url"] == "https://beta2.example.com/"
    assert cli(app, "mail", "deliver").strip().splitlines()[-1] == "0 sent, 0 to retry later, 0 failed."

    # ---- the triager ships it from the fix page
    page.goto(f"{base}/fixes/{pdf['id']}")
    expect(page.locator("#loop")).to_contain_text("ana@example.com")
    page.get_by_label("Release note in English").fill("Large PDF exports now finish in seconds.")
    page.get_by_label("Release note in Arabic").fill("يكتمل الآن تصدير الملفات الكبيرة في ثوانٍ.")
    page.get_by_role("button", name="Save what customers read").click()
    page.get_by_role("button", name="Mark as “shipped”").click()
    confirm = page.locator("#confirm-dialog")  # shipping cannot be undone for those told: it asks first
    expect(confirm).to_be_visible()
    confirm.get_by_role("button", name="Mark as “shipped”").click()
    expect(page.locator("#status-heading")).to_have_text("Status: shipped")

    before = len(smtp.messages)
    assert cli(app, "mail", "deliver").strip().splitlines()[-1] == "2 sent, 0 to retry later, 0 failed."
    shipped = inbox_since(smtp, before)
    assert sorted(shipped) == ["ana@example.com", "layla@example.com"]
    assert "Large PDF exports now finish in seconds." in shipped["ana@example.com"].get_body(("plain",)).get_content()
    arabic = shipped["layla@example.com"]
    assert re.search(r"[\u0600-\u06FF]", str(arabic["Subject"])) and "يكتمل الآن تصدير الملفات الكبيرة" in arabic.get_body(
        ("plain",)).get_content()

    # ---- reopened and shipped again (API): nobody hears twice
    assert call(base, "PATCH", f"/api/v1/fixes/{pdf['id']}", token, {"status": "in_progress"})[0] == 200
    assert call(base, "PATCH", f"/api/v1/fixes/{pdf['id']}", token, {"status": "shipped"})[0] == 200
    assert cli(app, "mail", "deliver").strip().splitlines()[-1] == "0 sent, 0 to retry later, 0 failed."
    assert len(smtp.messages) == before + 2

    # ---- the fix page says who was told, and that it was delivered: planned ×2, Ana's beta email, shipped ×2
    page.goto(f"{base}/fixes/{pdf['id']}")
    history = page.locator("#loop")
    expect(history.locator("tbody tr")).to_have_count(5)
    expect(history.locator(".status-sent")).to_have_count(5)
    expect(history.locator("tbody tr", has_text="beta ready to try")).to_have_count(1)
    expect(history.locator("tbody tr", has_text="beta ready to try")).to_contain_text("ana@example.com")
    for absent in ("dariush@example.com", "tom@example.com", "hana@example.com"):
        expect(history).not_to_contain_text(absent)
    page.close()
