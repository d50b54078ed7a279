"""The customer's side on a 390 px phone, in a real Chromium: every public page and the invitation email fit
without scrolling sideways, each scale sits on one row with its end labels under its end buttons (mirrored in
Arabic), and the survey page says "saved" only once the server has saved the score now chosen."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from feedback_app.core.brand import BrandChange, set_brand
from feedback_app.core.extensions import db
from feedback_app.mail.outbox import OutboxEmail
from surveys.answering.links import signed_invitation, survey_url
from surveys.answering.services import record_answer
from surveys.asking.services import close_survey
from surveys.models import Response
from surveys.people.links import unsubscribe_url
from surveys.scales.answers import Answer
from tests.support.factories import NOW, sent_survey

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
PEOPLE = (("ana@example.com", "Ana", "en"), ("layla@example.com", "ليلى", "ar"))
SAVED = "Your score is saved. Tell us why below, or just close this page."
SAVING = "Saving your score…"
NOT_SAVED = "Your score is not saved yet. Press Send to save it."
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def boxes(page, selector: str) -> list[dict]:
    return page.eval_on_selector_all(selector, "els => els.map(e => { const r = e.getBoundingClientRect();"
                                               " return {top: e.offsetTop, left: r.left, right: r.right,"
                                               " bottom: r.bottom, width: r.width, height: r.height}; })")


def stored_score(app, invitation_id: int):
    with app.app_context():
        return db.session.scalar(select(Response.score).where(Response.invitation_id == invitation_id))


def wait_until(page, condition, seconds: float = 10) -> None:
    """Let the page run (and its route handlers fire) until `condition` holds."""
    for _ in range(int(seconds * 20)):
        if condition():
            return
        page.wait_for_timeout(50)
    raise AssertionError("the page never got there")


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="en-US", viewport=PHONE, device_scale_factor=1, is_mobile=True,
                                  has_touch=True)
    context.set_default_timeout(10_000)
    yield context
    context.close()


def _assert_one_row_with_end_labels(page, rtl: bool, what: str) -> None:
    buttons = boxes(page, ".points label")
    assert len({b["top"] for b in buttons}) == 1, f"{what}: not one row {buttons}"
    assert all(b["width"] >= 24 and b["height"] >= 24 for b in buttons), f"{what}: a target under 24 px"
    low, high = boxes(page, ".anchors .low")[0], boxes(page, ".anchors .high")[0]
    first, last = buttons[0], buttons[-1]
    assert low["top"] >= first["bottom"] and high["top"] >= last["bottom"], what
    if rtl:  # the scale reads low → high from the right
        assert first["left"] > last["left"] and abs(low["right"] - first["right"]) <= 2 and \
            abs(high["left"] - last["left"]) <= 2, (what, low, first, high, last)
    else:
        assert abs(low["left"] - first["left"]) <= 2 and abs(high["right"] - last["right"]) <= 2, \
            (what, low, first, high, last)


@pytest.mark.parametrize("kind", ["nps", "csat", "ces"])
def test_public_pages_and_the_email_fit_a_phone(live_server, phone, kind, tmp_path):
    app = live_server.app
    with app.app_context():
        set_brand(BrandChange(name="Acme Trading Company International", colour="#0a5c36", logo=PNG), NOW)
        survey, invitations = sent_survey(app, kind=kind, customers=PEOPLE)
        links = {i.locale: (survey_url(i, 2), unsubscribe_url(i.customer_id)) for i in invitations}
        emails = {e.locale: e.body_html for e in db.session.scalars(select(OutboxEmail))}
    page = phone.new_page()
    for locale, (link, unsubscribe) in links.items():
        page.goto(link)
        expect(page.locator("#autosave-status")).to_have_attribute("data-state", "saved")
        expect(page.locator(".public-brand-name")).to_have_text("Acme Trading Company International")
        assert fits(page), f"{kind}/{locale}: the survey page scrolls sideways"
        _assert_one_row_with_end_labels(page, locale == "ar", f"{kind}/{locale}")
        page.screenshot(path=str(tmp_path / f"survey-{kind}-{locale}.png"), full_page=True)
        page.locator("#answer-form button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"/thanks$"))
        assert fits(page), f"{kind}/{locale}: the thank-you page scrolls sideways"
        page.goto(unsubscribe)
        assert fits(page), f"{kind}/{locale}: the unsubscribe page scrolls sideways"
        page.goto("about:blank")  # away from the app's pages, whose policy allows no inline style
        page.set_content(emails[locale])  # as a phone mail client shows it: the email alone, 390 px wide
        assert fits(page), f"{kind}/{locale}: the invitation email scrolls sideways"
        email_buttons = boxes(page, "a[href*='?score=']")
        assert len({round(b["bottom"]) for b in email_buttons}) == 1, (kind, email_buttons)
        assert all(b["width"] >= 24 and b["height"] >= 24 for b in email_buttons), (kind, email_buttons)
        page.screenshot(path=str(tmp_path / f"email-{kind}-{locale}.png"), full_page=True)
    with app.app_context():
        close_survey(db.session.merge(survey), NOW)
    page.goto(links["ar"][0])
    expect(page.locator("h1")).to_have_text("هذا الاستبيان مغلق")
    assert fits(page), f"{kind}: the closed page scrolls sideways"
    page.close()


def test_a_locked_page_fits_a_phone(live_server, phone):
    app = live_server.app
    with app.app_context():
        _, (invitation,) = sent_survey(app, customers=PEOPLE[:1], now=NOW - timedelta(days=3))
        record_answer(signed_invitation(invitation), Answer(8, "x" * 300, False), NOW - timedelta(days=3),
                      timedelta(hours=24))
        link = survey_url(invitation)
    page = phone.new_page()
    page.goto(link)
    expect(page.locator("h1")).to_have_text("You have already answered")
    assert fits(page)
    page.close()


def test_the_page_says_saved_only_when_the_server_saved_the_score_now_chosen(live_server, phone):
    app = live_server.app
    with app.app_context():
        survey, (invitation,) = sent_survey(app, customers=PEOPLE[:1])
        link = survey_url(invitation, 3)
    page = phone.new_page()
    status = page.locator("#autosave-status")
    page.goto(link)
    expect(status).to_have_text(SAVED)
    assert stored_score(app, invitation.id) == 3

    held = []  # the score saves, stopped on their way until the test lets them through
    page.route(re.compile(r"/s/[^/?]+$"), lambda route: held.append(route) if route.request.method == "POST"
               else route.continue_())
    page.locator('label[for="score-7"]').click()
    expect(status).to_have_text(SAVING)  # the stale "saved" is gone at once
    expect(status).to_have_attribute("data-state", "saving")
    assert stored_score(app, invitation.id) == 3 and len(held) == 1

    page.locator('label[for="score-8"]').click()  # changed twice: 8 waits for 7's answer, in order
    page.locator('label[for="score-9"]').click()
    held.pop().continue_()  # the server saves 7 …
    wait_until(page, lambda: len(held) == 1)
    assert stored_score(app, invitation.id) == 7
    expect(status).to_have_text(SAVING)  # … but 9 is chosen now: not "saved"
    held.pop().continue_()
    expect(status).to_have_text(SAVED)
    assert stored_score(app, invitation.id) == 9 and not held

    page.unroute(re.compile(r"/s/[^/?]+$"))
    page.route(re.compile(r"/s/[^/?]+$"), lambda route: route.abort() if route.request.method == "POST"
               else route.continue_())  # offline, or the network refuses
    page.locator('label[for="score-4"]').click()
    expect(status).to_have_text(NOT_SAVED)
    expect(status).to_have_attribute("data-state", "failed")
    assert stored_score(app, invitation.id) == 9

    page.unroute(re.compile(r"/s/[^/?]+$"))
    with app.app_context():
        close_survey(db.session.merge(survey), NOW)  # the server now answers every save with an error (410)
    page.locator('label[for="score-5"]').click()
    expect(status).to_have_text(NOT_SAVED)
    assert stored_score(app, invitation.id) == 9
    page.close()


def test_the_comment_counter_and_the_over_long_message(live_server, phone):
    app = live_server.app
    with app.app_context():
        _, (ana, layla) = sent_survey(app, customers=PEOPLE)
        links = survey_url(ana, 9), survey_url(layla)
    page = phone.new_page()
    page.goto(links[0])
    expect(page.locator("#autosave-status")).to_have_text(SAVED)
    counter, note = page.locator("#comment-count"), page.locator("#comment-note")
    expect(counter).to_have_text("0 / 5,000 characters")
    page.locator("#comment").fill("é" * 100 + "\n" + "😀" * 19)  # 120 characters, as the server counts them
    expect(counter).to_have_text("120 / 5,000 characters")
    expect(note).to_have_text("")
    page.locator("#comment").fill("x" * 4600)
    expect(note).to_have_text("Characters left: 400")  # near the limit: said politely
    expect(note).to_have_attribute("aria-live", "polite")
    page.locator("#comment").fill("x" * 5010)
    expect(counter).to_have_text("5,010 / 5,000 characters")
    expect(counter).to_have_class(re.compile(r"\bover\b"))
    expect(note).to_have_text(re.compile(r"^Characters over the limit: 10\."))
    expect(note).to_be_visible()
    page.locator("#answer-form button[type=submit]").click()
    expect(page.locator("#form-errors")).to_contain_text(
        "Your score (9) is saved, but your comment is not: it is 10 characters over the limit of 5,000.")
    expect(page.locator("#comment-count")).to_have_text("5,010 / 5,000 characters")
    assert fits(page)
    assert stored_score(app, ana.id) == 9

    page.goto(links[1])  # Arabic: the page's own digits
    page.locator("#comment").fill("ممتاز جدًا")
    expect(page.locator("#comment-count")).to_have_text("١٠ / ٥٠٠٠ حرف")
    page.close()
