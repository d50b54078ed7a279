"""Fix news in each customer's language: refused when a recipient's language lacks its texts, the whole email in
the fallback language when the team allows one, their own words quoted, and a way out of these emails that
leaves surveys alone — on both databases, and through a real SMTP server."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from feedback_app.core.extensions import db
from feedback_app.mail.delivery import deliver_due
from feedback_app.mail.outbox import OutboxEmail
from feedback_app.mail.transports import transport_from_config
from surveys.answering.links import signed_invitation
from surveys.answering.services import record_answer
from surveys.asking.services import create_survey, send_survey
from surveys.models import Customer, Invitation
from surveys.people.services import unsubscribe
from surveys.scales.answers import Answer
from tests.support.factories import NOW, sent_survey
from triage.fixes import services as fixes
from triage.fixes.services import FixChange
from triage.loop.early_access import early_access_url
from triage.loop.stop_news import stop_news_url
from triage.models import BetaTester, Fix, FixNewsStop

PEOPLE = (("ana@example.com", "Ana", "en"), ("badr@example.com", "بدر", "ar"), ("sara@example.com", "سارا", "fa"))
SAID = {"ana@example.com": "the export stops half way", "badr@example.com": "التصدير يتوقف في المنتصف",
        "sara@example.com": "خروجی نیمه‌کاره می‌ماند"}
TITLES = {"en": "Exports that finish", "ar": "تصدير يكتمل", "fa": "خروجی کامل"}
NOTES = {"en": "Exports of any size now finish.", "ar": "يكتمل التصدير الآن مهما كان حجمه.",
         "fa": "خروجی با هر اندازه‌ای اکنون کامل می‌شود."}


def linked_fix(app, people=PEOPLE, **change):
    _, invitations = sent_survey(app, customers=people)
    ids = []
    for invitation in invitations:
        record_answer(signed_invitation(invitation), Answer(2, SAID[invitation.customer.email], True), NOW,
                      timedelta(hours=24))
        ids.append(invitation.response.id)
    return fixes.create_fix(FixChange(title="BUG-812 export worker timeout", cost=2, **change), NOW, response_ids=ids)


def news(template):
    return {e.recipient: e for e in db.session.scalars(select(OutboxEmail).where(OutboxEmail.template == template))}


def customer_id(email):
    return db.session.scalar(select(Customer.id).where(Customer.email == email))


def test_shipping_is_refused_while_a_recipients_language_lacks_its_texts(app):
    fix = linked_fix(app, public_titles={"en": TITLES["en"], "ar": TITLES["ar"]}, release_notes={"en": NOTES["en"]})
    with pytest.raises(fixes.FixError) as refused:
        fixes.change_status(fix, "shipped", NOW)
    assert "Arabic (1 recipient: no release note), Persian (1 recipient: no title and no release note)" in str(
        refused.value)
    db.session.rollback()
    assert db.session.get(Fix, fix.id).status == "open" and db.session.get(Fix, fix.id).shipped_at is None
    assert db.session.scalar(select(func.count()).select_from(OutboxEmail).where(
        OutboxEmail.template != "survey_invitation")) == 0
    with pytest.raises(fixes.FixError, match="Persian"):  # planned news needs the title in each language too
        fixes.change_status(fix, "planned", NOW, tell_planned=True)


def test_each_customer_reads_the_news_in_their_language_quoting_their_own_words_once(app):
    fix = linked_fix(app, public_titles=TITLES, release_notes=NOTES)
    assert fixes.change_status(fix, "shipped", NOW) == 3
    fixes.change_status(fix, "in_progress", NOW)
    assert fixes.change_status(fix, "shipped", NOW) == 0  # exactly once, however the status moves
    emails = news("fix_shipped")
    for email, (_, _, locale) in zip(sorted(emails), sorted(PEOPLE)):
        sent = emails[email]
        assert sent.locale == locale and TITLES[locale] in sent.subject and NOTES[locale] in sent.body_text
        assert SAID[email] in sent.body_text and f'dir="auto">{"«" if locale != "en" else "“"}{SAID[email]}' in sent.body_html
        assert "BUG-812" not in sent.body_text + sent.subject  # the team's own title stays inside
    assert "You told us:" in emails["ana@example.com"].body_text
    assert "أخبرتنا:" in emails["badr@example.com"].body_text and "به ما گفتید:" in emails["sara@example.com"].body_text


def test_a_fallback_sends_the_whole_email_in_that_language_never_a_mix(app):
    fix = linked_fix(app, public_titles={"en": TITLES["en"], "ar": TITLES["ar"]},
                     release_notes={"en": NOTES["en"], "ar": NOTES["ar"]}, news_fallback="ar")
    assert fixes.change_status(fix, "shipped", NOW) == 3
    emails = news("fix_shipped")
    persian = emails["sara@example.com"]  # no Persian texts: all of it in Arabic, chrome included
    assert persian.locale == "ar" and 'lang="ar" dir="rtl"' in persian.body_html
    assert NOTES["ar"] in persian.body_text and "شكرًا" in persian.body_text and "سپاس" not in persian.body_text
    assert "إيقاف الرسائل عن التغييرات التي طلبتها" in persian.body_text
    assert emails["ana@example.com"].locale == "en" and emails["badr@example.com"].locale == "ar"


def test_the_news_unsubscribe_stops_only_fix_news_and_a_get_never_writes(app, client):
    fix = linked_fix(app, public_titles=TITLES, release_notes=NOTES)
    fixes.change_status(fix, "planned", NOW, tell_planned=True)
    planned = news("fix_planned")["badr@example.com"]
    link = stop_news_url(customer_id("badr@example.com"))
    assert planned.headers["List-Unsubscribe"] == f"<{link}>" and link in planned.body_text
    assert "/u/news/" in link and "إيقاف الرسائل عن التغييرات التي طلبتها" in planned.body_html
    path = link.removeprefix(app.config["BASE_URL"])
    page = client.get(path)
    assert page.status_code == 200 and 'dir="rtl"' in page.get_data(as_text=True)
    assert client.head(path).status_code == 200
    assert db.session.scalar(select(func.count()).select_from(FixNewsStop)) == 0  # GET and HEAD never write
    one_click = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 200 and "Set-Cookie" not in one_click.headers
    assert client.post(path).status_code == 200  # twice is fine
    assert client.get(path[:-3] + "abc").status_code == 404
    assert fixes.change_status(fix, "shipped", NOW) == 2  # Badr stopped fix news: not told it shipped
    assert set(news("fix_shipped")) == {"ana@example.com", "sara@example.com"}
    db.session.expire_all()
    assert db.session.get(Customer, customer_id("badr@example.com")).unsubscribed_at is None
    survey = create_survey("csat", "After the fix", "Acme")  # surveys still reach them
    send_survey(survey, NOW + timedelta(days=60), cooldown_days=30)
    invited = db.session.scalars(select(Invitation.customer_id).where(Invitation.survey_id == survey.id)).all()
    assert customer_id("badr@example.com") in invited


def test_a_survey_unsubscribe_stops_fix_news_too(app):
    fix = linked_fix(app, public_titles=TITLES, release_notes=NOTES)
    unsubscribe(customer_id("sara@example.com"), NOW)
    assert fixes.change_status(fix, "shipped", NOW) == 2 and "sara@example.com" not in news("fix_shipped")


def test_the_early_access_link_says_the_fix_has_shipped_in_the_customers_language(app, client):
    fix = linked_fix(app, public_titles=TITLES, release_notes=NOTES)
    path = early_access_url(fix.id, customer_id("sara@example.com")).removeprefix(app.config["BASE_URL"])
    assert "خروجی کامل" in client.get(path).get_data(as_text=True)
    fixes.change_status(fix, "shipped", NOW)
    page = client.get(path).get_data(as_text=True)
    assert "منتشر شد" in page and "خروجی کامل" in page and "BUG-812" not in page and "<button" not in page
    assert "منتشر شد" in client.post(path).get_data(as_text=True)


def test_the_early_access_link_of_a_fix_the_team_will_not_make_says_so_and_records_nothing(app, client):
    fix = linked_fix(app, public_titles=TITLES, release_notes=NOTES)
    path = early_access_url(fix.id, customer_id("sara@example.com")).removeprefix(app.config["BASE_URL"])
    fixes.change_status(fix, "wont_do", NOW)
    page = client.post(path).get_data(as_text=True)
    assert "تصمیم گرفتیم این تغییر را انجام ندهیم" in page and "<button" not in page
    assert db.session.scalar(select(func.count()).select_from(BetaTester)) == 0


LATIN = re.compile(r"[A-Za-z]")


def test_arabic_and_persian_customers_receive_shipped_news_without_a_latin_letter(smtp_app, smtp_server):
    fix = linked_fix(smtp_app, people=PEOPLE[1:], public_titles=TITLES, release_notes=NOTES)
    fixes.change_status(fix, "shipped", NOW)
    report = deliver_due(NOW + timedelta(minutes=1), transport_from_config(smtp_app.config), "فروشگاه <f@acme.test>")
    assert report.sent == 4  # their two survey invitations, and their two shipped news
    shipped = [m for m in smtp_server.messages if TITLES["ar"] in m["Subject"] or TITLES["fa"] in m["Subject"]]
    assert sorted(m["To"] for m in shipped) == ["badr@example.com", "sara@example.com"]
    for message in shipped:
        body = message.get_body(("plain",)).get_content()
        words = re.sub(r"https?://\S+", "", body)
        assert not LATIN.findall(words), words
        assert not LATIN.findall(message["Subject"])


@pytest.fixture
def triager(client):
    from feedback_app.accounts.services import create_user
    create_user("tri@example.com", "long-enough-password", "triager")
    client.post("/login", data={"email": "tri@example.com", "password": "long-enough-password"})


def ship_form(page):
    return page.split('class="move move-shipped"')[1].split("</form>")[0]


def test_the_fix_page_shows_missing_languages_and_ships_only_when_it_can(app, client, triager):
    fix = linked_fix(app, public_titles={"en": TITLES["en"]}, release_notes={"en": NOTES["en"]})
    page = client.get(f"/fixes/{fix.id}").get_data(as_text=True)
    assert page.index('name="note_ar"') < page.index('value="shipped"')  # the note comes before the button
    persian_title = re.search(r'<input[^>]*name="title_fa"[^>]*>', page).group(0)
    assert 'dir="rtl"' in persian_title and 'lang="fa"' in persian_title
    form = ship_form(page)
    assert 'class="secondary"' in form and "Arabic (1), Persian (1)" in form and "data-confirm=" in form
    reply = client.post(f"/fixes/{fix.id}/news-texts", data={
        **{f"title_{locale}": text for locale, text in TITLES.items()},
        **{f"note_{locale}": text for locale, text in NOTES.items()}, "fallback": ""}, follow_redirects=True)
    assert "Saved what customers read in each language." in reply.get_data(as_text=True)
    form = ship_form(client.get(f"/fixes/{fix.id}").get_data(as_text=True))
    assert 'class="primary"' in form and "Mark this fix as shipped" in form
    client.post(f"/fixes/{fix.id}/status", data={"status": "shipped"})
    page = client.get(f"/fixes/{fix.id}").get_data(as_text=True)
    badges = page.split('class="fix-badges"')[1].split("</p>")[0]
    assert "shipped" in badges and "quadrant" not in badges
    listed = client.get("/fixes?status=shipped").get_data(as_text=True).split('id="ranked-queue"')[1]
    assert 'class="tag status-shipped"' in listed and 'class="quadrant' not in listed


def test_bad_texts_are_refused_and_change_nothing(app, client, triager):
    fix = linked_fix(app)
    reply = client.post(f"/fixes/{fix.id}/news-texts", data={"title_ar": "ع" * 201, "fallback": "de"})
    assert reply.status_code == 400 and db.session.get(Fix, fix.id).public_titles == {}
    with pytest.raises(fixes.FixError, match="Unknown language 'de'"):
        fixes.update_fix(fix, NOW, FixChange(release_notes={"de": "Hallo"}))
    with pytest.raises(fixes.FixError, match="fallback"):
        fixes.update_fix(fix, NOW, FixChange(news_fallback="de"))
