"""Score tallies of one segment's answers, counted on request: the results page and the dashboard by segment.

The kept tallies (surveys.answering.tallies) hold no customer, so a segment's scores are counted from its answers.
To keep a page's cost bounded whatever the data, the count reads the newest SEGMENT_SCAN answers in reach (a
survey's, or the survey answers since a date) through an index ordered by time, and keeps those whose customer is
in the segment (survey answers through their invitation, channel feedback its own). When more answers were in
reach, `Reach.complete` is False and `read_since` says from when the figures run.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import func, select

from feedback_app.core.extensions import db
from surveys.models import Customer, Invitation, Response, Segment, Survey
from surveys.people.respondents import answer_scale, respondent_customer_id
from surveys.people.segments import customer_condition
from surveys.scales.scoring import week_start

SEGMENT_SCAN = 20_000  # answers read at most for one page's segment figures: ~0.2 s on SQLite (docs/retention.md)


@dataclass(frozen=True)
class Reach:
    """How far a segment's count read: every answer in reach, or the newest SEGMENT_SCAN since `read_since`."""
    read: int
    complete: bool
    read_since: datetime | None
    limit: int = SEGMENT_SCAN


@dataclass(frozen=True)
class SegmentTallies:
    weeks: dict[tuple[str, date], Counter]   # (kind, week) → score → answers, as tallies.weekly
    reach: Reach


def answers_in_reach(survey_id: int | None = None, channel: str | None = None, first_week: date | None = None):
    """The newest SEGMENT_SCAN answers of a survey (ix_response_survey_answered) or since a week
    (ix_response_answered), as a subquery of (id, answered_at)."""
    query = select(Response.id, Response.answered_at)
    if survey_id is not None:
        query = query.where(Response.survey_id == survey_id)
    if channel is not None:
        query = query.where(Response.channel == channel)
    if first_week is not None:
        query = query.where(Response.answered_at >= datetime.combine(first_week, time()))
    return query.order_by(Response.answered_at.desc(), Response.id.desc()).limit(SEGMENT_SCAN).subquery()


def by_segment(query, segment: Segment):
    """`query` (over Response) narrowed to answers whose customer is in the segment."""
    return (query.outerjoin(Invitation, Invitation.id == Response.invitation_id)
            .join(Customer, Customer.id == respondent_customer_id()).where(customer_condition(segment)))


def segment_weekly(segment: Segment, survey_id: int | None = None, channel: str | None = None,
                   first_week: date | None = None) -> SegmentTallies:
    """Two statements: how far the answers in reach go, and the segment's scores among them per scale and day."""
    window = answers_in_reach(survey_id, channel, first_week)
    read, oldest = db.session.execute(select(func.count(), func.min(window.c.answered_at))).one()
    kind, day = answer_scale(), func.date(Response.answered_at)
    rows = db.session.execute(by_segment(
        select(kind, day, Response.score, func.count()).select_from(Response)
        .outerjoin(Survey, Survey.id == Response.survey_id)
        .where(Response.id.in_(select(window.c.id))), segment).group_by(kind, day, Response.score))
    weeks: dict[tuple[str, date], Counter] = defaultdict(Counter)
    for scale, answered_on, score, n in rows:
        # SQLite's date() is text, PostgreSQL's a date.
        answered_on = date.fromisoformat(answered_on) if isinstance(answered_on, str) else answered_on
        weeks[(scale or "", week_start(answered_on))][score] += n
    complete = read < SEGMENT_SCAN
    return SegmentTallies(dict(weeks), Reach(read, complete, None if complete else oldest, SEGMENT_SCAN))
