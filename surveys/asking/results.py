"""What a survey found: its score with its margin, distribution, weekly trend and newest comments, read from
the tallies. Reads only: nothing here commits."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Iterable

from sqlalchemy import select

from feedback_app.core.extensions import db
from surveys.answering import tallies
from surveys.models import Customer, Invitation, Response, Survey
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


def survey_results(survey: Survey, verbatim_limit: int = 200) -> SurveyResults:
    """Read from the score tallies (surveys.answering.tallies), not from every answer: as fast at a million answers
    as at ten. The comments are the newest, read in order from an index."""
    weeks = {week: tally for (kind, week), tally in tallies.weekly(survey_id=survey.id).items() if kind == survey.kind}
    total = sum(weeks.values(), Counter())
    invited, delivered = survey.invited, survey.delivered  # kept by each send and by the outbox
    verbatims = db.session.execute(
        select(Response, Customer).join(Response.invitation).join(Invitation.customer)
        .where(Response.survey_id == survey.id, Response.comment != "")
        .order_by(Response.answered_at.desc()).limit(verbatim_limit)).all() if verbatim_limit else []
    return SurveyResults(survey, scoring.score_of(survey.kind, total), scoring.distribution_of(survey.kind, total),
                         invited, delivered, sum(total.values()), scoring.weekly_trend_of(survey.kind, weeks),
                         verbatims)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def all_surveys() -> Iterable[Survey]:
    return db.session.scalars(select(Survey).order_by(Survey.created_at.desc(), Survey.id.desc())).all()
