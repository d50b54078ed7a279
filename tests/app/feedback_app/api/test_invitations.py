"""POST /api/v1/invitations: a triggered survey invites one customer now, through the outbox, under its
survey's throttle; every refusal changes nothing. On SQLite and PostgreSQL."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from feedback_app.accounts.tokens import create_token
from feedback_app.core.extensions import db
from feedback_app.mail.outbox import OutboxEmail
from feedback_app.mail.suppression import suppress
from surveys.asking.services import close_survey, create_survey
from surveys.models import Invitation, Survey
from surveys.people.services import unsubscribe
from tests.app.feedback_app.api.test_api import Caller
from tests.support.factories import NOW, add_customers

DAY = timedelta(days=1)
PEOPLE = (("ana@example.com", "Ana", "en"), ("badr@example.com", "Badr", "ar"), ("tom@example.com", "Tom", "en"))


@pytest.fixture
def clock(monkeypatch):
    now = [NOW]
    monkeypatch.setattr("feedback_app.api.invitations.utcnow", lambda: now[0])
    return now


@pytest.fixture
def api(client, clock):
    return Caller(client, create_token("tests", "triager", NOW).plain)


@pytest.fixture
def people(app):
    return {c.email: c for c in add_customers(*PEOPLE)}


def csat(**settings):
    return create_survey("csat", "after support", "Acme", task={"en": "get help", "ar": "الحصول على المساعدة",
                                                               "fa": "گرفتن کمک"},
                         mode="transactional", touchpoint="Support", **settings)


def emails() -> list[tuple[str, str, str]]:
    return db.session.execute(select(OutboxEmail.dedupe_key, OutboxEmail.recipient, OutboxEmail.locale)
                              .order_by(OutboxEmail.id)).all()


def invitations() -> int:
    return db.session.scalar(select(func.count(Invitation.id)))


def test_an_invitation_is_queued_in_the_customers_language_and_its_link_never_returned(api, people):
    survey = csat()
    reply = api.post("/api/v1/invitations", json={"survey_id": survey.id, "email": "Badr@Example.com",
                                                  "context": "ticket #4411"})
    assert reply.status_code == 201, reply.get_json()
    body = reply.get_json()
    invitation = db.session.get(Invitation, body["id"])
    assert (invitation.customer_id, invitation.locale, invitation.context) == (people["badr@example.com"].id, "ar",
                                                                               "ticket #4411")
    assert body["locale"] == "ar" and body["context"] == "ticket #4411" and "survey_url" not in body
    assert "/s/" not in reply.get_data(as_text=True)
    assert emails() == [(f"survey-invitation:{invitation.id}", "badr@example.com", "ar")]
    assert db.session.get(Survey, survey.id).invited == 1
    assert survey.touchpoint == "support"


def test_a_second_csat_within_seven_days_is_429_with_retry_after(api, people, clock):
    first, other = csat(), csat()  # two transactional CSAT surveys share the per-kind cool-down
    assert api.post("/api/v1/invitations", json={"survey_id": first.id, "email": "ana@example.com"}).status_code == 201
    clock[0] = NOW + 2 * DAY
    before = emails()
    reply = api.post("/api/v1/invitations", json={"survey_id": other.id, "email": "ana@example.com"})
    # Invited at NOW, 7 days of cool-down: allowed from NOW + 7 days, 5 days = 432000 s after NOW + 2 days.
    assert reply.status_code == 429
    body = reply.get_json()
    assert body["retry_after"] == 432000 and reply.headers["Retry-After"] == "432000"
    assert body["retry_at"] == (NOW + 7 * DAY).isoformat() + "Z" and "cool-down" in body["message"]
    assert emails() == before and invitations() == 1
    clock[0] = NOW + 7 * DAY  # the cool-down over: the same survey asks the same customer again (round 1)
    again = api.post("/api/v1/invitations", json={"survey_id": first.id, "email": "ana@example.com"})
    assert again.status_code == 201 and invitations() == 2


def test_a_survey_sets_its_own_cool_down(api, people, clock):
    survey = csat(cooldown_days=1)
    assert api.post("/api/v1/invitations", json={"survey_id": survey.id, "email": "tom@example.com"}).status_code == 201
    clock[0] = NOW + DAY
    assert api.post("/api/v1/invitations", json={"survey_id": survey.id, "email": "tom@example.com"}).status_code == 201


def test_transactional_and_relationship_cool_downs_never_block_each_other(api, people, clock):
    support = csat()
    nps = create_survey("nps", "quarterly", "Acme")
    other_nps = create_survey("nps", "next quarter", "Acme")
    assert api.post("/api/v1/invitations", json={"survey_id": support.id, "email": "ana@example.com"}).status_code == 201
    clock[0] = NOW + DAY
    assert api.post("/api/v1/invitations", json={"survey_id": nps.id, "email": "ana@example.com"}).status_code == 201
    clock[0] = NOW + 8 * DAY  # past the CSAT's 7 days, within the NPS's 30: only a CSAT may come
    assert api.post("/api/v1/invitations", json={"survey_id": support.id, "email": "ana@example.com"}).status_code == 201
    refused = api.post("/api/v1/invitations", json={"survey_id": other_nps.id, "email": "ana@example.com"})
    # NPS at NOW + 1 day, 30 days: from NOW + 31 days, 23 days = 1987200 s after NOW + 8 days.
    assert refused.status_code == 429 and refused.get_json()["retry_after"] == 1987200
    again = api.post("/api/v1/invitations", json={"survey_id": nps.id, "email": "ana@example.com"})
    assert again.status_code == 409 and "already invited" in again.get_json()["message"]


def test_the_same_external_id_answers_the_first_invitation_and_queues_nothing(api, people, clock):
    survey = csat()
    body = {"survey_id": survey.id, "customer_id": people["tom@example.com"].id, "external_id": "T-1"}
    first = api.post("/api/v1/invitations", json=body)
    clock[0] = NOW + 30 * DAY  # even after the cool-down, the same trigger is the same invitation
    second = api.post("/api/v1/invitations", json=body)
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.get_json() == first.get_json() and invitations() == 1 and len(emails()) == 1


@pytest.mark.parametrize("body, status, message", [
    ({"survey_id": 999, "email": "ana@example.com"}, 404, "no survey 999"),
    ({"email": "nobody@example.com"}, 404, "no customer nobody@example.com"),
    ({"customer_id": 999}, 404, "no customer 999"),
    ({"email": "tom@example.com"}, 409, "unsubscribed"),
    ({"email": "erased@example.com"}, 409, "erased"),
    ({"email": "ana@example.com", "colour": "red"}, 422, "colour"),
    ({"email": "ana@example.com", "customer_id": 1}, 422, "email"),
    ({}, 422, "email"),
])
def test_refusals_are_clear_and_change_nothing(api, people, body, status, message):
    survey = csat()
    unsubscribe(people["tom@example.com"].id, NOW)
    suppress("erased@example.com", NOW)
    db.session.commit()
    reply = api.post("/api/v1/invitations", json={"survey_id": survey.id, **body})
    assert reply.status_code == status and message in str(reply.get_json()), reply.get_json()
    assert invitations() == 0 and emails() == []


def test_a_closed_survey_or_one_without_the_customers_language_is_409(api, people):
    english_only = create_survey("csat", "english", "Acme", task="get help", mode="transactional")
    english_only.wording = {"en": english_only.wording["en"]}  # as a survey worded in English only
    db.session.commit()
    reply = api.post("/api/v1/invitations", json={"survey_id": english_only.id, "email": "badr@example.com"})
    assert reply.status_code == 409 and "no question in ar" in reply.get_json()["message"]
    close_survey(english_only, NOW)
    reply = api.post("/api/v1/invitations", json={"survey_id": english_only.id, "email": "ana@example.com"})
    assert reply.status_code == 409 and "closed" in reply.get_json()["message"]
    assert invitations() == 0


def test_viewer_tokens_may_not_invite(client, people, clock):
    viewer = Caller(client, create_token("dashboard", "viewer", NOW).plain)
    survey = csat()
    assert viewer.post("/api/v1/invitations", json={"survey_id": survey.id, "email": "ana@example.com"}).status_code == 403
