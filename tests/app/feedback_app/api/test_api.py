"""The JSON API under /api/v1: each endpoint's work in the database, each error changing nothing."""
from datetime import datetime, timedelta

import pytest
from openapi_spec_validator import validate as validate_openapi
from sqlalchemy import func, select

from feedback_app.accounts.tokens import create_token, revoke_token
from feedback_app.core.extensions import db
from feedback_app.mail.outbox import OutboxEmail
from surveys.answering.links import signed_invitation
from surveys.answering.services import record_answer
from surveys.models import Customer, Response
from surveys.people.services import unsubscribe
from surveys.scales.answers import MAX_COMMENT, Answer
from tests.support.factories import NOW, add_customers, sent_survey
from triage.fixes import services as fixes
from triage.fixes.services import FixChange
from triage.models import Fix, FixLink, TrainingExample, TriageItem
from triage.verbatims import classifying

PEOPLE = (("ana@example.com", "Ana", "en"), ("badr@example.com", "Badr", "ar"),
          ("sara@example.com", "Sara", "fa"), ("tom@example.com", "Tom", "en"))


# ---------------------------------------------------------------- helpers

class Caller:
    """A test client that sends one token."""

    def __init__(self, client, token: str | None):
        self.client, self.headers = client, {"Authorization": f"Bearer {token}"} if token else {}

    def __getattr__(self, method):
        def call(path, **kwargs):
            response = getattr(self.client, method)(path, headers={**self.headers, **kwargs.pop("headers", {})},
                                                    **kwargs)
            db.session.expire_all()  # see what the request committed
            return response
        return call


@pytest.fixture
def api(client):
    return Caller(client, create_token("tests", "triager", NOW).plain)


@pytest.fixture
def viewer(client):
    return Caller(client, create_token("dashboard", "viewer", NOW).plain)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def state():
    """Everything a request could change, to check that a refused one changed nothing."""
    db.session.expire_all()
    rows = {m.__name__: count(m) for m in (Customer, Response, TriageItem, TrainingExample, Fix, FixLink, OutboxEmail)}
    fix_fields = db.session.execute(select(Fix.id, Fix.title, Fix.status, Fix.cost, Fix.release_notes, Fix.public_titles,
                                           Fix.news_fallback, Fix.type_key,
                                           Fix.impact_override, Fix.override_reason).order_by(Fix.id)).all()
    types = db.session.execute(select(TriageItem.response_id, TriageItem.type_key, TriageItem.confirmed)
                               .order_by(TriageItem.response_id)).all()
    return rows, fix_fields, types


def answered(app, answers, people=PEOPLE):
    """Survey answers: {email: (score, comment, may_contact)} → {email: response id}."""
    survey, invitations = sent_survey(app, customers=people)
    ids = {}
    for invitation in invitations:
        if invitation.customer.email in answers:
            score, comment, may_contact = answers[invitation.customer.email]
            record_answer(signed_invitation(invitation),
                          Answer(score, comment, may_contact), NOW, timedelta(hours=24))
            ids[invitation.customer.email] = invitation.response.id
    return survey, ids


def loop_emails():
    """Follow-up emails about fixes (the survey's own invitations left aside)."""
    return db.session.scalars(select(OutboxEmail).where(OutboxEmail.dedupe_key.like("fix-%"))
                              .order_by(OutboxEmail.recipient)).all()


def assert_error(response, code, *fields):
    assert response.status_code == code, response.get_json()
    body = response.get_json()
    assert body["code"] == code and body["message"].strip()
    for field in fields:
        assert field in body["errors"], body
    return body


# ---------------------------------------------------------------- POST /feedback

def test_feedback_from_a_channel_joins_the_known_customer_verbatim_and_is_classified_at_once(app, api):
    (ana,) = add_customers(("ana@example.com", "Ana", "ar"))
    text = "  I was charged twice\r\nand nobody refunds me <b>!</b>  "
    reply = api.post("/api/v1/feedback", json={"text": text, "email": " ANA@Example.COM ", "name": "Someone else",
                                               "score": 2, "kind": "csat", "channel": "support-email",
                                               "may_contact": True})
    assert reply.status_code == 201, reply.get_json()
    body = reply.get_json()
    response = db.session.get(Response, body["id"])
    assert (response.comment, response.channel, response.customer_id, response.kind, response.score) == (
        text, "support-email", ana.id, "csat", 2)
    assert response.may_contact and response.consent_at is not None and response.invitation_id is None
    assert response.survey_id is None and response.locale == "ar"  # the customer's language: written back in it
    assert count(Customer) == 1 and db.session.get(Customer, ana.id).name == "Ana"  # never duplicated or renamed
    item = db.session.scalar(select(TriageItem).where(TriageItem.response_id == response.id))
    assert (body["type"], body["confidence"], body["theme"], body["language"]) == (
        item.type_key, item.confidence, item.theme, item.language)
    assert body["type"] == "pricing" and body["language"] == "en" and 0 < body["confidence"] <= 1
    assert classifying.classify_pending(NOW, 0.5) == 0  # classified already: the sweep leaves it alone


