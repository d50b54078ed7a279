"""Removing an erased customer from the outbox, and from the database's files beyond its live rows.

Emails keep their key, template, status, attempts and times (exactly-once delivery and the delivery
counts depend on them) and lose everything that names or quotes the person. An email still waiting to
go is marked suppressed with a reason instead (final: no retry button brings it back), as a
half-blanked email must never be sent.

SQLite keeps copies of changed rows outside the live data: in free space inside pages (unless
secure_delete zeroed it when it was freed, as it does here) and in the write-ahead log (until a checkpoint). PostgreSQL's dead row versions,
WAL and backups are outside what a transaction can reach; docs/architecture.md says what stays there.
"""
from __future__ import annotations

import html
import re

from sqlalchemy import case, select, update
from sqlalchemy.exc import OperationalError

from feedback_app.core.extensions import db
from feedback_app.mail.outbox import FAILED, PENDING, SENDING, SUPPRESSED, OutboxEmail
from privacy.records import addressed_to

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
                status=case((unsent, SUPPRESSED), else_=OutboxEmail.status),
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
            email.status, email.last_error = SUPPRESSED, NOT_SENT
    return len(named)


def _sqlite() -> bool:
    return db.engine.dialect.name == "sqlite"


def zero_freed_space() -> None:
    """On the erasing transaction's connection: SQLite overwrites the space it frees with zeros only when
    secure_delete is on. db_helpers turns it on for every connection; asking again is harmless."""
    if _sqlite():
        db.session.connection().exec_driver_sql("PRAGMA secure_delete = ON")


def clear_old_page_images() -> bool:
    """After the commit. Every connection runs with secure_delete (feedback_app.core.sql), so what the
    erasure freed inside the file is zeroed already; the write-ahead log still holds the pages as they
    were before it, until a TRUNCATE checkpoint copies the current pages into the file and empties it.

    No VACUUM: it would rewrite the whole file while every writer (the survey POST among them) waits,
    minutes on a large database. A database written before secure_delete was turned on may keep old
    copies in free space; docs/security.md says to VACUUM such a file once.
    Returns False when a long read elsewhere kept the checkpoint from finishing (the erasure itself is
    committed; the next checkpoint finishes it)."""
    if not _sqlite():
        return True
    try:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            busy = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").first()[0]
    except OperationalError:  # "database is locked"
        return False
    return not busy
