"""Removing an erased customer from the outbox, and from the database's files beyond its live rows.

Emails keep their key, template, status, attempts and times (exactly-once delivery and the delivery
counts depend on them) and lose everything that names or quotes the person. An email still waiting to
go is marked failed with a reason instead: a half-blanked email must never be sent.

SQLite keeps copies of changed rows outside the live data: in free space inside pages (unless
secure_delete zeroed it when it was freed) and in the write-ahead log (until a checkpoint). PostgreSQL's dead row versions,
WAL and backups are outside what a transaction can reach; docs/architecture.md says what stays there.
"""
from __future__ import annotations

import html
import re

from sqlalchemy import case, select, update
from sqlalchemy.exc import OperationalError

from feedback_app.extensions import db
from feedback_app.outbox import FAILED, PENDING, SENDING, OutboxEmail

from .records import addressed_to

# .invalid can never be delivered (RFC 2606): if anything ever tried, it would go nowhere.
ERASED_RECIPIENT = "erased@invalid"
NOT_SENT = "Not sent: the recipient's data was erased on request."
ERROR_REMOVED = "Failed before the recipient's data was erased; the error named them and was removed."
NAMED_NOTE = "This email named a customer whose data was erased on request; its text was removed."


def scrub_outbox(address: str) -> dict[str, int]:
    unsent = OutboxEmail.status.in_((PENDING, SENDING))
    to_them = db.session.execute(
        update(OutboxEmail).where(addressed_to(address))
        .values(recipient=ERASED_RECIPIENT, subject="", body_text="", body_html="", headers={},
                status=case((unsent, FAILED), else_=OutboxEmail.status),
                last_error=case((unsent, NOT_SENT), (OutboxEmail.status == FAILED, ERROR_REMOVED), else_=None))
        .execution_options(synchronize_session=False)).rowcount
    return {"emails": to_them, "team_emails": _scrub_mentions(address)}


def _scrub_mentions(address: str) -> int:
    """Emails to the team that quote the customer (the follow-up digest lists address and comment)."""
    exact = re.compile(r"(?<![\w.+-])" + re.escape(address) + r"(?![\w-]|\.\w)", re.IGNORECASE)
    candidates = db.session.scalars(select(OutboxEmail).where(
        OutboxEmail.body_text.contains(address, autoescape=True) | OutboxEmail.body_html.contains(address, autoescape=True)))
    named = [e for e in candidates if exact.search(e.body_text) or exact.search(html.unescape(e.body_html))]
    for email in named:
        email.body_text, email.body_html = NAMED_NOTE, f"<p>{html.escape(NAMED_NOTE)}</p>"
        if email.status in (PENDING, SENDING):
            email.status, email.last_error = FAILED, NOT_SENT
    return len(named)


def _sqlite() -> bool:
    return db.engine.dialect.name == "sqlite"


def zero_freed_space() -> None:
    """On the erasing transaction's connection: SQLite overwrites the space it frees with zeros only when
    secure_delete is on. db_helpers turns it on for every connection; asking again is harmless."""
    if _sqlite():
        db.session.connection().exec_driver_sql("PRAGMA secure_delete = ON")


def clear_old_page_images() -> bool:
    """After the commit. secure_delete zeroes only what is freed while it is on, so a database written
    before it was (an older installation, or a SQLite built without it) keeps old copies of rewritten
    rows in free space: VACUUM rebuilds the file from the live rows. The write-ahead log still holds the
    pages as they were: a TRUNCATE checkpoint copies the current ones into the file and empties it.
    Returns False when other connections kept either from finishing (the erasure itself is committed)."""
    if not _sqlite():
        return True
    try:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM")
            busy = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").first()[0]
    except OperationalError:  # "database is locked": a long read elsewhere; the next erasure does it
        return False
    return not busy
