"""Mail security scanners open every link of an email with GET, HEAD and OPTIONS. None of them may
change anything: only a POST from the customer writes."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from advocacy.links import ask_url
from advocacy.models import AdvocacyAsk
from advocacy.setting import set_ask
from feedback_app.core.extensions import db
from surveys.answering.links import signed_invitation, survey_url
from surveys.answering.services import record_answer
from surveys.asking.services import close_survey, set_thanks_step
from surveys.models import Customer
from surveys.people.links import unsubscribe_url
from surveys.scales.answers import Answer
from surveys.scales.thanks_step import QUESTION, checked_step
from tests.support.factories import NOW, sent_survey
from tests.support.routes import FROM_EMAILS
from triage.fixes import services as fixes
from triage.fixes.services import FixChange
from triage.loop.advise import advise_url
from triage.loop.early_access import early_access_url
from triage.loop.stop_news import stop_news_url

SCANNER_METHODS = ("GET", "HEAD", "OPTIONS")
PEOPLE = (("ana@example.com", "Ana", "en"), ("layla@example.com", "ليلى", "ar"), ("reza@example.com", "رضا", "fa"))


def every_row() -> dict[str, list[tuple]]:
    """The whole database, table by table, in a comparable form."""
    snapshot = {}
    for table in db.metadata.sorted_tables:
        order = list(table.primary_key.columns) or list(table.columns)
        snapshot[table.name] = [tuple(row) for row in db.session.execute(select(table).order_by(*order))]
    db.session.rollback()
    return snapshot


@pytest.fixture
def emailed_links(app):
    """Every kind of link an email carries, for customers in each state: not answered yet, answered,
    a closed survey, subscribed, a fix's early-access invitation and its news's way out, a promoter's ask for a
    review. The thank-you page asks a second question (its form is on the page a scanner opens)."""
    survey, invitations = sent_survey(app, customers=PEOPLE)
    set_thanks_step(survey, checked_step(QUESTION, {"en": "What next?", "ar": "ماذا بعد؟"}))
    answered = invitations[1]
    record_answer(signed_invitation(answered), Answer(3, "slow export", True), NOW,
                  timedelta(hours=24))
    closed, closed_invitations = sent_survey(app, kind="csat", customers=(("tom@example.com", "Tom", "en"),),
                                             now=NOW + timedelta(days=40))
    close_survey(closed, NOW)
    fix = fixes.create_fix(FixChange(title="Faster export", cost=2), NOW, response_ids=[answered.response.id])
    urls = []
    for invitation in (*invitations, *closed_invitations):
        urls += [survey_url(invitation), survey_url(invitation, 9)]
        urls.append(survey_url(invitation) + "/thanks")
        urls.append(unsubscribe_url(invitation.customer_id))
    urls.append(early_access_url(fix.id, answered.customer_id))
    urls.append(advise_url(fix.id, answered.customer_id))
    urls.append(stop_news_url(answered.customer_id))
    set_ask("review", "https://reviews.example/acme", NOW)
    ask = AdvocacyAsk(customer_id=invitations[0].customer_id, kind="review", asked_at=NOW)
    db.session.add(ask)
    db.session.commit()
    urls.append(ask_url(ask.id))
    return [url.removeprefix(app.config["BASE_URL"]) for url in urls]


def test_the_links_cover_every_public_route_customers_reach(app, emailed_links):
    reached = {app.url_map.bind("survey.test").match(path.split("?")[0], method=method)[0]
               for path in emailed_links for method in ("GET", "POST")
               if _routes(app, path.split("?")[0], method)}
    assert reached == FROM_EMAILS


def _routes(app, path, method) -> bool:
    try:
        app.url_map.bind("survey.test").match(path, method=method)
    except Exception:
        return False
    return True


def test_get_head_and_options_on_every_emailed_link_change_no_row(app, emailed_links):
    client = app.test_client()
    before = every_row()
    answers = {}
    for path in emailed_links:
        for method in SCANNER_METHODS:
            answers[f"{method} {path}"] = client.open(path, method=method).status_code
    assert every_row() == before
    assert all(code < 400 or code == 410 for code in answers.values()), answers  # the links work


def test_head_on_an_unsubscribe_link_does_not_unsubscribe(app, client, emailed_links):
    unsubscribe = next(p for p in emailed_links if p.startswith("/u/"))
    assert client.head(unsubscribe).status_code == 200
    assert db.session.scalar(select(Customer.unsubscribed_at).where(
        Customer.email == "ana@example.com")) is None
    assert client.post(unsubscribe).status_code == 200  # the customer's own button still works
    assert db.session.scalar(select(Customer.unsubscribed_at).where(
        Customer.email == "ana@example.com")) is not None
