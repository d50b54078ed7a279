"""What the Retention page shows, read from the figures the refresh stored (RetentionFigure) and two small
aggregates: the customers per stage (over the ix_customer_stage index) and the moves between stages per month
over the last 12 months (over ix_stage_change_changed). Never a read of every customer's activity: the page costs
the same handful of statements with 100 customers or 100,000.

By segment, the chosen period's figures are computed on request (retention.figures.retention_report over the
segment's customers, as `feedback retention report --segment` does): a read of those customers' activity, so only
for a segment of at most LIVE_CAP customers; past that the page names the command instead."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import extract, func, select

from feedback_app.core.extensions import db
from feedback_app.core.paging import capped_count
from retention.figures import STORED_MONTHS, add_months, retention_report
from retention.kpis import Period
from retention.models import Activity, RetentionFigure, StageChange
from retention.refresh import REFRESHED_KEY
from retention.stages import STAGES, Moves, transitions
from surveys.models import Customer, Segment
from surveys.people.segments import customer_condition

PREFIX = "kpis:"
TREND_KEYS = ("crr", "churn_rate", "repeat_rate")
LIVE_CAP = 20_000  # customers a segment's figures are computed for on a page (ten batches of retention.figures)


@dataclass(frozen=True)
class StoredPeriod:
    key: str      # e.g. kpis:month:2026-11
    name: str     # 2026-11 or 2026-Q3
    kind: str     # month or quarter


@dataclass(frozen=True)
class SegmentFigures:
    segment: Segment
    period: Period
    size: int                # customers in the segment, counted up to LIVE_CAP + 1
    figures: dict | None     # RetentionReport.as_dict() of the chosen period, computed now; None past the cap

    @property
    def too_many(self) -> bool:
        return self.size > LIVE_CAP

    @property
    def last_day(self) -> date:
        """The period's last day, included (`feedback retention report --to`)."""
        return (self.period.end - timedelta(days=1)).date()


@dataclass(frozen=True)
class Overview:
    periods: list[StoredPeriod]         # newest first, months then quarters
    chosen: StoredPeriod | None
    figures: dict | None                # RetentionReport.as_dict() of the chosen period
    computed_at: datetime | None        # when the chosen figures were computed
    trend: list[tuple[str, dict]]       # (YYYY-MM, figures), oldest first, the last 13 stored months
    stages: dict[str, int]              # customers per stage (STAGES order; customers never refreshed apart)
    unstaged: int
    moves: list[Moves]                  # per month, the last 12 months
    refreshed_at: datetime | None
    has_activity: bool
    by_segment: SegmentFigures | None = None   # the chosen period's figures for a segment, when one was asked


def stored_periods() -> list[StoredPeriod]:
    keys = db.session.scalars(select(RetentionFigure.key).where(RetentionFigure.key.like(PREFIX + "%"))).all()
    periods = [StoredPeriod(key, key.split(":")[2], key.split(":")[1]) for key in keys if key.count(":") == 2]
    return sorted(periods, key=lambda p: (p.kind == "month", p.name), reverse=True)  # months first, newest first


def overview(name: str | None, now: datetime, segment: Segment | None = None,
             value_attribute: str = "mrr") -> tuple[Overview, bool]:
    """The page's data for the period named `name` (2026-11, 2026-Q3; None: the current month); the flag says
    whether a name was given that no stored period has (the current month is shown instead). With a segment, its
    figures for the chosen period too (segment_figures)."""
    periods = stored_periods()
    by_name = {p.name: p for p in periods}
    chosen = by_name.get(name) if name else None
    unknown = bool(name) and chosen is None
    if chosen is None:
        chosen = next((p for p in periods if p.kind == "month"), None)
    trend_keys = [f"{PREFIX}month:{p.name}" for p in sorted((p for p in periods if p.kind == "month"),
                                                            key=lambda p: p.name)[-(STORED_MONTHS + 1):]]
    wanted = set(trend_keys) | ({chosen.key} if chosen else set()) | {REFRESHED_KEY}
    rows = {f.key: f for f in db.session.scalars(select(RetentionFigure).where(RetentionFigure.key.in_(wanted)))}
    figure = rows.get(chosen.key) if chosen else None
    refreshed = rows.get(REFRESHED_KEY)
    counts, unstaged = stage_counts()
    return Overview(periods, chosen, figure.data if figure else None, figure.computed_at if figure else None,
                    [(key.split(":")[2], rows[key].data) for key in trend_keys if key in rows], counts, unstaged,
                    monthly_moves(now), refreshed.computed_at if refreshed else None,
                    db.session.scalar(select(Activity.id).limit(1)) is not None,
                    segment_figures(segment, figure.data, now, value_attribute) if segment and figure else None), unknown


def segment_figures(segment: Segment, stored: dict, now: datetime, value_attribute: str) -> SegmentFigures:
    """The segment's figures for the period the stored figures `stored` cover, computed now, when the segment has
    at most LIVE_CAP customers (one capped count says so first)."""
    condition = customer_condition(segment)
    period = Period(datetime.fromisoformat(stored["start"]), datetime.fromisoformat(stored["end"]))
    size = db.session.scalar(select(capped_count(select(Customer.id).where(condition), LIVE_CAP)))
    if size > LIVE_CAP:
        return SegmentFigures(segment, period, size, None)
    return SegmentFigures(segment, period, size, retention_report(period, now, condition, value_attribute).as_dict())


def stage_counts() -> tuple[dict[str, int], int]:
    counted = dict(db.session.execute(select(Customer.stage, func.count()).group_by(Customer.stage)).all())
    return {stage: counted.get(stage, 0) for stage in STAGES}, counted.get(None, 0)


def monthly_moves(now: datetime) -> list[Moves]:
    """Moves between stages per month, from the 1st of the month 11 months ago (12 months with this one)."""
    since = add_months(datetime(now.year, now.month, 1), -(STORED_MONTHS - 1))
    year, month = extract("year", StageChange.changed_at), extract("month", StageChange.changed_at)
    rows = db.session.execute(
        select(year, month, StageChange.from_stage, StageChange.to_stage, func.count())
        .where(StageChange.changed_at >= since)
        .group_by(year, month, StageChange.from_stage, StageChange.to_stage))
    moves: list[Moves] = []
    for y, m, before, after, count in rows:
        moves.extend(Moves(move.month, move.from_stage, move.to_stage, count)
                     for move in transitions([(datetime(int(y), int(m), 1), before, after)]))
    return sorted(moves, key=lambda move: (move.month, _order(move.from_stage), _order(move.to_stage)))


def _order(stage: str | None) -> int:
    return -1 if stage is None else STAGES.index(stage) if stage in STAGES else len(STAGES)
