"""Every word a customer reads is in their language, for real: a team sets its brand and creates a survey with
its texts per language from the command line, the invitations reach a real SMTP server, a Persian customer
answers on a 390 px phone in Chromium, and the news of the fix their feedback asked for (planned, then
shipped, with its title and note per language) comes back to the Arabic and Persian customers. Apart from the
product's and the organisation's name (names are not translated) and the links, no Latin letter in any of it.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from feedback_app.core.clock import utcnow
from feedback_app.core.extensions import db
from surveys.models import Invitation, Response
from tests.support.html import links
from triage.fixes import services as fixes
from triage.fixes.services import FixChange
from triage.models import Fix

pytestmark = pytest.mark.e2e

NAME = "Acme Board"  # the product and the organisation: a name, the same in every language
PEOPLE = {"layla@example.com": ("ليلى", "ar"), "dariush@example.com": ("داریوش", "fa"),
          "ana@example.com": ("Ana", "en")}
TASK = {"en": "export a report", "ar": "تصدير تقرير", "fa": "خروجی گرفتن از گزارش"}
ANSWERS = {"layla@example.com": "تصدير التقرير يتوقف عند منتصفه ولا يكتمل",
           "dariush@example.com": "خروجی گزارش نیمه‌کاره می‌ماند و فایل خالی است"}
TITLES = {"en": "Complete report exports", "ar": "تصدير كامل للتقارير", "fa": "خروجی کامل گزارش‌ها"}
NOTES = {"en": "Report exports now finish, whatever their size.", "ar": "يكتمل الآن تصدير التقارير مهما كان حجمها.",
         "fa": "خروجی گزارش‌ها حالا هر اندازه‌ای که باشند کامل می‌شود."}


class _Text(HTMLParser):
    """What a mail client shows of an HTML email: its text, without tags, styles or the head's title."""

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("style", "head")

    def handle_endtag(self, tag):
        self._skip -= tag in ("style", "head")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def latin_words(text: str) -> list[str]:
    """The Latin words left once links and the names are taken out: there must be none."""
    text = re.sub(r"https?://\S+", " ", text).replace(NAME, " ")
    return re.findall(r"[A-Za-z]+", text)


def shown(message) -> dict[str, str]:
    html = _Text()
    html.feed(message.get_body(("html",)).get_content())
    return {"subject": str(message["Subject"]), "text": message.get_body(("plain",)).get_content(),
            "html": " ".join(html.parts)}


def assert_in_their_language(messages: dict) -> None:
    for email, message in messages.items():
        if PEOPLE[email][1] != "en":
            for part, text in shown(message).items():
                assert latin_words(text) == [], f"{email} reads English in the {part}: {text}"


def cli(app, *args) -> str:
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, f"{' '.join(args)} failed:\n{result.output}\n{result.exception!r}"
    return result.output


def deliver(app, smtp) -> dict:
    before = len(smtp.messages)
    cli(app, "mail", "deliver")
    delivered = {m["To"].addresses[0].addr_spec: m for m in smtp.messages[before:]}
    assert len(delivered) == len(smtp.messages) - before, "somebody got two emails"
    return delivered


def test_arabic_and_persian_customers_read_invitations_answers_and_fix_news_in_their_language(
        live_server, browser, tmp_path):
    app, smtp = live_server.app, live_server.smtp
    people = tmp_path / "customers.csv"
    people.write_text("email,name,locale\n" + "".join(f"{e},{n},{lang}\n" for e, (n, lang) in PEOPLE.items()),
                      encoding="utf-8")
    cli(app, "customers", "import", str(people))
    cli(app, "brand", "--name", NAME)

    # ---- a survey whose task is given in English only is refused for the others: nothing is queued
    english_only = cli(app, "surveys", "create", "--kind", "ces", "--name", "Export effort (en)",
                       "--product", NAME, "--task", TASK["en"]).strip().splitlines()[-1]
    refused = app.test_cli_runner().invoke(args=["surveys", "send", english_only])
    assert refused.exit_code != 0 and "Arabic (ar)" in refused.output and "Persian (fa)" in refused.output
    with app.app_context():
        assert db.session.scalars(select(Invitation)).all() == []

    # ---- with its task in every language it goes out, each invitation in its customer's language
    survey_id = cli(app, "surveys", "create", "--kind", "ces", "--name", "Export effort", "--product", NAME,
                    *[f"--task={lang}:{text}" for lang, text in TASK.items()]).strip().splitlines()[-1]
    cli(app, "surveys", "send", survey_id)
    invitations = deliver(app, smtp)
    assert sorted(invitations) == sorted(PEOPLE)
    assert_in_their_language(invitations)
    assert "با Acme Board، خروجی گرفتن از گزارش برایم آسان بود." in shown(invitations["dariush@example.com"])["text"]
    assert "Acme Board made it easy for me to export a report." in shown(invitations["ana@example.com"])["text"]
    persian = shown(invitations["dariush@example.com"])["text"]  # its scale in Persian digits, as the page has it
    assert "(۱ = کاملاً مخالفم، ۷ = کاملاً موافقم)" in persian and re.search(r"^۷: http", persian, re.M)

    # ---- Dariush answers on his phone from the score button in the email; Layla from her desk
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    for email in ANSWERS:
        page = phone.new_page()
        button = [href for href in links(invitations[email].get_body(("html",)).get_content()) if "score=2" in href]
        page.goto(button[0])
        expect(page.locator("#autosave-status")).not_to_be_empty()  # saved by the page, once the server said so
        assert latin_words(page.locator("body").inner_text()) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.locator("#comment").fill(ANSWERS[email])
        page.locator("#may_contact").check()
        page.locator("button[type=submit]").click()
        page.wait_for_url(re.compile(r"/thanks$"))
        assert latin_words(page.locator("body").inner_text()) == []
        page.close()
    phone.close()

    # ---- the team plans a fix for what they said, then ships it, with its texts in every language
    with app.app_context():
        answers = db.session.scalars(select(Response.id).where(Response.comment.in_(list(ANSWERS.values())))).all()
        assert len(answers) == 2
        fix = fixes.create_fix(FixChange(title="EXP-77 export worker times out", cost=2), utcnow(),
                               response_ids=answers)
        fixes.update_fix(fix, utcnow(), FixChange(public_titles=TITLES))
        fixes.change_status(fix, "planned", utcnow(), tell_planned=True)
        fix_id = fix.id
    planned = deliver(app, smtp)
    assert sorted(planned) == sorted(ANSWERS)
    assert_in_their_language(planned)
    for email, said in ANSWERS.items():
        assert said in shown(planned[email])["text"]  # why they get it: what they told us

    with app.app_context():
        fix = db.session.get(Fix, fix_id)
        fixes.update_fix(fix, utcnow(), FixChange(release_notes=NOTES))
        fixes.change_status(fix, "shipped", utcnow())
    shipped = deliver(app, smtp)
    assert sorted(shipped) == sorted(ANSWERS)
    assert_in_their_language(shipped)
    assert NOTES["ar"] in shown(shipped["layla@example.com"])["text"]
    assert NOTES["fa"] in shown(shipped["dariush@example.com"])["text"]
