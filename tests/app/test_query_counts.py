"""Every team page and API list runs as many SQL statements with four times the answers as with one time
(issue 10): a page that queried once per answer, per verbatim or per linked customer would grow here.
Speed itself is measured in bench/scale.py, never in a test."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, select, update

from advocacy.asking import ask_promoters
from advocacy.setting import set_ask
from feedback_app.accounts.services import create_user
from feedback_app.accounts.tokens import create_token
from feedback_app.core.extensions import db
from retention.insight.services import compute_insight
from retention.refresh import refresh_retention
from surveys.answering.links import signed_invitation
from surveys.answering.services import record_answer, record_second_answer
from surveys.asking.services import create_survey, send_survey, set_thanks_step
from surveys.models import Customer, Invitation, Response, Survey
from surveys.people.segment_store import create_segment
from surveys.scales.answers import Answer
from surveys.scales.thanks_step import QUESTION, checked_step
from tests.support.factories import NOW, add_customers
from triage.fixes import services as fixes
from triage.fixes.services import FixChange
from triage.models import Fix
from triage.verbatims import classifying
from triage.verbatims.intake import ChannelFeedback, take_feedback
from webhooks.services import NewEndpoint, add_endpoint

COMMENTS = ("The PDF export is broken again", "Support never answered my ticket", "Too expensive for a team of 3",
            "التصدير إلى PDF لا يعمل", "پشتیبانی جواب نمی‌دهد", "", "Exporting a PDF takes ages",
            "I would love a dark mode", "The app crashes when I upload a photo", "")
PAGES = ("/", "/triage", "/triage?type=functionality", "/triage?language=ar", "/triage?review=1",
         "/triage?band=low", "/triage/themes", "/triage/follow-ups", "/triage/types", "/triage/models",
         "/surveys", "/surveys/{survey}", "/surveys/{survey}/wording", "/surveys/{survey}/send", "/surveys/new",
         "/admin/brand", "/fixes", "/fixes/{fix}", "/customers", "/customers/{customer}", "/admin/outbox",
         "/admin/users", "/admin/privacy", "/retention", "/retention?period=2027-01", "/segments",
         "/customers?segment={segment}", "/triage?segment={segment}", "/surveys/{survey}/send?segment={segment}",
         "/surveys/{survey}?segment={segment}", "/?segment={segment}", "/retention?segment={segment}",
         "/retention/loop", "/retention/fit", "/admin/webhooks", "/?channel=email", "/admin/advocacy")
API_PAGES = ("/api/v1/responses", "/api/v1/responses?per_page=30", "/api/v1/responses?type=functionality",
             "/api/v1/responses?since=2026-01-01T00:00:00", "/api/v1/fixes", "/api/v1/fixes/{fix}")


class World:
    """One survey; each round adds customers, their answers (a third of them on a theme of their own, so the
    themes page shows more groups), channel feedback, links to the first fix and a fix per 20 people (so
    the grid, the queue and the list show more fixes), and more feedback from the first customer (so their
    page shows more)."""

    def __init__(self, app):
        self.app, self.round = app, 0
        survey = create_survey("nps", "Quarterly NPS", "Acme")
        set_thanks_step(survey, checked_step(QUESTION, {"en": "What next?"}))  # its second answers: survey's page
        self.survey_id = survey.id
        self.fix_id = None
        self.customer_id = None  # the first customer: their page
        # Arabic speakers whose latest NPS is unhappy: every kind of rule the segments page counts.
        self.segment_id = create_segment("Unhappy Arabic", ["locale = ar", "nps <= 6"], NOW).id
        # A webhook endpoint hearing of every answer and classification: the webhooks page's log grows.
        add_endpoint(NewEndpoint("https://hooks.example.com/in", "s", ("response.created", "response.classified")),
                     NOW, resolve=lambda host, port: ["93.184.216.34"])

    def grow(self, people: int) -> None:
        first = self.round * 1000
        self.round += 1
        add_customers(*[(f"p{n}@example.com", f"P{n}", ("en", "ar", "fa")[n % 3])
                        for n in range(first, first + people)])
        when = NOW + timedelta(days=40 * self.round)  # past the cooldown: only the new customers are invited
        survey = db.session.get(Survey, self.survey_id)
        send_survey(survey, when, cooldown_days=30)
        invitations = db.session.scalars(select(Invitation).where(Invitation.survey_id == self.survey_id,
                                                                  Invitation.response == None)).all()  # noqa: E711
        for n, invitation in enumerate(invitations):
            record_answer(signed_invitation(invitation),
                          Answer(n % 11, _comment(first + n), n % 2 == 0), when + timedelta(minutes=n),
                          timedelta(hours=24))
            if n % 2:  # half answer the thank-you page's question (the survey's and customers' pages show them)
                record_second_answer(invitation.response.id, self.survey_id, "What next?", f"second {first + n}",
                                     invitation.locale, when + timedelta(minutes=n))
        for n in range(people // 4):
            take_feedback(ChannelFeedback(COMMENTS[n % 5], f"p{first + n}@example.com", score=n % 11, kind="nps",
                                          channel="chat"), when + timedelta(hours=2), 0.5)
        for n in range(people // 5):
            take_feedback(ChannelFeedback(COMMENTS[n % 5], "p0@example.com", score=n % 11, kind="nps", channel="email",
                                          may_contact=True), when + timedelta(hours=1, minutes=n), 0.5)
        self.customer_id = self.customer_id or db.session.scalar(select(Customer.id)
                                                                 .where(Customer.email == "p0@example.com"))
        classifying.classify_pending(when + timedelta(hours=3), 0.5)
        answers = db.session.scalars(select(Response.id).where(Response.comment != "")
                                     .order_by(Response.id.desc()).limit(people // 2)).all()
        if self.fix_id is None:
            self.fix_id = fixes.create_fix(FixChange(title="Faster PDF exports", cost=2), when, response_ids=answers).id
        else:
            fixes.link_verbatims(db.session.get(Fix, self.fix_id), answers, when)
        for n in range(people // 20):
            fixes.create_fix(FixChange(title=f"Fix {first + n}", cost=n % 5 + 1), when,
                             response_ids=answers[n::people // 20])
        # Everyone a customer for a year with a value, so the loop and fit figures have respondents and points.
        db.session.execute(update(Customer).values(customer_since=NOW - timedelta(days=365), attributes={"mrr": "10"}))
        db.session.commit()
        refresh_retention(when)  # stages and stored figures: the Retention page reads them
        compute_insight(when + timedelta(days=200))  # loop and fit 200 days on, when the told have a horizon
        set_ask("review", "https://reviews.example/acme", when)
        ask_promoters(when + timedelta(hours=3))  # the promoters who opted in: the advocacy figures grow


THINGS = ("invoice", "calendar", "password", "printer", "keyboard", "webhook", "avatar", "receipt", "playlist",
          "timezone", "spreadsheet", "thumbnail")
TROUBLES = ("vanishes", "duplicates", "freezes", "misaligned", "truncated", "upside down", "blurry", "late")


def _comment(n: int) -> str:
    """Every third answer names a thing and its trouble of its own (up to 96 themes), the rest the usual few."""
    if n % 3:
        return COMMENTS[n % len(COMMENTS)]
    pair = n // 3
    return f"The {THINGS[pair % len(THINGS)]} {TROUBLES[pair // len(THINGS) % len(TROUBLES)]} every time"


def statements_of(app, request) -> int:
    seen = []

    def note(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        reply = request()
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert reply.status_code == 200, (reply.request.path, reply.status_code)
    return len(seen)


def counts(app, client, token, world) -> dict[str, int]:
    ids = {"survey": world.survey_id, "fix": world.fix_id, "customer": world.customer_id,
           "segment": world.segment_id}
    counted = {}
    for path in PAGES:
        url = path.format(**ids)
        client.get(url)  # warm: what a page caches once per process is not what grows with the data
        db.session.remove()  # each request starts with an empty session, as in production
        counted[url] = statements_of(app, lambda url=url: client.get(url))
    bearer = {"Authorization": f"Bearer {token}"}
    for path in API_PAGES:
        url = path.format(**ids)
        client.get(url, headers=bearer)
        db.session.remove()
        counted[url] = statements_of(app, lambda url=url: client.get(url, headers=bearer))
    return counted


@pytest.fixture
def admin_client(app, client):
    create_user("admin@example.com", "long-enough-password", "admin")
    db.session.commit()
    reply = client.post("/login", data={"email": "admin@example.com", "password": "long-enough-password"})
    assert reply.status_code == 302
    return client


def test_no_page_runs_more_statements_with_more_answers(app, admin_client):
    token = create_token("query counts", "admin", NOW).plain
    world = World(app)
    world.grow(20)  # enough for every kind of row a page shows (so a page's first one of a kind is not news)
    few = counts(app, admin_client, token, world)
    world.grow(80)  # five times as many
    many = counts(app, admin_client, token, world)
    assert db.session.query(Response).count() > 100
    # Fewer is fine: a first page may hold one kind of row where it held two (the review order is by what
    # teaches the model most, so which rows come first changes with the data).
    grew = {url: (few[url], many[url]) for url in few if many[url] > few[url]}
    assert grew == {}, f"statements per page grew with the data: {grew}"