def test_feedback_from_a_new_person_creates_the_customer_in_the_language_of_the_text(app, api):
    reply = api.post("/api/v1/feedback", json={"text": "پشتیبانی اصلا جواب تیکت رو نمیده", "email": "Reza@Example.com",
                                               "name": "رضا", "score": 1, "channel": "chat"})
    assert reply.status_code == 201
    customer = db.session.scalar(select(Customer))
    response = db.session.get(Response, reply.get_json()["id"])
    assert (customer.email, customer.name, customer.locale) == ("reza@example.com", "رضا", "fa")
    assert (response.kind, response.score, response.locale, response.may_contact) == ("nps", 1, "fa", False)
    assert reply.get_json()["language"] == "fa"
    again = api.post("/api/v1/feedback", json={"text": "still no answer", "email": "reza@EXAMPLE.com"})
    assert again.status_code == 201 and count(Customer) == 1
    assert db.session.get(Response, again.get_json()["id"]).customer_id == customer.id


def test_a_resent_channel_item_is_answered_as_stored_and_never_stored_twice(app, api):
    first = {"text": "The app logs me out every hour", "email": "ana@example.com", "channel": "zendesk",
             "external_id": "ticket-4711", "answered_at": "2026-11-20T09:30:00+02:00", "may_contact": True}
    reply = api.post("/api/v1/feedback", json=first)
    assert reply.status_code == 201
    stored = db.session.get(Response, reply.get_json()["id"])
    assert stored.answered_at == datetime(2026, 11, 20, 7, 30)  # kept in UTC, as every time is
    retry = api.post("/api/v1/feedback", json={**first, "text": "a different copy", "may_contact": False})
    assert retry.status_code == 200 and retry.get_json() == reply.get_json()
    assert count(Response) == 1 and count(TriageItem) == 1
    db.session.expire_all()
    assert (stored.comment, stored.may_contact) == (first["text"], True)  # the first copy stands
    other_channel = api.post("/api/v1/feedback", json={**first, "channel": "app-store"})
    assert other_channel.status_code == 201 and count(Response) == 2  # ids are the channel's own


@pytest.mark.parametrize("body, field", [
    ({"text": "fine", "answered_at": "2999-01-01T00:00:00Z"}, "answered_at"),
    ({"text": "fine", "external_id": ""}, "external_id"),
    ({"text": "fine", "external_id": "x" * 201}, "external_id"),
])
def test_bad_channel_ids_and_future_times_are_refused(app, api, body, field):
    reply = api.post("/api/v1/feedback", json=body)
    assert reply.status_code == 422 and field in reply.get_json()["errors"]
    assert count(Response) == 0


def test_feedback_with_text_only_has_no_customer_and_no_scale(app, api):
    reply = api.post("/api/v1/feedback", json={"text": "x" * MAX_COMMENT})
    assert reply.status_code == 201
    response = db.session.get(Response, reply.get_json()["id"])
    assert (response.customer_id, response.kind, response.score, response.channel) == (None, None, None, "api")
    assert len(response.comment) == MAX_COMMENT and count(TriageItem) == 1


@pytest.mark.parametrize("body, field", [
    ({}, "text"),
    ({"text": "   \n"}, "text"),
    ({"text": "x" * (MAX_COMMENT + 1)}, "text"),
    ({"text": "ok", "score": 11}, "score"),              # NPS, the default kind, is 0–10
    ({"text": "ok", "score": 6, "kind": "csat"}, "score"),
    ({"text": "ok", "score": 0, "kind": "ces"}, "score"),
    ({"text": "ok", "score": "3"}, "score"),
    ({"text": "ok", "score": True}, "score"),
    ({"text": "ok", "score": 2.5}, "score"),
    ({"text": "ok", "kind": "stars"}, "kind"),
    ({"text": "ok", "locale": "de"}, "locale"),
    ({"text": "ok", "email": "not-an-address"}, "email"),
    ({"text": "ok", "may_contact": True}, "may_contact"),
    ({"text": "ok", "email": "a@example.com", "may_contact": "yes"}, "may_contact"),
    ({"text": "ok", "channel": "survey"}, "channel"),
    ({"text": "ok", "channel": "Support Email"}, "channel"),
    ({"text": "ok", "comment": "unknown field"}, "comment"),
    ({"text": 42}, "text"),
])
def test_bad_feedback_is_refused_field_by_field_and_changes_nothing(app, api, body, field):
    add_customers(("a@example.com", "A", "en"))
    before = state()
    assert_error(api.post("/api/v1/feedback", json=body), 422, field)
    assert state() == before


