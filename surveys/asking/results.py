"""What a survey found: its score with its margin, distribution, weekly trend and newest comments, read from
the tallies. Reads only: nothing here commits."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Iterable

from sqlalchemy import select

from feedback_app.core.extensions import db
from surveys.answering import tallies
from surveys.answering.segment_tallies import Reach, answers_in_reach, by_segment, segment_weekly
from feedback_app.core.paging import capped_count
from surveys.models import Customer, Invitation, Response, Segment, Survey, ThanksAnswer
from surveys.scales import scoring


@dataclass
class SurveyResults:
    survey: Survey
    score: scoring.Score
    distribution: list[tuple[int, int]]
    invited: int
    delivered: int
    answered: int
    trend: list
    verbatims: list
    segment: Segment | None = None   # the score, distribution, trend and comments are this segment's
    reach: Reach | None = None       # how far the segment's answers were read

    @property
    def response_rate(self) -> float | None:
        return scoring.response_rate(self.invited, self.answered)

    def as_json(self) -> dict:
        s = self.score
        return {
            "survey_id": self.survey.id, "name": self.survey.name, "kind": self.survey.kind,
            "invited": self.invited, "delivered": self.delivered, "responses": self.answered,
            "response_rate": _round(self.response_rate), "n": s.n, "skipped": s.skipped,
            "score": _round(s.value), "margin_of_error": _round(s.margin_of_error),
            "interval": [_round(s.low), _round(s.high)] if s.low is not None else None,
            "reliable": s.reliable, "details": {k: _round(v) for k, v in s.extra.items()},
            "distribution": {str(point): count for point, count in self.distribution},
            "trend": [{"week": week.isoformat(), "n": ws.n, "score": _round(ws.value),
                       "margin_of_error": _round(ws.margin_of_error)} for week, ws in self.trend],
        }


def survey_results(survey: Survey, verbatim_limit: int = 200, segment: Segment | None = None) -> SurveyResults:
    """Read from the score tallies (surveys.answering.tallies), not from every answer: as fast at a million answers
    as at ten. The comments are the newest, read in order from an index.

    With a segment, the score, distribution, trend and comments are those of the segment's customers among the
    survey's newest answers (surveys.answering.segment_tallies); invitations and the response rate stay everyone's."""
    weeks = _weeks_of(survey, tallies.weekly(survey_id=survey.id))
    total = sum(weeks.values(), Counter())
    answered, reach = sum(total.values()), None
    if segment is not None:
        counted = segment_weekly(segment, survey_id=survey.id)
        weeks, reach = _weeks_of(survey, counted.weeks), counted.reach
        total = sum(weeks.values(), Counter())
    invited, delivered = survey.invited, survey.delivered  # kept by each send and by the outbox
    return SurveyResults(survey, scoring.score_of(survey.kind, total), scoring.distribution_of(survey.kind, total),
                         invited, delivered, answered, scoring.weekly_trend_of(survey.kind, weeks),
                         _verbatims(survey, verbatim_limit, segment), segment, reach)


def _weeks_of(survey: Survey, weekly: dict) -> dict:
    return {week: tally for (kind, week), tally in weekly.items() if kind == survey.kind}


def _verbatims(survey: Survey, limit: int, segment: Segment | None) -> list:
    if not limit:
        return []
    # The invitation's context (a triggered survey's ticket number …) is shown beside the comment, and the
    # answer to the thank-you page's question after it (one primary-key join each).
    columns = (Response, Customer, Invitation.context, ThanksAnswer.text)
    query = (select(*columns).join(Response.invitation).join(Invitation.customer)
             .where(Response.survey_id == survey.id, Response.comment != ""))
    if segment is not None:  # among the same answers the segment's scores were counted from
        window = answers_in_reach(survey_id=survey.id)
        query = by_segment(select(*columns).select_from(Response).where(
            Response.survey_id == survey.id, Response.comment != "", Response.id.in_(select(window.c.id))), segment)
    query = query.outerjoin(ThanksAnswer, ThanksAnswer.response_id == Response.id)
    return db.session.execute(query.order_by(Response.answered_at.desc()).limit(limit)).all()


LATEST_SECOND_ANSWERS = 20   # listed on the survey's page, newest first
COUNT_SECOND_ANSWERS_UP_TO = 10_000


@dataclass(frozen=True)
class SecondAnswers:
    """The answers to the thank-you page's question: how many (counted up to a cap) and the newest few."""
    count: int
    latest: list  # (ThanksAnswer, Customer | None, score)

    @property
    def more_than_counted(self) -> bool:
        return self.count > COUNT_SECOND_ANSWERS_UP_TO


def second_answers(survey_id: int, limit: int | None = None) -> SecondAnswers:
    """Two statements, each one range of the index (survey_id, answered_at), however many answers there are.
    `limit`: how many of the newest to list (default LATEST_SECOND_ANSWERS)."""
    limit = limit or LATEST_SECOND_ANSWERS
    count = db.session.scalar(select(capped_count(
        select(ThanksAnswer.response_id).where(ThanksAnswer.survey_id == survey_id), COUNT_SECOND_ANSWERS_UP_TO)))
    latest = db.session.execute(
        select(ThanksAnswer, Customer, Response.score).join(Response, Response.id == ThanksAnswer.response_id)
        .outerjoin(Invitation, Invitation.id == Response.invitation_id)
        .outerjoin(Customer, Customer.id == Invitation.customer_id)
        .where(ThanksAnswer.survey_id == survey_id)
        .order_by(ThanksAnswer.answered_at.desc(), ThanksAnswer.response_id.desc()).limit(limit)).all() if count else []
    return SecondAnswers(count, latest)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def all_surveys() -> Iterable[Survey]:
    return db.session.scalars(select(Survey).order_by(Survey.created_at.desc(), Survey.id.desc())).all()
