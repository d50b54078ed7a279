"""Every verbatim, survey answers and other channels alike, classified or not, newest first: the API's list.

A page is read in order from the answers' (answered_at, id) index; the next page starts after the last
row of this one (a cursor), so following `links.next` costs the same on page 1 and page 20,000. A page
number (`page`) still works and is read with an offset — fine near the start, slower with depth. The
total comes from the tallies (surveys.answering.tallies, triage.verbatims.tallies) plus an exact count of at most one week
(the week `since` falls in), never from counting every answer.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import selectinload

from feedback_app.core.extensions import db
from feedback_app.core.paging import position_token, read_position
from surveys.answering import tallies as score_tallies
from surveys.models import Invitation, Response, ScoreTally, Survey
from surveys.scales.scoring import week_start
from triage.models import TriageItem, TypeTally
from triage.verbatims.listing import Filters, conditions
from triage.verbatims.supported import fixes_of


@dataclass(frozen=True)
class VerbatimPage:
    rows: list[tuple[Response, TriageItem | None]]
    total: int
    fix_ids: dict[int, list[int]]   # response id → ids of the fixes it supports
    next: str | None = None         # the cursor of the page after this one


def verbatim_page(filters: Filters, since: datetime | None = None, needs_review: bool | None = None,
                  page: int = 1, per_page: int = 50, response_id: int | None = None,
                  after: str | None = None) -> VerbatimPage:
    """The filters mean what they mean in the triage list (listing.conditions). Only the joins differ — outer
    here, because channel feedback has no survey and a fresh answer no triage record yet."""
    query = _query(filters, since, needs_review)
    if response_id is not None:
        query = query.where(Response.id == response_id)
    if after is not None:
        query = query.where(tuple_(Response.answered_at, Response.id) < tuple_(*read_position(after)[1:]))
    rows = db.session.execute(
        query.options(selectinload(Response.survey), selectinload(Response.customer),
                      selectinload(Response.invitation).selectinload(Invitation.customer))
        .order_by(Response.answered_at.desc(), Response.id.desc())
        .limit(per_page + 1).offset(0 if after else (page - 1) * per_page)).all()
    rows, more = rows[:per_page], len(rows) > per_page
    fixes = fixes_of([response.id for response, _ in rows])
    total = len(rows) if response_id is not None else count(filters, since, needs_review)
    return VerbatimPage(list(rows), total, {response.id: [f.id for f in fixes.get(response.id, [])]
                                           for response, _ in rows},
                        position_token(moment=rows[-1][0].answered_at, row=rows[-1][0].id) if more else None)


def _query(filters: Filters, since: datetime | None, needs_review: bool | None):
    query = (select(Response, TriageItem).outerjoin(TriageItem, TriageItem.response_id == Response.id)
             .outerjoin(Survey, Survey.id == Response.survey_id).where(*conditions(filters, on_answers=True)))
    if since is not None:
        query = query.where(Response.answered_at >= since)
    if needs_review is not None:  # Filters can only ask for "needs review"; here the rest can be asked for too
        query = query.where(TriageItem.needs_review.is_(needs_review))
    return query


# ---------------------------------------------------------------- how many

def count(filters: Filters, since: datetime | None, needs_review: bool | None) -> int:
    """How many verbatims the filters select: tallies for whole weeks, an exact count for the part of the
    week `since` falls in. Filters no tally keeps (no type, a theme, a band) are counted exactly."""
    if filters.type == "none" or filters.theme or filters.band:
        return db.session.scalar(_query(filters, since, needs_review)
                                 .with_only_columns(func.count(Response.id)).order_by(None))
    first_week, exact = _weeks(since)
    by_record = filters.type or filters.language or filters.needs_review or needs_review is not None
    kept = _records(filters, needs_review, first_week) if by_record else _answers(filters, first_week)
    if exact is not None:
        kept += db.session.scalar(_query(filters, exact[0], needs_review)
                                  .where(Response.answered_at < exact[1])
                                  .with_only_columns(func.count(Response.id)).order_by(None))
    return kept


def _weeks(since: datetime | None):
    """(the first week the tallies answer for, the span to count exactly or None)."""
    if since is None:
        return None, None
    start = week_start(since)
    if since == datetime.combine(start, datetime.min.time()):
        return start, None
    following = start + timedelta(weeks=1)
    return following, (since, datetime.combine(following, datetime.min.time()))


def _answers(filters: Filters, first_week) -> int:
    query = select(func.coalesce(func.sum(ScoreTally.count), 0))
    if filters.survey:
        query = query.where(ScoreTally.survey_id == filters.survey)
    if first_week is not None:
        query = query.where(ScoreTally.week >= first_week)
    kept = db.session.scalar(query)
    for answer in score_tallies.waiting():  # the sweep's backlog: not counted yet
        if not answer.tallied and (not filters.survey or answer.survey_id == filters.survey) and (
                first_week is None or week_start(answer.answered_at) >= first_week):
            kept += 1
    return kept


def _records(filters: Filters, needs_review: bool | None, first_week) -> int:
    query = select(func.coalesce(func.sum(TypeTally.count), 0))
    if filters.type:
        query = query.where(TypeTally.type_key == filters.type)
    if filters.survey:
        query = query.where(TypeTally.survey_id == filters.survey)
    if filters.language:
        query = query.where(TypeTally.language == filters.language)
    review = needs_review if needs_review is not None else (True if filters.needs_review else None)
    if review is not None:
        query = query.where(TypeTally.needs_review == review)
    if first_week is not None:
        query = query.where(TypeTally.week >= first_week)
    return db.session.scalar(query)
