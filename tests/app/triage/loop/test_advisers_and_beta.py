"""Issue 15, the rest of the loop: "Would you advise us?" beside "try it early", and the "ready to try" email when
the team opens a fix's beta — each beta tester once ever, in their language, never to someone who stopped our
emails; on both databases."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from feedback_app.core.extensions import db
from feedback_app.mail.outbox import OutboxEmail
from surveys.models import Customer
from tests.app.triage.loop.test_news import TITLES, customer_id, linked_fix
from tests.support.factories import NOW
from triage.fixes import services as fixes
from triage.fixes.services import FixChange
from triage.loop.advise import advise_url, read_advise, record_advice
from triage.loop.early_access import early_access_url, read_early_access, record_early_access
from triage.loop.stop_news import stop_news
from triage.models import Fix, FixAdviser

LATER = NOW + timedelta(days=1)


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def ready_emails():
    return {e.recipient: e for e in db.session.scalars(select(OutboxEmail).where(
        OutboxEmail.template == "fix_beta_ready"))}


def planned_fix(app, **change):
    fix = linked_fix(app, public_titles=TITLES, **change)
    assert fixes.change_status(fix, "planned", NOW, tell_planned=True) == 3
    return fix


def path(app, url):
    return url.removeprefix(app.config["BASE_URL"])


def test_the_planned_email_carries_an_advise_link_beside_early_access(app):
    planned_fix(app)
    email = db.session.scalar(select(OutboxEmail).where(OutboxEmail.recipient == "badr@example.com",
                                                        OutboxEmail.template == "fix_planned"))
    advise = re.search(r"https?://\S+/advise/(\S+)", email.body_text)
    early = re.search(r"https?://\S+/early/(\S+)", email.body_text)
    assert advise and early and 'href="' + advise.group(0) + '"' in email.body_html
    assert read_advise(advise.group(1)) == read_early_access(early.group(1))  # the same fix and customer
    assert read_advise(early.group(1)) is None and read_early_access(advise.group(1)) is None  # purposes apart
    assert "قد يتواصل معك" in email.body_text  # the advice wording in Arabic, the reader's language


def test_the_advise_page_asks_on_get_and_records_once_on_post(app, client):
    fix = planned_fix(app)
    url = path(app, advise_url(fix.id, customer_id("sara@example.com")))
    for _ in range(3):  # a mail scanner opens the link, then the customer does
        page = client.get(url)
        assert page.status_code == 200 and 'dir="rtl"' in page.get_data(as_text=True)
    assert count(FixAdviser) == 0  # a GET never writes
    assert client.post(url).status_code == 200 and client.post(url).status_code == 200
    assert "Set-Cookie" not in client.post(url).headers
    (adviser,) = db.session.scalars(select(FixAdviser)).all()
    assert (adviser.fix_id, adviser.customer_id) == (fix.id, customer_id("sara@example.com"))
    assert client.get(url[:-3] + "abc").status_code == 404  # forged
    assert client.post(url[:-3] + "abc").status_code == 404 and count(FixAdviser) == 1
    early = path(app, early_access_url(fix.id, customer_id("ana@example.com"))).replace("/early/", "/advise/")
    assert client.get(early).status_code == 404  # an early-access token is no advice token


@pytest.mark.parametrize("status, says", [("shipped", "It has shipped"), ("wont_do", "No longer planned")])
def test_a_closed_fix_asks_for_no_advice_and_records_none(app, client, status, says):
    fix = linked_fix(app, public_titles=TITLES, release_notes={locale: "Done." for locale in TITLES})
    fixes.change_status(fix, status, NOW)
    url = path(app, advise_url(fix.id, customer_id("ana@example.com")))
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 200 and says in response.get_data(as_text=True)
        assert 'action="' not in response.get_data(as_text=True)
    assert count(FixAdviser) == 0
    assert record_advice(fix.id, customer_id("ana@example.com"), NOW) is False and count(FixAdviser) == 0


def test_opening_the_beta_tells_each_tester_once_in_their_language_and_never_again(app):
    fix = planned_fix(app)
    for email in ("ana@example.com", "badr@example.com"):
        record_early_access(fix.id, customer_id(email), NOW)
    assert ready_emails() == {}  # not open yet: nobody is told
    assert fixes.open_beta(fix, "https://beta.example.com/exports", LATER) == 2
    emails = ready_emails()
    assert {recipient: e.locale for recipient, e in emails.items()} == {"ana@example.com": "en", "badr@example.com": "ar"}
    assert "https://beta.example.com/exports" in emails["badr@example.com"].body_text
    assert TITLES["ar"] in emails["badr@example.com"].subject
    assert emails["ana@example.com"].dedupe_key == f"fix-beta-ready:{fix.id}:{customer_id('ana@example.com')}"
    # Opened again with a new link: nobody hears twice; the link is kept for those who join later.
    assert fixes.open_beta(fix, "https://beta2.example.com/", LATER + timedelta(hours=1)) == 0
    fix = db.session.get(Fix, fix.id)
    assert fix.beta_url == "https://beta2.example.com/" and fix.beta_opened_at == LATER
    # Sara joins late: told at once, with the new link, once however often she clicks.
    for _ in range(2):
        record_early_access(fix.id, customer_id("sara@example.com"), LATER + timedelta(hours=2))
    late = ready_emails()["sara@example.com"]
    assert late.locale == "fa" and "https://beta2.example.com/" in late.body_text
    assert len(ready_emails()) == 3


def test_the_ready_email_skips_testers_who_stopped_our_emails(app):
    fix = planned_fix(app)
    for email in ("ana@example.com", "badr@example.com", "sara@example.com"):
        record_early_access(fix.id, customer_id(email), NOW)
    stop_news(customer_id("badr@example.com"), NOW)
    db.session.get(Customer, customer_id("sara@example.com")).unsubscribed_at = NOW
    db.session.commit()
    assert fixes.open_beta(fix, "http://beta.example.com", LATER) == 1
    assert list(ready_emails()) == ["ana@example.com"]


def test_a_beta_is_refused_whole_while_a_testers_language_lacks_the_title(app):
    fix = planned_fix(app)
    for email in ("ana@example.com", "sara@example.com"):
        record_early_access(fix.id, customer_id(email), NOW)
    fixes.update_fix(fix, NOW, FixChange(public_titles={"fa": ""}))
    with pytest.raises(fixes.NewsRefused, match=r"Persian \(1 recipient: no title\)"):
        fixes.open_beta(fix, "https://beta.example.com/", LATER)
    db.session.rollback()
    fix = db.session.get(Fix, fix.id)
    assert fix.beta_url is None and fix.beta_opened_at is None and ready_emails() == {}
    fixes.update_fix(fix, NOW, FixChange(news_fallback="en"))  # Sara may read it in English
    assert fixes.open_beta(fix, "https://beta.example.com/", LATER) == 2
    assert ready_emails()["sara@example.com"].locale == "en"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://beta.example.com/", "https://", "beta.example.com",
                                 "https://beta.example.com/a b", "", "https://x.example/" + "a" * 2000])
def test_a_beta_link_that_is_not_http_is_refused_and_changes_nothing(app, url):
    fix = planned_fix(app)
    record_early_access(fix.id, customer_id("ana@example.com"), NOW)
    with pytest.raises(fixes.FixError, match="beta link"):
        fixes.open_beta(fix, url, LATER)
    db.session.rollback()
    assert db.session.get(Fix, fix.id).beta_url is None and ready_emails() == {}


@pytest.mark.parametrize("status", ["open", "shipped", "wont_do"])
def test_only_a_planned_or_in_progress_fix_opens_a_beta(app, status):
    fix = linked_fix(app, public_titles=TITLES, release_notes={locale: "Done." for locale in TITLES})
    record_early_access(fix.id, customer_id("ana@example.com"), NOW)
    fixes.change_status(fix, status, NOW)
    with pytest.raises(fixes.FixError, match=f"this one is {status}"):
        fixes.open_beta(fix, "https://beta.example.com/", LATER)
    db.session.rollback()
    assert db.session.get(Fix, fix.id).beta_opened_at is None and ready_emails() == {}

