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
    contributions: tuple[Contribution, ...] = field(default_factory=tuple)
    overridden: bool = False

    @property
    def evidence_sum(self) -> float:
        return sum(c.weight for c in self.contributions)


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
    computed = round(100.0 * (1.0 - math.exp(-total / policy.saturation)), 1)
    value = computed if override is None else round(min(100.0, max(0.0, override)), 1)
    return Impact(value, computed, len(contributions), contributions, override is not None)


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
