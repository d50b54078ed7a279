"""Impact from evidence, the cost/impact quadrant, and the ranked queue of fixes.

PURE: standard library only. Every number a triager sees on a fix page comes from here, with its
breakdown, so the formula can be read, tested and explained in one place (docs/architecture.md).

Impact of a fix = 100 · (1 − e^(−E / saturation)), where E sums, over the DISTINCT respondents whose
verbatims are linked to it, unhappiness × value × recency (each respondent counted once, by their
strongest piece of evidence):

- unhappiness: 1 at the bottom of the respondent's scale, 0.25 at the top (a happy customer asking
  for something still counts, a quarter as much); 0.6 when there is no score (channel feedback);
- value: (attribute / reference)^½, clipped to 0.5–3, when the customer has the configured value
  attribute (e.g. `mrr`) and a reference (the median over customers) exists; otherwise 1;
- recency: halves every `half_life_days` since the answer.

The saturating curve keeps impact on 0–100, so quadrant thresholds mean the same on every team:
with the default saturation of 8, four very unhappy average customers make 39 (high impact from
35 by default), ten make 71.

Stored figures (triage.fixes.evidence keeps them, a cache of this module): recency is 2^(−(now − t)/h) for
every piece of evidence alike, so
    Σ unhappiness·value·2^(−(now − t)/h) = 2^(−(now − EPOCH)/h) · Σ unhappiness·value·2^((t − EPOCH)/h),
and the sum on the right does not depend on `now`; nor does which answer is a respondent's strongest
(the greatest `strength`). A fix's evidence therefore reduces to a `Summary` that changes only when its
links, answers or customers change, and impact at any moment is read from it (`impact_of`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, Sequence

QUADRANTS = ("quick_win", "major_project", "fill_in", "time_sink")  # the queue's order
QUADRANT_ADVICE = {"quick_win": "do now", "major_project": "next", "fill_in": "soon", "time_sink": "someday"}
COSTS = range(1, 6)
NO_SCORE_UNHAPPINESS = 0.6
HAPPIEST_WEIGHT = 0.25


@dataclass(frozen=True)
class Policy:
    """The team's settings for impact and the grid (config: FEEDBACK_IMPACT_*, FEEDBACK_COST_HIGH_FROM)."""
    high_impact_from: float = 35.0
    high_cost_from: int = 3
    saturation: float = 8.0
    half_life_days: float = 90.0


@dataclass(frozen=True)
class Evidence:
    """One linked verbatim, reduced to what impact needs."""
    respondent: str              # stable identity: one customer counts once, however often they wrote
    score: int | None
    scale: tuple[int, int] | None  # (low, high) of the score's kind
    answered_at: datetime
    value: float | None = None    # the customer's value attribute, e.g. mrr


@dataclass(frozen=True)
class Contribution:
    respondent: str
    unhappiness: float
    value: float
    recency: float

    @property
    def weight(self) -> float:
        return self.unhappiness * self.value * self.recency


@dataclass(frozen=True)
class Impact:
    value: float                       # 0–100, what the grid uses
    computed: float                    # what the evidence says, before any override
    respondents: int
    evidence_sum: float = 0.0          # E, over every respondent
    # The strongest respondents first: all of them from `impact`, a page of them from stored figures.
    contributions: tuple[Contribution, ...] = field(default_factory=tuple)
    overridden: bool = False


def unhappiness(score: int | None, scale: tuple[int, int] | None) -> float:
    if score is None or scale is None or scale[1] <= scale[0]:
        return NO_SCORE_UNHAPPINESS
    position = (min(max(score, scale[0]), scale[1]) - scale[0]) / (scale[1] - scale[0])
    return 1.0 - (1.0 - HAPPIEST_WEIGHT) * position


def value_weight(value: float | None, reference: float | None) -> float:
    if value is None or not reference or reference <= 0 or value < 0:
        return 1.0
    return min(3.0, max(0.5, math.sqrt(value / reference)))


def recency(answered_at: datetime, now: datetime, half_life_days: float) -> float:
    age_days = max(0.0, (now - answered_at).total_seconds() / 86400)
    return 0.5 ** (age_days / half_life_days)


def impact(evidence: Iterable[Evidence], now: datetime, policy: Policy = Policy(),
           reference_value: float | None = None, override: float | None = None) -> Impact:
    strongest: dict[str, Contribution] = {}
    for item in evidence:
        contribution = Contribution(item.respondent, unhappiness(item.score, item.scale),
                                    value_weight(item.value, reference_value),
                                    recency(item.answered_at, now, policy.half_life_days))
        best = strongest.get(item.respondent)
        if best is None or contribution.weight > best.weight:
            strongest[item.respondent] = contribution
    contributions = tuple(sorted(strongest.values(), key=lambda c: -c.weight))
    total = sum(c.weight for c in contributions)
    return _impact(total, len(contributions), policy, override, contributions)


def _impact(total: float, respondents: int, policy: Policy, override: float | None,
            contributions: tuple[Contribution, ...] = ()) -> Impact:
    computed = round(100.0 * (1.0 - math.exp(-total / policy.saturation)), 1)
    value = computed if override is None else round(min(100.0, max(0.0, override)), 1)
    return Impact(value, computed, respondents, total, contributions, override is not None)


# ---------------------------------------------------------------- stored figures: impact without `now`

EPOCH = datetime(2000, 1, 1)  # any fixed moment will do: stored sums are scaled to it, never to `now`
LOG2_VALUE_RANGE = (math.log2(0.5), math.log2(3.0))  # value_weight's clipping, in log2
NO_LOG_VALUE_ABOVE_ZERO = -1e9   # log2 of a zero value: below any reference, so clipped to 0.5


