"""The team's pages in a real Chromium: on a phone the navigation folds behind a Menu button that a keyboard
opens and Escape closes (mirrored in Arabic; without script the links simply wrap), and an irreversible
action asks first in a dialog. Behaviour of the page's scripts, not of the database: SQLite only."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from feedback_app.accounts.services import create_user
from feedback_app.core.extensions import db
from surveys.models import Survey
from tests.support.factories import sent_survey

pytestmark = [pytest.mark.e2e, pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]

EMAIL, PASSWORD = "customer.success.team.lead.for.emea@feedback-example-company.example.com", "long-enough-password"


@pytest.fixture
def team(live_server):
    with live_server.app.app_context():
        create_user(EMAIL, PASSWORD, "admin")
        survey, _ = sent_survey(live_server.app)
        return live_server.url, survey.id


def sign_in(page, base: str) -> None:
    page.goto(base + "/login")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(base + "/")


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_on_a_phone_the_navigation_folds_behind_a_menu_button(browser, team, locale):
    base, _ = team
    context = browser.new_context(locale=locale, viewport={"width": 390, "height": 800})
    page = context.new_page()
    sign_in(page, base)
    toggle, surveys_link = page.locator(".menu-toggle"), page.locator(".menu nav a").nth(4)
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(surveys_link).to_be_hidden()
    box = toggle.bounding_box()
    assert (box["x"] > 390 / 2) == (locale == "en")  # at the line's end: on the left in Arabic

    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(surveys_link).to_be_visible()
    expect(page.get_by_text(EMAIL)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the long address wraps
    page.keyboard.press("Escape")
    expect(surveys_link).to_be_hidden()
    assert page.evaluate("document.activeElement.classList.contains('menu-toggle')")

    toggle.click()
    surveys_link.click()
    page.wait_for_url(base + "/surveys")

    page.set_viewport_size({"width": 1366, "height": 800})  # a desktop never folds it
    expect(toggle).to_be_hidden()
    expect(surveys_link).to_be_visible()
    context.close()


def test_without_script_the_links_stay_in_reach(browser, team):
    base, _ = team
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 800})
    page = context.new_page()
    sign_in(page, base)
    expect(page.locator(".menu-toggle")).to_be_hidden()
    expect(page.locator(".menu nav a").nth(8)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()


def test_closing_a_survey_asks_first(live_server, browser_context, team):
    base, survey_id = team
    page = browser_context.new_page()
    sign_in(page, base)
    page.goto(f"{base}/surveys/{survey_id}")
    close = page.get_by_role("button", name="Close survey")
    dialog = page.locator("#confirm-dialog")

    close.click()
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Close this survey? Its customers can no longer answer it")
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()  # the safe answer is the default
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert is_open(live_server.app, survey_id)

    close.click()
    dialog.get_by_role("button", name="Close survey").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_contain_text("closed")
    assert not is_open(live_server.app, survey_id)


def is_open(app, survey_id: int) -> bool:
    with app.app_context():
        return db.session.get(Survey, survey_id).is_open
