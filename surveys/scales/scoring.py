"""Score definitions: NPS, CSAT and CES with their 95% margins of error.

PURE: standard library only. One definition of each metric, used by the results page, the CLI, the
JSON output and (later) the dashboard, so that no two screens disagree. Skipped scores (None) are
counted apart and never enter n.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Iterable, Mapping, Sequence

from surveys.scales.kinds import KINDS, Kind, band_range

Z95 = 1.959964
MIN_RELIABLE_N = 30

# Two-sided 95% quantiles of Student's t for 1–30 degrees of freedom (standard tables).
_T95 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042)


def t95(df: int) -> float:
    """Two-sided 95% t quantile: the table up to 30 df, then the Cornish–Fisher expansion."""
    if df < 1:
        raise ValueError("need at least one degree of freedom")
    if df <= len(_T95):
        return _T95[df - 1]
    z = Z95
    return (z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)
            + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * df**3))


@dataclass(frozen=True)
class Score:
    """A score with its 95% interval. `value` is in the metric's own unit (NPS points, %, scale mean)."""
    kind: str
    n: int
    skipped: int = 0
    value: float | None = None
    low: float | None = None
    high: float | None = None
    standard_error: float | None = None
    extra: dict = field(default_factory=dict)
    margin: float | None = None  # set when the interval is symmetric before clipping to the scale

    @property
    def margin_of_error(self) -> float | None:
        """The ± figure: the formula's margin, or half the width of an asymmetric (Wilson) interval."""
        if self.margin is not None:
            return self.margin
        if self.low is None or self.high is None:
            return None
        return (self.high - self.low) / 2

    @property
    def reliable(self) -> bool:
        """Under 30 answers a score is shown greyed out: its interval is too wide to act on."""
        return self.n >= MIN_RELIABLE_N


def nps_bucket(score: int) -> str:
    if score >= band_range("nps", "happy")[0]:
        return "promoter"
    if score >= band_range("nps", "neutral")[0]:
        return "passive"
    return "detractor"


# A tally: how many answers gave each point of the scale (None: skipped). Scores are computed from tallies,
# so a page can read counts the database keeps instead of every answer.
Tally = Mapping[int | None, int]


def nps(scores: Iterable[int | None]) -> Score:
    return nps_of(Counter(scores))


def nps_of(tally: Tally) -> Score:
    n, skipped = _answered(tally)
    if n == 0:
        return Score("nps", 0, skipped)
    buckets = Counter()
    for point, count in tally.items():
        if point is not None:
            buckets[nps_bucket(point)] += count
    promoters, detractors = buckets["promoter"] / n, buckets["detractor"] / n
    value = 100 * (promoters - detractors)
    margin = Z95 * 100 * math.sqrt(max(promoters + detractors - (promoters - detractors) ** 2, 0.0) / n)
    # The interval is shown clipped to what NPS can be (−100…100); the ± margin stays the formula's.
    return Score("nps", n, skipped, value, max(value - margin, -100.0), min(value + margin, 100.0), margin / Z95,
                 {"promoters": buckets["promoter"], "passives": buckets["passive"],
                  "detractors": buckets["detractor"]}, margin)


def csat(scores: Iterable[int | None]) -> Score:
    return csat_of(Counter(scores))


def csat_of(tally: Tally) -> Score:
    """% of 4–5 among answered scores, with a Wilson 95% interval (honest near 0% and 100%)."""
    n, skipped = _answered(tally)
    if n == 0:
        return Score("csat", 0, skipped)
    satisfied = sum(count for point, count in tally.items() if point is not None and point >= band_range("csat", "happy")[0])
    p = satisfied / n
    z2 = Z95**2
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return Score("csat", n, skipped, 100 * p, 100 * (centre - half), 100 * (centre + half),
                 100 * math.sqrt(p * (1 - p) / n), {"satisfied": satisfied})


def ces(scores: Iterable[int | None]) -> Score:
    return ces_of(Counter(scores))


def ces_of(tally: Tally) -> Score:
    """Mean agreement on the 1–7 scale with a t-interval, and % who agree (5–7)."""
    n, skipped = _answered(tally)
    if n == 0:
        return Score("ces", 0, skipped)
    points = [(point, count) for point, count in tally.items() if point is not None and count]
    mean = sum(point * count for point, count in points) / n
    agree = sum(count for point, count in points if point >= band_range("ces", "happy")[0])
    if n == 1:
        return Score("ces", n, skipped, mean, extra={"agree_percent": 100 * agree / n})
    sd = math.sqrt(sum(count * (point - mean) ** 2 for point, count in points) / (n - 1))
    se = sd / math.sqrt(n)
    margin = t95(n - 1) * se
    return Score("ces", n, skipped, mean, max(mean - margin, 1.0), min(mean + margin, 7.0), se,
                 {"agree_percent": 100 * agree / n}, margin)


SCORERS = {"nps": nps_of, "csat": csat_of, "ces": ces_of}


def score(kind: str, scores: Iterable[int | None]) -> Score:
    return SCORERS[kind](Counter(scores))


def score_of(kind: str, tally: Tally) -> Score:
    return SCORERS[kind](tally)


def change_is_real(before: Score, after: Score) -> bool:
    """A change between periods counts only beyond 1.96·sqrt(SE₁² + SE₂²)."""
    if None in (before.value, after.value, before.standard_error, after.standard_error):
        return False
    return abs(after.value - before.value) > Z95 * math.hypot(before.standard_error, after.standard_error)


def distribution(kind: Kind | str, scores: Iterable[int | None]) -> list[tuple[int, int]]:
    """(scale point, count) for every point of the scale, zeros included."""
    return distribution_of(kind, Counter(scores))


def distribution_of(kind: Kind | str, tally: Tally) -> list[tuple[int, int]]:
    kind = KINDS[kind] if isinstance(kind, str) else kind
    return [(point, tally.get(point, 0)) for point in kind.scale]


def week_start(moment: datetime | date) -> date:
    day = moment.date() if isinstance(moment, datetime) else moment
    return day - timedelta(days=day.weekday())


def weekly_trend(kind: str, dated_scores: Sequence[tuple[datetime, int | None]]) -> list[tuple[date, Score]]:
    """One score per ISO week (Monday first) that has answers, oldest first."""
    weeks: dict[date, Counter] = {}
    for moment, value in dated_scores:
        weeks.setdefault(week_start(moment), Counter())[value] += 1
    return weekly_trend_of(kind, weeks)


def weekly_trend_of(kind: str, weeks: Mapping[date, Tally]) -> list[tuple[date, Score]]:
    return [(week, score_of(kind, tally)) for week, tally in sorted(weeks.items()) if sum(tally.values())]


def response_rate(invited: int, answered: int) -> float | None:
    return None if invited == 0 else 100 * answered / invited


def _answered(tally: Tally) -> tuple[int, int]:
    """(answered, skipped)."""
    skipped = tally.get(None, 0)
    return sum(tally.values()) - skipped, skipped
