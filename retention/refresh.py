"""The daily stage refresh: every customer's lifecycle stage decided again (retention.stages.stage_of), with a
StageChange row for each that moved, then the period figures the Retention page reads (retention.figures).

Customers are read BATCH at a time by id; for each batch a few set-based queries read what the rule needs (their
latest active days, latest cancel, latest unhappy and happy answers), never one query per customer, and each batch
is committed on its own: memory stays flat and no long transaction holds the database. A customer whose stage is
unchanged is not written at all, so a refresh run twice on the same day adds nothing.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable, Mapping

from sqlalchemy import and_, bindparam, case, func, insert, select, update

from feedback_app.core.extensions import db
from retention.figures import store_figures
from retention.insight.services import compute_insight
from retention.kpis import CANCEL_KIND
from retention.models import Activity, RetentionFigure, StageChange
from retention.stages import STAGES, CustomerFacts, StageDecision, StageSettings, stage_of
from surveys.models import Customer, Invitation, Response, Survey
from surveys.people.respondents import answer_in_band
from webhooks.events import CUSTOMER_STAGE_CHANGED, emit_many

BATCH = 2000
REFRESHED_KEY = "stages:refreshed"  # RetentionFigure: when the last refresh ran, its stage counts and moves
REFRESH_EVERY = timedelta(hours=24)

Progress = Callable[[int], None]

# StageSettings field -> config key (FEEDBACK_STAGE_* in config.py).
SETTING_KEYS = {name: f"STAGE_{name.upper()}" for name in StageSettings.__dataclass_fields__}


def stage_settings(config: Mapping) -> StageSettings:
    """The rule's thresholds from the app's config (checked there: see config.py)."""
    return StageSettings(**{name: config[key] for name, key in SETTING_KEYS.items() if key in config})


@dataclass
class RefreshReport:
    customers: int = 0
    moves: int = 0
    stages: Counter = field(default_factory=Counter)  # customers per stage after the refresh

    def counts(self) -> dict[str, int]:
        return {stage: self.stages.get(stage, 0) for stage in STAGES}


def refresh_stages(now: datetime, settings: StageSettings = StageSettings(),
                   progress: Progress = lambda _n: None) -> RefreshReport:
    """Decide every customer's stage as of `now` and write the changes, a commit per batch."""
    report, after = RefreshReport(), 0
    while True:
        customers = db.session.execute(
            select(Customer.id, Customer.customer_since, Customer.ended_at, Customer.stage)
            .where(Customer.id > after).order_by(Customer.id).limit(BATCH)).all()
        if not customers:
            break
        _refresh_batch(customers, now, settings, report)
        db.session.commit()
        progress(len(customers))
        after = customers[-1].id
    return report


def refresh_retention(now: datetime, settings: StageSettings = StageSettings(),
                      progress: Progress = lambda _n: None, value_attribute: str = "mrr") -> RefreshReport:
    """The daily refresh (the scheduler's job and `feedback retention refresh`): stages, then the stored period
    figures (retention.figures.store_figures), then the loop comparison and the fit matrix
    (retention.insight), each store committing its own figures."""
    report = refresh_stages(now, settings, progress)
    store_figures(now, value_attribute)
    compute_insight(now, value_attribute)
    # Written last: a refresh that failed half-way is run again by the next scheduler check.
    _remember(REFRESHED_KEY, {"at": now.isoformat(), "stages": report.counts(), "moves": report.moves,
                              "customers": report.customers}, now)
    db.session.commit()
    return report


def last_refreshed_at() -> datetime | None:
    figure = db.session.get(RetentionFigure, REFRESHED_KEY)
    return None if figure is None else figure.computed_at


def refresh_is_due(now: datetime) -> bool:
    at = last_refreshed_at()
    return at is None or now - at >= REFRESH_EVERY


def _refresh_batch(customers, now: datetime, settings: StageSettings, report: RefreshReport) -> None:
    low, high = customers[0].id, customers[-1].id
    facts = _facts(low, high, now, settings)
    changes = []
    for customer in customers:
        decision = stage_of(CustomerFacts(customer.customer_since, customer.ended_at, **facts[customer.id]),
                            now, settings)
        report.customers += 1
        report.stages[decision.stage] += 1
        if decision.stage != customer.stage:
            changes.append((customer, decision))
    if not changes:
        return
    report.moves += len(changes)
    # updated_at is kept: a stage decided by the rule is not an edit of the customer's record.
    db.session.execute(
        update(Customer.__table__).where(Customer.__table__.c.id == bindparam("customer_id"))
        .values(stage=bindparam("new_stage"), stage_since=bindparam("since"),
                updated_at=Customer.__table__.c.updated_at),
        [{"customer_id": c.id, "new_stage": d.stage, "since": now} for c, d in changes])
    db.session.execute(insert(StageChange), [
        {"customer_id": c.id, "from_stage": c.stage, "to_stage": d.stage, "changed_at": now, "reason": reason_of(d)}
        for c, d in changes])
    emit_many(CUSTOMER_STAGE_CHANGED, [{"customer_id": c.id, "from": c.stage, "to": d.stage, "reason": reason_of(d)}
                                       for c, d in changes], now)  # the batch's events, in its commit


