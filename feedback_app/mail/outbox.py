"""The outbox's queue: every email is a row written in the same transaction as the change that causes it.

The unique dedupe key makes each email happen once: a second enqueue with the same key (a double click, a
retried job, a status flipped back and forth) is a no-op. The row is rendered when it is queued, in the
recipient's language (render.py), and holds everything a send needs. Sending it is delivery.py's part.
"""
from __future__ import annotations

from datetime import datetime
from typing import Callable

from sqlalchemy import JSON, DateTime, Index, Integer, String, Text, func, select
from sqlalchemy.orm import Mapped, mapped_column

from feedback_app.core.extensions import db
from feedback_app.core.paging import capped_count
from feedback_app.core.sql import insert_ignoring_conflicts, insert_rows_ignoring_conflicts
from feedback_app.mail.render import OutgoingEmail, render_email

PENDING, SENDING, SENT, FAILED, SUPPRESSED = "pending", "sending", "sent", "failed", "suppressed"
STATUSES = (PENDING, SENDING, SENT, FAILED, SUPPRESSED)
SUPPRESSED_NOTE = "not sent: the address is on the suppression list (its customer's data was erased)"


class OutboxEmail(db.Model):
    __tablename__ = "outbox_email"
    __table_args__ = (
        # The senders' queue: due rows in the order they are sent, found without a scan or a sort.
        Index("ix_outbox_email_due", "status", "next_attempt_at", "id"),
        # The outbox page by status, newest first, a page at a time, and each status counted up to a cap.
        Index("ix_outbox_email_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    template: Mapped[str] = mapped_column(String(64))
    recipient: Mapped[str] = mapped_column(String(320))
    locale: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(String(500))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    headers: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
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
    return bool(insert_ignoring_conflicts(OutboxEmail, _queued_row(key, template, recipient, locale, context, now,
                                                                   headers), ["dedupe_key"]))


def enqueue_emails(emails: list[tuple[str, str, str, str, dict, dict | None]], now: datetime) -> int:
    """enqueue_email for many emails at once — (key, template, recipient, locale, context, headers) each —
    in one INSERT inside the caller's transaction: a survey send queues a thousand at a time. Each is
    rendered as enqueue_email renders it; a key queued before is skipped. Returns how many were queued."""
    return len(enqueue_emails_ids(emails, now))


def enqueue_emails_ids(emails: list[tuple[str, str, str, str, dict, dict | None]], now: datetime) -> list[int]:
    """enqueue_emails, returning the ids of the emails queued now (for a caller that records them)."""
    if not emails:
        return []
    rows = [_queued_row(key, template, recipient, locale, context, now, headers)
            for key, template, recipient, locale, context, headers in emails]
    # The dedupe key is the table's only unique key besides the id: a row whose key was queued before is skipped.
    return [email_id for (email_id,) in insert_rows_ignoring_conflicts(OutboxEmail, rows)]


def _queued_row(key: str, template: str, recipient: str, locale: str, context: dict, now: datetime,
                headers: dict | None) -> dict:
    rendered = render_email(template, context, locale)
    return {"dedupe_key": key, "template": template, "recipient": recipient, "locale": locale,
            "subject": rendered.subject, "body_text": rendered.text, "body_html": rendered.html,
            "headers": headers or {}, "status": PENDING, "attempts": 0, "next_attempt_at": now, "created_at": now}


def count_due(now: datetime) -> int:
    return db.session.scalar(select(func.count()).where(OutboxEmail.status == PENDING,
                                                         OutboxEmail.next_attempt_at <= now))


def status_counts(up_to: int) -> dict[str, int]:
    """Emails per status, each counted no further than up_to + 1 (read as "more than up_to"): one statement,
    at most up_to + 1 entries of ix_outbox_email_status_id per status, however many emails were ever sent."""
    counts = db.session.execute(select(*[
        capped_count(select(OutboxEmail.id).where(OutboxEmail.status == status), up_to).label(status)
        for status in STATUSES])).one()
    return dict(zip(STATUSES, counts))


def anything_due(now: datetime) -> bool:
    """The idle scheduler's question every 20 s: one look into the due index."""
    return db.session.scalar(select(OutboxEmail.id).where(OutboxEmail.status == PENDING,
                                                          OutboxEmail.next_attempt_at <= now).limit(1)) is not None


# Who wants to know, in the same transaction, which emails went out: fn(dedupe keys of the emails just
# recorded as sent). The surveys count each survey's delivered invitations this way, so a results page
# reads a number instead of joining every invitation to its email.
SENT_LISTENERS: list[Callable[[list[str]], None]] = []
