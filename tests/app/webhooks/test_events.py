"""Events are queued in the transaction of their cause, for every subscribed and unpaused endpoint: at each
cause (an answer, channel feedback, a classification, a fix's status, a stage change, a closed survey), and
never when the cause is rolled back."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from feedback_app.core.extensions import db
from retention.refresh import refresh_stages
from surveys.asking.services import close_survey, create_survey
from surveys.asking.triggered import Trigger, trigger_invitation
from surveys.models import Customer, Response
from tests.app.retention.test_refresh import activities, customer, every
from tests.app.webhooks.helpers import endpoint, queued
from tests.support.factories import NOW, add_customers, sent_survey, survey_path
from triage.classification.services import confirm, correct
from triage.fixes.services import FixChange, change_status, create_fix
from triage.verbatims.classifying import classify_pending
from triage.verbatims.intake import ChannelFeedback, take_feedback
from webhooks import events
from webhooks.models import WebhookDelivery, WebhookEvent


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_an_event_goes_to_each_subscribed_unpaused_endpoint_with_one_id(app):
    both = endpoint(("survey.closed", "fix.status_changed"))
    other = endpoint(("response.created",))
    paused = endpoint(("survey.closed",))
    paused.paused_at = NOW
    db.session.commit()
    assert events.emit(events.SURVEY_CLOSED, {"survey_id": 1}, NOW) == 1
    db.session.commit()
    assert queued() == [("survey.closed", {"survey_id": 1}, both.id)]
    assert queued(other.id) == [] and queued(paused.id) == []
    event = db.session.scalar(select(WebhookEvent))
    assert event.id.startswith("evt_") and len(event.id) == 28 and event.created_at == NOW


def test_nobody_listening_queues_nothing(app):
    assert events.emit(events.SURVEY_CLOSED, {"survey_id": 1}, NOW) == 0
    assert count(WebhookEvent) == 0


def test_an_unknown_type_is_a_programming_error(app):
    with pytest.raises(ValueError, match="unknown webhook event"):
        events.emit("survey.opened", {}, NOW)


def test_a_rolled_back_cause_queues_nothing(app):
    endpoint(("survey.closed",))
    add_customers(("ana@example.com", "Ana", "en"))
    events.emit(events.SURVEY_CLOSED, {"survey_id": 1}, NOW)  # in the cause's transaction …
    db.session.add(Customer(email="ana@example.com"))  # … which then fails on the unique address
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert count(WebhookEvent) == 0 and count(WebhookDelivery) == 0


def test_a_survey_answer_queues_response_created_in_its_transaction(app, client):
    survey, (ana, bob) = sent_survey(app, customers=(("ana@example.com", "Ana", "en"), ("bob@example.com", "", "en")))
    client.post(survey_path(app, bob), data={"score": "3", "comment": ""})  # nobody listens yet: the fast path
    hook = endpoint(("response.created",))
    assert client.post(survey_path(app, ana), data={"score": "9", "comment": "Love it"}).status_code in (200, 302, 303)
    response_id = db.session.scalar(select(Response.id).where(Response.invitation_id == ana.id))
    [(kind, data, endpoint_id)] = queued()
    assert (kind, endpoint_id) == ("response.created", hook.id)
    assert data | {"answered_at": None} == {
        "response_id": response_id, "survey_id": survey.id, "invitation_id": ana.id, "customer_id": None,
        "channel": None, "kind": "nps", "score": 9, "comment": "Love it", "locale": "en", "answered_at": None,
        "external_id": None, "context": None}
    # A change within the edit window is no new response.
    client.post(survey_path(app, ana), data={"score": "10", "comment": "Love it!"})
    assert len(queued()) == 1
    assert db.session.scalar(select(Response.score).where(Response.id == response_id)) == 10


def test_channel_feedback_queues_created_and_classified(app):
    hook = endpoint(("response.created", "response.classified"))
    taken = take_feedback(ChannelFeedback(channel="support", text="The export crashes every time", email=None),
                          NOW, 0.5)
    types = [(kind, data["response_id"]) for kind, data, _ in queued(hook.id)]
    assert types == [("response.created", taken.response.id), ("response.classified", taken.response.id)]
    classified = queued()[1][1]
    assert classified["type"] == taken.item.type_key and classified["corrected"] is False
    assert classified["comment"] == "The export crashes every time"


def test_the_sweep_queues_response_classified_once_per_new_type(app, client):
    _, (ana,) = sent_survey(app)
    client.post(survey_path(app, ana), data={"score": "2", "comment": "The app is so slow to load"})
    hook = endpoint(("response.classified",))
    classify_pending(NOW, 0.5)
    [(kind, data, endpoint_id)] = queued()
    assert kind == "response.classified" and endpoint_id == hook.id and data["type"]
    assert data["comment"] == "The app is so slow to load"  # the words, which the score-only first save had not
    classify_pending(NOW + timedelta(minutes=1), 0.5)  # nothing new: nothing queued
    assert len(queued()) == 1


def test_a_correction_is_an_event_and_a_confirmation_is_not(app):
    hook = endpoint(("response.classified",))
    taken = take_feedback(ChannelFeedback(channel="chat", text="Too expensive for a team of three"), NOW, 0.5)
    other = "usability" if taken.item.type_key != "usability" else "pricing"
    confirm(taken.item, None, NOW)  # the same type: nothing new to hear
    correct(taken.item, other, None, NOW)
    types = [(data["type"], data["corrected"]) for _, data, _ in queued(hook.id)]
    assert types[1:] == [(other, True)] and types[0][1] is False


def test_a_fix_status_change_is_an_event(app):
    hook = endpoint(("fix.status_changed",))
    fix = create_fix(FixChange(title="Faster export", cost=3), NOW)
    change_status(fix, "planned", NOW)
    change_status(fix, "planned", NOW)  # no change: no event
    change_status(fix, "in_progress", NOW)
    assert [data for _, data, _ in queued(hook.id)] == [
        {"fix_id": fix.id, "title": "Faster export", "from": "open", "to": "planned"},
        {"fix_id": fix.id, "title": "Faster export", "from": "planned", "to": "in_progress"}]


def test_closing_a_survey_is_an_event_once(app):
    hook = endpoint(("survey.closed",))
    survey, _ = sent_survey(app)
    close_survey(survey, NOW)
    close_survey(survey, NOW + timedelta(hours=1))
    assert queued(hook.id) == [("survey.closed", {"survey_id": survey.id, "name": "nps survey", "kind": "nps",
                                                  "closed_at": "2026-11-23T12:00:00Z"}, hook.id)]


def test_stage_changes_are_events_in_the_refresh_batches(app):
    hook = endpoint(("customer.stage_changed",))
    weekly = customer("weekly@example.com")
    activities(weekly, every(7, NOW - timedelta(days=42), 10))  # silent (see tests/app/retention/test_refresh.py)
    db.session.commit()
    refresh_stages(NOW)
    refresh_stages(NOW + timedelta(hours=1))  # no move: no event
    [(kind, data, _)] = queued(hook.id)
    assert kind == "customer.stage_changed"
    assert (data["customer_id"], data["from"], data["to"], data["reason"]["key"]) == (
        weekly.id, None, "silent", "quiet_against_rhythm")


def test_a_triggered_answers_event_names_its_external_id_and_context(app, client):
    add_customers(("ana@example.com", "Ana", "en"))
    survey = create_survey("csat", "after support", "Acme", mode="transactional", touchpoint="support")
    invitation = trigger_invitation(Trigger(survey.id, email="ana@example.com", external_id="ZD-4411",
                                            context="Ticket #4411"), NOW, 30).invitation
    endpoint(("response.created",))
    client.post(survey_path(app, invitation), data={"score": "5", "comment": ""})
    [(_, data, _)] = queued()
    assert (data["external_id"], data["context"], data["score"]) == ("ZD-4411", "Ticket #4411", 5)
