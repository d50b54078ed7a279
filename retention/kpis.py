"""Retention figures of a period: customers at its start and end, new and lost, CRR, churn, repeat rate and the rest.

PURE: standard library and the pure triage.loop.metrics only. One definition of each figure, for any period
[start, end) — the CLI's report, its JSON, the Retention page and its monthly trend all read them from here.

A customer's lifetime is [starts, ends): it starts at `customer_since` (else their first activity) and ends at
`ended_at` (else at a cancel they did not come back from — see `lifetime_of`). A period is measured as of `now`
when it has not ended yet: its end is capped at `now`, so the current month reads "month to date" and a customer
whose `ended_at` is still ahead is not lost yet. With a the period's start and b its (capped) end:

- S, customers at the start: started before a and not ended before a (starts < a ≤ ends).
- E, customers at the end: started before b and not ended before b (starts < b ≤ ends).
- N, new: started inside the period (a ≤ starts < b).
- lost: ended inside the period (a ≤ ends < b) — those of S **and** those of N who left again (`lost_new` counts
  the latter apart). Every customer of S or N is either in E or lost, so E = S + N − lost, and
- CRR = (E − N) / S × 100 = (S − lost) / S × 100, churn rate = lost / S × 100: CRR + churn = 100 exactly. The
  standard CRR formula counts a new customer who left within the period against retention; churn counts them too,
  so the two figures never disagree. (Churn can therefore exceed 100 % when more newcomers left than S.)
- repeat rate: customers with ≥ 2 purchases in the period / customers with ≥ 1 in the period × 100. Within the
  period, so a month's and a quarter's figures say what happened in them (counting up to the period's end would
  be dominated by years of history and barely move). Purchase frequency: purchases in the period / customers who
  purchased in it.
- one-and-done share: customers whose only purchase (up to the period's end) is one / customers who bought at
  least once up to the period's end × 100. A recent first purchase has had little time to be repeated: read the
  figure over long periods.
- revenue concentration: over customers whose amounts in the period sum above zero, the share of that revenue of
  the top 10 % of them (rounded up, at least one customer) and of the largest one. When no purchase of the period
  has an amount, the `mrr` of the customers at the end is used instead (`concentration_basis` says which); None
  when neither exists.
- time to first contact of an unhappy respondent: one pair (answered_at, first contacted_at or None) per unhappy
  respondent who answered in the period; the median over those contacted, and the share contacted within 2 days
  among those whose 2 days are over (or who were contacted already) — someone answered an hour ago is pending.
- days from first feedback to a shipped fix: triage.loop.metrics.days_to_ship over the fixes shipped in the period.

Every rate and share is a percentage (0–100); an empty denominator gives None, never a division by zero.
Customers are fed one at a time (`Accumulator.add`), so 100,000 of them can be streamed from the database: the
work per customer is one pass over their purchases, and only one number per purchasing customer (for the
concentration) and one per contacted respondent and shipped fix (for the medians) is kept.
"""
from __future__ import annotations

import heapq
import math
import statistics
from array import array
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable, Sequence

from triage.loop.metrics import ShippedFix, days_to_ship

DAY = timedelta(days=1)
CONTACT_WITHIN = timedelta(days=2)
TOP_SHARE = 0.10
CANCEL_KIND = "cancel"  # the activity kind that ends a lifetime (when no other activity follows it)


# ---------------------------------------------------------------- periods and lifetimes

