from datetime import timedelta

from sqlalchemy import func, select

from feedback_app.core.extensions import db
from feedback_app.mail.delivery import deliver_due
from feedback_app.mail.outbox import OutboxEmail
from surveys.answering.links import signed_invitation, survey_url
from surveys.answering.services import record_answer
from surveys.asking.results import survey_results
from surveys.asking.services import close_survey, create_survey, queue_due_reminders, send_survey
from surveys.models import Invitation
from surveys.people.importing import CustomerRow, ParsedCSV
from surveys.people.links import unsubscribe_url
from surveys.people.services import import_customers, unsubscribe
from surveys.scales.answers import Answer
from tests.support.factories import NOW, add_customers, sent_survey

TRIO = (("ana@example.com", "Ana", "en"), ("sara@example.com", "سارة", "ar"), ("reza@example.com", "رضا", "fa"))


def outbox(template=None):
    query = select(OutboxEmail).order_by(OutboxEmail.id)
    if template:
        query = query.where(OutboxEmail.template == template)
    return db.session.scalars(query).all()


def test_one_invitation_per_eligible_customer_with_its_email_in_its_language(app):
    survey, invitations = sent_survey(app, customers=TRIO)
    assert len(invitations) == 3
    emails = {e.recipient: e for e in outbox("survey_invitation")}
    assert set(emails) == {"ana@example.com", "sara@example.com", "reza@example.com"}
    assert emails["ana@example.com"].subject == "How likely are you to recommend Acme to a friend or colleague?"
    assert "ما مدى احتمال" in emails["sara@example.com"].subject
    assert 'dir="rtl"' in emails["reza@example.com"].body_html and "۱۰" in emails["reza@example.com"].body_html


def test_invitation_email_carries_eleven_score_links_and_one_click_unsubscribe(app):
    _, (invitation,) = sent_survey(app)
    (email,) = outbox()
    base = survey_url(invitation)
    for score in range(11):
        assert f'href="{base}?score={score}"' in email.body_html
        assert f"{base}?score={score}" in email.body_text
    unsubscribe = unsubscribe_url(invitation.customer_id)
    assert email.headers == {"List-Unsubscribe": f"<{unsubscribe}>",
                             "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    assert unsubscribe in email.body_html and unsubscribe in email.body_text


def test_sending_again_invites_nobody_twice(app):
    survey, _ = sent_survey(app, customers=TRIO)
    assert send_survey(survey, NOW + timedelta(days=60), cooldown_days=30) == 0
    add_customers(("new@example.com", None, "en"))
    assert send_survey(survey, NOW + timedelta(days=60), cooldown_days=30) == 1
    assert db.session.scalar(select(func.count(Invitation.id))) == 4 and len(outbox()) == 4


def test_unsubscribed_and_recently_surveyed_customers_are_skipped(app):
    sent_survey(app, customers=TRIO)  # everyone surveyed at NOW
    (sara,) = add_customers(("sara@example.com", None, "ar"))
    unsubscribe(sara.id, NOW)
    second = create_survey("csat", "Support", "Acme")
    assert send_survey(second, NOW + timedelta(days=29), cooldown_days=30) == 0
    # After the cool-down the others are eligible again; the unsubscribed customer never is.
    assert send_survey(second, NOW + timedelta(days=31), cooldown_days=30) == 2


def test_one_reminder_to_non_responders_only_and_never_twice(app):
    survey, invitations = sent_survey(app, customers=TRIO)
    answered, unsubscribed, silent = invitations
    record_answer(signed_invitation(answered), Answer(9, "", False), NOW, timedelta(hours=24))
    unsubscribe(unsubscribed.customer_id, NOW)
    assert queue_due_reminders(NOW + timedelta(days=2), after_days=3) == 0
    assert queue_due_reminders(NOW + timedelta(days=3), after_days=3) == 1
    assert queue_due_reminders(NOW + timedelta(days=4), after_days=3) == 0
    (reminder,) = outbox("survey_reminder")
    assert reminder.recipient == "reza@example.com" and reminder.subject.startswith("یادآوری: ")
    assert survey_url(silent) in reminder.body_text


def test_no_reminders_for_a_closed_survey(app):
    survey, _ = sent_survey(app, customers=TRIO)
    close_survey(survey, NOW)
    assert queue_due_reminders(NOW + timedelta(days=3), after_days=3) == 0


def test_delivered_counts_only_emails_the_server_accepted(smtp_app, smtp_server):
    survey, _ = sent_survey(smtp_app, customers=TRIO)
    smtp_server.fail_next = 1
    deliver_due(NOW, _transport(smtp_app), "f@acme.test")
    results = survey_results(survey)
    assert (results.invited, results.delivered, results.answered) == (3, 2, 0)


def _transport(app):
    from feedback_app.mail.transports import transport_from_config
    return transport_from_config(app.config)


def test_a_large_send_and_import_are_committed_in_batches_and_miss_nobody(app, monkeypatch):
    monkeypatch.setattr("surveys.people.services.BATCH", 2)  # five customers: three transactions each
    monkeypatch.setattr("surveys.asking.services.BATCH", 2)
    progress = []
    report = import_customers(ParsedCSV(rows=[
        CustomerRow(line, f"c{line}@example.com", None, "en", {}) for line in range(2, 7)]), progress.append)
    assert (report.created, progress) == (5, [2, 2, 1])
    progress.clear()
    survey = create_survey("nps", "Big send", "Acme")
    assert send_survey(survey, NOW, 30, progress.append) == 5
    assert progress == [2, 2, 1]
    assert db.session.scalar(select(func.count(Invitation.id))) == 5
    assert sorted(e.recipient for e in outbox("survey_invitation")) == [f"c{n}@example.com" for n in range(2, 7)]
    assert send_survey(survey, NOW, 30) == 0  # sending again finds nobody new
