"""PURE: when a sign-in attempt must wait because of earlier failures (a sliding window per account and
per address).

No Flask, SQLAlchemy or feedback_app imports: the caller hands in the failure times it read and the time
now, and gets back how long to wait. The account is whatever address was typed, known or not, so the
answer is the same for accounts that exist and accounts that do not.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

NO_WAIT = timedelta(0)


@dataclass(frozen=True)
class LoginPolicy:
    """At most `per_account` failures for one account, and `per_address` from one network address,
    within any `window`; one more attempt waits until the oldest counted failure leaves the window."""
    window: timedelta = timedelta(minutes=15)
    per_account: int = 5
    per_address: int = 20


DEFAULT_POLICY = LoginPolicy()


def wait_before_next_try(account_failures: Iterable[datetime], address_failures: Iterable[datetime],
                         now: datetime, policy: LoginPolicy = DEFAULT_POLICY) -> timedelta:
    """How long the next attempt must wait; NO_WAIT when it may be tried now.

    Each list needs only its newest `limit` failures (the caller may read just those): the attempt may
    go ahead once fewer than `limit` failures are younger than the window, i.e. once the limit-th newest
    is older than the window. Attempts refused here are not failures, so the wait never grows while it
    runs: it ends by itself.
    """
    return max(_wait(account_failures, policy.per_account, now, policy.window),
               _wait(address_failures, policy.per_address, now, policy.window))


def whole_minutes(wait: timedelta) -> int:
    """The wait as people read it: rounded up, at least one minute."""
    return max(1, math.ceil(wait.total_seconds() / 60))


def _wait(failures: Iterable[datetime], limit: int, now: datetime, window: timedelta) -> timedelta:
    recent = sorted((moment for moment in failures if now - moment < window), reverse=True)
    if len(recent) < limit:
        return NO_WAIT
    return recent[limit - 1] + window - now
