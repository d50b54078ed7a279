"""The dashboard's numbers: the period shown, answers per type by week, and the closing-the-loop metrics.

PURE: standard library and the pure surveys.scales.scoring, feedback_app.core.numbers, triage.classification.types and
triage.loop.policy only. The
dashboard's queries hand in plain facts; every definition shown on the page is decided (and tested) here:

- Unhappy respondents contacted: among the distinct respondents with at least one answer in the
  period that awaits a call (triage.loop.policy.awaits_a_call: unhappy, a comment that is no praise, opted in to be
  contacted),
  the share for whom a team member marked one of those answers "contacted", or who were sent (and
  the outbox delivered) the news of a fix that one of those answers supports. Kept per person (Reach,
  by triage.loop.reach) so a period's figure is a sum over its weeks.
- Median days from first feedback to shipped fix: over the fixes shipped in the period (and still
  shipped), the median of shipped_at − the earliest answered_at of their linked verbatims. A fix
  with no linked verbatim from before it shipped has no such delay and is counted apart.
- Respondents told: distinct customers with a delivered "fix planned" or "fix shipped" email queued
  in the period; emails still waiting and emails that failed are counted beside it.
"""
from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Iterable, Mapping, Sequence

from feedback_app.core.numbers import whole_number
from surveys.scales.scoring import week_start
from triage.classification.types import is_problem
from triage.loop.policy import LOOP_EVENTS, awaits_a_call

PERIODS = (4, 12, 52)  # weeks the team can choose between
DEFAULT_WEEKS = 12

# The outbox's status names for a delivered and a given-up email; any other status is still waiting.
DELIVERED, FAILED, SUPPRESSED = "sent", "failed", "suppressed"


# ---------------------------------------------------------------- the period

@dataclass(frozen=True)
class Period:
    """Whole ISO weeks ending with the current one: `weeks` Mondays, the first at `start` (00:00)."""
    weeks: int
    start: datetime
    end: datetime
    week_starts: tuple[date, ...]


def parse_weeks(raw: str | None) -> int | None:
    """The chosen period from a query string, or None when it is not one of PERIODS."""
    weeks = whole_number(raw)  # not int(): thousands of digits make it raise
    return weeks if weeks in PERIODS else None


def period(now: datetime, weeks: int = DEFAULT_WEEKS) -> Period:
    first = week_start(now) - timedelta(weeks=weeks - 1)
    return Period(weeks, datetime.combine(first, time()), now,
                  tuple(first + timedelta(weeks=i) for i in range(weeks)))


# ---------------------------------------------------------------- answers per type over time

@dataclass(frozen=True)
class TypeSeries:
    key: str | None          # None: no type (not classified yet, or nothing to classify)
    counts: tuple[int, ...]  # one per week of the period

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class TypesOverTime:
    weeks: tuple[date, ...]
    series: tuple[TypeSeries, ...]

    @property
    def week_totals(self) -> tuple[int, ...]:
        return tuple(sum(s.counts[i] for s in self.series) for i in range(len(self.weeks)))

    @property
    def total(self) -> int:
        return sum(s.total for s in self.series)


def answers_per_type(rows: Iterable[tuple[datetime, str | None]], weeks: Sequence[date],
                     type_order: Sequence[str]) -> TypesOverTime:
    """Count verbatims per (week, type). rows: (answered_at, type key)."""
    return types_per_week(Counter((week_start(answered_at), key) for answered_at, key in rows), weeks, type_order)


def types_per_week(counted: Mapping[tuple[date, str | None], int], weeks: Sequence[date],
                   type_order: Sequence[str]) -> TypesOverTime:
    """Verbatims per (week, type) as series over the weeks: the problems. Weeks outside them are left out; types
    without any verbatim in them too, and praise (nothing to fix: praise_in counts it apart). Order: the team's
    type order, then any other key, then "no type" last."""
    index = {week: i for i, week in enumerate(weeks)}
    counts: dict[str | None, list[int]] = {}
    for (week, key), n in counted.items():
        slot = index.get(week)
        if slot is not None and n and is_problem(key):
            counts.setdefault(key, [0] * len(weeks))[slot] += n
    known = [k for k in type_order if k in counts]
    others = sorted(k for k in counts if k is not None and k not in type_order)
    keys = known + others + ([None] if None in counts else [])
    return TypesOverTime(tuple(weeks), tuple(TypeSeries(k, tuple(counts[k])) for k in keys))


def praise_in(counted: Mapping[tuple[date, str | None], int], weeks: Sequence[date]) -> int:
    """How many verbatims of these weeks are praise (of the same counts as types_per_week)."""
    wanted = set(weeks)
    return sum(n for (week, key), n in counted.items() if week in wanted and not is_problem(key))


# ---------------------------------------------------------------- closing the loop

@dataclass(frozen=True)
class LoopAnswer:
    """One answer of the period, as the contact metric sees it."""
    respondent: str        # "customer:<id>", or "response:<id>" for feedback nobody can be traced to
    kind: str | None
    score: int | None
    has_comment: bool
    may_contact: bool
    contacted: bool        # a team member marked it contacted
    told: bool             # its respondent was sent news (delivered) of a fix this answer supports
    type_key: str | None = None  # its verbatim's type; None: not classified yet


@dataclass(frozen=True)
class Share:
    part: int
    whole: int

    @property
    def percent(self) -> float | None:
        return None if self.whole == 0 else 100 * self.part / self.whole


def awaits_contact(answer: LoopAnswer) -> bool:
    """Someone the team should reach: unhappy, wrote why (of a problem: praise awaits no call, as
    triage.loop.policy decides), and said we may contact them."""
    return awaits_a_call(answer.kind, answer.score, answer.has_comment, answer.may_contact, answer.type_key)


