"""Database leases: a named piece of periodic work done by at most one process at a time, across machines.

Several `feedback scheduler` processes may run over one database. Work that is split by claims (the
outbox) or made harmless by unique keys (reminders, digests) needs nothing more; work that must not run
twice at once (training a model, a sweep that is not split) takes a lease first:

    with held("retrain-classifier", timedelta(minutes=30), clock) as lease:   # clock: the scheduler's
        if lease is None:
            return            # another process holds it: it does the work
        ...                   # long work: call lease.renew() now and then; False means it was lost

A lease is a row (name, holder, expires_at) taken by INSERT … ON CONFLICT DO NOTHING, or by a conditional
UPDATE of an expired row, so the database decides between processes; it is released at the end. If its
holder dies, the lease expires after `ttl` — at once when the holder is provably dead on this machine
(the same test as the outbox's claims). Leases run on their own connection and commit at once, so the
work's own transaction (which may fail and roll back) never holds or loses them. Take one with no write
pending in the session: on SQLite, with its one writer, the lease would wait for that write.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Iterator

from sqlalchemy import DateTime, String, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, mapped_column

from feedback_app.core import claimants
from feedback_app.core.extensions import db


class Lease(db.Model):
    __tablename__ = "lease"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(160))
    taken_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)


def take(name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
    """Take the lease if nobody holds it, its holder's time ran out, or its holder is provably dead."""
    with db.engine.begin() as connection:
        if _insert(connection, name, holder, now, ttl):
            return True
        current = connection.execute(select(Lease.holder, Lease.expires_at).where(Lease.name == name)).first()
        if current is None or (current.expires_at > now and not _dead(current.holder)):
            return False
        # Conditional on what was read: of two processes taking over at once, one changes the row.
        return connection.execute(
            update(Lease).where(Lease.name == name, Lease.holder == current.holder,
                                Lease.expires_at == current.expires_at)
            .values(holder=holder, taken_at=now, expires_at=now + ttl)).rowcount == 1


def renew(name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
    """Hold it `ttl` longer from `now`. False: it is no longer ours (it expired and someone took it)."""
    with db.engine.begin() as connection:
        return connection.execute(update(Lease).where(Lease.name == name, Lease.holder == holder)
                                  .values(expires_at=now + ttl)).rowcount == 1


def release(name: str, holder: str) -> bool:
    with db.engine.begin() as connection:
        return connection.execute(delete(Lease).where(Lease.name == name, Lease.holder == holder)).rowcount == 1


@dataclass
class Holding:
    """A lease this process holds, for the work inside `held`."""
    name: str
    holder: str
    ttl: timedelta
    clock: Callable[[], datetime]

    def renew(self) -> bool:
        return renew(self.name, self.holder, self.clock(), self.ttl)


@contextmanager
def held(name: str, ttl: timedelta, clock: Callable[[], datetime], holder: str | None = None
         ) -> Iterator[Holding | None]:
    """The lease for the block (None when another process holds it), released after it, even on error."""
    holder = holder or claimants.this_process().token
    if not take(name, holder, clock(), ttl):
        yield None
        return
    try:
        yield Holding(name, holder, ttl, clock)
    finally:
        release(name, holder)


def _insert(connection: Connection, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    return connection.execute(insert(Lease).values(name=name, holder=holder, taken_at=now, expires_at=now + ttl)
                              .on_conflict_do_nothing(index_elements=["name"])
                              .returning(Lease.name)).first() is not None


def _dead(holder: str) -> bool:
    here = claimants.this_process()
    return claimants.claimant_state(holder, here, claimants.process_start_time) == claimants.DEAD
