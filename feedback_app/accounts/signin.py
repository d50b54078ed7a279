"""Signing in (throttled), signing out, and changing one's own password: the use cases of a person's own
credentials and sessions. Each is one use case with one commit.

Timing: every attempt that reaches the password check runs exactly one hash check, against the user's
hash or, for an address with no active account, against a dummy hash made the same way, so the time
taken does not tell which addresses have accounts. Throttled attempts are refused before any check.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from feedback_app.accounts import models
from feedback_app.accounts.failures import account_key, forget_failures, record_failure, wait_for
from feedback_app.accounts.models import User
from feedback_app.accounts.services import AccountError, check_new_password, end_sessions
from feedback_app.accounts.throttle import DEFAULT_POLICY, NO_WAIT, LoginPolicy
from feedback_app.core.extensions import db


@dataclass(frozen=True)
class SignIn:
    user: User | None  # None: refused
    wait: timedelta = NO_WAIT  # more than zero: refused unchecked, too many recent failures


class WrongPassword(AccountError):
    pass


class TooManyFailures(AccountError):
    def __init__(self, wait: timedelta):
        super().__init__("too many failed attempts; try again later")
        self.wait = wait


def sign_in(email: str, password: str, address: str, now: datetime, policy: LoginPolicy = DEFAULT_POLICY) -> SignIn:
    account = account_key(email)
    wait = wait_for(account, address, now, policy)
    if wait > NO_WAIT:
        return SignIn(None, wait)
    user = db.session.scalar(select(User).where(User.email == account))
    if _password_matches(user if user is not None and user.active else None, password):
        forget_failures(account)
        db.session.commit()
        return SignIn(user)
    record_failure(account, address, now, policy)
    db.session.commit()
    return SignIn(None)


def sign_out(user: User) -> None:
    """Ends every session of this user, in every browser: the one signing out and all others."""
    end_sessions(user)
    db.session.commit()


def change_own_password(user: User, current: str, new: str, address: str, now: datetime,
                        policy: LoginPolicy = DEFAULT_POLICY) -> User:
    """Every other session of the user ends; the caller signs the current one in again with the new version.

    A wrong current password counts as a failed sign-in of the account, so a stolen session cannot be
    used to guess the password without the same throttle.
    """
    account = account_key(user.email)
    wait = wait_for(account, address, now, policy)
    if wait > NO_WAIT:
        raise TooManyFailures(wait)
    check_new_password(new)
    if not _password_matches(user, current):
        record_failure(account, address, now, policy)
        db.session.commit()
        raise WrongPassword("the current password is not right")
    user.set_password(new)
    end_sessions(user)
    db.session.commit()
    return user


def _password_matches(user: User | None, password: str) -> bool:
    """One hash check whether or not there is a user, so both cases take the same time."""
    dummy = _dummy_hash()  # fetched in both cases: the one-time cost of making it falls on either
    matches = check_password_hash(user.password_hash if user is not None else dummy, password)
    return user is not None and matches


def _dummy_hash() -> str:
    # Made once per process and method, on first use rather than at import (every CLI command would pay
    # for it), with the same method and cost as real hashes.
    return _dummy_hash_for(models.PASSWORD_METHOD)


@cache
def _dummy_hash_for(method: str) -> str:
    return generate_password_hash("no account has this password", method)