def test_bodies_that_are_not_json_too_large_or_not_an_object_are_refused(app, api):
    before = state()
    assert_error(api.post("/api/v1/feedback", data="{not json", content_type="application/json"), 400)
    assert "JSON" in assert_error(api.post("/api/v1/feedback", data={"text": "hi"}), 415)["message"]
    assert_error(api.post("/api/v1/feedback", json=["text", "hi"]), 422, "body")
    assert_error(api.post("/api/v1/feedback", data='{"text": "' + "x" * 300_000 + '"}',
                          content_type="application/json"), 413)
    assert state() == before


# ---------------------------------------------------------------- tokens and roles

def test_requests_without_a_valid_token_get_401_and_change_nothing(app, client):
    live = create_token("live", "admin", NOW)
    revoked = create_token("old", "admin", NOW)
    revoke_token(revoked.record.id, NOW)
    before = state()
    for headers in ({}, {"Authorization": "Bearer fbk_made-up"}, {"Authorization": f"Bearer {revoked.plain}"},
                    {"Authorization": f"Basic {live.plain}"}, {"Authorization": f"Bearer {live.plain[:-1]}"}):
        for reply in (client.get("/api/v1/responses", headers=headers),
                      client.post("/api/v1/feedback", json={"text": "hello"}, headers=headers)):
            assert_error(reply, 401)
            assert reply.headers["WWW-Authenticate"].startswith("Bearer")
    assert 'error="invalid_token"' in client.get(
        "/api/v1/fixes", headers={"Authorization": f"Bearer {revoked.plain}"}).headers["WWW-Authenticate"]
    assert state() == before
    assert Caller(client, live.plain).get("/api/v1/fixes").status_code == 200


def test_a_viewer_token_reads_and_gets_403_on_every_write(app, api, viewer):
    _, ids = answered(app, {"ana@example.com": (2, "export broken", True)})
    fix = fixes.create_fix(FixChange(title="Fix export", cost=2), NOW, response_ids=ids.values())
    before = state()
    assert viewer.get("/api/v1/responses").status_code == 200
    assert viewer.get("/api/v1/fixes").get_json()["fixes"][0]["id"] == fix.id
    assert viewer.get(f"/api/v1/fixes/{fix.id}").status_code == 200
    for method, path, body in (("post", "/api/v1/feedback", {"text": "hello"}),
                               ("patch", f"/api/v1/responses/{ids['ana@example.com']}", {"type": "pricing"}),
                               ("post", "/api/v1/fixes", {"title": "New", "cost": 1}),
                               ("patch", f"/api/v1/fixes/{fix.id}", {"cost": 5})):
        assert "viewer" in assert_error(getattr(viewer, method)(path, json=body), 403)["message"]
    assert state() == before


def test_unknown_ids_paths_and_methods_answer_in_json(app, api):
    before = state()
    assert_error(api.get("/api/v1/responses/999"), 404)
    assert_error(api.patch("/api/v1/responses/999", json={"type": "pricing"}), 404)
    assert_error(api.get("/api/v1/fixes/999"), 404)
    assert "no fix 999" in assert_error(api.patch("/api/v1/fixes/999", json={"cost": 2}), 404)["message"]
    assert_error(api.get("/api/v1/no-such-thing"), 404)
    assert_error(api.get("/api/v1"), 404)
    refused = api.delete("/api/v1/fixes")
    assert_error(refused, 405)
    assert set(refused.headers["Allow"].split(", ")) >= {"GET", "POST"}
    assert_error(api.put("/api/v1/fixes/1", json={}), 405)
    assert state() == before
    assert api.get("/no-such-page").content_type.startswith("text/html")  # the team's pages keep theirs


