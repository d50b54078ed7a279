"""What the Retention page shows, read from the figures the refresh stored (RetentionFigure) and two small
aggregates: the customers per stage (over the ix_customer_stage index) and the moves between stages per month
over the last 12 months (over ix_stage_change_changed). Never a read of every customer's activity: the page costs
the same handful of statements with 100 customers or 100,000."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import extract, func, select

from feedback_app.core.extensions import db
from retention.figures import STORED_MONTHS, add_months
from retention.models import Activity, RetentionFigure, StageChange
from retention.refresh import REFRESHED_KEY
from retention.stages import STAGES, Moves, transitions
from surveys.models import Customer

PREFIX = "kpis:"
TREND_KEYS = ("crr", "churn_rate", "repeat_rate")


@dataclass(frozen=True)
class StoredPeriod:
    key: str      # e.g. kpis:month:2026-11
    name: str     # 2026-11 or 2026-Q3
    kind: str     # month or quarter


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


def stored_periods() -> list[StoredPeriod]:
    keys = db.session.scalars(select(RetentionFigure.key).where(RetentionFigure.key.like(PREFIX + "%"))).all()
    periods = [StoredPeriod(key, key.split(":")[2], key.split(":")[1]) for key in keys if key.count(":") == 2]
    return sorted(periods, key=lambda p: (p.kind == "month", p.name), reverse=True)  # months first, newest first


def overview(name: str | None, now: datetime) -> tuple[Overview, bool]:
    """The page's data for the period named `name` (2026-11, 2026-Q3; None: the current month); the flag says
    whether a name was given that no stored period has (the current month is shown instead)."""
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
                    db.session.scalar(select(Activity.id).limit(1)) is not None), unknown


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
