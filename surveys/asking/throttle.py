"""PURE: whether one customer may be invited to a triggered survey now, and if not, why and until when.

A relationship survey asks each customer once, and not within the cool-down across relationship surveys
(SURVEY_COOLDOWN_DAYS). A transactional survey asks after each trigger, but not within its own cool-down
since the customer's last invitation to a transactional survey of the same kind ("at most one CSAT per
customer per 7 days"). The two never block each other.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

RELATIONSHIP, TRANSACTIONAL = "relationship", "transactional"
MODES = (RELATIONSHIP, TRANSACTIONAL)
DEFAULT_TRANSACTIONAL_COOLDOWN = 7  # days
MAX_COOLDOWN = 3650

# The journey's usual points; a team may name its own (normalised like these).
TOUCHPOINTS = ("first_impression", "onboarding", "first_value", "support", "purchase", "renewal")
TOUCHPOINT_MAX = 40


def normalised_touchpoint(name: str) -> str:
    """'First value' → 'first_value': lower case, runs of anything but letters and digits one '_'.
    Raises ValueError when nothing is left or it is too long."""
    touchpoint = re.sub(r"[\W_]+", "_", name.strip().lower()).strip("_")
    if not touchpoint or len(touchpoint) > TOUCHPOINT_MAX:
        raise ValueError(f"a touchpoint is 1–{TOUCHPOINT_MAX} letters or digits (e.g. {', '.join(TOUCHPOINTS)})")
    return touchpoint


def cooldown_of(mode: str, own_days: int | None, relationship_days: int) -> timedelta:
    if mode == TRANSACTIONAL:
        return timedelta(days=DEFAULT_TRANSACTIONAL_COOLDOWN if own_days is None else own_days)
    return timedelta(days=relationship_days)


@dataclass(frozen=True)
class Refusal:
    status: int  # 409 or 429
    message: str
    retry_at: datetime | None = None  # 429: when an invitation would be allowed


def refusal(mode: str, invited_to_this: bool, last_alike: datetime | None, cooldown: timedelta,
            now: datetime) -> Refusal | None:
    """`invited_to_this`: the customer has an invitation to this survey; `last_alike`: their latest invitation to a
    survey this one's cool-down counts (relationship: any relationship survey; transactional: of its kind)."""
    if mode == RELATIONSHIP and invited_to_this:
        return Refusal(409, "This customer was already invited to this survey (a relationship survey asks once).")
    if last_alike is not None and last_alike + cooldown > now:
        what = "a relationship survey" if mode == RELATIONSHIP else "a transactional survey of this kind"
        return Refusal(429, f"This customer was invited to {what} on {last_alike:%Y-%m-%d %H:%M} UTC; the cool-down "
                            f"of {cooldown.days} days allows the next one from the time in retry_at.",
                       last_alike + cooldown)
    return None
