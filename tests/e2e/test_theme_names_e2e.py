"""Naming a theme group in a real Chromium, on a phone and by keyboard only: the themes page's "Rename" opens
with Enter, the name is typed and saved with Enter, and the page (also in Arabic) stays within 390 px.
Layout and keyboard, not the database: SQLite only."""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from feedback_app.accounts.services import create_user
from tests.e2e.test_every_page_fits import SCREENSHOTS, overflow
from tests.support.factories import NOW
from triage.verbatims import classifying
from triage.verbatims.intake import ChannelFeedback, take_feedback

pytestmark = [pytest.mark.e2e, pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]

EMAIL, PASSWORD = "triager@example.com", "long-enough-password"
LATER = NOW + timedelta(days=1)


@pytest.fixture
def themes(live_server):
    with live_server.app.app_context():
        create_user(EMAIL, PASSWORD, "triager")
        for minutes, text in enumerate(("The PDF export is slow", "pdf export slow again", "PDF export is so slow",
                                        "تصدير ملفات PDF بطيء جدا", "تصدير ملفات PDF بطيء من أسبوع")):
            take_feedback(ChannelFeedback(text, score=3, kind="csat", channel="chat",
                                          answered_at=NOW + timedelta(minutes=minutes)), LATER, 0.5)
        classifying.classify_pending(LATER, 0.5)
    return live_server.url


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_a_triager_renames_a_theme_by_keyboard_on_a_phone(browser, themes, locale):
    context = browser.new_context(locale=locale, viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.goto(themes + "/login")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.goto(themes + "/triage/themes")

    summary = page.locator("details.theme-rename summary").first
    summary.focus()
    page.keyboard.press("Enter")
    field = page.locator("#name-1-name")
    expect(field).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"theme-rename-{locale}-390.png"), full_page=True)
    assert overflow(page) == []
    field.focus()
    page.keyboard.type("Slow PDF export" if locale == "en" else "بطء تصدير PDF")
    page.keyboard.press("Enter")
    page.wait_for_url(themes + "/triage/themes")
    name = "Slow PDF export" if locale == "en" else "بطء تصدير PDF"
    expect(page.locator(".themes-table a", has_text=name)).to_be_visible()
    expect(page.locator(".flash.success")).to_be_visible()
    assert overflow(page) == []
    context.close()
