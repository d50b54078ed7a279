"""A customer's lifecycle stage — new, active, silent, at_risk, lost — and the moves between stages per month.

PURE: standard library and the pure retention.kpis only. The scheduler decides every customer's stage with
`stage_of` once a day; the page, the Save list and the digest read the decision. The rule, first match wins:

1. lost — their lifetime ended at or before now: `ended_at` ≤ now, or a cancel (≤ now) with no activity after
   it (the lifetime rule of retention.kpis.lifetime_of). An end still ahead changes nothing yet.
2. new, not started — `customer_since` is after now: nothing else can be judged yet.
3. at_risk — unhappy recently: their latest unhappy answer or feedback is at most `unhappy_days` old and no happy
   answer came after it; or silent (rule 4) and unhappy within `silent_unhappy_days`.
4. silent — quiet for longer than their OWN rhythm allows while the account is open. Activity is counted in
   distinct days (ten logins on a Monday are one active day); their usual gap is the median of the gaps between
   their last up to `rhythm_gaps` + 1 active days, known once they have `min_active_days` of them. Quiet = whole
   calendar days from their last active day (or their start's day, when later) to today. Silent when quiet >
   max(`silent_factor` × usual gap, `silent_floor_days`). With fewer active days than a rhythm needs: silent
   when quiet > `no_rhythm_silent_days`. With no activity at all: never silent unless `never_active_silent_days`
   is set (a team that imports no activity would otherwise see everyone go silent).
5. new — started less than `new_days` ago.
6. active — everyone else.

So weekly activity that stops for six weeks is silent (42 quiet days > max(3 × 7, 14) = 21), and monthly activity
three weeks after the last one is not (21 ≤ max(3 × 30, 14) = 90). Activities, answers and cancels after `now`
are ignored. The decision carries a machine reason and its numbers (whole days quiet, the usual gap…), never
English: the page turns them into a translated sentence.
"""
from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterable, Sequence

from retention.kpis import DAY, lifetime_of

STAGES = ("new", "active", "silent", "at_risk", "lost")

# Reasons, per stage (the page's sentences are keyed by them).
ENDED, CANCELLED = "ended", "cancelled"                                       # lost
STARTS_LATER, JOINED_RECENTLY = "starts_later", "joined_recently"             # new
UNHAPPY_RECENTLY, SILENT_AND_UNHAPPY = "unhappy_recently", "silent_and_unhappy"  # at_risk
QUIET_AGAINST_RHYTHM, QUIET_WITHOUT_RHYTHM, NEVER_ACTIVE = (                  # silent
    "quiet_against_rhythm", "quiet_without_rhythm", "never_active")
IN_RHYTHM, NO_ACTIVITY = "in_rhythm", "no_activity"                           # active


@dataclass(frozen=True)
class StageSettings:
    """The rule's thresholds, in days (defaults suit a product used weekly to monthly)."""
    new_days: int = 30                # a customer is new for their first 30 days
    silent_factor: float = 3.0        # quiet for more than 3 of their usual gaps…
    silent_floor_days: int = 14       # …and never for less than two weeks (daily users are not silent after 3 days)
    rhythm_gaps: int = 6              # the usual gap is the median of their last 6 gaps (it follows a changed habit)
    min_active_days: int = 3          # two gaps at least before a rhythm is believed
    no_rhythm_silent_days: int = 60   # quiet for two months with too little history to know a rhythm
    never_active_silent_days: int | None = None  # None: no activity at all never makes a customer silent
    unhappy_days: int = 90            # an unhappy answer puts a customer at risk for a quarter…
    silent_unhappy_days: int = 365    # …and for a year if they have also gone silent

    def __post_init__(self):
        for name in ("new_days", "silent_floor_days", "no_rhythm_silent_days", "unhappy_days",
                     "silent_unhappy_days"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} cannot be negative")
        if self.never_active_silent_days is not None and self.never_active_silent_days < 0:
            raise ValueError("never_active_silent_days cannot be negative")
        if not self.silent_factor > 0:
            raise ValueError("silent_factor must be above zero")
        if self.rhythm_gaps < 1:
            raise ValueError("rhythm_gaps must be at least 1")
        if not 2 <= self.min_active_days <= self.rhythm_gaps + 1:
            raise ValueError("min_active_days must be between 2 and rhythm_gaps + 1")


@dataclass(frozen=True)
class CustomerFacts:
    """What the rule reads of one customer. activity_times: their activities of any kind but cancel, oldest first
    (only the last rhythm_gaps + 1 active days matter, so a caller may pass just the latest few dozen).
    last_unhappy_at: their latest unhappy survey answer or problem feedback; last_happy_at: their latest happy
    answer (it clears an earlier unhappy one). cancelled_at: their latest cancel activity."""
    customer_since: datetime | None = None
    ended_at: datetime | None = None
    activity_times: Sequence[datetime] = ()
    last_unhappy_at: datetime | None = None
    cancelled_at: datetime | None = None
    last_happy_at: datetime | None = None


@dataclass(frozen=True)
class StageDecision:
    stage: str
    reason: str
    numbers: tuple[tuple[str, float | int | None], ...] = ()  # e.g. (("days_quiet", 42), ("usual_gap", 7.0))

    def detail(self) -> dict[str, float | int | None]:
        return dict(self.numbers)


