"""Retention, for real: customers and their activity imported through the CLI, one goes silent against their own
weekly rhythm, the check-in survey ("What changed?") reaches only them through a real SMTP server, they answer it
on a 390 px phone in a real Chromium, and a team member reads the answer and the stage it leads to on the
customer's page. Runs on SQLite and PostgreSQL.

The commands read the real clock, so the activity is written relative to the test's `now` (the refresh's own now
is a few seconds later, and a stage's quiet days are calendar days to the refresh's day: the test reads that day).
"""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from feedback_app.core.clock import utcnow
from feedback_app.core.extensions import db
from surveys.models import Customer, Invitation, Response
from tests.support.html import links

pytestmark = pytest.mark.e2e

SILENT, STEADY = "sam@example.com", "tess@example.com"
WEEKS_OF_HISTORY = 26
COMMENT = "We moved the reports to a spreadsheet.\nYour export was too slow for our month-end."
PHONE = {"width": 390, "height": 844}


def cli(app, *args, input=None) -> str:
    result = app.test_cli_runner().invoke(args=list(args), input=input)
    assert result.exit_code == 0, f"{' '.join(args)} failed:\n{result.output}\n{result.exception!r}"
    return result.stdout


def customers_csv(now: datetime) -> str:
    since = (now - timedelta(weeks=WEEKS_OF_HISTORY + 1)).date().isoformat()
    return f"email,name,locale,plan,customer_since\n{SILENT},Sam,en,pro,{since}\n{STEADY},Tess,en,pro,{since}\n"


def activity_csv(now: datetime) -> str:
    """Weekly logins for half a year: Sam's stop six weeks before now, Tess's go on to three days ago.
    Sam: usual gap 7 days, silent after max(3 × 7, 14) = 21 quiet days; quiet 42 > 21 → silent.
    Tess: last login 3 days ago, 3 ≤ 21 → active (a customer for over 30 days, so not new)."""
    rows = ["email,occurred_at,kind,external_id"]
    for week in range(WEEKS_OF_HISTORY, 5, -1):  # 26 … 6 weeks ago: 21 logins
        at = now - timedelta(weeks=week)
        rows.append(f"{SILENT},{at:%Y-%m-%dT%H:%M:%S},login,sam-{week}")
    for week in range(WEEKS_OF_HISTORY, -1, -1):  # 26 … 0 weeks ago, three days back: 27 logins
        at = now - timedelta(weeks=week, days=3)
        rows.append(f"{STEADY},{at:%Y-%m-%dT%H:%M:%S},login,tess-{week}")
    rows.append(f"nobody@example.com,{now:%Y-%m-%d},login,")  # line 50: no such customer, refused
    return "\n".join(rows) + "\n"


def shown(app, email: str) -> dict:
    return json.loads(cli(app, "customers", "show", email, "--json"))


def score_links(message, base: str) -> dict[int, str]:
    by_score = {}
    for href in links(message.get_body(("html",)).get_content()):
        query = parse_qs(urlsplit(href).query)
        if href.startswith(base + "/s/") and "score" in query:
            by_score[int(query["score"][0])] = href
    return by_score


def answers_of(app, email: str) -> list[tuple[int | None, str]]:
    with app.app_context():
        rows = db.session.execute(select(Response.score, Response.comment).join(Invitation)
                                  .join(Customer, Customer.id == Invitation.customer_id)
                                  .where(Customer.email == email)).all()
        return [tuple(row) for row in rows]


