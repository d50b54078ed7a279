"""The outbox: every email is a row written in the same transaction as the change that causes it.

A sweeper (deliver_due) sends due rows, retries failures with back-off and records the outcome, so a
restart or an SMTP outage loses nothing. The unique dedupe key makes each email happen once: a second
enqueue with the same key (a double click, a retried job, a status flipped back and forth) is a no-op.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import JSON, DateTime, Integer, String, Text, select, update
from sqlalchemy.orm import Mapped, mapped_column

from .db_helpers import insert_ignoring_conflicts
from .extensions import db
from .mail import OutgoingEmail, Transport, build_message, render_email

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
# A row left in 'sending' this long belongs to a sweeper that died mid-send; it is retried.
STALE_CLAIM = timedelta(minutes=15)


class OutboxEmail(db.Model):
    __tablename__ = "outbox_email"

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    template: Mapped[str] = mapped_column(String(64))
    recipient: Mapped[str] = mapped_column(String(320))
    locale: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(String(500))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    headers: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Which process holds the claim ("host:pid:start"), so a claim of a process known dead is released early.
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)

    def outgoing(self) -> OutgoingEmail:
        return OutgoingEmail(self.dedupe_key, self.recipient, self.subject, self.body_text,
                             self.body_html, dict(self.headers or {}))


def enqueue_email(key: str, template: str, recipient: str, locale: str, context: dict, now: datetime,
                  headers: dict | None = None) -> bool:
    """Queue an email inside the caller's transaction. False when that key was queued before."""
    rendered = render_email(template, context, locale)
    return bool(insert_ignoring_conflicts(OutboxEmail, {
        "dedupe_key": key, "template": template, "recipient": recipient, "locale": locale,
        "subject": rendered.subject, "body_text": rendered.text, "body_html": rendered.html,
        "headers": headers or {}, "status": PENDING, "attempts": 0,
        "next_attempt_at": now, "created_at": now,
    }, ["dedupe_key"]))


def retry_delay(attempts: int) -> timedelta:
    """1 min, 2, 4, … capped at 6 hours: rides out a short outage without hammering the server."""
    return timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), 6 * 3600))


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def deliver_due(now: datetime, transport: Transport, sender: str, max_attempts: int = 8,
                batch: int = 200) -> DeliveryReport:
    """Send every due email. Each row is claimed, sent and recorded in its own short transaction."""
    report = DeliveryReport()
    db.session.execute(update(OutboxEmail)
                       .where(OutboxEmail.status == SENDING, OutboxEmail.claimed_at < now - STALE_CLAIM)
                       .values(status=PENDING))
    db.session.commit()
    due = db.session.scalars(select(OutboxEmail.id)
                             .where(OutboxEmail.status == PENDING, OutboxEmail.next_attempt_at <= now)
                             .order_by(OutboxEmail.id).limit(batch)).all()
    for email_id in due:
        if _claim(email_id, now):
            _send_claimed(db.session.get(OutboxEmail, email_id), now, transport, sender, max_attempts, report)
    return report


def _claim(email_id: int, now: datetime) -> bool:
    """Only one sweeper wins a row: the conditional UPDATE is atomic on every database."""
    claimed = db.session.execute(update(OutboxEmail)
                                 .where(OutboxEmail.id == email_id, OutboxEmail.status == PENDING)
                                 .values(status=SENDING, claimed_at=now)).rowcount
    db.session.commit()
    return claimed == 1


def _send_claimed(email: OutboxEmail, now: datetime, transport: Transport, sender: str,
                  max_attempts: int, report: DeliveryReport) -> None:
    try:
        transport.send(build_message(email.outgoing(), sender))
    except Exception as error:  # any transport failure is recorded and retried, never lost
        email.attempts += 1
        email.last_error = f"{type(error).__name__}: {error}"[:2000]
        if email.attempts >= max_attempts:
            email.status = FAILED
            report.failed += 1
        else:
            email.status = PENDING
            email.next_attempt_at = now + retry_delay(email.attempts)
            report.retrying += 1
    else:
        email.attempts += 1
        email.status, email.sent_at, email.last_error = SENT, now, None
        report.sent += 1
    db.session.commit()


def retry_failed(email_id: int, now: datetime) -> bool:
    """An admin sends a failed email again (after fixing SMTP settings, say)."""
    changed = db.session.execute(update(OutboxEmail)
                                 .where(OutboxEmail.id == email_id, OutboxEmail.status == FAILED)
                                 .values(status=PENDING, next_attempt_at=now, attempts=0)).rowcount
    db.session.commit()
    return changed == 1
