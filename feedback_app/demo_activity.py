"""The demo's retention side: each customer's lifetime (customer_since, an end), a year of what they did (logins in
their own rhythm, purchases and renewals with amounts, cancels) and a win-back campaign sent to those who had left,
so the Retention pages are alive on the first run.

Every customer gets a fate, drawn from the demo's seeded generator and `now` (so every load is the same):
- steady: a customer for up to 18 months, logging in weekly (most) or monthly, paying monthly or yearly;
- new: started in the last four weeks (never invited to the autumn surveys: they were not customers yet);
- silent: a weekly customer who stopped using the product about six weeks ago;
- ended: left months ago, as the team's own records say (`ended_at` in the customer CSV);
- cancels: a `cancel` in the last five weeks, after the surveys reached them;
- returns: cancelled before the win-back campaign and came back within days of its email.
Unhappy answers (the surveys' own) make some of them at risk. Activity goes through the real import
(retention.activity.import_activity, reading a CSV as `feedback activity import` does).
"""
from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterator

from sqlalchemy import or_

from retention.activity import import_activity
from retention.activity_csv import ActivityCSV
from retention.refresh import refresh_stages
from retention.saving.win_back import create_campaign, send_campaign
from retention.stages import StageSettings
from surveys.models import Customer

DAY = timedelta(days=1)
HISTORY = 365 * DAY          # activity kept for the last year
LONGEST = 540                # days: the oldest customer started about 18 months ago
CAMPAIGN_DAYS_AGO = 60       # the win-back campaign went out two months ago (its 30-day window is over)
# How many customers meet each fate, drawn at random among all of them; the rest are steady.
FATES = {"new": 6, "silent": 6, "ended": 5, "cancels": 4, "returns": 3}
MONTHLY_SHARE, YEARLY_SHARE, ADD_ON_CHANCE = 0.25, 0.2, 0.12


@dataclass(frozen=True)
class Life:
    """One customer's lifetime as the demo tells it."""
    email: str
    mrr: int                             # monthly revenue (0: the free plan, who never pay)
    seat_price: int                      # what one more seat costs a month
    since: datetime
    every: tuple[int, int]               # days between two logins, at least and at most
    yearly: bool = False                 # pays a year at a time (else monthly)
    ended_at: datetime | None = None     # the team's record of their end
    cancel_at: datetime | None = None    # a `cancel` activity
    back_at: datetime | None = None      # came back after cancelling
    stops_at: datetime | None = None     # does nothing any more after this (silent)

    def windows(self, now: datetime) -> list[tuple[datetime, datetime]]:
        """The spans in which they use the product and pay: [start, end)."""
        end = min(t for t in (self.ended_at, self.cancel_at, self.stops_at, now) if t is not None)
        if self.back_at is None:
            return [(self.since, end)]
        return [(self.since, end), (self.back_at, now)]


def lives(rng: random.Random, customers: list[tuple[str, int, int]], now: datetime) -> dict[str, Life]:
    """A Life for each (email, mrr, seat price), by email: FATES spread over the customers at random, the rest
    steady."""
    order = rng.sample(range(len(customers)), len(customers))
    fates, start = {}, 0
    for fate, count in FATES.items():
        fates.update({index: fate for index in order[start:start + count]})
        start += count
    campaign = now - CAMPAIGN_DAYS_AGO * DAY
    return {customer[0]: _life(rng, fates.get(index, "steady"), customer, now, campaign)
            for index, customer in enumerate(customers)}


def _life(rng: random.Random, fate: str, customer: tuple[str, int, int], now: datetime, campaign: datetime) -> Life:
    weekly, monthly = (6, 8), (26, 34)
    every = monthly if fate == "steady" and rng.random() < MONTHLY_SHARE else weekly
    yearly = rng.random() < YEARLY_SHARE

    def ago(low: int, high: int) -> datetime:
        return _at_hour(rng, now - rng.randint(low, high) * DAY)

    if fate == "new":
        return Life(*customer, ago(4, 26), weekly, yearly)
    if fate == "silent":
        return Life(*customer, ago(200, LONGEST), weekly, yearly, stops_at=ago(40, 52))
    if fate == "ended":
        return Life(*customer, ago(400, LONGEST), every, yearly, ended_at=ago(CAMPAIGN_DAYS_AGO + 10, 330))
    if fate == "cancels":
        return Life(*customer, ago(150, LONGEST), every, yearly, cancel_at=ago(3, 30))
    if fate == "returns":
        cancelled = campaign - rng.randint(20, 80) * DAY
        return Life(*customer, ago(300, LONGEST), weekly, yearly, cancel_at=cancelled,
                    back_at=_at_hour(rng, campaign + rng.randint(3, 20) * DAY))
    return Life(*customer, ago(35, LONGEST), every, yearly)


