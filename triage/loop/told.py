"""News of a fix queued through the outbox and kept as the fix's news (FixNews), so that the fix page's "Who was
told" lists it: the planned and shipped news and the beta's "ready to try" email alike."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert

from feedback_app.core.extensions import db
from feedback_app.core.sql import slices
from feedback_app.mail.outbox import enqueue_emails_ids
from triage.models import FixNews

BATCH = 500  # emails rendered and inserted a statement at a time


def queue_news(fix_id: int, emails: list[tuple[str, str, str, str, dict, dict | None]], now: datetime) -> int:
    """Queue the emails (outbox.enqueue_emails' tuples) inside the caller's transaction and record each one queued
    as news of the fix. A key queued before is skipped by the outbox, so nobody is told twice. Returns how many
    were queued."""
    queued = 0
    for batch in slices(emails, BATCH):
        email_ids = enqueue_emails_ids(list(batch), now)
        if email_ids:
            db.session.execute(insert(FixNews), [{"fix_id": fix_id, "email_id": email_id} for email_id in email_ids])
        queued += len(email_ids)
    return queued