@dataclass(frozen=True)
class Period:
    """[start, end): start included, end excluded. Naive UTC datetimes, like every time in the app."""
    start: datetime
    end: datetime

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError("a period cannot end before it starts")

    def __contains__(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


def months(start: datetime, end: datetime) -> list[Period]:
    """The calendar months that [start, end) touches, each a whole month [1st 00:00, next 1st 00:00), oldest
    first: the points of a monthly trend. An end at exactly midnight on the 1st excludes that month."""
    first = datetime(start.year, start.month, 1)
    periods = []
    while first < end and start < end:
        following = datetime(first.year + first.month // 12, first.month % 12 + 1, 1)
        periods.append(Period(first, following))
        first = following
    return periods


@dataclass(frozen=True)
class Lifetime:
    """When a customer was one: [starts, ends). starts None: never started (no date, no activity): counted
    nowhere. ends None: still a customer."""
    starts: datetime | None
    ends: datetime | None = None


def lifetime_of(customer_since: datetime | None, ended_at: datetime | None, first_activity_at: datetime | None,
                last_cancel_at: datetime | None = None, last_other_activity_at: datetime | None = None) -> Lifetime:
    """The one rule for a lifetime. Starts: `customer_since`, else the first activity of any kind. Ends:
    `ended_at` (the team's record wins), else the latest `cancel` activity unless another activity came after it
    (a customer who cancelled and came back — a win-back that worked — is a customer again: one lifetime each, so
    the gap they were away is not counted as lost). A cancel and another activity at the same moment: cancelled.
    An end before the start is read as ending the moment they started."""
    starts = customer_since if customer_since is not None else first_activity_at
    ends = ended_at
    if ends is None and last_cancel_at is not None:
        if last_other_activity_at is None or last_other_activity_at <= last_cancel_at:
            ends = last_cancel_at
    if starts is not None and ends is not None and ends < starts:
        ends = starts
    return Lifetime(starts, ends)


@dataclass(frozen=True)
class Purchase:
    at: datetime
    amount: float | None = None  # None: the activity had no amount (it still counts as a purchase)


@dataclass(frozen=True)
class CustomerHistory:
    """What the figures need of one customer. purchases: their purchase activities, in any order — all of them, or
    only those from the earliest period's start on with `earlier_purchases` counting those before it (a reader
    need not fetch years of history to know whether a customer had bought before)."""
    lifetime: Lifetime
    purchases: Sequence[Purchase] = ()
    mrr: float | None = None  # their value attribute, for concentration when purchases carry no amounts
    earlier_purchases: int = 0  # purchases before the start of every period measured, not listed


# ---------------------------------------------------------------- the report

@dataclass(frozen=True)
class Concentration:
    basis: str | None            # "revenue", "mrr" or None (no amounts)
    customers: int               # customers with a positive value, whom the shares are over
    top_share: float | None      # % of the value held by the top 10 % of them
    largest_share: float | None  # % held by the largest one


def concentration(values: Iterable[float], basis: str | None) -> Concentration:
    """Shares of the top 10 % (ceil, at least one) and of the largest among the positive values."""
    positive = [v for v in values if v > 0]
    total = math.fsum(positive)
    if not positive or basis is None:
        return Concentration(None, 0, None, None)
    top = heapq.nlargest(top_count(TOP_SHARE, len(positive)), positive)
    return Concentration(basis, len(positive), 100 * math.fsum(top) / total, 100 * top[0] / total)


@dataclass(frozen=True)
class ContactTimes:
    respondents: int            # unhappy respondents who answered in the period
    contacted: int
    median_days: float | None   # over those contacted
    within_2_days: float | None  # % of the decided ones (contacted, or 2 days over) contacted within 2 days
    pending: int                # not contacted and their 2 days not over yet


@dataclass(frozen=True)
class RetentionReport:
    period: Period
    as_of: datetime              # the end the figures are measured at: min(period end, now)
    customers_start: int         # S
    customers_end: int           # E
    new: int                     # N
    lost: int                    # ended in the period (of S or N)
    lost_new: int                # of them, customers who had started in the period
    purchasers: int
    purchases: int
    repeat_customers: int
    ever_bought: int
    one_and_done: int
    revenue: float | None        # sum of the period's purchase amounts; None when none had an amount
    concentration: Concentration
    contact: ContactTimes
    fixes_shipped: int
    fix_median_days: float | None
    fixes_without_feedback: int

    @property
    def crr(self) -> float | None:
        return percent(self.customers_end - self.new, self.customers_start)

    @property
    def churn_rate(self) -> float | None:
        return percent(self.lost, self.customers_start)

    @property
    def repeat_rate(self) -> float | None:
        return percent(self.repeat_customers, self.purchasers)

    @property
    def purchase_frequency(self) -> float | None:
        return None if self.purchasers == 0 else self.purchases / self.purchasers

    @property
    def one_and_done_share(self) -> float | None:
        return percent(self.one_and_done, self.ever_bought)

    def as_dict(self) -> dict:
        """The CLI's --json contract: these keys, numbers unrounded, times as ISO 8601 strings."""
        return {
            "start": self.period.start.isoformat(), "end": self.period.end.isoformat(),
            "as_of": self.as_of.isoformat(),
            "customers_start": self.customers_start, "customers_end": self.customers_end, "new": self.new,
            "lost": self.lost, "lost_new": self.lost_new, "crr": self.crr, "churn_rate": self.churn_rate,
            "purchasers": self.purchasers, "purchases": self.purchases, "repeat_customers": self.repeat_customers,
            "repeat_rate": self.repeat_rate, "purchase_frequency": self.purchase_frequency,
            "ever_bought": self.ever_bought, "one_and_done": self.one_and_done,
            "one_and_done_share": self.one_and_done_share, "revenue": self.revenue,
            "concentration_basis": self.concentration.basis, "top_10_percent_share": self.concentration.top_share,
            "largest_customer_share": self.concentration.largest_share,
            "unhappy_respondents": self.contact.respondents, "unhappy_contacted": self.contact.contacted,
            "contact_median_days": self.contact.median_days,
            "contacted_within_2_days": self.contact.within_2_days, "contact_pending": self.contact.pending,
            "fixes_shipped": self.fixes_shipped, "fix_median_days": self.fix_median_days,
            "fixes_without_feedback": self.fixes_without_feedback,
        }


def top_count(share: float, n: int) -> int:
    """How many of n make the top `share` (rounded up, at least one): 10 % of 30 is 3, not ceil(3.0000000000000004)."""
    return max(1, math.ceil(round(share * n, 9)))


def percent(part: int, whole: int) -> float | None:
    return None if whole == 0 else 100 * part / whole


# The sentence beside each figure, keys as as_dict's: in English for the CLI and the docs; the page keeps a translated
# twin keyed alike (lazy_gettext in its views, as triage.fixes.views does for grid.QUADRANT_ADVICE).
DEFINITIONS = {
    "customers_start": "Customers who had started before the period and had not left before it began.",
    "customers_end": "Customers who had started before the period ended and had not left by then.",
    "new": "Customers whose first day as a customer fell inside the period.",
    "lost": "Customers who left during the period, including new customers who left again.",
    "crr": "Customer retention rate: customers at the end minus new customers, over customers at the start.",
    "churn_rate": "Customers lost during the period over customers at the start; retention and churn add to 100 %.",
    "repeat_rate": "Customers with two or more purchases in the period over customers with at least one.",
    "purchase_frequency": "Purchases in the period per customer who purchased in it.",
    "one_and_done_share": "Customers who have bought exactly once so far over all who have ever bought.",
    "top_10_percent_share": "Share of the period's revenue (or of recurring revenue) held by the top tenth of "
                            "customers.",
    "largest_customer_share": "Share of the period's revenue (or of recurring revenue) held by the largest customer.",
    "contact_median_days": "Median days from an unhappy answer to the team's first contact with that customer.",
    "contacted_within_2_days": "Unhappy respondents the team contacted within two days of their answer.",
    "fix_median_days": "Median days from the first feedback linked to a fix to the fix shipping.",
}


class Accumulator:
    """One period's figures from customers fed one at a time (`add`), unhappy respondents (`add_contact`) and
    shipped fixes (`add_fix`); `result()` may be called at any point."""

    def __init__(self, period: Period, now: datetime):
        self.period, self.now = period, now
        self.as_of = max(period.start, min(period.end, now))
        self.start = self.end = self.new = self.lost = self.lost_new = 0
        self.purchasers = self.purchases = self.repeat_customers = self.ever_bought = self.one_and_done = 0
        self.revenue, self.revenue_values, self.mrr_values = 0.0, array("d"), array("d")
        self.contacted_days: list[float] = []
        self.respondents = self.decided = self.within = self.pending = 0
        self.fixes: list[ShippedFix] = []

    def add(self, customer: CustomerHistory) -> None:
        alive_at_end = self._count_lifetime(customer.lifetime)
        self._count_purchases(customer.purchases, customer.earlier_purchases)
        if alive_at_end and customer.mrr is not None:
            self.mrr_values.append(customer.mrr)

    def _count_lifetime(self, lifetime: Lifetime) -> bool:
        a, b, starts, ends = self.period.start, self.as_of, lifetime.starts, lifetime.ends
        if starts is None or starts >= b:
            return False
        if ends is not None and ends < starts:
            ends = starts
        if starts < a:
            self.start += ends is None or ends >= a
        else:
            self.new += 1
        if ends is not None and a <= ends < b:
            self.lost += 1
            self.lost_new += starts >= a
        alive_at_end = ends is None or ends >= b
        self.end += alive_at_end
        return alive_at_end

    def _count_purchases(self, purchases: Iterable[Purchase], earlier: int) -> None:
        a, b = self.period.start, self.as_of
        in_period, up_to_end = 0, earlier
        amount, has_amount = 0.0, False
        for purchase in purchases:
            if purchase.at < b:
                up_to_end += 1
                if purchase.at >= a:
                    in_period += 1
                    if purchase.amount is not None:
                        amount, has_amount = amount + purchase.amount, True
        if in_period:
            self.purchasers, self.purchases = self.purchasers + 1, self.purchases + in_period
            self.repeat_customers += in_period >= 2
        if up_to_end:
            self.ever_bought += 1
            self.one_and_done += up_to_end == 1
        if has_amount:
            self.revenue += amount
            self.revenue_values.append(amount)

    def add_contact(self, answered_at: datetime, contacted_at: datetime | None) -> None:
        """One unhappy respondent: their answer (counted when in the period) and the team's first contact after
        it (None: not yet; a contact before the answer counts as immediate, one after `now` as none yet)."""
        if answered_at not in self.period or answered_at > self.now:
            return
        self.respondents += 1
        if contacted_at is not None and contacted_at <= self.now:
            delay = max(contacted_at - answered_at, timedelta(0))
            self.contacted_days.append(delay / DAY)
            self.decided += 1
            self.within += delay <= CONTACT_WITHIN
        elif self.now - answered_at > CONTACT_WITHIN:
            self.decided += 1
        else:
            self.pending += 1

    def add_fix(self, first_feedback_at: datetime | None, shipped_at: datetime) -> None:
        """One shipped fix: counted when it shipped in the period (before now)."""
        if shipped_at in self.period and shipped_at <= self.now:
            self.fixes.append(ShippedFix(len(self.fixes), shipped_at, first_feedback_at))

    def result(self) -> RetentionReport:
        basis = "revenue" if self.revenue_values else "mrr" if self.mrr_values else None
        shipped = days_to_ship(self.fixes)
        return RetentionReport(
            self.period, self.as_of, self.start, self.end, self.new, self.lost, self.lost_new, self.purchasers,
            self.purchases, self.repeat_customers, self.ever_bought, self.one_and_done,
            self.revenue if self.revenue_values else None,
            concentration(self.revenue_values if self.revenue_values else self.mrr_values, basis),
            ContactTimes(self.respondents, len(self.contacted_days),
                         statistics.median(self.contacted_days) if self.contacted_days else None,
                         percent(self.within, self.decided), self.pending),
            len(self.fixes), shipped.median, shipped.without_feedback)


def report(period: Period, customers: Iterable[CustomerHistory], *, now: datetime,
           contacts: Iterable[tuple[datetime, datetime | None]] = (),
           fixes: Iterable[tuple[datetime | None, datetime]] = ()) -> RetentionReport:
    """The figures of one period. contacts: (answered_at, first contacted_at) per unhappy respondent; fixes:
    (first feedback answered_at, shipped_at) per shipped fix."""
    return trend([period], customers, now=now, contacts=contacts, fixes=fixes)[0]


class TrendAccumulator:
    """Several periods (e.g. `months(...)`) from one pass over the customers: each is fed to every period."""

    def __init__(self, periods: Sequence[Period], now: datetime):
        self.accumulators = [Accumulator(period, now) for period in periods]

    def add(self, customer: CustomerHistory) -> None:
        for accumulator in self.accumulators:
            accumulator.add(customer)

    def add_contact(self, answered_at: datetime, contacted_at: datetime | None) -> None:
        for accumulator in self.accumulators:
            accumulator.add_contact(answered_at, contacted_at)

    def add_fix(self, first_feedback_at: datetime | None, shipped_at: datetime) -> None:
        for accumulator in self.accumulators:
            accumulator.add_fix(first_feedback_at, shipped_at)

    def result(self) -> list[RetentionReport]:
        return [accumulator.result() for accumulator in self.accumulators]


def trend(periods: Sequence[Period], customers: Iterable[CustomerHistory], *, now: datetime,
          contacts: Iterable[tuple[datetime, datetime | None]] = (),
          fixes: Iterable[tuple[datetime | None, datetime]] = ()) -> list[RetentionReport]:
    """The figures of each period, in the order given."""
    accumulator = TrendAccumulator(periods, now)
    for customer in customers:
        accumulator.add(customer)
    for answered_at, contacted_at in contacts:
        accumulator.add_contact(answered_at, contacted_at)
    for first_feedback_at, shipped_at in fixes:
        accumulator.add_fix(first_feedback_at, shipped_at)
    return accumulator.result()
