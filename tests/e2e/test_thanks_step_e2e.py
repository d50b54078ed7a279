"""The thank-you page's follow-up step on a 390 px phone, in a real Chromium: the survey answered from the email's
click, the second question answered on the thank-you page (once), in English and right to left in Persian, and a
link step that opens the team's address without handing it our page; no page scrolls sideways."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from feedback_app.core.extensions import db
from surveys.answering.links import survey_url
from surveys.asking.services import set_thanks_step
from surveys.models import ThanksAnswer
from surveys.scales.thanks_step import LINK, QUESTION, checked_step
from tests.support.factories import sent_survey

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
PEOPLE = (("ana@example.com", "Ana", "en"), ("reza@example.com", "رضا", "fa"))
QUESTIONS = {"en": "What one thing should we build next?", "fa": "به نظر شما بعد از این چه چیزی را بسازیم؟"}
ANSWERS = {"en": "Bulk export of every report, please", "fa": "خروجی گروهی از همهٔ گزارش‌ها"}
THANKED = {"en": "Thank you for your answer.", "fa": "از پاسخ شما سپاسگزاریم."}
ALREADY = {"en": "We already have your answer to this question: nothing was changed.",
           "fa": "پاسخ شما به این پرسش را پیش‌تر دریافت کرده‌ایم: چیزی تغییر نکرد."}
REVIEW = "https://reviews.example.com/acme"


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="en-US", viewport=PHONE, device_scale_factor=1, is_mobile=True,
                                  has_touch=True)
    context.set_default_timeout(10_000)
    yield context
    context.close()


def test_the_second_question_is_answered_once_on_a_phone_in_english_and_in_persian(live_server, phone, tmp_path):
    app = live_server.app
    with app.app_context():
        survey, invitations = sent_survey(app, customers=PEOPLE)
        set_thanks_step(survey, checked_step(QUESTION, QUESTIONS))
        links = {i.locale: survey_url(i, 9) for i in invitations}
    page = phone.new_page()
    for locale, link in links.items():
        page.goto(link)  # the email's score button: the page's script saves the score
        expect(page.locator("#autosave-status")).to_have_attribute("data-state", "saved")
        page.locator("#answer-form button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"/thanks$"))
        question = page.locator('label[for="second-answer"]')
        expect(question).to_have_text(QUESTIONS[locale])
        other = "fa" if locale == "en" else "en"
        assert QUESTIONS[other] not in page.content()  # never a sentence in another language
        direction = "rtl" if locale == "fa" else "ltr"
        assert page.evaluate("document.documentElement.dir") == direction
        assert page.eval_on_selector("#thanks-step", "e => getComputedStyle(e).direction") == direction
        assert fits(page), f"{locale}: the thank-you page with its question scrolls sideways"
        page.screenshot(path=str(tmp_path / f"thanks-question-{locale}.png"), full_page=True)
        second_tab = phone.new_page()  # the same thank-you page in another tab, its form still empty
        second_tab.goto(page.url)
        page.locator("#second-answer").fill(ANSWERS[locale])
        page.locator("#thanks-form button[type=submit]").click()
        expect(page.locator("#second-answer-status")).to_have_text(THANKED[locale])
        expect(page.locator("#second-answer")).to_have_count(0)
        assert fits(page), f"{locale}: the thanked page scrolls sideways"
        second_tab.locator("#second-answer").fill("something else")  # sent once more: nothing changes
        second_tab.locator("#thanks-form button[type=submit]").click()
        expect(second_tab.locator("#second-answer-status")).to_have_text(ALREADY[locale])
        assert fits(second_tab)
        second_tab.close()
    with app.app_context():
        stored = db.session.execute(select(ThanksAnswer.locale, ThanksAnswer.text, ThanksAnswer.question)
                                    .order_by(ThanksAnswer.locale)).all()
    assert stored == [("en", ANSWERS["en"], QUESTIONS["en"]), ("fa", ANSWERS["fa"], QUESTIONS["fa"])]
    page.close()


def test_a_link_step_opens_the_teams_address_without_our_page_as_its_opener(live_server, phone):
    app = live_server.app
    with app.app_context():
        survey, (ana, reza) = sent_survey(app, customers=PEOPLE)
        set_thanks_step(survey, checked_step(LINK, {"en": "Leave us a review"}, REVIEW))
        links = survey_url(ana, 10), survey_url(reza, 10)
    phone.route(re.compile(r"^https://reviews\.example\.com/"),
                lambda route: route.fulfill(status=200, content_type="text/html", body="<p>reviews</p>"))
    page = phone.new_page()
    page.goto(links[0])
    expect(page.locator("#autosave-status")).to_have_attribute("data-state", "saved")
    page.locator("#answer-form button[type=submit]").click()
    expect(page.locator("#thanks-link")).to_have_text("Leave us a review")
    assert fits(page)
    with phone.expect_page() as opened:
        page.locator("#thanks-link").click()
    review = opened.value
    review.wait_for_load_state()
    assert review.url == REVIEW and review.evaluate("window.opener") is None
    review.close()
    page.goto(links[1])  # Persian: no Persian label, so no step at all
    expect(page.locator("#autosave-status")).to_have_attribute("data-state", "saved")
    page.locator("#answer-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/thanks$"))
    expect(page.locator("#thanks-step")).to_have_count(0)
    assert fits(page)
    page.close()
