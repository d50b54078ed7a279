"""The check-in survey to silent customers: made once, worded in en/ar/fa, sent to silent customers only through
the surveys' send (cool-down, unsubscribes), through a real SMTP server; its answers reach triage."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from feedback_app.accounts.services import create_user
from feedback_app.core.clock import utcnow
from feedback_app.core.extensions import db
from feedback_app.mail.delivery import deliver_due
from feedback_app.mail.transports import transport_from_config
from retention.saving import check_in
from retention.saving.models import CheckInSurvey
from surveys.answering.links import signed_invitation
from surveys.answering.services import record_answer
from surveys.asking.services import create_survey, send_survey
from surveys.models import Customer, Invitation, Survey
from surveys.scales.answers import Answer
from tests.app.feedback_app.test_cli import run
from tests.support.factories import NOW, add_customers
from triage.models import TriageItem
from triage.verbatims import classifying

PEOPLE = (("ana@example.com", "Ana", "en", "silent"), ("badr@example.com", "بدر", "ar", "silent"),
          ("sara@example.com", "سارا", "fa", "silent"), ("dan@example.com", "Dan", "en", "active"),
          ("eve@example.com", "Eve", "en", "silent"), ("kim@example.com", "Kim", "en", "at_risk"))


def people():
    made = add_customers(*((email, name, locale) for email, name, locale, _ in PEOPLE))
    for customer, (*_, stage) in zip(made, PEOPLE):
        customer.stage = stage
    made[4].unsubscribed_at = NOW - timedelta(days=2)  # eve
    db.session.commit()
    return {c.email: c for c in made}


def invited() -> list[str]:
    return sorted(i.customer.email for i in db.session.scalars(select(Invitation)))


def test_the_survey_is_made_once_and_worded_in_every_language(app):
    first = check_in.check_in_survey(NOW)
    assert check_in.check_in_survey(NOW + timedelta(days=1)).id == first.id
    assert db.session.scalar(select(func.count()).select_from(Survey)) == 1
    assert first.kind == "csat" and set(first.wording) == {"en", "ar", "fa"}
    assert first.wording["ar"]["reason"] == "ما الذي تغيّر؟ أخبرنا ببضع كلمات."


def test_silent_customers_are_invited_once_and_the_cooldown_is_kept(app):
    people()
    other = create_survey("nps", "Quarterly", "Acme")
    # sara was asked by another survey 10 days ago: inside the 30-day cool-down, so not asked now
    sara = db.session.scalar(select(Customer).where(Customer.email == "sara@example.com"))
    assert send_survey(other, NOW - timedelta(days=10), 30, audience=Customer.id == sara.id) == 1
    survey, count = check_in.invite_silent(NOW, 30)
    assert count == 2  # ana and badr: dan is active, eve unsubscribed, kim at risk, sara in the cool-down
    assert sorted(i.customer.email for i in survey.invitations) == ["ana@example.com", "badr@example.com"]
    assert check_in.invite_silent(NOW + timedelta(days=1), 30)[1] == 0  # asked already: never twice
    assert check_in.invite_silent(NOW + timedelta(days=25), 30)[1] == 1  # sara, out of the cool-down


def test_the_command_and_the_button_invite_and_the_answers_reach_triage(smtp_app, smtp_server):
    people()
    result = run(smtp_app, "retention", "check-in")
    assert result.exit_code == 0 and "Invited 3 silent customers" in result.output, result.output  # ana, badr, sara
    survey_id = int(result.output.split()[-1])
    assert db.session.get(CheckInSurvey, "check-in").survey_id == survey_id
    later = utcnow() + timedelta(minutes=1)  # the command reads the clock
    report = deliver_due(later, transport_from_config(smtp_app.config), "Acme <f@acme.test>")
    assert report.sent == 3
    subjects = {m["To"]: m["Subject"] for m in smtp_server.messages}
    assert subjects["badr@example.com"] == "ما مدى رضاك عنّا هذه الأيام؟"
    assert subjects["ana@example.com"] == "How satisfied are you with us these days?"
    invitation = db.session.scalars(select(Invitation).join(Invitation.customer)
                                    .where(Invitation.survey_id == survey_id).order_by(Invitation.id)).first()
    record_answer(signed_invitation(invitation), Answer(2, "We moved to another tool: too slow", True),
                  later, timedelta(hours=24))
    classifying.classify_pending(later, review_below=0.5)
    item = db.session.scalar(select(TriageItem).where(TriageItem.response_id == invitation.response.id))
    assert item is not None and item.survey_id == survey_id
    # The Save list's button: a triager sends it again; nobody is invited twice.
    create_user("tri@example.com", "long-enough-password", "triager")
    client = smtp_app.test_client()
    client.post("/login", data={"email": "tri@example.com", "password": "long-enough-password"})
    page = client.post("/retention/save/check-in", follow_redirects=True).get_data(as_text=True)
    assert "0 silent customers invited to the check-in survey" in page
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 3


def test_a_viewer_sees_no_button_and_may_not_send(app):
    create_user("viewer@example.com", "long-enough-password", "viewer")
    client = app.test_client()
    client.post("/login", data={"email": "viewer@example.com", "password": "long-enough-password"})
    assert "check-in" not in client.get("/retention/save").get_data(as_text=True)
    assert client.post("/retention/save/check-in").status_code == 403