def days_since_epoch(moment: datetime) -> float:
    return (moment - EPOCH).total_seconds() / 86400


def strength(unhappiness_: float, answered_at: datetime, half_life_days: float) -> float:
    """log2 of unhappiness × 2^((answered_at − EPOCH)/h): a respondent's answers ordered by it are ordered
    by weight at any moment (their value is the same and they all age alike)."""
    return math.log2(unhappiness_) + days_since_epoch(answered_at) / half_life_days


def log_value(value: float | None) -> float | None:
    """log2 of a value attribute, as the database orders by it (see value_exponent); None where
    value_weight ignores the value (unknown, or negative)."""
    if value is None or value < 0:
        return None
    return math.log2(value) if value > 0 else NO_LOG_VALUE_ABOVE_ZERO


def value_exponent(log_value_: float | None, reference: float | None) -> float:
    """log2(value_weight(value, reference)) from log_value(value): what the database adds to `strength`
    to order a fix's respondents by weight."""
    if log_value_ is None or not reference or reference <= 0:
        return 0.0
    low, high = LOG2_VALUE_RANGE
    return min(high, max(low, 0.5 * (log_value_ - math.log2(reference))))


@dataclass(frozen=True)
class Strongest:
    """One respondent of a fix, by their strongest linked answer: what is stored per person."""
    respondent: str
    response_id: int
    unhappiness: float
    answered_at: datetime
    strength: float
    value: float | None


def strongest(evidence: Iterable[tuple[int, Evidence]], half_life_days: float) -> dict[str, Strongest]:
    """(response id, evidence) → each respondent's strongest answer (the first of equals, as `impact`)."""
    found: dict[str, Strongest] = {}
    for response_id, item in evidence:
        u = unhappiness(item.score, item.scale)
        candidate = Strongest(item.respondent, response_id, u, item.answered_at,
                              strength(u, item.answered_at, half_life_days), item.value)
        best = found.get(item.respondent)
        if best is None or candidate.strength > best.strength:
            found[item.respondent] = candidate
    return found


def reference_of(values: Iterable[float | None]) -> float | None:
    """The median of the positive values (one per customer): "a typical respondent" weighs 1."""
    positive = sorted(v for v in values if v is not None and v > 0)
    if not positive:
        return None
    middle = len(positive) // 2
    return positive[middle] if len(positive) % 2 else (positive[middle - 1] + positive[middle]) / 2


@dataclass(frozen=True)
class Summary:
    """A fix's evidence in figures that do not change with `now`:
    E(now) = weight_sum × 2^(exponent − days_since_epoch(now) / half-life)."""
    respondents: int = 0
    weight_sum: float = 0.0       # Σ 2^(strength + log2 value − exponent): between 1 and respondents
    exponent: float = 0.0         # the greatest strength + log2 value, so the sum never overflows
    latest_at: datetime | None = None  # the newest strongest answer

    def fresh_at(self, now: datetime) -> bool:
        """False when an answer is dated after `now`: recency is clipped to 1 there, which the stored
        sum cannot know, so the impact is computed from the evidence itself (clock skew; rare)."""
        return self.latest_at is None or self.latest_at <= now


def summarise(people: Iterable[Strongest], reference: float | None) -> Summary:
    people = list(people)
    if not people:
        return Summary()
    terms = [p.strength + math.log2(value_weight(p.value, reference)) for p in people]
    exponent = max(terms)
    return Summary(len(people), sum(2.0 ** (t - exponent) for t in terms), exponent,
                   max(p.answered_at for p in people))


def evidence_at(summary: Summary, now: datetime, half_life_days: float) -> float:
    if not summary.respondents:
        return 0.0
    return summary.weight_sum * 2.0 ** (summary.exponent - days_since_epoch(now) / half_life_days)


def impact_of(summary: Summary, now: datetime, policy: Policy = Policy(), override: float | None = None,
              contributions: tuple[Contribution, ...] = ()) -> Impact:
    """The same Impact as `impact` over the same evidence (to float rounding), from stored figures."""
    return _impact(evidence_at(summary, now, policy.half_life_days), summary.respondents, policy, override,
                   contributions)


def contribution(person: Strongest, reference: float | None, now: datetime, half_life_days: float) -> Contribution:
    return Contribution(person.respondent, person.unhappiness, value_weight(person.value, reference),
                        recency(person.answered_at, now, half_life_days))


def quadrant(cost: int, impact_value: float, policy: Policy = Policy()) -> str:
    high_impact = impact_value >= policy.high_impact_from
    if cost < policy.high_cost_from:
        return "quick_win" if high_impact else "fill_in"
    return "major_project" if high_impact else "time_sink"


@dataclass(frozen=True)
class Placed:
    """A fix as the queue sees it."""
    id: int
    cost: int
    impact: float
    respondents: int


def rank(fixes: Sequence[Placed], policy: Policy = Policy()) -> list[tuple[int, Placed, str]]:
    """(rank from 1, fix, quadrant): by quadrant in QUADRANTS order, then impact per unit of cost,
    then more respondents, then the older fix (lower id) so the order never flickers."""
    def key(fix: Placed):
        return (QUADRANTS.index(quadrant(fix.cost, fix.impact, policy)), -fix.impact / fix.cost,
                -fix.respondents, fix.id)
    ordered = sorted(fixes, key=key)
    return [(position, fix, quadrant(fix.cost, fix.impact, policy)) for position, fix in enumerate(ordered, 1)]