def test_a_customer_goes_silent_gets_the_check_in_and_their_answer_is_on_their_page(live_server, browser,
                                                                                      tmp_path):
    app, base, smtp = live_server.app, live_server.url, live_server.smtp
    now = utcnow()

    # ---- 1. customers, then half a year of their activity, through the real commands
    (tmp_path / "customers.csv").write_text(customers_csv(now), encoding="utf-8")
    assert cli(app, "customers", "import", str(tmp_path / "customers.csv")).strip().splitlines()[-1] == \
        "2 added, 0 updated, 0 rows not imported."
    (tmp_path / "activity.csv").write_text(activity_csv(now), encoding="utf-8")
    runner = app.test_cli_runner()
    imported = runner.invoke(args=["activity", "import", str(tmp_path / "activity.csv")])
    assert imported.exit_code == 0, imported.output
    assert imported.stdout.strip() == "48 added, 0 already there, 1 row not imported."  # 21 + 27
    assert "line 50:" in imported.stderr and "nobody@example.com" not in imported.stdout
    again = runner.invoke(args=["activity", "import", str(tmp_path / "activity.csv")])
    assert again.stdout.strip() == "0 added, 48 already there, 1 row not imported."  # never twice

    # ---- 2. the refresh finds Sam silent against his own rhythm, Tess active
    refreshed = cli(app, "retention", "refresh")
    assert re.search(r"^\s*silent\s+1$", refreshed, re.M) and re.search(r"^\s*active\s+1$", refreshed, re.M)
    assert "2 customers changed stage." in refreshed
    sam, tess = shown(app, SILENT), shown(app, STEADY)
    assert (sam["stage"], tess["stage"]) == ("silent", "active")
    # Quiet days are calendar days to the refresh's day (its `now` is stage_since): 42 and 3, or one more each
    # if midnight fell between the test's `now` and the refresh.
    late = (datetime.fromisoformat(sam["stage_since"]).date() - now.date()).days
    assert late in (0, 1)
    assert sam["stage_reason"] == {"key": "quiet_against_rhythm", "days_quiet": 42 + late, "usual_gap": 7.0,
                                   "threshold_days": 21.0}
    assert tess["stage_reason"]["key"] == "in_rhythm" and tess["stage_reason"]["days_quiet"] == 3 + late
    assert sam["activity"]["count"] == 21 and tess["activity"]["count"] == 27

    # ---- 3. the check-in goes to Sam only, through the real SMTP server
    checked_in = cli(app, "retention", "check-in").strip().splitlines()
    assert checked_in[0].startswith("Invited 1 silent customer to the check-in survey")
    survey_id = int(checked_in[-1])
    assert cli(app, "retention", "check-in").strip().splitlines()[0].startswith("Invited 0 silent customers")
    assert cli(app, "mail", "deliver").strip() == "1 sent, 0 to retry later, 0 failed."
    assert [m["To"].addresses[0].addr_spec for m in smtp.messages] == [SILENT]  # Tess got nothing
    (message,) = smtp.messages
    assert message["Subject"] == "How satisfied are you with us these days?"
    assert "Hello Sam," in message.get_body(("plain",)).get_content()
    by_score = score_links(message, base)
    assert sorted(by_score) == [1, 2, 3, 4, 5]  # CSAT

    # ---- 4. Sam answers on his phone: 2 of 5 (unhappy, surveys.scales.kinds) and what changed
    phone = browser.new_context(locale="en-US", viewport=PHONE, is_mobile=True, has_touch=True)
    phone.set_default_timeout(10_000)
    try:
        page = phone.new_page()
        page.goto(by_score[2])
        expect(page.locator("#score-2")).to_be_checked()
        expect(page.locator("#autosave-status")).not_to_be_empty()  # the tapped 2 is saved at once
        page.get_by_label("What changed? Tell us in a few words.").fill(COMMENT)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.locator("#answer-form button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"/s/[^/]+/thanks$"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Thank you!")
    finally:
        phone.close()
    assert answers_of(app, SILENT) == [(2, COMMENT)]
    assert answers_of(app, STEADY) == []

    # ---- 5. a team member reads it on Sam's page: the answer at once, the stage it leads to after the refresh
    cli(app, "users", "create", "viewer@example.com", "--role", "viewer", input="a-long-password\n")
    with app.app_context():
        sam_id = db.session.scalar(select(Customer.id).where(Customer.email == SILENT))
    team = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 800})
    team.set_default_timeout(10_000)
    try:
        page = team.new_page()
        page.goto(f"{base}/customers/{sam_id}")
        expect(page).to_have_url(re.compile(r"/login"))
        page.get_by_label("Email").fill("viewer@example.com")
        page.get_by_label("Password").fill("a-long-password")
        page.get_by_role("button", name="Sign in").click()
        expect(page).to_have_url(f"{base}/customers/{sam_id}")
        timeline = page.locator("#timeline")
        answer = timeline.locator("li.event-answer")
        expect(answer).to_have_count(1)
        expect(answer.locator("blockquote")).to_have_text(COMMENT)
        expect(answer).to_contain_text("CSAT · unhappy")
        expect(answer.locator(".said-head a")).to_have_text("What changed? (check-in to silent customers)")
        expect(answer.locator(".said-head a")).to_have_attribute("href", f"/surveys/{survey_id}")
        expect(timeline.locator("li.event-invitation")).to_contain_text("answered")
        # The stage is the refresh's decision: still silent until it runs again.
        about = page.locator("#about")
        expect(about.locator(".tag.stage-silent")).to_have_text("Silent")
        expect(about).to_contain_text(f"quiet for {42 + late} days; their usual gap is 7 days, so silent after 21")

        # An unhappy answer 0 days old is within unhappy_days (90): at risk, rule 3's first clause before silence.
        assert "1 customer changed stage." in cli(app, "retention", "refresh")
        assert shown(app, SILENT)["stage_reason"] == {"key": "unhappy_recently", "days_since_unhappy": 0}
        assert shown(app, STEADY)["stage"] == "active"
        page.reload()
        expect(about.locator(".tag.stage-at_risk")).to_have_text("At risk")
        expect(about).to_contain_text("unhappy in an answer or feedback 0 days ago")
        expect(timeline.locator("li.event-stage").first).to_contain_text("Stage: from Silent to At risk")
        expect(timeline.locator("li.event-stage")).to_have_count(2)  # first stage silent, then at risk
        expect(timeline.locator("li.event-stage").last).to_contain_text("First stage: Silent")
    finally:
        team.close()
    assert cli(app, "mail", "deliver").strip() == "0 sent, 0 to retry later, 0 failed."
    assert len(smtp.messages) == 1
