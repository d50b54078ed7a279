"""Promoters asked once for a review or a referral, on both databases: who is asked (and who never), once per
customer ever, nothing while asking is off, the scheduler's job, the ask's page (GET writes nothing, POST records
went or declined, the redirect, forged links, asking switched off later), the figures on the loop page, the admin
page, and the customer's export and erasure."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from advocacy.asking import ask_promoters
from advocacy.links import ask_token, ask_url
from advocacy.models import AdvocacyAsk, AdvocacySetting
from advocacy.outcomes import figures
from advocacy.setting import set_ask, switch_off
from feedback_app.accounts.services import create_user
from feedback_app.core.extensions import db
from feedback_app.mail.outbox import OutboxEmail
from feedback_app.mail.suppression import suppress
from feedback_app.scheduler import JOBS, run_job
from privacy.export import export_customer
from privacy.services import erase_customer
from surveys.answering.links import signed_invitation
from surveys.answering.services import record_answer
from surveys.models import Customer
from surveys.scales.answers import Answer
from tests.support.factories import NOW, sent_survey

SENT = NOW - timedelta(days=30)
RECENT = NOW - timedelta(days=2)
REVIEWS = "https://reviews.example/acme?from=email"
PASSWORD = "long-enough-password"
# (email, name, locale, score, may contact, answered): only ana, layla and reza are promoters who opted in,
# answered 1 hour to 14 days ago, are subscribed and have an address that may be emailed.
PEOPLE = (("ana@example.com", "Ana", "en", 9, True, RECENT),
          ("layla@example.com", "ليلى", "ar", 10, True, RECENT),
          ("reza@example.com", "رضا", "fa", 10, True, NOW - timedelta(days=14)),  # the window's first minute
          ("tom@example.com", "Tom", "en", 8, True, RECENT),        # a passive
          ("una@example.com", "Una", "en", 9, False, RECENT),       # did not say we may contact her
          ("ned@example.com", "Ned", "en", 10, True, RECENT),       # unsubscribed later
          ("old@example.com", "Old", "en", 10, True, NOW - timedelta(days=15)),   # a promoter of long ago
          ("new@example.com", "New", "en", 10, True, NOW - timedelta(minutes=20)),  # still on the thanks page
          ("kim@example.com", "Kim", "en", 10, True, RECENT))       # erased once: the address is suppressed
ASKED = {"ana@example.com", "layla@example.com", "reza@example.com"}


@pytest.fixture
def answered(app):
    _, invitations = sent_survey(app, customers=[p[:3] for p in PEOPLE], now=SENT)
    for invitation, (_, _, _, score, may_contact, at) in zip(invitations, PEOPLE):
        record_answer(signed_invitation(invitation), Answer(score, "", may_contact), at, timedelta(hours=24))
    db.session.execute(Customer.__table__.update().where(Customer.email == "ned@example.com")
                       .values(unsubscribed_at=NOW - timedelta(days=1)))
    suppress("kim@example.com", NOW - timedelta(days=1))
    db.session.commit()
    return {c.email: c for c in db.session.scalars(select(Customer))}


def asks() -> dict[str, AdvocacyAsk]:
    db.session.expire_all()
    return {email: ask for ask, email in db.session.execute(select(AdvocacyAsk, Customer.email).join(
        Customer, Customer.id == AdvocacyAsk.customer_id))}


def advocacy_emails() -> dict[str, OutboxEmail]:
    return {e.recipient: e for e in db.session.scalars(select(OutboxEmail).where(
        OutboxEmail.template == "advocacy_ask"))}


# ---------------------------------------------------------------- who is asked

def test_promoters_who_opted_in_are_asked_once_each_in_their_language(app, answered):
    set_ask("review", REVIEWS, NOW)
    assert ask_promoters(NOW) == 3
    assert set(asks()) == ASKED
    emails = advocacy_emails()
    assert set(emails) == ASKED
    for email, ask in asks().items():
        assert (ask.kind, ask.asked_at, ask.outcome, ask.response_id is not None) == ("review", NOW, None, True)
        assert emails[email].dedupe_key == f"advocacy:{answered[email].id}"
    assert (emails["ana@example.com"].locale, emails["layla@example.com"].locale) == ("en", "ar")
    assert "review" in emails["ana@example.com"].subject
    assert "Hello Ana," in emails["ana@example.com"].body_text and "/advocate/" in emails["ana@example.com"].body_text
    assert "/u/" in emails["ana@example.com"].body_text  # the way out, as in every email to a customer
    assert not any(c.isascii() and c.isalpha() for c in emails["layla@example.com"].subject)  # all Arabic
    assert emails["reza@example.com"].headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_referral_is_worded_as_one(app, answered):
    set_ask("referral", "https://acme.example/refer", NOW)
    ask_promoters(NOW)
    ana = advocacy_emails()["ana@example.com"]
    assert "someone" in ana.subject and "Recommend us" in ana.body_text and "review" not in ana.body_text


def test_channel_scores_count_when_they_are_nps_and_the_brand_names_the_sender(app, answered):
    from feedback_app.core.brand import BrandChange, set_brand
    from triage.verbatims.intake import ChannelFeedback, take_feedback

    # Through the API: an NPS 10 (a promoter, asked) and a CSAT 5 (satisfied with one moment: not asked).
    for email, kind, score in (("cara@example.com", "nps", 10), ("carl@example.com", "csat", 5)):
        take_feedback(ChannelFeedback("Love the new export", email, "C", "en", score, kind, "in-app", True,
                                      answered_at=RECENT), NOW, 0.5)
    assert set_brand(BrandChange(name="Acme"), NOW) == []
    set_ask("review", REVIEWS, NOW)
    assert ask_promoters(NOW) == 4
    assert set(asks()) == ASKED | {"cara@example.com"}
    assert advocacy_emails()["cara@example.com"].subject == "Would you tell others about Acme in a short review?"


def test_once_ever_whatever_is_asked_for_later(app, answered):
    set_ask("review", REVIEWS, NOW)
    assert ask_promoters(NOW) == 3
    assert ask_promoters(NOW) == 0  # the next run: nobody new
    # ana answers again with a 10 and the team now asks for referrals elsewhere: she was asked, ever.
    later = NOW + timedelta(days=5)  # past the 30 days' cool-down between surveys
    _, invitations = sent_survey(app, customers=(("ana@example.com", "Ana", "en"),), now=later)
    (again,) = [i for i in invitations if i.customer_id == answered["ana@example.com"].id]
    record_answer(signed_invitation(again), Answer(10, "", True), later + timedelta(hours=1), timedelta(hours=24))
    set_ask("referral", "https://acme.example/refer", later)
    # Only "new", whose answer has settled meanwhile, is asked; ana's one ask is still the first one.
    assert ask_promoters(later + timedelta(hours=3)) == 1
    assert set(asks()) == ASKED | {"new@example.com"} and len(advocacy_emails()) == 4
    assert (asks()["ana@example.com"].kind, asks()["new@example.com"].kind) == ("review", "referral")


def test_nothing_is_sent_before_a_link_is_set_or_while_asking_is_off(app, answered):
    assert ask_promoters(NOW) == 0
    set_ask("review", REVIEWS, NOW, enabled=False)
    assert ask_promoters(NOW) == 0
    set_ask("review", REVIEWS, NOW)
    assert switch_off(NOW) is True and switch_off(NOW) is False
    assert ask_promoters(NOW) == 0
    assert asks() == {} and advocacy_emails() == {}


def test_a_bad_link_is_refused_and_nothing_is_stored(app):
    from advocacy.setting import SettingError

    for kind, url in (("review", "javascript:alert(1)"), ("review", ""), ("praise", REVIEWS)):
        with pytest.raises(SettingError):
            set_ask(kind, url, NOW)
    assert db.session.scalar(select(func.count()).select_from(AdvocacySetting)) == 0


def test_the_scheduler_job_asks_under_its_lease(app, answered, monkeypatch):
    from feedback_app import scheduler

    set_ask("review", REVIEWS, NOW - timedelta(days=1))
    (job,) = [j for j in JOBS if j.name == "ask-promoters"]
    assert job.every == timedelta(minutes=10) and job.lease is not None
    monkeypatch.setattr(scheduler, "utcnow", lambda: NOW)
    run_job(app, job)
    assert set(asks()) == ASKED
    run_job(app, job)
    assert len(advocacy_emails()) == 3


def test_batches_do_not_ask_anyone_twice(app, answered, monkeypatch):
    from advocacy import asking
    monkeypatch.setattr(asking, "BATCH", 2)
    set_ask("review", REVIEWS, NOW)
    seen = []
    assert ask_promoters(NOW, seen.append) == 3
    # SQL reads kim, layla (batch 1: kim's address is suppressed), ana, reza (batch 2): 1 then 2 asked.
    assert seen == [1, 2] and set(asks()) == ASKED


# ---------------------------------------------------------------- the ask's page

@pytest.fixture
def asked(app, answered):
    set_ask("review", REVIEWS, NOW)
    ask_promoters(NOW)
    return asks()


def path_of(ask: AdvocacyAsk) -> str:
    return f"/advocate/{ask_token(ask.id)}"


def test_opening_the_link_writes_nothing_and_is_in_their_language(app, client, asked):
    for method in ("GET", "HEAD", "OPTIONS"):
        assert client.open(path_of(asked["layla@example.com"]), method=method).status_code == 200
    page = client.get(path_of(asked["layla@example.com"])).get_data(as_text=True)
    assert 'lang="ar"' in page and 'name="choice" value="went"' in page and 'value="declined"' in page
    assert all(ask.outcome is None for ask in asks().values())


def test_the_pages_policy_lets_its_form_lead_to_the_teams_site_only(app, client, asked):
    # Browsers hold a form's redirect to form-action: the team's origin is allowed beside our own, nothing more.
    page = client.get(path_of(asked["ana@example.com"]))
    policy = page.headers["Content-Security-Policy"]
    assert "form-action 'self' https://reviews.example;" in policy + ";" and "script-src 'self'" in policy
    # …and the signed link never reaches the team's site as a Referer, from the page or through the redirect.
    assert page.headers["Referrer-Policy"] == "no-referrer" and page.headers["X-Content-Type-Options"] == "nosniff"
    went = client.post(path_of(asked["ana@example.com"]), data={"choice": "went"})
    assert went.headers["Referrer-Policy"] == "no-referrer"
    switch_off(NOW)
    assert "form-action 'self'" in client.get(path_of(asked["ana@example.com"])).headers["Content-Security-Policy"]
    assert "reviews.example" not in client.get(path_of(asked["ana@example.com"])).headers["Content-Security-Policy"]


def test_going_is_recorded_and_leads_to_the_teams_link(app, client, asked):
    reply = client.post(path_of(asked["ana@example.com"]), data={"choice": "went"})
    assert reply.status_code == 303 and reply.headers["Location"] == REVIEWS
    ana = asks()["ana@example.com"]
    assert ana.outcome == "went" and ana.outcome_at is not None
    first = ana.outcome_at
    # a second click (or a "no thanks" after going) changes nothing; going again still leads there
    assert client.post(path_of(ana), data={"choice": "declined"}).status_code == 200
    assert client.post(path_of(ana), data={"choice": "went"}).headers["Location"] == REVIEWS
    assert (asks()["ana@example.com"].outcome, asks()["ana@example.com"].outcome_at) == ("went", first)


def test_declining_is_recorded_and_going_afterwards_counts_as_going(app, client, asked):
    reply = client.post(path_of(asked["reza@example.com"]), data={"choice": "declined"})
    assert reply.status_code == 200 and 'lang="fa"' in reply.get_data(as_text=True)
    assert asks()["reza@example.com"].outcome == "declined"
    assert client.post(path_of(asked["reza@example.com"]), data={"choice": "went"}).status_code == 303
    assert asks()["reza@example.com"].outcome == "went"


def test_forged_or_unknown_links_and_choices_change_nothing(app, client, asked):
    real = path_of(asked["ana@example.com"])
    assert client.get(real[:-2] + "xx").status_code == 404
    assert client.post(real[:-2] + "xx", data={"choice": "went"}).status_code == 404
    assert client.get(f"/advocate/{ask_token(999999)}").status_code == 404
    assert client.post(real, data={"choice": "https://evil.example"}).status_code == 400
    assert client.post(real).status_code == 400
    assert all(ask.outcome is None for ask in asks().values())


def test_after_asking_is_switched_off_the_page_thanks_and_sends_nobody_anywhere(app, client, asked):
    switch_off(NOW)
    page = client.get(path_of(asked["ana@example.com"])).get_data(as_text=True)
    assert "Thank you" in page and 'value="went"' not in page and REVIEWS not in page
    reply = client.post(path_of(asked["ana@example.com"]), data={"choice": "went"})
    assert reply.status_code == 200 and "Location" not in reply.headers
    assert asks()["ana@example.com"].outcome is None  # they went nowhere: nothing to count


def test_the_button_follows_the_link_the_team_has_now(app, client, asked):
    set_ask("referral", "https://acme.example/refer", NOW)
    assert "Recommend us" in client.get(path_of(asked["ana@example.com"])).get_data(as_text=True)
    assert client.post(path_of(asked["ana@example.com"]), data={"choice": "went"}).headers["Location"] == (
        "https://acme.example/refer")


# ---------------------------------------------------------------- counted

def sign_in(client, role="admin"):
    create_user(f"{role}@example.com", PASSWORD, role)
    client.post("/login", data={"email": f"{role}@example.com", "password": PASSWORD})


def test_outcomes_are_counted_on_the_loop_page(app, client, asked):
    sign_in(client, "viewer")
    assert "Nobody has been asked yet." not in client.get("/retention/loop").get_data(as_text=True)
    client.post(path_of(asked["ana@example.com"]), data={"choice": "went"})
    client.post(path_of(asked["layla@example.com"]), data={"choice": "declined"})
    # 3 asked: 1 went, 1 declined, 1 no answer; 1 of 3 = 33 %
    counted = figures()
    assert (counted.asked, counted.went, counted.declined, counted.no_answer) == (3, 1, 1, 1)
    page = client.get("/retention/loop").get_data(as_text=True)
    assert "Promoters asked for a review or referral" in page and "33 % of those asked went to your link." in page


def test_the_loop_page_says_when_nobody_was_asked(app, client):
    sign_in(client, "viewer")
    page = client.get("/retention/loop").get_data(as_text=True)
    assert "Nobody has been asked yet." in page and "/admin/advocacy" not in page  # a viewer cannot set it


def test_admins_set_the_ask_on_their_page_and_bad_links_are_refused(app, client):
    sign_in(client)
    assert "Nobody is asked until you set a link." in client.get("/admin/advocacy").get_data(as_text=True)
    refused = client.post("/admin/advocacy", data={"kind": "review", "url": "javascript:alert(1)", "enabled": "y"})
    assert refused.status_code == 422 and "http:// or https://" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(AdvocacySetting)) == 0
    assert client.post("/admin/advocacy", data={"kind": "praise", "url": REVIEWS, "enabled": "y"}).status_code == 422
    saved = client.post("/admin/advocacy", data={"kind": "referral", "url": REVIEWS, "enabled": "y"})
    assert saved.status_code == 302
    row = db.session.scalar(select(AdvocacySetting))
    assert (row.kind, row.url, row.enabled) == ("referral", REVIEWS, True)
    client.post("/admin/advocacy", data={"kind": "referral", "url": REVIEWS})  # the box unticked: off
    db.session.expire_all()
    assert db.session.scalar(select(AdvocacySetting)).enabled is False
    assert "Asking is off" in client.get("/admin/advocacy").get_data(as_text=True)


def test_a_triager_may_not_change_the_ask(app, client):
    sign_in(client, "triager")
    assert client.get("/admin/advocacy").status_code == 403
    assert client.post("/admin/advocacy", data={"kind": "review", "url": REVIEWS}).status_code == 403


def test_the_customer_page_shows_their_ask_and_what_they_did(app, client, asked):
    ana, layla = asked["ana@example.com"], asked["layla@example.com"]
    client.post(path_of(ana), data={"choice": "went"})
    sign_in(client, "viewer")
    html = client.get(f"/customers/{ana.customer_id}").get_data(as_text=True)
    # On her timeline after her answer (two days ago) and before nothing else: the ask is her newest event.
    assert re.findall(r'<li class="event-[a-z_]+" id="([a-z_]+-\d+)"', html)[0] == f"advocacy-{ana.id}"
    assert "Asked for a public review" in html and "went to your link" in html
    assert "no answer yet" in client.get(f"/customers/{layla.customer_id}").get_data(as_text=True)


# ---------------------------------------------------------------- privacy

def test_the_export_holds_the_ask_and_the_erasure_deletes_it(app, client, asked):
    client.post(path_of(asked["ana@example.com"]), data={"choice": "went"})
    exported = export_customer("ana@example.com")["advocacy_ask"]
    assert (exported["kind"], exported["asked_at"], exported["outcome"]) == ("review", NOW.isoformat() + "+00:00",
                                                                             "went")
    assert export_customer("tom@example.com")["advocacy_ask"] is None
    report = erase_customer("ana@example.com", "cli", NOW)
    assert report.removed["advocacy_asks"] == 1 and set(asks()) == ASKED - {"ana@example.com"}


def test_links_are_absolute(app, asked):
    assert ask_url(asked["ana@example.com"].id).startswith("http://survey.test/advocate/")
