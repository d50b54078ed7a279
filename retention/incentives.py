"""The incentive tier of a win-back email, chosen from the customer's value, and a campaign's win-back rate.

PURE: standard library and the pure retention.kpis only.

Tiers, from no incentive to the best: none, standard, premium, vip. A customer's value is their `mrr` (or their
revenue, whichever the team keeps); the tier is the best one whose threshold the value reaches.

Why relative thresholds by default: an absolute amount means nothing across teams (an mrr of 50 is a large
consumer customer and a tiny business one) and across currencies, and nobody would set it on day one. So the
thresholds are read from the team's own distribution of values (`thresholds_from`): the top 10 % of customers
by value are vip, the next 20 % premium, the next 30 % standard, and the lower 40 % get no incentive (a win-back
email still, without an offer: an incentive costs money, and the lowest-value customers are the least likely to
repay it). Ties at a threshold all get the tier. A team that prefers amounts sets `Thresholds` directly.

A customer without a known value (or a value of zero or less) gets none: there is nothing to justify a cost by.

Win-back rate = customers who came back (any activity) within `days` after their win-back email / customers
emailed, over emails whose window is over — an email sent yesterday to someone who has not come back yet is
pending, neither a success nor a failure.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable

from retention.kpis import percent, top_count

TIERS = ("none", "standard", "premium", "vip")
RETURN_DAYS = 30


@dataclass(frozen=True)
class TierShares:
    """Relative thresholds: the share of customers (by value, from the top) who reach each tier or a better one."""
    vip: float = 0.10
    premium: float = 0.30
    standard: float = 0.60

    def __post_init__(self):
        if not 0 < self.vip <= self.premium <= self.standard <= 1:
            raise ValueError("tier shares must grow from vip to standard, within (0, 1]")


@dataclass(frozen=True)
class Thresholds:
    """The lowest value of each tier (None: nobody reaches it)."""
    standard: float | None = None
    premium: float | None = None
    vip: float | None = None

    def __post_init__(self):
        known = [t for t in (self.standard, self.premium, self.vip) if t is not None]
        if known != sorted(known):
            raise ValueError("thresholds must not decrease from standard to vip")
        if any(t <= 0 for t in known):
            raise ValueError("thresholds must be above zero")


def thresholds_from(values: Iterable[float | None], shares: TierShares = TierShares()) -> Thresholds:
    """Thresholds from the team's values (unknown and non-positive ones left out): each tier starts at the value of
    the customer ranked at its share of them from the top (10 % of 30 customers: the 3rd highest value is vip)."""
    ranked = sorted((v for v in values if v is not None and v > 0), reverse=True)
    if not ranked:
        return Thresholds()

    def at(share: float) -> float:
        return ranked[min(top_count(share, len(ranked)), len(ranked)) - 1]

    return Thresholds(standard=at(shares.standard), premium=at(shares.premium), vip=at(shares.vip))


def tier_for(value: float | None, thresholds: Thresholds) -> str:
    """The best tier whose threshold the value reaches; none without a positive value."""
    if value is None or value <= 0:
        return "none"
    for tier, threshold in (("vip", thresholds.vip), ("premium", thresholds.premium),
                            ("standard", thresholds.standard)):
        if threshold is not None and value >= threshold:
            return tier
    return "none"


# ---------------------------------------------------------------- win-back rate

def returned_within(emailed_at: datetime, activity_times: Iterable[datetime], days: int = RETURN_DAYS) -> bool:
    """Came back: any activity after the email and within `days` of it."""
    deadline = emailed_at + timedelta(days=days)
    return any(emailed_at < moment <= deadline for moment in activity_times)


def win_back_rate(emailed: int, returned: int) -> float | None:
    """% of the emailed who came back; None when nobody was emailed."""
    if not 0 <= returned <= emailed:
        raise ValueError("returned must be between 0 and the number emailed")
    return percent(returned, emailed)


@dataclass(frozen=True)
class WinBack:
    emailed: int    # customers emailed
    returned: int   # came back within the window
    pending: int    # not back yet, their window still open: left out of the rate
    rate: float | None  # returned / (emailed − pending), %


def win_back(emails: Iterable[tuple[datetime, datetime | None]], now: datetime, days: int = RETURN_DAYS) -> WinBack:
    """A campaign's figure from (emailed_at, their first activity after the email, or None) per customer emailed.
    An activity after now is not known yet."""
    emailed = returned = pending = 0
    for emailed_at, first_return in emails:
        emailed += 1
        if first_return is not None and first_return <= now and returned_within(emailed_at, (first_return,), days):
            returned += 1
        elif now <= emailed_at + timedelta(days=days):
            pending += 1
    return WinBack(emailed, returned, pending, win_back_rate(emailed - pending, returned))