def reason_of(decision: StageDecision) -> dict:
    """The rule's reason as stored on a StageChange: its key and its numbers (the page writes the sentence)."""
    return {"key": decision.reason, **decision.detail()}


def _facts(low: int, high: int, now: datetime, settings: StageSettings) -> dict[int, dict]:
    """What the rule reads of the customers with ids in [low, high], by id (missing facts are empty)."""
    facts: dict[int, dict] = defaultdict(dict)
    for customer_id, times in _activity_times(low, high, now, settings.rhythm_gaps + 1).items():
        facts[customer_id]["activity_times"] = times
    cancels = db.session.execute(
        select(Activity.customer_id, func.max(Activity.occurred_at))
        .where(Activity.customer_id.between(low, high), Activity.kind == CANCEL_KIND, Activity.occurred_at <= now)
        .group_by(Activity.customer_id))
    for customer_id, at in cancels:
        facts[customer_id]["cancelled_at"] = at
    for customer_id, unhappy, happy in _moods(low, high, now):
        known = facts[customer_id]
        known["last_unhappy_at"] = _later(known.get("last_unhappy_at"), unhappy)
        known["last_happy_at"] = _later(known.get("last_happy_at"), happy)
    return facts


def _activity_times(low: int, high: int, now: datetime, days: int) -> dict[int, list[datetime]]:
    """Per customer, their first activity but cancels and the latest moment of each of their latest `days`
    distinct active days, oldest first: exactly what stage_of needs of their whole history (the rhythm reads the
    last rhythm_gaps + 1 days; the lifetime's start, when customer_since is missing, the first)."""
    last_of_day = func.max(Activity.occurred_at)
    per_day = (
        select(Activity.customer_id.label("customer_id"), last_of_day.label("at"),
               func.min(func.min(Activity.occurred_at)).over(partition_by=Activity.customer_id).label("first_at"),
               func.row_number().over(partition_by=Activity.customer_id, order_by=last_of_day.desc()).label("rank"))
        .where(Activity.customer_id.between(low, high), Activity.kind != CANCEL_KIND, Activity.occurred_at <= now)
        .group_by(Activity.customer_id, func.date(Activity.occurred_at))
        .subquery())
    times: dict[int, list[datetime]] = defaultdict(list)
    for customer_id, at, first_at in db.session.execute(
            select(per_day.c.customer_id, per_day.c.at, per_day.c.first_at).where(per_day.c.rank <= days)):
        if not times[customer_id]:
            times[customer_id].append(first_at)
        times[customer_id].append(at)
    return {customer_id: sorted(set(found)) for customer_id, found in times.items()}


def _moods(low: int, high: int, now: datetime):
    """(customer id, latest unhappy answer, latest happy answer) of the customers in [low, high]: survey answers
    through their invitation, channel feedback through its own customer (two queries, each on its index)."""
    unhappy = func.max(_when(answer_in_band("unhappy")))
    happy = func.max(_when(answer_in_band("happy")))
    answered = and_(Response.answered_at <= now, Response.score.is_not(None))
    yield from db.session.execute(
        select(Invitation.customer_id, unhappy, happy)
        .join(Response, Response.invitation_id == Invitation.id).outerjoin(Survey, Survey.id == Response.survey_id)
        .where(Invitation.customer_id.between(low, high), answered).group_by(Invitation.customer_id))
    yield from db.session.execute(
        select(Response.customer_id, unhappy, happy).outerjoin(Survey, Survey.id == Response.survey_id)
        .where(Response.customer_id.between(low, high), answered).group_by(Response.customer_id))


def _when(condition):
    return case((condition, Response.answered_at))


def _later(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else max(a, b)


def _remember(key: str, data: dict, now: datetime) -> None:
    """Write one figure (replacing the one of the same key)."""
    figure = db.session.get(RetentionFigure, key)
    if figure is None:
        db.session.add(RetentionFigure(key=key, data=data, computed_at=now))
    else:
        figure.data, figure.computed_at = data, now