def test_the_api_needs_no_csrf_token_and_sets_no_cookie(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        caller = Caller(app.test_client(), create_token("csrf", "triager", NOW).plain)
        replies = [caller.post("/api/v1/feedback", json={"text": "the export is slow"}),
                   caller.get("/api/v1/responses"), caller.get("/api/v1/nothing-here"),
                   caller.post("/api/v1/fixes", json={"title": "Faster export", "cost": 9})]
        assert [r.status_code for r in replies] == [201, 200, 404, 422]
        assert not any("Set-Cookie" in r.headers for r in replies)
        assert app.test_client().post("/login", data={"email": "x@example.com"}).status_code == 400  # CSRF there


# ---------------------------------------------------------------- GET /responses

def test_responses_lists_survey_answers_and_channel_feedback_with_their_triage_and_fixes(app, api):
    survey, ids = answered(app, {"ana@example.com": (2, "I was charged twice and nobody refunds me", True),
                                 "badr@example.com": (9, "", False),  # a score alone: no triage record
                                 "sara@example.com": (3, "پشتیبانی اصلا جواب تیکت رو نمیده", True)})
    classifying.classify_pending(NOW, 0.5)
    channel = api.post("/api/v1/feedback", json={"text": "The app crashes when I open settings",
                                                 "email": "tom@example.com", "score": 1, "kind": "ces"}).get_json()
    fix = fixes.create_fix(FixChange(title="Refunds", cost=1), NOW, response_ids=[ids["ana@example.com"]])
    listing = api.get("/api/v1/responses").get_json()
    assert listing["total"] == 4 and listing["page"] == 1 and listing["pages"] == 1
    by_id = {item["id"]: item for item in listing["responses"]}
    assert list(by_id)[0] == channel["id"]  # newest first
    ana = by_id[ids["ana@example.com"]]
    assert (ana["text"], ana["score"], ana["kind"], ana["channel"], ana["survey_id"]) == (
        "I was charged twice and nobody refunds me", 2, "nps", "survey", survey.id)
    assert (ana["customer_email"], ana["fix_ids"], ana["type"], ana["classified"]) == (
        "ana@example.com", [fix.id], "pricing", True)
    assert not by_id[ids["badr@example.com"]]["classified"] and by_id[ids["badr@example.com"]]["type"] is None
    tom = by_id[channel["id"]]
    assert (tom["channel"], tom["survey_id"], tom["kind"], tom["customer_email"], tom["type"]) == (
        "api", None, "ces", "tom@example.com", channel["type"])
    assert tom["answered_at"].endswith("+00:00")


def test_responses_filter_by_type_survey_language_time_and_review(app, api):
    survey, ids = answered(app, {"ana@example.com": (2, "I was charged twice and nobody refunds me", True),
                                 "sara@example.com": (3, "پشتیبانی اصلا جواب تیکت رو نمیده", True)})
    classifying.classify_pending(NOW, 0.5)
    channel_id = api.post("/api/v1/feedback", json={"text": "I was charged twice, refund me"}).get_json()["id"]
    db.session.get(Response, channel_id).answered_at = NOW + timedelta(days=1)  # the survey answers came at NOW
    db.session.commit()

    def ids_of(query):
        reply = api.get("/api/v1/responses?" + query)
        assert reply.status_code == 200, reply.get_json()
        return sorted(item["id"] for item in reply.get_json()["responses"])

    everything = sorted([*ids.values(), channel_id])
    assert ids_of("") == everything
    assert ids_of(f"survey={survey.id}") == sorted(ids.values())
    assert ids_of("language=fa") == [ids["sara@example.com"]]
    assert ids_of("type=pricing") == sorted([ids["ana@example.com"], channel_id])
    assert ids_of("since=2026-11-23T12:00:00Z") == everything
    assert ids_of("since=2026-11-23T13:00:00") == [channel_id]  # no offset: UTC
    assert ids_of("since=2026-11-24T15:30:00%2B03:30") == [channel_id]  # 12:00 UTC, the channel's time
    assert ids_of("since=2026-11-24T15:31:00%2B03:30") == []
    db.session.execute(TriageItem.__table__.update().where(TriageItem.response_id == ids["ana@example.com"])
                       .values(needs_review=True))
    db.session.execute(TriageItem.__table__.update().where(TriageItem.response_id != ids["ana@example.com"])
                       .values(needs_review=False))
    db.session.commit()
    assert ids_of("needs_review=true") == [ids["ana@example.com"]]
    assert ids["ana@example.com"] not in ids_of("needs_review=false") and len(ids_of("needs_review=false")) == 2


def test_responses_are_paginated_with_links(app, api):
    for n in range(5):
        api.post("/api/v1/feedback", json={"text": f"export is slow {n}"})
    first = api.get("/api/v1/responses?per_page=2").get_json()
    assert (first["total"], first["pages"], len(first["responses"]), first["links"]["prev"]) == (5, 3, 2, None)
    second = api.get(first["links"]["next"]).get_json()
    last = api.get(second["links"]["next"]).get_json()
    seen = [item["id"] for page in (first, second, last) for item in page["responses"]]
    assert len(set(seen)) == 5 and seen == sorted(seen, reverse=True)
    assert last["links"]["next"] is None and last["next_cursor"] is None
    assert "after=" in second["links"]["next"] and second["page"] is None  # followed by cursor, not by number
    by_number = api.get(last["links"]["last"]).get_json()
    assert [item["id"] for item in by_number["responses"]] == [item["id"] for item in last["responses"]]
    assert api.get("/api/v1/responses?per_page=2&page=9").get_json()["responses"] == []


def test_a_cursor_is_not_shifted_by_new_answers(app, api):
    for n in range(4):
        api.post("/api/v1/feedback", json={"text": f"export is slow {n}"})
    first = api.get("/api/v1/responses?per_page=2").get_json()
    api.post("/api/v1/feedback", json={"text": "a newer answer arrives while paging"})
    second = api.get(first["links"]["next"]).get_json()
    assert {item["id"] for item in first["responses"]}.isdisjoint(item["id"] for item in second["responses"])
    assert len(second["responses"]) == 2 and second["links"]["next"] is None


@pytest.mark.parametrize("cursor", ["nonsense", "bm90fGE", "MjAyNi0wMS0wMXwtMQ", "x" * 201])
def test_a_forged_cursor_is_refused(app, api, cursor):
    assert_error(api.get("/api/v1/responses?after=" + cursor), 422, "after")


@pytest.mark.parametrize("query, field", [("per_page=201", "per_page"), ("page=0", "page"), ("tpye=pricing", "tpye"),
                                          ("type=nonsense", "type"), ("since=yesterday", "since"),
                                          ("language=de", "language"), ("needs_review=perhaps", "needs_review")])
def test_bad_filters_are_refused(app, api, query, field):
    assert_error(api.get("/api/v1/responses?" + query), 422, field)


# ---------------------------------------------------------------- PATCH /responses/<id>

def test_a_correction_sets_the_type_and_becomes_a_training_example(app, api):
    _, ids = answered(app, {"ana@example.com": (2, "I was charged twice and nobody refunds me", True)})
    classifying.classify_pending(NOW, 0.5)
    response_id = ids["ana@example.com"]
    reply = api.patch(f"/api/v1/responses/{response_id}", json={"type": "service"})
    assert reply.status_code == 200 and reply.get_json()["type"] == "service" and reply.get_json()["confirmed"]
    item = db.session.scalar(select(TriageItem).where(TriageItem.response_id == response_id))
    assert (item.type_key, item.confirmed, item.needs_review) == ("service", True, False)
    example = db.session.scalar(select(TrainingExample))
    assert (example.text, example.label, example.source, example.response_id) == (
        "I was charged twice and nobody refunds me", "service", "correction", response_id)


def test_a_verbatim_not_classified_yet_is_classified_and_corrected_in_one_go(app, api):
    _, ids = answered(app, {"ana@example.com": (2, "the onboarding wizard is confusing", True)})
    assert count(TriageItem) == 0  # the scheduler has not run
    reply = api.patch(f"/api/v1/responses/{ids['ana@example.com']}", json={"type": "usability"})
    assert reply.status_code == 200 and reply.get_json()["classified"]
    item = db.session.scalar(select(TriageItem))
    assert (item.type_key, item.confirmed, item.language) == ("usability", True, "en") and item.model_version
    assert db.session.scalar(select(TrainingExample.label)) == "usability"


def test_corrections_without_text_or_with_an_unknown_type_change_nothing(app, api):
    _, ids = answered(app, {"ana@example.com": (9, "", False), "tom@example.com": (2, "export broken", True)})
    classifying.classify_pending(NOW, 0.5)
    before = state()
    assert "no text" in assert_error(api.patch(f"/api/v1/responses/{ids['ana@example.com']}",
                                               json={"type": "pricing"}), 409)["message"]
    path = f"/api/v1/responses/{ids['tom@example.com']}"
    assert_error(api.patch(path, json={"type": "bugs"}), 422, "type")
    assert_error(api.patch(path, json={"type": "none"}), 422, "type")
    assert_error(api.patch(path, json={}), 422, "type")
    assert_error(api.patch(path, json={"type": "pricing", "confirmed": True}), 422, "confirmed")
    assert state() == before


# ---------------------------------------------------------------- fixes

def test_fixes_are_created_from_verbatims_and_listed_in_rank_order(app, api):
    _, ids = answered(app, {email: (0, "export broken", True) for email, _, _ in PEOPLE})
    big = api.post("/api/v1/fixes", json={"title": "Rewrite sync", "cost": 5, "type": "reliability",
                                          "response_ids": list(ids.values())})
    assert big.status_code == 201, big.get_json()
    quick = api.post("/api/v1/fixes", json={"title": "  Fix   export ", "cost": 1, "description": "CSV over 10 MB",
                                            "response_ids": list(ids.values())}).get_json()
    small = api.post("/api/v1/fixes", json={"title": "Rename button", "cost": 1}).get_json()
    assert {key: big.get_json()[key] for key in ("quadrant", "rank")} == {"quadrant": "major_project", "rank": 1}
    assert (quick["quadrant"], quick["rank"], quick["respondents"]) == ("quick_win", 1, 4) and quick["impact"] > 35
    stored = db.session.get(Fix, quick["id"])
    assert (stored.title, stored.cost, stored.description, stored.status) == ("Fix export", 1, "CSV over 10 MB", "open")
    assert sorted(link.response_id for link in stored.links) == sorted(ids.values())
    queue = api.get("/api/v1/fixes").get_json()["fixes"]
    assert [(f["id"], f["rank"], f["quadrant"]) for f in queue] == [
        (quick["id"], 1, "quick_win"), (big.get_json()["id"], 2, "major_project"), (small["id"], 3, "fill_in")]
    assert set(queue[0]) >= {"id", "title", "status", "cost", "impact", "quadrant", "rank", "respondents"}
    assert [f["id"] for f in api.get("/api/v1/fixes?type=reliability").get_json()["fixes"]] == [big.get_json()["id"]]
    fixes.change_status(db.session.get(Fix, small["id"]), "planned", NOW)
    planned = api.get("/api/v1/fixes?status=planned,in_progress").get_json()["fixes"]
    assert [(f["id"], f["rank"]) for f in planned] == [(small["id"], 3)]  # a filter never renumbers
    assert_error(api.get("/api/v1/fixes?status=done"), 422, "status")


def test_a_fix_shows_its_impact_breakdown_and_evidence(app, api):
    _, ids = answered(app, {"ana@example.com": (0, "export broken", True), "badr@example.com": (10, "export is a bit slow", True)})
    created = api.post("/api/v1/fixes", json={"title": "Fix export", "cost": 2,
                                              "response_ids": list(ids.values())}).get_json()
    detail = api.get(f"/api/v1/fixes/{created['id']}").get_json()
    assert detail["response_ids"] == sorted(ids.values()) and detail["told"] == [] and detail["beta_testers"] == []
    breakdown = detail["impact_breakdown"]
    assert [c["unhappiness"] for c in breakdown["contributions"]] == [1.0, 0.25]
    assert breakdown["value"] == detail["impact"] == created["impact"] and not breakdown["overridden"]


@pytest.mark.parametrize("body, field", [
    ({"title": "X", "cost": 0}, "cost"), ({"title": "X", "cost": 6}, "cost"), ({"title": "X", "cost": "2"}, "cost"),
    ({"title": "X", "cost": 2.5}, "cost"), ({"title": "X", "cost": True}, "cost"), ({"cost": 2}, "title"),
    ({"title": "", "cost": 2}, "title"), ({"title": "X", "cost": 2, "impact": 90}, "impact"),
    ({"title": "X", "cost": 2, "response_ids": ["1"]}, "response_ids"), (
        {"title": "X", "cost": 2, "response_ids": 5}, "response_ids"),
])
def test_bad_fixes_are_refused_field_by_field(app, api, body, field):
    before = state()
    refused = assert_error(api.post("/api/v1/fixes", json=body), 422, field)
    if body.get("cost") in (0, 6):
        assert refused["errors"]["cost"] == ["Cost is a whole number from 1 (trivial) to 5 (very large)."]
    assert state() == before


def test_fixes_with_unknown_verbatims_or_types_are_refused(app, api):
    before = state()
    assert "999" in assert_error(api.post("/api/v1/fixes", json={"title": "X", "cost": 2, "response_ids": [999]}),
                                 422)["message"]
    assert "type" in assert_error(api.post("/api/v1/fixes", json={"title": "X", "cost": 2, "type": "bugs"}),
                                  422)["message"].lower()
    assert state() == before


def test_shipping_through_patch_tells_each_opted_in_subscribed_respondent_once(app, api):
    survey, ids = answered(app, {"ana@example.com": (1, "export broken", True), "badr@example.com": (3, "التصدير لا يعمل", True),
                                 "sara@example.com": (4, "خروجی کار نمی‌کند", True), "tom@example.com": (2, "export!", False)})
    unsubscribe(db.session.scalar(select(Customer.id).where(Customer.email == "sara@example.com")), NOW)
    chat = api.post("/api/v1/feedback", json={"text": "export keeps failing", "email": "lina@example.com",
                                              "may_contact": True}).get_json()
    fix_id = api.post("/api/v1/fixes", json={"title": "Fix export", "cost": 2,
                                             "response_ids": [*ids.values(), chat["id"]]}).get_json()["id"]
    before = state()
    refused = assert_error(api.patch(f"/api/v1/fixes/{fix_id}", json={
        "release_note": "Exports of any size now finish.", "status": "shipped"}), 422)["message"]
    assert "missing in English (2 recipients: no title), Arabic (1 recipient: no title and no release note)" in refused
    assert state() == before  # the note was not kept either: all or nothing
    shipped = api.patch(f"/api/v1/fixes/{fix_id}", json={
        "release_note": "Exports of any size now finish.", "public_title": {"en": "Exports", "ar": "التصدير"},
        "release_notes": {"ar": "يكتمل التصدير الآن مهما كان حجمه."}, "status": "shipped"})
    assert shipped.status_code == 200, shipped.get_json()
    assert shipped.get_json()["release_notes"] == {"en": "Exports of any size now finish.",
                                                   "ar": "يكتمل التصدير الآن مهما كان حجمه."}
    assert shipped.get_json()["public_title"] == {"en": "Exports", "ar": "التصدير"}
    assert shipped.get_json()["emails_queued"] == 3 and shipped.get_json()["status"] == "shipped"
    emails = loop_emails()
    assert [(e.recipient, e.locale, e.dedupe_key.split(":")[0]) for e in emails] == [
        ("ana@example.com", "en", "fix-shipped"), ("badr@example.com", "ar", "fix-shipped"),
        ("lina@example.com", "en", "fix-shipped")]
    assert ["Exports of any size now finish." in e.body_text for e in emails] == [True, False, True]
    assert "يكتمل التصدير الآن مهما كان حجمه." in emails[1].body_text
    assert sorted(t["recipient"] for t in shipped.get_json()["told"]) == [e.recipient for e in emails]
    assert api.patch(f"/api/v1/fixes/{fix_id}", json={"status": "in_progress"}).get_json()["emails_queued"] == 0
    again = api.patch(f"/api/v1/fixes/{fix_id}", json={"status": "shipped"})
    assert again.status_code == 200 and again.get_json()["emails_queued"] == 0 and len(loop_emails()) == 3
    stored = db.session.get(Fix, fix_id)
    assert (stored.status, stored.release_notes["en"]) == ("shipped", "Exports of any size now finish.")


def test_planned_news_is_sent_when_asked_and_only_for_a_planned_fix(app, api):
    _, ids = answered(app, {"ana@example.com": (1, "please add dark mode", True)})
    fix_id = api.post("/api/v1/fixes", json={"title": "Dark mode", "cost": 2, "public_title": {"en": "Dark mode"},
                                             "response_ids": list(ids.values())}).get_json()["id"]
    before = state()
    assert "planned" in assert_error(api.patch(f"/api/v1/fixes/{fix_id}", json={"notify_planned": True}),
                                     422)["message"]
    assert state() == before
    reply = api.patch(f"/api/v1/fixes/{fix_id}", json={"status": "planned", "notify_planned": True})
    assert reply.get_json()["emails_queued"] == 1
    assert [e.dedupe_key.split(":")[0] for e in loop_emails()] == ["fix-planned"]
    assert api.patch(f"/api/v1/fixes/{fix_id}", json={"notify_planned": True}).get_json()["emails_queued"] == 0


def test_cost_and_an_override_with_its_reason_are_kept_and_the_override_can_be_cleared(app, api):
    _, ids = answered(app, {"ana@example.com": (0, "export broken", True)})
    fix_id = api.post("/api/v1/fixes", json={"title": "Fix export", "cost": 3,
                                             "response_ids": list(ids.values())}).get_json()["id"]
    reply = api.patch(f"/api/v1/fixes/{fix_id}", json={"cost": 1, "impact_override": 90, "type": "functionality",
                                                       "reason": "Blocks the biggest renewal"}).get_json()
    assert (reply["cost"], reply["impact"], reply["quadrant"], reply["type"]) == (1, 90, "quick_win", "functionality")
    assert reply["impact_breakdown"]["overridden"] and reply["impact_breakdown"]["computed"] < 20
    stored = db.session.get(Fix, fix_id)
    assert (stored.impact_override, stored.override_reason) == (90, "Blocks the biggest renewal")
    cleared = api.patch(f"/api/v1/fixes/{fix_id}", json={"impact_override": None, "type": None}).get_json()
    assert not cleared["impact_breakdown"]["overridden"] and cleared["type"] is None
    assert db.session.get(Fix, fix_id).override_reason is None


@pytest.mark.parametrize("body, field", [
    ({}, "body"), ({"cost": 0}, "cost"), ({"cost": "4"}, "cost"), ({"status": "done"}, "status"),
    ({"impact_override": 101, "reason": "r"}, "impact_override"), ({"reason": "why"}, "reason"),
    ({"title": "New", "priority": 1}, "priority"), ({"release_note": None}, "release_note"),
])
def test_bad_fix_changes_are_refused_field_by_field(app, api, body, field):
    fix = fixes.create_fix(FixChange(title="Fix export", cost=2), NOW)
    before = state()
    assert_error(api.patch(f"/api/v1/fixes/{fix.id}", json=body), 422, field)
    assert state() == before


def test_a_patch_that_cannot_be_carried_out_changes_nothing_at_all(app, api):
    _, ids = answered(app, {"ana@example.com": (1, "export broken", True)})
    fix = fixes.create_fix(FixChange(title="Fix export", cost=2), NOW, response_ids=ids.values())
    fix_id = fix.id
    before = state()
    # Each fails on its last step, after the fields before it were valid.
    assert "release note" in assert_error(api.patch(f"/api/v1/fixes/{fix_id}", json={"cost": 4, "status": "shipped"}),
                                          422)["message"]
    assert "reason" in assert_error(api.patch(f"/api/v1/fixes/{fix_id}", json={"title": "Renamed",
                                                                               "impact_override": 80}), 422)["message"]
    fixes.change_status(db.session.get(Fix, fix_id), "wont_do", NOW)
    before = state()
    refused = api.patch(f"/api/v1/fixes/{fix_id}", json={"release_note": "Done at last.", "status": "shipped"})
    assert "wont_do to shipped" in assert_error(refused, 422)["message"]
    assert state() == before and loop_emails() == []


# ---------------------------------------------------------------- the OpenAPI document

def test_the_openapi_document_is_valid_and_describes_every_endpoint(app, client):
    reply = client.get("/api/v1/openapi.json")  # no token needed
    assert reply.status_code == 200
    document = reply.get_json()
    validate_openapi(document)
    assert document["openapi"].startswith("3.")
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "description": "A token from `feedback tokens create`"}
    routes = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = rule.rule.replace("<int:", "{").replace(">", "}")
            routes[path] = {m.lower() for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert set(routes) == set(document["paths"]) >= {"/api/v1/feedback", "/api/v1/responses",
                                                      "/api/v1/responses/{response_id}", "/api/v1/fixes",
                                                      "/api/v1/fixes/{fix_id}", "/api/v1/openapi.json"}
    for path, methods in routes.items():
        assert set(document["paths"][path]) - {"parameters"} == methods, path
        for method in methods:
            operation = document["paths"][path][method]
            assert operation["summary"] and any(code.startswith("2") for code in operation["responses"])
            if path != "/api/v1/openapi.json":
                assert "401" in operation["responses"], (path, method)
            if method in ("post", "patch"):
                assert {"403", "422"} <= set(operation["responses"]), (path, method)
    assert document["paths"]["/api/v1/openapi.json"]["get"]["security"] == []
    feedback = document["components"]["schemas"]["FeedbackIn"]
    assert feedback["required"] == ["text"] and feedback["additionalProperties"] is False
    assert document["components"]["schemas"]["FixIn"]["properties"]["cost"]["maximum"] == 5
    invitations = document["paths"]["/api/v1/invitations"]["post"]["responses"]
    assert {"200", "201", "404", "409", "422", "429"} <= set(invitations)
    assert "retry_after" in document["components"]["schemas"]["RetryLater"]["properties"]
    assert document["components"]["schemas"]["InvitationIn"]["additionalProperties"] is False