@dataclass(frozen=True)
class Quiet:
    """How quiet a customer is against their rhythm (usual_gap None: no rhythm known)."""
    days: int
    usual_gap: float | None
    threshold: float
    reason: str

    @property
    def silent(self) -> bool:
        return self.days > self.threshold

    def numbers(self) -> tuple[tuple[str, float | int | None], ...]:
        return (("days_quiet", self.days), ("usual_gap", self.usual_gap), ("threshold_days", self.threshold))


def active_days(times: Iterable[datetime]) -> list[date]:
    """The distinct days with activity, oldest first."""
    return sorted({moment.date() for moment in times})


def usual_gap(days: Sequence[date], settings: StageSettings) -> float | None:
    """Median of the gaps between the last rhythm_gaps + 1 active days; None below min_active_days of them."""
    if len(days) < settings.min_active_days:
        return None
    recent = days[-(settings.rhythm_gaps + 1):]
    return float(statistics.median((later - earlier).days for earlier, later in zip(recent, recent[1:])))


def quiet_of(days: Sequence[date], starts: datetime | None, now: datetime, settings: StageSettings) -> Quiet | None:
    """Their silence in whole calendar days, from their last active day (or their start's day when later) to
    today; None when there is nothing to measure from."""
    if not days:
        if starts is None or settings.never_active_silent_days is None:
            return None
        return Quiet((now.date() - starts.date()).days, None, float(settings.never_active_silent_days), NEVER_ACTIVE)
    since = max(days[-1], starts.date()) if starts is not None else days[-1]
    quiet = max((now.date() - since).days, 0)
    gap = usual_gap(days, settings)
    if gap is None:
        return Quiet(quiet, None, float(settings.no_rhythm_silent_days), QUIET_WITHOUT_RHYTHM)
    return Quiet(quiet, gap, max(settings.silent_factor * gap, float(settings.silent_floor_days)),
                 QUIET_AGAINST_RHYTHM)


def unhappy_age(facts: CustomerFacts, now: datetime) -> float | None:
    """Days since their latest unhappy answer, unless a happy one came after it (None: not unhappy)."""
    unhappy, happy = facts.last_unhappy_at, facts.last_happy_at
    if unhappy is None or unhappy > now or (happy is not None and unhappy < happy <= now):
        return None
    return (now - unhappy) / DAY


def stage_of(facts: CustomerFacts, now: datetime, settings: StageSettings = StageSettings()) -> StageDecision:
    """The stage of one customer now (the rule in the module's docstring)."""
    times = [moment for moment in facts.activity_times if moment <= now]
    days = active_days(times)
    cancelled_at = facts.cancelled_at if facts.cancelled_at is not None and facts.cancelled_at <= now else None
    lifetime = lifetime_of(facts.customer_since, facts.ended_at, min(times, default=None), cancelled_at,
                           max(times, default=None))
    starts = lifetime.starts
    # The team's ended_at as recorded (even before a start it gives: bad data, still their word), else the cancel.
    ends = facts.ended_at if facts.ended_at is not None else lifetime.ends
    if ends is not None and ends <= now:
        reason = ENDED if facts.ended_at is not None else CANCELLED
        return StageDecision("lost", reason, (("days_since_end", int((now - ends) / DAY)),))
    if starts is not None and starts > now:
        return StageDecision("new", STARTS_LATER, (("days_until_start", int((starts - now) / DAY)),))
    quiet = quiet_of(days, starts, now, settings)
    unhappy = unhappy_age(facts, now)
    if unhappy is not None and unhappy <= settings.unhappy_days:
        return StageDecision("at_risk", UNHAPPY_RECENTLY, (("days_since_unhappy", int(unhappy)),))
    silent = quiet is not None and quiet.silent
    if silent and unhappy is not None and unhappy <= settings.silent_unhappy_days:
        return StageDecision("at_risk", SILENT_AND_UNHAPPY, quiet.numbers() + (("days_since_unhappy", int(unhappy)),))
    if silent:
        return StageDecision("silent", quiet.reason, quiet.numbers())
    if starts is not None and (now - starts) < settings.new_days * DAY:
        return StageDecision("new", JOINED_RECENTLY, (("days_since_start", int((now - starts) / DAY)),))
    if not days:
        return StageDecision("active", NO_ACTIVITY)
    return StageDecision("active", IN_RHYTHM, quiet.numbers())


def count_stages(stages: Iterable[str]) -> dict[str, int]:
    """Customers per stage, every stage present (zeros included), in STAGES order."""
    counted = Counter(stages)
    return {stage: counted.get(stage, 0) for stage in STAGES}


# ---------------------------------------------------------------- moves between stages

@dataclass(frozen=True)
class Moves:
    month: date                 # the 1st of the month
    from_stage: str | None      # None: the customer's first stage
    to_stage: str
    count: int


def transitions(history: Iterable[tuple[datetime, str | None, str]]) -> list[Moves]:
    """(at, from, to) stage changes → how many moved from one stage to another per month, oldest month first,
    then in STAGES order (unknown stages after, a first stage before all). A "change" to the same stage is none."""
    counted = Counter((date(at.year, at.month, 1), before, after) for at, before, after in history if before != after)
    return [Moves(month, before, after, n) for (month, before, after), n in
            sorted(counted.items(), key=lambda item: (item[0][0], _order(item[0][1]), _order(item[0][2])))]


def _order(stage: str | None) -> tuple[int, str]:
    if stage is None:
        return (-1, "")
    return (STAGES.index(stage), "") if stage in STAGES else (len(STAGES), stage)
