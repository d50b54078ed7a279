"""The acceptance path, for real: CLI import → survey sent through a real SMTP server → customers answer
in a real Chromium (English, Arabic, Persian) → the team reads the results. Runs on SQLite and PostgreSQL.
"""
from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from feedback_app.core.extensions import db
from surveys.models import Customer, Invitation, Response
from tests.support.html import links

pytestmark = pytest.mark.e2e

CSV = (
    "email,name,locale,plan\n"
    "ana@example.com,Ana,en,pro\n"
    "not-an-email,Broken,en,free\n"          # line 3: must be reported, not imported
    "layla@example.com,ليلى,ar,pro\n"
    "dariush@example.com,داریوش,fa,free\n"
)
ENGLISH_COMMENT = "Setup took 5 minutes.\nThe <export> button is hard to find & slow."
ARABIC_COMMENT = "الشحن كان بطيئًا، لكن الدعم ممتاز"
ARABIC = re.compile(r"[\u0600-\u06FF]")


def score_links(html: str, base_url: str) -> dict[int, str]:
    by_score = {}
    for href in links(html):
        parts = urlsplit(href)
        if href.startswith(base_url + "/s/") and "score" in parse_qs(parts.query):
            by_score[int(parse_qs(parts.query)["score"][0])] = href
    return by_score


def cli(app, *args, input=None):
    result = app.test_cli_runner().invoke(args=list(args), input=input)
    assert result.exit_code == 0, f"{' '.join(args)} failed:\n{result.output}\n{result.exception!r}"
    return result


def invitation_of(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Invitation.id).join(Invitation.customer).where(Customer.email == email))


def responses_of(app, invitation_id: int) -> list[tuple[int | None, str, bool]]:
    """Read in a fresh app context: a new session, so no stale reads and no transaction left open."""
    with app.app_context():
        rows = db.session.scalars(select(Response).where(Response.invitation_id == invitation_id)).all()
        return [(r.score, r.comment, r.may_contact) for r in rows]


