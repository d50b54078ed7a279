"""Erasing a customer clears the webhook events about them of their words and id — delivered or still waiting —
and leaves everyone else's events as they were."""
from __future__ import annotations

from sqlalchemy import select

from feedback_app.core.extensions import db
from privacy.services import erase_customer
from surveys.asking.services import create_survey
from surveys.asking.triggered import Trigger, trigger_invitation
from surveys.models import Invitation
from tests.app.webhooks.helpers import endpoint, queued
from tests.support.factories import NOW, add_customers, survey_path
from triage.verbatims.intake import ChannelFeedback, take_feedback


def test_erasure_clears_their_events_and_keeps_the_others(app):
    hook = endpoint(("response.created", "response.classified"))
    add_customers(("ana@example.com", "Ana", "en"), ("omar@example.com", "Omar", "en"))
    hers = take_feedback(ChannelFeedback(text="Export crashes on my big board", email="ana@example.com",
                                         channel="support", score=2, kind="csat"), NOW, 0.5)
    his = take_feedback(ChannelFeedback(text="Please add dark mode", email="omar@example.com"), NOW, 0.5)
    before = queued(hook.id)
    assert [data["comment"] for _, data, _ in before] == ["Export crashes on my big board"] * 2 + [
        "Please add dark mode"] * 2

    report = erase_customer("ana@example.com", "cli", NOW)

    after = {(kind, data["response_id"]): data for kind, data, _ in queued(hook.id)}
    assert report.removed["webhook_events"] == 2
    for kind in ("response.created", "response.classified"):
        erased = after[(kind, hers.response.id)]
        assert "comment" not in erased and "customer_id" not in erased and "theme" not in erased
        assert after[(kind, his.response.id)]["comment"] == "Please add dark mode"
    assert after[("response.created", hers.response.id)]["score"] == 2  # the anonymous score stays, as on answers
    assert after[("response.created", his.response.id)]["customer_id"] == his.response.customer_id


def test_erasure_clears_a_triggered_invitations_context_and_id_and_its_events_of_them(app, client):
    hook = endpoint(("response.created",))
    add_customers(("ana@example.com", "Ana", "en"))
    survey = create_survey("csat", "after support", "Acme", mode="transactional")
    invitation = trigger_invitation(Trigger(survey.id, email="ana@example.com", external_id="ZD-1",
                                            context="Refund for Ana"), NOW, 30).invitation
    client.post(survey_path(app, invitation), data={"score": "2", "comment": ""})
    erase_customer("ana@example.com", "cli", NOW)
    row = db.session.execute(select(Invitation.customer_id, Invitation.context, Invitation.external_id)).one()
    assert tuple(row) == (None, None, None)
    [(_, data, _)] = queued(hook.id)
    assert "context" not in data and "external_id" not in data and data["score"] == 2
