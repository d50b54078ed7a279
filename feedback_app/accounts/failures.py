"""The record of failed sign-ins in the database (table login_failure), read and written for throttle.py.

In the database, not in process memory, because every gunicorn worker on every web server must count
the same failures. Helpers only: they never commit; the sign-in use cases do.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select

from feedback_app.accounts.models import LoginFailure
from feedback_app.accounts.throttle import LoginPolicy, wait_before_next_try
from feedback_app.core.extensions import db

ADDRESS_MAX = 64  # the column's width; an IPv6 address with a zone fits
# Each recorded failure removes up to this many expired rows from the oldest end of the table, so
# expired rows drain faster than failures arrive and the table holds little more than one window.
PRUNE_BATCH = 20
UNSYNCHRONIZED = {"synchronize_session": False}  # failure rows are never loaded as objects


def account_key(typed: str) -> str:
    """The account a failure counts against: what was typed, as the user table stores addresses."""
    return (typed or "").strip().lower()[:320]


def wait_for(account: str, address: str, now: datetime, policy: LoginPolicy) -> timedelta:
    since = now - policy.window
    return wait_before_next_try(_newest(LoginFailure.account == account, since, policy.per_account),
                                _newest(LoginFailure.address == address[:ADDRESS_MAX], since, policy.per_address),
                                now, policy)


def record_failure(account: str, address: str, now: datetime, policy: LoginPolicy) -> None:
    db.session.add(LoginFailure(account=account, address=address[:ADDRESS_MAX], failed_at=now))
    _prune(now - policy.window)


def forget_failures(account: str) -> None:
    """After a successful sign-in the account starts afresh. Only the account: clearing the address too
    would let a guesser reset their address's count by signing in to an account of their own."""
    db.session.execute(delete(LoginFailure).where(LoginFailure.account == account), execution_options=UNSYNCHRONIZED)


def _newest(condition, since: datetime, limit: int) -> list[datetime]:
    # Both conditions are served by an (key, failed_at) index; only `limit` rows are ever needed.
    return list(db.session.scalars(select(LoginFailure.failed_at).where(condition, LoginFailure.failed_at > since)
                                   .order_by(LoginFailure.failed_at.desc()).limit(limit)))


def _prune(cutoff: datetime) -> None:
    # The oldest rows by id are the oldest failures; looking only at the first few keeps this one cheap
    # primary-key range read however big the table is, instead of a scan for failed_at < cutoff.
    oldest = select(LoginFailure.id).order_by(LoginFailure.id).limit(PRUNE_BATCH)
    db.session.execute(delete(LoginFailure).where(LoginFailure.id.in_(oldest), LoginFailure.failed_at < cutoff),
                       execution_options=UNSYNCHRONIZED)