def test_survey_from_import_to_results(live_server, browser_context, tmp_path):
    app, base = live_server.app, live_server.url

    # ---- 2. customers, survey and sending through the real CLI
    csv_file = tmp_path / "customers.csv"
    csv_file.write_text(CSV, encoding="utf-8")
    imported = cli(app, "customers", "import", str(csv_file))
    assert "line 3:" in imported.output and "not-an-email" in imported.output
    assert "3 added, 0 updated, 1 row not imported." in imported.output

    created = cli(app, "surveys", "create", "--kind", "nps", "--name", "Q4 NPS", "--product", "Acme")
    survey_id = int(created.stdout.strip().splitlines()[-1])
    sent = cli(app, "surveys", "send", str(survey_id))
    assert sent.stdout.strip().splitlines()[-1] == "Queued 3 invitations."
    delivered = cli(app, "mail", "deliver")
    assert delivered.stdout.strip() == "3 sent, 0 to retry later, 0 failed."

    # ---- 3. the emails the real SMTP server received
    messages = {m["To"]: m for m in live_server.smtp.messages}
    assert len(live_server.smtp.messages) == 3
    assert set(messages) == {"ana@example.com", "layla@example.com", "dariush@example.com"}
    assert messages["ana@example.com"]["Subject"] == \
        "How likely are you to recommend Acme to a friend or colleague?"
    assert ARABIC.search(messages["layla@example.com"]["Subject"])
    assert "ما مدى احتمال" in messages["layla@example.com"]["Subject"]
    assert "چقدر احتمال دارد" in messages["dariush@example.com"]["Subject"]  # Persian, not Arabic
    links = {}
    for address, message in messages.items():
        # .strip(): a long value is folded onto its own line (customer ids grow with the suite on PostgreSQL)
        assert message["List-Unsubscribe"].strip().startswith(f"<{base}/u/")
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        html = message.get_body(("html",)).get_content()
        links[address] = score_links(html, base)
        assert sorted(links[address]) == list(range(11)), address
        assert len({urlsplit(u).path for u in links[address].values()}) == 1  # one invitation per email
    assert '<html lang="ar" dir="rtl">' in messages["layla@example.com"].get_body(("html",)).get_content()
    assert "Hello Ana," in messages["ana@example.com"].get_body(("plain",)).get_content()

    ana = invitation_of(app, "ana@example.com")
    layla = invitation_of(app, "layla@example.com")
    dariush = invitation_of(app, "dariush@example.com")

    # ---- 4. English: the clicked 9 is saved by the page's script, then the comment and consent
    page = browser_context.new_page()
    page.goto(links["ana@example.com"][9])
    expect(page.locator("#score-9")).to_be_checked()
    expect(page.locator("#autosave-status")).to_have_text(
        "Your score is saved. Tell us why below, or just close this page.")
    assert responses_of(app, ana) == [(9, "", False)]

    page.get_by_label("What is the main reason for your score?").fill(ENGLISH_COMMENT)
    page.get_by_text("You may contact me about my feedback").click()  # the label, as a person would
    expect(page.get_by_label("You may contact me about my feedback")).to_be_checked()
    page.get_by_role("button", name="Send").click()
    expect(page).to_have_url(re.compile(r"/s/[^/]+/thanks$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you!")
    assert responses_of(app, ana) == [(9, ENGLISH_COMMENT, True)]  # CRLF from the browser kept as typed
    page.close()

    # ---- 5. Arabic: mirrored scale, Arabic-Indic digits, keyboard choice, Arabic thank-you
    page = browser_context.new_page()
    page.goto(links["layla@example.com"][3])
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator('label[for="score-3"]')).to_have_text("٣")
    expect(page.locator('label[for="score-10"]')).to_have_text("١٠")
    zero = page.locator('label[for="score-0"]').bounding_box()
    ten = page.locator('label[for="score-10"]').bounding_box()
    assert zero["x"] > ten["x"] + ten["width"], (zero, ten)  # 0 sits at the right in RTL
    expect(page.locator("#autosave-status")).not_to_be_empty()  # the clicked 3 is saved first
    assert responses_of(app, layla) == [(3, "", False)]

    page.locator("#score-3").focus()
    for _ in range(4):  # Down means "next radio" whatever the direction: 3 → 7
        page.keyboard.press("ArrowDown")
    expect(page.locator("#score-7")).to_be_checked()
    expect(page.locator('label[for="score-7"]')).to_have_text("٧")
    page.get_by_label("ما السبب الرئيسي لتقييمك؟").fill(ARABIC_COMMENT)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(tmp_path / "survey-ar-phone.png"), full_page=True)
    page.locator("#answer-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/thanks$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("شكرًا لك!")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("body")).not_to_contain_text("Thank you")
    assert responses_of(app, layla) == [(7, ARABIC_COMMENT, False)]
    page.close()

    # ---- 6. bad input: an out-of-range score and a forged link
    page = browser_context.new_page()
    persian_url = links["dariush@example.com"][5].split("?")[0]
    rejected = page.request.post(persian_url, form={"score": "11", "comment": "خوب"})
    assert rejected.status == 422
    assert "۱۰" in rejected.text()  # "choose from ۰ to ۱۰", in Persian digits, the comment kept
    assert "خوب" in rejected.text()
    rejected_json = page.request.post(persian_url, form={"score": "11", "score_only": "1"})
    assert rejected_json.status == 422 and rejected_json.json()["saved"] is False
    assert responses_of(app, dariush) == []

    path = urlsplit(persian_url).path
    token = path.rsplit("/", 1)[1]
    forged_tail = "".join("A" if c != "A" else "B" for c in token[-4:])  # every character changed
    forged = page.goto(f"{base}/s/{token[:-4]}{forged_tail}?score=10")
    assert forged.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("We could not find this page")
    expect(page.locator("body")).to_contain_text("The link may be incomplete")
    assert responses_of(app, dariush) == []
    page.close()

    # ---- 7. results: the CLI's JSON, then the team's page in the browser
    results = json.loads(cli(app, "surveys", "results", str(survey_id), "--json").stdout)
    # 9 is a promoter, 7 a passive: NPS = 100 × (1/2 − 0/2) = 50.
    assert (results["kind"], results["invited"], results["delivered"], results["responses"]) == ("nps", 3, 3, 2)
    assert results["score"] == 50.0
    assert isinstance(results["margin_of_error"], float) and results["margin_of_error"] > 0
    assert results["details"] == {"promoters": 1, "passives": 1, "detractors": 0}
    assert results["distribution"]["9"] == 1 and results["distribution"]["7"] == 1

    cli(app, "users", "create", "admin@example.com", "--role", "admin", input="a-long-password\n")
    page = browser_context.new_page()
    page.goto(f"{base}/surveys/{survey_id}")
    expect(page).to_have_url(re.compile(r"/login"))
    page.get_by_label("Email").fill("admin@example.com")
    page.get_by_label("Password").fill("a-long-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}/surveys/{survey_id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Q4 NPS")
    expect(page.get_by_test_id("score")).to_have_text("50")
    expect(page.locator("blockquote[lang=en]")).to_have_text(ENGLISH_COMMENT)
    expect(page.locator("blockquote[lang=ar]")).to_have_text(ARABIC_COMMENT)
    expect(page.locator("body")).to_contain_text("3 invited · 3 delivered · 2 answered")
    page.screenshot(path=str(tmp_path / "results.png"), full_page=True)
    page.close()
    assert (tmp_path / "results.png").stat().st_size > 0 and (tmp_path / "survey-ar-phone.png").stat().st_size > 0
