"""PURE: when a failed delivery is tried again, and when an endpoint that keeps failing is paused.

Exponential back-off with a cap and "equal jitter": the n-th retry waits between half and all of
min(CAP, FIRST × 2^(n-1)), the random part drawn from the caller's generator (a seed gives a fixed schedule), so
many deliveries failing at once do not all come back in the same second.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta

FIRST = timedelta(seconds=10)
CAP = timedelta(hours=1)
# Failing without one success for this long pauses the endpoint; an admin resumes it.
PAUSE_AFTER = timedelta(days=1)


def retry_delay(attempts: int, rng: random.Random, first: timedelta = FIRST, cap: timedelta = CAP) -> timedelta:
    """The wait after the `attempts`-th failed attempt (1 for the first failure)."""
    ceiling = min(cap, first * 2 ** min(max(attempts, 1) - 1, 30))
    return ceiling / 2 + ceiling / 2 * rng.random()


def should_pause(failing_since: datetime | None, now: datetime, after: timedelta = PAUSE_AFTER) -> bool:
    """An endpoint is paused once its deliveries have failed, without a success in between, for `after`."""
    return failing_since is not None and now - failing_since >= after