def contacted_share(answers: Iterable[LoopAnswer]) -> Share:
    """Per respondent, not per answer: one person with three angry answers is one person to call."""
    return reached_share((answer.respondent, answer.contacted or answer.told)
                         for answer in answers if awaits_contact(answer))


def reached_share(answers: Iterable[tuple[str, bool]]) -> Share:
    """The same share from (respondent, reached) pairs of answers already known to await a call (the sweep
    marks them): one person with three angry answers is one person to call, reached if any was."""
    reached: dict[str, bool] = {}
    for respondent, was_reached in answers:
        reached[respondent] = reached.get(respondent, False) or was_reached
    return Share(sum(reached.values()), len(reached))


# The same share, kept per person. A period always ends now, so a person has an answer awaiting a call in
# it exactly when their LATEST such answer falls in it, and was reached through one of them exactly when
# their latest reached one does. Two weeks per person say it for every period; counting people by those
# weeks makes a period's figure a sum over its weeks, however many answers it holds (triage.loop.reach).
AWAITING, REACHED = "awaiting", "reached"  # which latest week a count of people is by


@dataclass(frozen=True)
class Reach:
    """One person, as the kept figure knows them: the week of their latest answer awaiting a call, and of
    their latest such answer that reached them (contacted, or told of a fix it supports; None: none did)."""
    awaiting_week: date
    reached_week: date | None

    def counted(self, first_week: date) -> tuple[int, int]:
        """(1 if they are among the people of the period from first_week on, 1 if among those reached)."""
        return (int(self.awaiting_week >= first_week),
                int(self.reached_week is not None and self.reached_week >= first_week))


def latest_reach(answers: Iterable[tuple[str, datetime, bool]]) -> dict[str, Reach]:
    """(respondent, answered_at, reached) of answers awaiting a call → each respondent's Reach."""
    latest: dict[str, tuple[date, date | None]] = {}
    for respondent, answered_at, reached in answers:
        week = week_start(answered_at)
        awaiting, reached_week = latest.get(respondent, (week, None))
        latest[respondent] = (max(awaiting, week),
                              max(reached_week or week, week) if reached else reached_week)
    return {respondent: Reach(*weeks) for respondent, weeks in latest.items()}


def reach_deltas(before: Mapping[str, Reach], after: Mapping[str, Reach]) -> Counter:
    """How the people counted per (week, AWAITING | REACHED) move when people go from `before` to `after`
    (someone missing from one of them has no answer awaiting a call there)."""
    deltas: Counter = Counter()
    for respondent in before.keys() | after.keys():
        for reach, sign in ((before.get(respondent), -1), (after.get(respondent), +1)):
            if reach is not None:
                deltas[(reach.awaiting_week, AWAITING)] += sign
                if reach.reached_week is not None:
                    deltas[(reach.reached_week, REACHED)] += sign
    return Counter({key: n for key, n in deltas.items() if n})  # a person who did not change moves nothing


def kept_share(counted: Mapping[str, int], first_week: date,
               corrections: Iterable[tuple[Reach | None, Reach | None]] = ()) -> Share:
    """The share over the period from first_week on, from the people counted by their latest weeks in it
    (counted[AWAITING], counted[REACHED]), corrected by (kept, current) Reach of people whose answers the
    sweep has yet to mark."""
    whole, part = counted.get(AWAITING, 0), counted.get(REACHED, 0)
    for kept, current in corrections:
        for reach, sign in ((kept, -1), (current, +1)):
            if reach is not None:
                person, reached = reach.counted(first_week)
                whole, part = whole + sign * person, part + sign * reached
    return Share(part, whole)


@dataclass(frozen=True)
class ShippedFix:
    fix_id: int
    shipped_at: datetime
    first_feedback_at: datetime | None  # the earliest answered_at among its linked verbatims


@dataclass(frozen=True)
class DaysToShip:
    median: float | None
    fixes: int              # shipped fixes the median is taken over
    without_feedback: int   # shipped fixes with no linked feedback from before they shipped


def days_to_ship(fixes: Iterable[ShippedFix]) -> DaysToShip:
    days, without = [], 0
    for fix in fixes:
        if fix.first_feedback_at is None or fix.first_feedback_at > fix.shipped_at:
            without += 1
        else:
            days.append((fix.shipped_at - fix.first_feedback_at).total_seconds() / 86400)
    return DaysToShip(statistics.median(days) if days else None, len(days), without)


@dataclass(frozen=True)
class Told:
    respondents: int  # distinct customers with at least one delivered fix email
    waiting: int      # emails queued or being sent
    failed: int       # emails the outbox gave up on


def customer_of(key: str) -> int | None:
    """The customer a fix email went to, read from its outbox key (triage.loop.policy.loop_email_key)."""
    event, _, rest = key.partition(":")
    customer = rest.rpartition(":")[2]
    return int(customer) if event in LOOP_EVENTS.values() and customer.isdigit() else None


def told(emails: Iterable[tuple[str, str]]) -> Told:
    """emails: (outbox key, status) of the fix emails queued in the period."""
    reached, waiting, failed = set(), 0, 0
    for key, status in emails:
        customer = customer_of(key)
        if customer is None:
            continue
        if status == SUPPRESSED:
            continue  # deliberately never sent (their data was erased): neither waiting nor failed
        if status == DELIVERED:
            reached.add(customer)
        elif status == FAILED:
            failed += 1
        else:
            waiting += 1
    return Told(len(reached), waiting, failed)
