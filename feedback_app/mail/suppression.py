"""The suppression list: addresses that must never be emailed again (the customer's data was erased).

Only a SHA-256 of the normalised address is kept, never the address: enough to recognise it when it
comes back (a new import, an API call) and to refuse mail to it, while the list itself names nobody.
A plain hash rather than a keyed one, so that rotating FEEDBACK_SECRET_KEY cannot silently empty the
list; what that trades away is written in docs/security.md.
"""
from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Iterable

from sqlalchemy import DateTime, String, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from feedback_app.core.extensions import db
from feedback_app.core.sql import insert_ignoring_conflicts, slices


class SuppressedAddress(db.Model):
    __tablename__ = "suppressed_address"

    address_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    suppressed_at: Mapped[datetime] = mapped_column(DateTime)


def address_hash(email: str) -> str:
    return hashlib.sha256(("feedback-suppressed:" + email.strip().lower()).encode("utf-8")).hexdigest()


def suppress(email: str, now: datetime) -> None:
    """Inside the caller's transaction."""
    insert_ignoring_conflicts(SuppressedAddress, {"address_hash": address_hash(email), "suppressed_at": now},
                              ["address_hash"])


def lift(email: str) -> bool:
    """Inside the caller's transaction. False when the address was not suppressed."""
    return db.session.execute(delete(SuppressedAddress)
                              .where(SuppressedAddress.address_hash == address_hash(email))).rowcount == 1


def suppressed_since(emails: Iterable[str]) -> dict[str, datetime]:
    """Which of these addresses are suppressed (as given), and since when."""
    by_hash = {address_hash(e): e for e in emails}
    found: dict[str, datetime] = {}
    for some in slices(list(by_hash)):
        found.update((by_hash[hashed], since) for hashed, since in db.session.execute(
            select(SuppressedAddress.address_hash, SuppressedAddress.suppressed_at)
            .where(SuppressedAddress.address_hash.in_(some))))
    return found


def suppressed(emails: Iterable[str]) -> set[str]:
    """Which of these addresses are suppressed (as given)."""
    return set(suppressed_since(emails))


def is_suppressed(email: str) -> bool:
    return bool(suppressed([email]))
