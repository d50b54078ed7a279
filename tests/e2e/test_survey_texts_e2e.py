"""The new-survey page in Chromium: one field per language, the live preview of each language's question, and
the survey it creates."""
from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from feedback_app.core.extensions import db
from surveys.models import Survey


def test_the_preview_follows_the_texts_typed_in_each_language(live_server, browser_context):
    app, base = live_server.app, live_server.url
    created = app.test_cli_runner().invoke(args=["users", "create", "lead@example.com", "--role", "triager"],
                                           input="a-long-password\n")
    assert created.exit_code == 0, created.output
    page = browser_context.new_page()
    page.goto(f"{base}/surveys/new")
    page.get_by_label("Email").fill("lead@example.com")
    page.get_by_label("Password").fill("a-long-password")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{base}/surveys/new")

    preview = {locale: page.locator(f"[data-preview={locale}] .preview-question") for locale in ("en", "ar", "fa")}
    expect(preview["ar"]).to_have_text("ما مدى احتمال أن ترشّح منتجنا لصديق أو زميل؟")
    expect(page.locator("#task_ar")).to_be_hidden()  # NPS asks for neither a subject nor a task

    page.get_by_label("Kind").select_option("ces")
    expect(page.locator("#task_ar")).to_be_visible()
    expect(page.locator("#subject_en")).to_be_hidden()
    expect(preview["en"]).to_have_text("Our product made it easy for me to get what I needed done.")
    page.get_by_label("Product or company name").fill("Acme Board")
    page.locator("#task_en").fill("export a report")
    expect(preview["en"]).to_have_text("Acme Board made it easy for me to export a report.")
    expect(preview["ar"]).to_be_hidden()  # a task in English only: Arabic and Persian have no question yet
    expect(page.locator("[data-preview=fa] .preview-missing")).to_be_visible()
    page.locator("#task_ar").fill("تصدير تقرير")
    expect(preview["ar"]).to_have_text("كان من السهل عليّ تصدير تقرير باستخدام Acme Board.")
    expect(page.locator("#task_ar")).to_have_attribute("dir", "rtl")
    page.locator("#task_fa").fill("گرفتن گزارش")
    expect(preview["fa"]).to_have_text("با Acme Board، گرفتن گزارش برایم آسان بود.")

    page.get_by_label("Name (for your team)").fill("Export effort")
    page.get_by_role("button", name="Create survey").click()
    expect(page).to_have_url(re.compile(r"/surveys/\d+/wording$"))
    page.close()
    with app.app_context():
        survey = db.session.scalar(select(Survey).where(Survey.name == "Export effort"))
        assert survey.wording["fa"]["question"] == "با Acme Board، گرفتن گزارش برایم آسان بود."
