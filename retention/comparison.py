"""Does closing the loop keep customers? Retention of told and not-told respondents, and retention by NPS band.

PURE: standard library and the pure surveys.scales (bands, NPS buckets, the 95 % z) only.

It is an observational comparison, never a proof: respondents whose feedback led to a shipped fix and who were
told differ from the others in ways no stratum captures (what they asked for, how engaged they were). The page
must say so beside the figures; `caveat` adds when the numbers are too few to read at all.

- Retained at a horizon (90 or 180 days): still a customer that many days after their answer (`retained_after`);
  None while the horizon is still ahead — such respondents are left out of that horizon's n.
- A proportion's 95 % interval is Wilson's (honest near 0 % and 100 % and for small n); the difference of two
  proportions' interval is Newcombe's hybrid score interval (method 10 of Newcombe 1998), built from the two
  Wilson intervals.
- Told against not told, like with like: respondents carry a stratum (`stratum_of`: same kind, same score band,
  same quarter). Only strata holding both told and not-told respondents are compared. The told group's retention
  is its own; the not-told group's is directly standardised to the told group's mix of strata (each stratum's
  not-told rate weighted by its share of the told respondents), so a difference is not merely that told
  respondents were, say, more often promoters. The standardised rate's interval is Wilson's at its effective n
  (p(1 − p) / its variance Σ w² p(1 − p) / n, at most the respondents counted; their number when the variance is
  zero) — an approximation, stated as such.
- caveat: "no_comparable_strata" when no stratum has both groups, "small_sample" when either group has fewer than
  30 respondents in the compared strata; otherwise None.

Rates, intervals and differences are percentages (0–100; the difference in percentage points).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Hashable, Iterable, Mapping

from surveys.scales.kinds import band
from surveys.scales.scoring import MIN_RELIABLE_N, Z95, nps_bucket

HORIZONS = (90, 180)
NO_COMPARABLE_STRATA, SMALL_SAMPLE = "no_comparable_strata", "small_sample"
NPS_BANDS = ("detractor", "passive", "promoter")


# ---------------------------------------------------------------- proportions and their intervals

def wilson(p: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a proportion p (0–1) over n (> 0; it may be an effective, fractional n)."""
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(max(p * (1 - p), 0.0) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    # Mathematically the interval holds p (and reaches 0 or 1 when p does); rounding must not say otherwise.
    return max(min(centre - half, p), 0.0), min(max(centre + half, p), 1.0)


@dataclass(frozen=True)
class Proportion:
    n: int                     # respondents counted
    retained: float            # how many were retained (standardised: the rate × n, so it may be fractional)
    value: float | None        # %
    low: float | None          # % (95 % Wilson)
    high: float | None

    @property
    def reliable(self) -> bool:
        return self.n >= MIN_RELIABLE_N


def proportion(retained: int, n: int) -> Proportion:
    if not 0 <= retained <= n:
        raise ValueError("retained must be between 0 and n")
    return rate_with_interval(retained / n if n else None, n, n)


def rate_with_interval(p: float | None, n: int, effective_n: float) -> Proportion:
    """A rate p (0–1) of n respondents, its interval at effective_n."""
    if p is None or n == 0 or effective_n <= 0:
        return Proportion(n, 0, None, None, None)
    low, high = wilson(p, effective_n)
    return Proportion(n, p * n, 100 * p, 100 * low, 100 * high)


@dataclass(frozen=True)
class Difference:
    value: float | None        # percentage points, first − second
    low: float | None
    high: float | None


def newcombe(first: Proportion, second: Proportion) -> Difference:
    """Newcombe's hybrid score interval of first − second from the two Wilson intervals."""
    if first.value is None or second.value is None:
        return Difference(None, None, None)
    p1, l1, u1 = first.value, first.low, first.high
    p2, l2, u2 = second.value, second.low, second.high
    d = p1 - p2
    return Difference(d, d - math.hypot(p1 - l1, u2 - p2), d + math.hypot(u1 - p1, p2 - l2))


# ---------------------------------------------------------------- who was retained, in which stratum

def retained_after(answered_at: datetime, ends: datetime | None, now: datetime, days: int) -> bool | None:
    """Still a customer `days` after answering (their lifetime's end, retention.kpis.Lifetime.ends, after that
    moment); None while that moment is still ahead of now."""
    due = answered_at + timedelta(days=days)
    if due > now:
        return None
    return ends is None or ends > due


def stratum_of(kind: str | None, score: int | None, answered_at: datetime) -> tuple[str | None, str | None, str]:
    """Like with like: the survey kind, the score's band (unhappy, neutral, happy; None for channel feedback) and
    the quarter answered in."""
    return (kind, band(kind, score), f"{answered_at.year}-Q{(answered_at.month - 1) // 3 + 1}")


@dataclass(frozen=True)
class Respondent:
    stratum: Hashable
    told: bool                  # their feedback led to a shipped fix and they were told
    retained_90: bool | None = None
    retained_180: bool | None = None

    def retained(self, horizon: int) -> bool | None:
        return {90: self.retained_90, 180: self.retained_180}[horizon]


# ---------------------------------------------------------------- told against not told

@dataclass(frozen=True)
class Comparison:
    horizon: int
    told: Proportion            # told respondents in the compared strata
    not_told: Proportion        # not-told respondents there, standardised to the told group's mix
    difference: Difference      # told − not told, percentage points
    strata: int                 # strata compared
    told_unmatched: int         # told respondents left out: no not-told respondent in their stratum
    not_told_unmatched: int
    caveat: str | None


@dataclass
class _Counts:
    told: int = 0
    told_retained: int = 0
    others: int = 0
    others_retained: int = 0


def compare(respondents: Iterable[Respondent]) -> dict[int, Comparison]:
    """Told against not told at each horizon, from one pass over the respondents."""
    counts: dict[int, dict[Hashable, _Counts]] = {horizon: {} for horizon in HORIZONS}
    for respondent in respondents:
        for horizon in HORIZONS:
            retained = respondent.retained(horizon)
            if retained is not None:
                cell = counts[horizon].setdefault(respondent.stratum, _Counts())
                if respondent.told:
                    cell.told, cell.told_retained = cell.told + 1, cell.told_retained + retained
                else:
                    cell.others, cell.others_retained = cell.others + 1, cell.others_retained + retained
    return {horizon: standardised(horizon, counts[horizon]) for horizon in HORIZONS}


def standardised(horizon: int, strata: Mapping[Hashable, _Counts]) -> Comparison:
    both = [cell for cell in strata.values() if cell.told and cell.others]
    told_unmatched = sum(cell.told for cell in strata.values() if not cell.others)
    others_unmatched = sum(cell.others for cell in strata.values() if not cell.told)
    told_n, others_n = sum(c.told for c in both), sum(c.others for c in both)
    told = proportion(sum(c.told_retained for c in both), told_n)
    if not both:
        return Comparison(horizon, told, proportion(0, 0), Difference(None, None, None), 0, told_unmatched,
                          others_unmatched, NO_COMPARABLE_STRATA)
    rate = variance = 0.0
    for cell in both:
        weight, p = cell.told / told_n, cell.others_retained / cell.others
        rate += weight * p
        variance += weight * weight * p * (1 - p) / cell.others
    effective_n = min(rate * (1 - rate) / variance, others_n) if variance > 0 else others_n
    others = rate_with_interval(rate, others_n, effective_n)
    small = told_n < MIN_RELIABLE_N or others_n < MIN_RELIABLE_N
    return Comparison(horizon, told, others, newcombe(told, others), len(both), told_unmatched, others_unmatched,
                      SMALL_SAMPLE if small else None)


# ---------------------------------------------------------------- retention by NPS band

@dataclass(frozen=True)
class BandRetention:
    band: str                   # detractor, passive, promoter
    retention: Proportion


def by_nps_band(answers: Iterable[tuple[int | None, bool | None]]) -> tuple[BandRetention, ...]:
    """(NPS score, retained at the horizon) per respondent → retention per band, every band present. Skipped
    scores, scores off the 0–10 scale and unknown outcomes are left out."""
    counts = {name: [0, 0] for name in NPS_BANDS}
    for score, retained in answers:
        if score is not None and 0 <= score <= 10 and retained is not None:
            cell = counts[nps_bucket(score)]
            cell[0], cell[1] = cell[0] + 1, cell[1] + retained
    return tuple(BandRetention(name, proportion(retained, n)) for name, (n, retained) in counts.items())
