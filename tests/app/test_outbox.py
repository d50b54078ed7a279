from datetime import timedelta

from sqlalchemy import select

from feedback_app.extensions import db
from feedback_app.mail import SMTPTransport, transport_from_config
from feedback_app.outbox import FAILED, PENDING, SENDING, SENT, OutboxEmail, deliver_due, enqueue_email, retry_failed
from tests.support.factories import NOW, sent_survey


def rows():
    db.session.expire_all()
    return db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)).all()


def deliver(app, now=NOW):
    return deliver_due(now, transport_from_config(app.config), "Acme <feedback@acme.test>",
                       app.config["MAIL_MAX_ATTEMPTS"])


def test_emails_reach_a_real_smtp_server_once(smtp_app, smtp_server):
    sent_survey(smtp_app, customers=(("ana@example.com", "Ana", "en"), ("reza@example.com", "رضا", "fa")))
    assert deliver(smtp_app).sent == 2
    assert deliver(smtp_app).sent == 0  # a second sweep sends nothing again
    assert sorted(m["To"] for m in smtp_server.messages) == ["ana@example.com", "reza@example.com"]
    persian = next(m for m in smtp_server.messages if m["To"] == "reza@example.com")
    assert "پیشنهاد" in persian["Subject"]
    assert persian["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert persian.get_body(("html",)).get_content().count("?score=") == 11
    assert all(r.status == SENT and r.sent_at == NOW for r in rows())


def test_same_dedupe_key_is_queued_once(app):
    context = {"question": "q", "customer": None}
    first = enqueue_email("k:1", "survey_invitation", "a@example.com", "en", _context(app), NOW)
    second = enqueue_email("k:1", "survey_invitation", "a@example.com", "en", _context(app), NOW)
    db.session.commit()
    assert (first, second) == (True, False) and len(rows()) == 1 and context


def test_smtp_failure_is_retried_with_back_off_then_delivered(smtp_app, smtp_server):
    sent_survey(smtp_app)
    smtp_server.fail_next = 2
    assert deliver(smtp_app).retrying == 1
    (email,) = rows()
    assert email.status == PENDING and email.attempts == 1 and "451" in email.last_error
    assert email.next_attempt_at == NOW + timedelta(minutes=1)
    assert deliver(smtp_app, NOW + timedelta(seconds=30)).sent == 0  # not due yet
    assert deliver(smtp_app, NOW + timedelta(minutes=1)).retrying == 1
    assert rows()[0].next_attempt_at == NOW + timedelta(minutes=3)
    assert deliver(smtp_app, NOW + timedelta(minutes=3)).sent == 1
    assert len(smtp_server.messages) == 1 and rows()[0].status == SENT and rows()[0].last_error is None


def test_unreachable_server_marks_failed_after_max_attempts_and_admin_can_retry(app_factory, smtp_server):
    app = app_factory(MAIL_TRANSPORT="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=1, SMTP_TLS="none",
                      MAIL_MAX_ATTEMPTS=2)
    with app.app_context():
        sent_survey(app)
        deliver(app)
        assert deliver(app, NOW + timedelta(hours=1)).failed == 1
        (email,) = rows()
        assert email.status == FAILED and email.attempts == 2 and "Connection" in email.last_error
        assert retry_failed(email.id, NOW) and rows()[0].status == PENDING


def test_a_claim_left_by_a_dead_sweeper_is_picked_up_again(smtp_app, smtp_server):
    sent_survey(smtp_app)
    (email,) = rows()
    email.status, email.claimed_at = SENDING, NOW
    db.session.commit()
    assert deliver(smtp_app, NOW + timedelta(minutes=5)).sent == 0  # maybe still sending: leave it
    assert deliver(smtp_app, NOW + timedelta(minutes=16)).sent == 1


def test_message_id_is_stable_per_email(app):
    from feedback_app.mail import OutgoingEmail, build_message
    email = OutgoingEmail("survey-invitation:7", "a@example.com", "s", "t", "<p>h</p>")
    first, second = build_message(email, "A <f@acme.test>"), build_message(email, "A <f@acme.test>")
    assert first["Message-ID"] != "" and "survey-invitation.7" in first["Message-ID"]
    assert isinstance(transport_from_config({**app.config, "MAIL_TRANSPORT": "smtp", "SMTP_HOST": "h"}), SMTPTransport)
    assert second["Message-ID"].endswith("@acme.test>")


def _context(app):
    from surveys.kinds import NPS
    return {"customer": type("C", (), {"name": "A"})(), "survey": None, "kind": NPS, "question": "Q?",
            "buttons": [], "survey_url": "u", "unsubscribe_url": "x"}
