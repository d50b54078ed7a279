"""The outbox: every email is a row written in the same transaction as the change that causes it.

A sweeper (deliver_due) sends due rows, retries failures with back-off and records the outcome, so a
restart or an SMTP outage loses nothing. The unique dedupe key makes each email happen once: a second
enqueue with the same key (a double click, a retried job, a status flipped back and forth) is a no-op.
Sending it once is the sweeper's part: each row is claimed, sent and recorded in its own commits, a failure
after the data left is "maybe delivered" and retried only much later under the same Message-ID, and a claim
is taken back early only from a sender that is provably dead (the rules: delivery_policy.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import JSON, DateTime, Integer, String, Text, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from . import delivery_policy
from .db_helpers import insert_ignoring_conflicts
from .extensions import db
from .mail import OutgoingEmail, Transport, build_message, render_email
from .suppression import suppressed

PENDING, SENDING, SENT, FAILED, SUPPRESSED = "pending", "sending", "sent", "failed", "suppressed"
STATUSES = (PENDING, SENDING, SENT, FAILED, SUPPRESSED)
SUPPRESSED_NOTE = "not sent: the address is on the suppression list (its customer's data was erased)"


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
    return bool(insert_ignoring_conflicts(OutboxEmail, _queued_row(key, template, recipient, locale, context, now,
                                                                   headers), ["dedupe_key"]))


def enqueue_emails(emails: list[tuple[str, str, str, str, dict, dict | None]], now: datetime) -> int:
    """enqueue_email for many emails at once — (key, template, recipient, locale, context, headers) each —
    in one INSERT inside the caller's transaction: a survey send queues a thousand at a time. Each is
    rendered as enqueue_email renders it; a key queued before is skipped. Returns how many were queued."""
    if not emails:
        return 0
    rows = [_queued_row(key, template, recipient, locale, context, now, headers)
            for key, template, recipient, locale, context, headers in emails]
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    table = OutboxEmail.__table__
    # One statement compiled once and run for every row (SQLAlchemy sends them as multi-row INSERTs).
    statement = insert(table).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(table.c.id)
    return len(db.session.execute(statement, rows).all())


def _queued_row(key: str, template: str, recipient: str, locale: str, context: dict, now: datetime,
                headers: dict | None) -> dict:
    rendered = render_email(template, context, locale)
    return {"dedupe_key": key, "template": template, "recipient": recipient, "locale": locale,
            "subject": rendered.subject, "body_text": rendered.text, "body_html": rendered.html,
            "headers": headers or {}, "status": PENDING, "attempts": 0, "next_attempt_at": now, "created_at": now}


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0      # put back for a later run: not sent, or maybe sent
    failed: int = 0        # given up: refused by the server, or out of attempts
    suppressed: int = 0    # never sent: the address is on the suppression list
    released: int = 0      # claims of stopped senders handed back (they retry later)
    stopped_early: str | None = None  # why the run ended before every due email was tried


def count_due(now: datetime) -> int:
    return db.session.scalar(select(func.count()).where(OutboxEmail.status == PENDING,
                                                         OutboxEmail.next_attempt_at <= now))


def deliver_due(now: datetime, transport: Transport, sender: str, max_attempts: int = 8, *, batch: int = 50,
                clock: Callable[[], datetime] | None = None,
                progress: Callable[[int], object] | None = None) -> DeliveryReport:
    """Send every email due at `now`, batch after batch, each claimed, sent and recorded on its own.

    `clock` tells the time as the run goes on (a run can be long): claims and retry times are stamped with
    it, so other processes judge them right. Without it, `now` is used throughout. The transport's session
    is kept for the whole run and closed at its end.
    """
    clock = clock or (lambda: now)
    me = delivery_policy.this_process()
    report = DeliveryReport()
    try:
        _release_stale_claims(clock(), me, transport.longest_send, max_attempts, report)
        after = 0
        while due := _due_batch(now, after, batch):
            after = due[-1][0]
            for email_id in _set_aside_suppressed(due, clock(), report, progress):
                stop = None
                if _claim(email_id, clock(), me.token):  # else another sender has it
                    stop = _send_claimed(db.session.get(OutboxEmail, email_id), clock, transport, sender,
                                         max_attempts, report)
                if progress:
                    progress(1)
                if stop:
                    report.stopped_early = stop
                    return report
    finally:
        transport.close()
    return report


def _due_batch(now: datetime, after: int, batch: int) -> list[tuple[int, str]]:
    """The next due rows by id: a row put back during the run is due later than `now`, so the loop ends."""
    return db.session.execute(select(OutboxEmail.id, OutboxEmail.recipient)
                              .where(OutboxEmail.status == PENDING, OutboxEmail.next_attempt_at <= now,
                                     OutboxEmail.id > after)
                              .order_by(OutboxEmail.id).limit(batch)).all()


def _set_aside_suppressed(due: list[tuple[int, str]], now: datetime, report: DeliveryReport,
                          progress: Callable[[int], object] | None) -> list[int]:
    """The last guard of the suppression list (one query per batch): those rows end, unsent. The others' ids."""
    barred = suppressed({recipient for _, recipient in due})
    if barred:
        report.suppressed += db.session.execute(
            update(OutboxEmail)
            .where(OutboxEmail.id.in_([i for i, r in due if r in barred]), OutboxEmail.status == PENDING)
            .values(status=SUPPRESSED, claimed_at=now, last_error=SUPPRESSED_NOTE)).rowcount
        db.session.commit()
        if progress:
            progress(len([r for _, r in due if r in barred]))
    return [email_id for email_id, recipient in due if recipient not in barred]