def _at_hour(rng: random.Random, day: datetime) -> datetime:
    """A moment of that day in office hours (UTC), to the minute."""
    return day.replace(hour=rng.randint(7, 18), minute=rng.randint(0, 59), second=0, microsecond=0)


# ---------------------------------------------------------------- activity

def activity_rows(rng: random.Random, life: Life, now: datetime) -> Iterator[tuple[str, datetime, str, str, str]]:
    """(email, occurred_at, kind, amount, external_id) of one customer: their logins of the last year and every
    payment (a billing system's export holds all of them: the first purchase counts in the repeat figures)."""
    shown_from = now - HISTORY
    for start, end in life.windows(now):
        moment = start
        while moment < end:
            if moment >= shown_from:
                yield life.email, moment, "login", "", ""
            moment = _at_hour(rng, moment + rng.randint(*life.every) * DAY)
        if life.mrr:
            yield from _payments(rng, life, start, end)
    if life.cancel_at is not None:
        yield life.email, life.cancel_at, "cancel", "", ""


def _payments(rng: random.Random, life: Life, start: datetime, end: datetime):
    """The first purchase, then a renewal every month (or year) at the same hour, and now and then more seats."""
    months = 12 if life.yearly else 1
    amount = life.mrr * (10 if life.yearly else 1)  # a year costs ten months
    number = 0
    while (moment := _months_later(start, number * months)) < end:
        kind = "purchase" if number == 0 and start == life.since else "renewal"
        yield life.email, moment, kind, str(amount), f"demo-{life.email}-{moment:%Y%m%d}"
        number += 1
    month = 1
    while (moment := _months_later(start, month) + 3 * DAY) < end:
        if rng.random() < ADD_ON_CHANCE:
            seats = rng.randint(1, 5)
            yield life.email, moment, "purchase", str(seats * life.seat_price), ""
        month += 1


def _months_later(moment: datetime, months: int) -> datetime:
    total = moment.month - 1 + months
    return moment.replace(year=moment.year + total // 12, month=total % 12 + 1, day=min(moment.day, 28))


def activity_csv(rng: random.Random, lives_by_email: dict[str, Life], now: datetime) -> bytes:
    """The whole demo's activity as a team's systems would export it (logins, purchases, renewals, cancels)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["email", "occurred_at", "kind", "amount", "external_id"])
    for life in lives_by_email.values():
        for email, moment, kind, amount, external_id in activity_rows(rng, life, now):
            if moment <= now:
                writer.writerow([email, moment.isoformat(), kind, amount, external_id])
    return out.getvalue().encode()


def import_demo_activity(rng: random.Random, lives_by_email: dict[str, Life], now: datetime) -> int:
    """Import the activity through the real import; returns the rows added."""
    report = import_activity(ActivityCSV(io.BytesIO(activity_csv(rng, lives_by_email, now))), now)
    if report.errors:
        raise RuntimeError(f"demo activity refused: {report.errors[:3]}")
    return report.added


def customer_then(moment: datetime):
    """Who was a customer at `moment` as far as the customer table says (a survey's audience)."""
    return (or_(Customer.customer_since.is_(None), Customer.customer_since <= moment)
            & or_(Customer.ended_at.is_(None), Customer.ended_at > moment))


# ---------------------------------------------------------------- win back

def win_back_campaign(now: datetime, settings: StageSettings, name: str, incentives: dict) -> datetime:
    """The stages as the daily refresh saw them two months ago, and a win-back campaign sent then to the lost
    customers (queued in the outbox). Returns when it was sent."""
    sent_at = now - CAMPAIGN_DAYS_AGO * DAY
    refresh_stages(sent_at, settings)
    send_campaign(create_campaign(name, sent_at, incentives=incentives), sent_at)
    return sent_at
