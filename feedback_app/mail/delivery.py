"""Delivery of the outbox: a sweeper (deliver_due) sends due rows, retries failures with back-off and records
the outcome, so a restart or an SMTP outage loses nothing.

Sending each email once is the sweeper's part: rows are claimed a batch at a time by a conditional UPDATE that
names the claimant (several senders on several machines take different rows), sent on one SMTP session,
and recorded a batch at a time; a failure after the data left is "maybe delivered" and retried only much
later under the same Message-ID, and a claim is taken back early only from a sender that is provably dead
(the rules: delivery_policy.py). An admin sends a failed email again with retry_failed.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import Row, bindparam, select, update

from feedback_app.core import claimants
from feedback_app.core.extensions import db
from feedback_app.mail import delivery_policy
from feedback_app.mail.outbox import (
    FAILED,
    PENDING,
    SENDING,
    SENT,
    SENT_LISTENERS,
    SUPPRESSED,
    SUPPRESSED_NOTE,
    OutboxEmail,
    anything_due,
)
from feedback_app.mail.render import OutgoingEmail, wire_message
from feedback_app.mail.suppression import suppressed
from feedback_app.mail.transports import Transport


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0      # put back for a later run: not sent, or maybe sent
    failed: int = 0        # given up: refused by the server, or out of attempts
    suppressed: int = 0    # never sent: the address is on the suppression list
    released: int = 0      # claims of stopped senders handed back (they retry later)
    stopped_early: str | None = None  # why the run ended before every due email was tried


BATCH = 100  # rows claimed, and their outcomes recorded, per commit
# With a slow server, outcomes are also recorded this often: a crash leaves at most this much (or one
# batch) of sent emails recorded as claimed only, and so resent (with the same Message-ID).
RECORD_EVERY = timedelta(seconds=1)


def deliver_due(now: datetime, transport: Transport, sender: str, max_attempts: int = 8, *, batch: int = BATCH,
                clock: Callable[[], datetime] | None = None, progress: Callable[[int], object] | None = None,
                stop: Callable[[], bool] | None = None) -> DeliveryReport:
    """Send every email due at `now`: claim a batch (one statement, one commit), send it on the transport's
    one session, record every outcome of the batch (one statement, one commit), until nothing is left.

    Several processes may run this at once, on several machines: each claims different rows (PostgreSQL
    skips rows another claim has locked; SQLite has one writer). `clock` tells the time as the run goes on
    (a run can be long): claims and retry times are stamped with it, so other processes judge them right.
    Without it, `now` is used throughout. `stop` is asked before each email: when it says so (the process
    was asked to end), the rest of the batch is handed back unsent and what was sent is recorded, so a
    stopped run leaves no claim behind. The transport's session is closed at the end of the run.
    """
    me = claimants.this_process()
    run = _Run(transport, sender, max_attempts, clock or (lambda: now), me.token, DeliveryReport(), progress,
               stop or (lambda: False))
    try:
        _release_stale_claims(run.clock(), me, transport.longest_send, max_attempts, run.report)
        if not anything_due(now):
            return run.report
        while not run.report.stopped_early:
            claimed_at = run.clock()
            rows = _claim_batch(now, claimed_at, me.token, batch)
            if not rows:
                break
            _send_batch(run, rows, claimed_at)
    finally:
        transport.close()
    return run.report


@dataclass
class _Run:
    """What every step of one delivery run needs."""
    transport: Transport
    sender: str
    max_attempts: int
    clock: Callable[[], datetime]
    claimant: str
    report: DeliveryReport
    progress: Callable[[int], object] | None
    stop: Callable[[], bool]


_OUTBOX = OutboxEmail.__table__
_CLAIMED_COLUMNS = [_OUTBOX.c[name] for name in ("id", "dedupe_key", "recipient", "subject", "body_text", "body_html",
                                                 "headers", "attempts", "next_attempt_at", "last_error")]


def _claim_batch(now: datetime, claimed_at: datetime, claimant: str, size: int) -> list[Row]:
    """Claim up to `size` due rows in one conditional UPDATE and commit: no two claims share a row.

    PostgreSQL: the rows are chosen `FOR UPDATE SKIP LOCKED`, so concurrent claims (other schedulers,
    other machines) take different rows instead of waiting for each other. SQLite has one writer at a
    time, and the condition on the status keeps a row from being claimed twice.
    """
    # A materialized CTE: as a plain `IN (subquery)` PostgreSQL may rescan the locking subquery once per
    # row, and its LIMIT no longer bounds the batch (measured: 250 rows claimed with LIMIT 100).
    due = (select(_OUTBOX.c.id).where(_OUTBOX.c.status == PENDING, _OUTBOX.c.next_attempt_at <= now)
           .order_by(_OUTBOX.c.next_attempt_at, _OUTBOX.c.id).limit(size).with_for_update(skip_locked=True)
           .cte("due").prefix_with("MATERIALIZED"))
    rows = db.session.execute(update(_OUTBOX).where(_OUTBOX.c.id.in_(select(due.c.id)), _OUTBOX.c.status == PENDING)
                              .values(status=SENDING, claimed_at=claimed_at, claimed_by=claimant)
                              .returning(*_CLAIMED_COLUMNS)).all()
    db.session.commit()
    return sorted(rows, key=lambda row: (row.next_attempt_at, row.id))


def _send_batch(run: _Run, rows: list[Row], claimed_at: datetime) -> None:
    """Send a claimed batch and record what became of each row: once at the end (a fast server), or every
    second (a slow one). The suppression list is asked after the claim, and again at each of those
    seconds; rows left when the run must stop or the batch window closes go back unsent."""
    barred = suppressed({row.recipient for row in rows})
    outcomes, recorded_at = [], claimed_at
    for index, row in enumerate(rows):
        if run.stop() and not run.report.stopped_early:
            run.report.stopped_early = "asked to stop"
        if run.report.stopped_early or not delivery_policy.may_start_send(claimed_at, run.clock()):
            outcomes.append(_outcome(row, PENDING, row.attempts, row.last_error))
            continue
        if row.recipient in barred:
            outcomes.append(_outcome(row, SUPPRESSED, row.attempts, SUPPRESSED_NOTE))
            run.report.suppressed += 1
        else:
            outcomes.append(_send_one(run, row))
        if run.progress:
            run.progress(1)
        if run.clock() - recorded_at >= RECORD_EVERY:  # a slow server: what went out is written down meanwhile,
            _record(outcomes, run.claimant, claimed_at)
            outcomes, recorded_at = [], run.clock()
            barred = suppressed({later.recipient for later in rows[index + 1:]})  # and an erasure is heeded
    _record(outcomes, run.claimant, claimed_at)


def _send_one(run: _Run, row: Row) -> dict:
    try:
        run.transport.send(wire_message(OutgoingEmail(row.dedupe_key, row.recipient, row.subject, row.body_text,
                                                      row.body_html, dict(row.headers or {})), run.sender))
    except Exception as error:  # every failure is recorded and decided on, never lost
        if isinstance(error, delivery_policy.ServerUnavailable):
            run.report.stopped_early = str(error)
        return _put_back(run, row, delivery_policy.outcome_of(error), f"{type(error).__name__}: {error}")
    run.report.sent += 1
    return _outcome(row, SENT, row.attempts + 1, None, sent_at=run.clock())


def _put_back(run: _Run, row: Row, outcome: str, error: str) -> dict:
    prefix = {delivery_policy.MAYBE_SENT: "maybe delivered: ", delivery_policy.REFUSED: "refused: "}
    error = (prefix.get(outcome, "") + error)[:2000]
    attempts = row.attempts + 1
    delay = delivery_policy.next_try(outcome, attempts)
    if delay is None or attempts >= run.max_attempts:
        run.report.failed += 1
        return _outcome(row, FAILED, attempts, error)
    run.report.retrying += 1
    return _outcome(row, PENDING, attempts, error, next_attempt_at=run.clock() + delay)


def _outcome(row: Row, status: str, attempts: int, error: str | None, *, sent_at: datetime | None = None,
             next_attempt_at: datetime | None = None) -> dict:
    return {"row_id": row.id, "new_status": status, "new_attempts": attempts, "new_error": error,
            "new_sent_at": sent_at, "new_next": next_attempt_at or row.next_attempt_at}


def _record(outcomes: list[dict], claimant: str, claimed_at: datetime) -> None:
    """Outcomes in one executemany and one commit. Only where the claim is still ours: a row an erasure
    suppressed meanwhile stays suppressed (and blank)."""
    if not outcomes:
        return
    db.session.execute(update(_OUTBOX)
                       .where(_OUTBOX.c.id == bindparam("row_id"), _OUTBOX.c.status == SENDING,
                              _OUTBOX.c.claimed_by == claimant, _OUTBOX.c.claimed_at == claimed_at)
                       .values(status=bindparam("new_status"), attempts=bindparam("new_attempts"),
                               last_error=bindparam("new_error"), sent_at=bindparam("new_sent_at"),
                               next_attempt_at=bindparam("new_next")),
                       outcomes)
    sent = [outcome["row_id"] for outcome in outcomes if outcome["new_status"] == SENT]
    if sent and SENT_LISTENERS:
        # Read back: a row an erasure suppressed meanwhile kept its status, and was not sent by us.
        keys = list(db.session.scalars(select(_OUTBOX.c.dedupe_key)
                                       .where(_OUTBOX.c.id.in_(sent), _OUTBOX.c.status == SENT)))
        for listener in SENT_LISTENERS:
            listener(keys)
    db.session.commit()


def _release_stale_claims(now: datetime, me: claimants.Claimant, longest_send: timedelta,
                          max_attempts: int, report: DeliveryReport) -> None:
    """Rows left in 'sending' by a sender that died (released at once) or that no live sender can still be
    sending (released after the longest possible send): maybe delivered, so retried after a pause."""
    stale = delivery_policy.stale_after(longest_send)
    held = db.session.execute(select(OutboxEmail.id, OutboxEmail.claimed_by, OutboxEmail.claimed_at, OutboxEmail.attempts)
                              .where(OutboxEmail.status == SENDING)).all()
    for email_id, claimed_by, claimed_at, attempts in held:
        state = claimants.claimant_state(claimed_by, me, claimants.process_start_time)
        if not delivery_policy.claim_to_release(state, claimed_at, now, stale):
            continue
        why = ("its sender stopped while sending it" if state == claimants.DEAD
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
