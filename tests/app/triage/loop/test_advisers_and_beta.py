"""Issue 15, the rest of the loop: "Would you advise us?" beside "try it early", and the "ready to try" email when
the team opens a fix's beta — each beta tester once ever, in their language, never to someone who stopped our
emails; on both databases."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from feedback_app.accounts.services import create_user
from feedback_app.accounts.tokens import create_token
from feedback_app.core.extensions import db
from feedback_app.mail.outbox import OutboxEmail
from surveys.models import Customer
from tests.app.triage.loop.test_news import TITLES, customer_id, linked_fix
from tests.app.test_query_counts import statements_of
from tests.support.factories import NOW, add_customers
from triage.fixes import lists as fix_lists
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
    posted = client.post(url)
    assert "Set-Cookie" not in posted.headers and posted.headers["Referrer-Policy"] == "no-referrer"
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



# ---------------------------------------------------------------- the fix page and the API

PASSWORD = "long-enough-password"


@pytest.fixture
def triager(app, client):
    create_user("tri@example.com", PASSWORD, "triager")
    client.post("/login", data={"email": "tri@example.com", "password": PASSWORD})
    return client


def signed_up_fix(app):
    """A planned fix; Ana and Badr asked to try it early, Sara offered advice."""
    fix = planned_fix(app)
    for email in ("ana@example.com", "badr@example.com"):
        record_early_access(fix.id, customer_id(email), NOW)
    record_advice(fix.id, customer_id("sara@example.com"), NOW + timedelta(minutes=1))
    return fix


def test_the_fix_page_lists_testers_and_advisers_with_a_way_to_email_them(app, triager):
    fix = signed_up_fix(app)
    page = triager.get(f"/fixes/{fix.id}").get_data(as_text=True)
    assert "Beta testers (2)" in page and "Advisers (1)" in page
    assert 'href="mailto:sara@example.com"' in page and 'href="mailto:ana@example.com"' in page
    assert 'href="mailto:?bcc=ana@example.com,badr@example.com"' in page  # the testers of the page, in Bcc
    assert 'href="mailto:?bcc=sara@example.com"' in page
    assert "not told the beta is ready" in page and "Open the beta" in page
    reply = triager.post(f"/fixes/{fix.id}/beta", data={"url": "https://beta.example.com/x"})
    assert reply.status_code == 303 and len(ready_emails()) == 2
    page = triager.get(f"/fixes/{fix.id}").get_data(as_text=True)
    assert page.count(">told the beta is ready<") == 2 and "Change the beta link" in page
    testers = page[page.index('id="beta"'):page.index('id="advisers"')]
    assert testers.count('<span class="status-pending">queued</span>') == 2  # not delivered yet
    assert 'href="https://beta.example.com/x"' in page


def test_the_fix_page_refuses_a_bad_beta_link_in_the_teams_language(app, triager):
    fix = signed_up_fix(app)
    reply = triager.post(f"/fixes/{fix.id}/beta", data={"url": "javascript:alert(1)"})
    assert reply.status_code == 400 and "must be an http:// or https:// address" in reply.get_data(as_text=True)
    assert db.session.get(Fix, fix.id).beta_url is None and ready_emails() == {}


def test_the_fix_pages_statements_do_not_grow_with_testers_and_advisers(app, triager):
    fix = signed_up_fix(app)
    fixes.open_beta(fix, "https://beta.example.com/", LATER)
    fix_id = fix.id

    def statements():
        db.session.remove()
        return statements_of(app, lambda: triager.get(f"/fixes/{fix_id}"))

    statements()  # warm
    few = statements()
    add_customers(*[(f"t{n}@example.com", f"T{n}", "en") for n in range(60)])
    for n in range(60):
        record_early_access(fix_id, customer_id(f"t{n}@example.com"), LATER + timedelta(minutes=n))
        record_advice(fix_id, customer_id(f"t{n}@example.com"), LATER + timedelta(minutes=n))
    assert len(ready_emails()) == 62  # each late tester told at once
    page = triager.get(f"/fixes/{fix_id}").get_data(as_text=True)
    assert "Beta testers (62)" in page and "Advisers (61)" in page and "Next advisers" in page
    assert statements() <= few


def test_the_api_lists_advisers_and_opens_the_beta(app, client):
    fix = signed_up_fix(app)
    bearer = {"Authorization": f"Bearer {create_token('tests', 'triager', NOW).plain}"}
    detail = client.get(f"/api/v1/fixes/{fix.id}", headers=bearer).get_json()
    assert [a["email"] for a in detail["advisers"]] == ["sara@example.com"]
    assert detail["beta_url"] is None and detail["next"]["advisers"] is None
    listed = client.get(f"/api/v1/fixes/{fix.id}/advisers?per_page=1", headers=bearer).get_json()
    assert listed == {"advisers": [{"email": "sara@example.com", "name": "سارا", "locale": "fa",
                                    "offered_at": "2026-11-23T12:01:00+00:00"}], "next": None}
    opened = client.post(f"/api/v1/fixes/{fix.id}/beta", json={"url": "https://beta.example.com/"}, headers=bearer)
    assert opened.status_code == 200 and opened.get_json()["emails_queued"] == 2
    assert opened.get_json()["beta_url"] == "https://beta.example.com/"
    again = client.post(f"/api/v1/fixes/{fix.id}/beta", json={"url": "https://beta2.example.com/"}, headers=bearer)
    assert again.get_json()["emails_queued"] == 0 and again.get_json()["beta_url"] == "https://beta2.example.com/"


@pytest.mark.parametrize("body, status, says", [
    ({"url": "ftp://beta.example.com/"}, 422, "http:// or https://"),
    ({"url": ""}, 422, "url"),
    ({}, 422, "url"),
    ({"url": 7}, 422, "url"),
    ({"url": "https://beta.example.com/", "extra": 1}, 422, "extra"),
])
def test_the_api_refuses_bad_beta_requests_and_changes_nothing(app, client, body, status, says):
    fix = signed_up_fix(app)
    bearer = {"Authorization": f"Bearer {create_token('tests', 'triager', NOW).plain}"}
    reply = client.post(f"/api/v1/fixes/{fix.id}/beta", json=body, headers=bearer)
    assert reply.status_code == status and says in reply.get_data(as_text=True)
    assert db.session.get(Fix, fix.id).beta_url is None and ready_emails() == {}


def test_the_api_answers_4xx_for_unknown_fixes_viewers_and_shipped_fixes(app, client):
    fix = signed_up_fix(app)
    bearer = {"Authorization": f"Bearer {create_token('tests', 'triager', NOW).plain}"}
    viewer = {"Authorization": f"Bearer {create_token('viewer', 'viewer', NOW).plain}"}
    assert client.get("/api/v1/fixes/999/advisers", headers=bearer).status_code == 404
    assert client.post("/api/v1/fixes/999/beta", json={"url": "https://b.example/"}, headers=bearer).status_code == 404
    assert client.post(f"/api/v1/fixes/{fix.id}/beta", json={"url": "https://b.example/"},
                       headers=viewer).status_code == 403
    assert client.get(f"/api/v1/fixes/{fix.id}/advisers?after=garbage", headers=viewer).status_code == 200
    fixes.update_fix(fix, NOW, FixChange(release_notes={locale: "Done." for locale in TITLES}))
    fixes.change_status(fix, "shipped", NOW)
    shipped = client.post(f"/api/v1/fixes/{fix.id}/beta", json={"url": "https://b.example/"}, headers=bearer)
    assert shipped.status_code == 422 and "this one is shipped" in shipped.get_json()["message"]
    assert db.session.get(Fix, fix.id).beta_url is None


def test_the_customer_page_shows_advice_and_the_beta_being_ready(app, triager):
    fix = signed_up_fix(app)
    record_advice(fix.id, customer_id("ana@example.com"), NOW)
    fixes.open_beta(fix, "https://beta.example.com/", LATER)
    page = triager.get(f"/customers/{customer_id('ana@example.com')}").get_data(as_text=True)
    assert "Offered advice on:" in page and "Told the beta is ready:" in page and "Asked to try it early:" in page


# ---------------------------------------------------------------- who was told: the "ready to try" emails too

def loop_section(page: str) -> str:
    return page[page.index('id="loop"'):page.index("</section>", page.index('id="loop"'))]


def sixty_testers(fix_id: int) -> list[int]:
    add_customers(*[(f"t{n}@example.com", f"T{n}", "en") for n in range(60)])
    ids = [customer_id(f"t{n}@example.com") for n in range(60)]
    for n, tester in enumerate(ids):
        record_early_access(fix_id, tester, NOW + timedelta(minutes=n))
    return ids


def test_who_was_told_lists_the_ready_emails_labelled_paged_and_in_a_fixed_number_of_statements(app, triager):
    fix = planned_fix(app)  # the planned news to Ana, Badr and Sara: 3 emails
    fix_id = fix.id
    testers = sixty_testers(fix_id)

    def statements():
        db.session.remove()
        return statements_of(app, lambda: triager.get(f"/fixes/{fix_id}"))

    statements()  # warm
    before = statements()
    assert fixes.open_beta(db.session.get(Fix, fix_id), "https://beta.example.com/", LATER) == 60
    # 3 planned + 60 ready = 63 told, oldest (lowest outbox id) first, 50 to a page: the 3 planned, then 47 ready;
    # the next page the other 60 - 47 = 13.
    assert statements() == before  # 60 more rows in the list, not one more statement
    page = triager.get(f"/fixes/{fix_id}").get_data(as_text=True)
    told = loop_section(page)
    assert "Who was told (63)" in told
    assert told.count("<td>planned</td>") == 3 and told.count("<td>beta ready to try</td>") == 47
    assert told.index("<td>planned</td>") < told.index("<td>beta ready to try</td>")
    assert f'href="/customers/{testers[0]}"' in told  # a ready email links to its tester, as the news does
    cursor = re.search(r'rel="next" href="[^"]*told=([^"&#]+)', told).group(1)
    rest = loop_section(triager.get(f"/fixes/{fix_id}?told={cursor}").get_data(as_text=True))
    assert rest.count("<td>beta ready to try</td>") == 13 and "<td>planned</td>" not in rest
    assert 'rel="next"' not in rest
    arabic = loop_section(triager.get(f"/fixes/{fix_id}", headers={"Accept-Language": "ar"}).get_data(as_text=True))
    assert arabic.count("<td>النسخة التجريبية جاهزة للتجربة</td>") == 47 and "beta ready to try" not in arabic


def test_a_late_tester_is_told_and_listed_and_the_api_lists_the_ready_emails(app, client):
    fix = planned_fix(app)
    fix_id = fix.id
    sixty_testers(fix_id)
    fixes.open_beta(fix, "https://beta.example.com/", LATER)
    record_early_access(fix_id, customer_id("ana@example.com"), LATER + timedelta(hours=1))  # joins late
    assert fix_lists.told_count(db.session.get(Fix, fix_id)) == 3 + 60 + 1
    bearer = {"Authorization": f"Bearer {create_token('tests', 'triager', NOW).plain}"}
    first = client.get(f"/api/v1/fixes/{fix_id}/told?per_page=60", headers=bearer).get_json()
    events = [row["event"] for row in first["told"]]
    # 64 told, oldest first: 3 planned, then the 60 testers' and Ana's ready emails; 60 on the first page.
    assert events == ["fix-planned"] * 3 + ["fix-beta-ready"] * 57
    second = client.get(first["next"], headers=bearer).get_json()
    assert [row["event"] for row in second["told"]] == ["fix-beta-ready"] * 4 and second["next"] is None
    assert second["told"][-1]["recipient"] == "ana@example.com"  # the late tester's, queued last