def _claim(email_id: int, now: datetime, claimant: str) -> bool:
    """Only one sweeper wins a row: the conditional UPDATE is atomic on every database."""
    claimed = db.session.execute(update(OutboxEmail)
                                 .where(OutboxEmail.id == email_id, OutboxEmail.status == PENDING)
                                 .values(status=SENDING, claimed_at=now, claimed_by=claimant)).rowcount
    db.session.commit()
    return claimed == 1


def _send_claimed(email: OutboxEmail, clock: Callable[[], datetime], transport: Transport, sender: str,
                  max_attempts: int, report: DeliveryReport) -> str | None:
    """Send one claimed email and record how it went. Returns why the run must stop, if it must."""
    stop = None
    try:
        transport.send(build_message(email.outgoing(), sender))
    except Exception as error:  # every failure is recorded and decided on, never lost
        if isinstance(error, delivery_policy.ServerUnavailable):
            stop = str(error)
        outcome = delivery_policy.outcome_of(error)
        prefix = {delivery_policy.MAYBE_SENT: "maybe delivered: ", delivery_policy.REFUSED: "refused: "}
        _put_back(email, outcome, prefix.get(outcome, "") + f"{type(error).__name__}: {error}", clock(),
                  max_attempts, report)
    else:
        email.attempts += 1
        email.status, email.sent_at, email.last_error = SENT, clock(), None
        report.sent += 1
    db.session.commit()
    return stop


def _put_back(email: OutboxEmail, outcome: str, error: str, now: datetime, max_attempts: int,
              report: DeliveryReport) -> None:
    email.attempts += 1
    email.last_error = error[:2000]
    delay = delivery_policy.next_try(outcome, email.attempts)
    if delay is None or email.attempts >= max_attempts:
        email.status = FAILED
        report.failed += 1
    else:
        email.status, email.next_attempt_at = PENDING, now + delay
        report.retrying += 1


def _release_stale_claims(now: datetime, me: delivery_policy.Claimant, longest_send: timedelta,
                          max_attempts: int, report: DeliveryReport) -> None:
    """Rows left in 'sending' by a sender that died (released at once) or that no live sender can still be
    sending (released after the longest possible send): maybe delivered, so retried after a pause."""
    stale = delivery_policy.stale_after(longest_send)
    held = db.session.execute(select(OutboxEmail.id, OutboxEmail.claimed_by, OutboxEmail.claimed_at, OutboxEmail.attempts)
                              .where(OutboxEmail.status == SENDING)).all()
    for email_id, claimed_by, claimed_at, attempts in held:
        state = delivery_policy.claimant_state(claimed_by, me, delivery_policy.process_start_time)
        if not delivery_policy.claim_to_release(state, claimed_at, now, stale):
            continue
        why = ("its sender stopped while sending it" if state == delivery_policy.DEAD
               else "no answer from its sender within the longest possible send")
        given_up = attempts + 1 >= max_attempts
        report.released += db.session.execute(
            update(OutboxEmail)
            .where(OutboxEmail.id == email_id, OutboxEmail.status == SENDING,
                   OutboxEmail.claimed_by.is_not_distinct_from(claimed_by),
                   OutboxEmail.claimed_at.is_not_distinct_from(claimed_at))
            .values(status=FAILED if given_up else PENDING, attempts=attempts + 1,
                    next_attempt_at=now + delivery_policy.released_claim_delay(attempts + 1),
                    last_error=f"maybe delivered: {why} ({claimed_by or 'an unnamed process'})")).rowcount
    db.session.commit()


def retry_failed(email_id: int, now: datetime) -> bool:
    """An admin sends a failed email again (after fixing SMTP settings, say)."""
    changed = db.session.execute(update(OutboxEmail)
                                 .where(OutboxEmail.id == email_id, OutboxEmail.status == FAILED)
                                 .values(status=PENDING, next_attempt_at=now, attempts=0)).rowcount
    db.session.commit()
    return changed == 1
