"""The check-in survey to silent customers: "What changed?", made once and sent through the surveys' own send
(its cool-down, unsubscribes, batches and outbox), to every silent customer not invited to it yet. Its answers
are survey answers like any other: triage classifies them and follows up the unhappy.

Kind: CSAT. A silent customer is asked how satisfied they are *now* — a question about their recent experience,
which is what changed — where NPS asks whether they would recommend the product, a loyalty question that says
little about why their use fell. CSAT's 1–2 are unhappy (surveys.scales.kinds.BANDS), so an unhappy answer puts the
customer on the follow-up list and at risk, as any other survey's does. The reason prompt asks what changed."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from feedback_app.core.extensions import db
from feedback_app.core.sql import insert_ignoring_conflicts
from retention.saving.models import CheckInSurvey
from surveys.asking.services import count_eligible, create_survey, send_survey
from surveys.models import Customer, Survey

KEY = "check-in"
KIND = "csat"
NAME = "What changed? (check-in to silent customers)"
# Written by us, in each language (never a template filled with an English name): the question and its prompt.
WORDING = {
    "en": {"question": "How satisfied are you with us these days?",
           "reason": "What changed? Tell us in a few words."},
    "ar": {"question": "ما مدى رضاك عنّا هذه الأيام؟",
           "reason": "ما الذي تغيّر؟ أخبرنا ببضع كلمات."},
    "fa": {"question": "این روزها چقدر از ما راضی هستید؟",
           "reason": "چه چیزی تغییر کرده است؟ در چند کلمه به ما بگویید."},
}
SILENT = Customer.stage == "silent"


def check_in_survey(now: datetime) -> Survey:
    """The check-in survey, made (and worded in en, ar and fa) the first time it is asked for."""
    known = _known()
    if known is not None:
        return known
    survey = create_survey(KIND, NAME, "", wording=WORDING)
    if not insert_ignoring_conflicts(CheckInSurvey, {"key": KEY, "survey_id": survey.id, "created_at": now}, ["key"]):
        db.session.delete(survey)  # another process made it meanwhile: theirs is the one
    db.session.commit()
    return _known()


def _known() -> Survey | None:
    return db.session.scalar(select(Survey).join(CheckInSurvey, CheckInSurvey.survey_id == Survey.id)
                             .where(CheckInSurvey.key == KEY))


def count_to_invite(survey: Survey, now: datetime, cooldown_days: int) -> int:
    return count_eligible(survey, now, cooldown_days, audience=SILENT)


def invite_silent(now: datetime, cooldown_days: int, progress=lambda _: None) -> tuple[Survey, int]:
    """Invite every silent customer not invited to the check-in yet, outside the cool-down (surveys' send).
    Returns the survey and how many were invited. ValueError when the team has closed it."""
    survey = check_in_survey(now)
    return survey, send_survey(survey, now, cooldown_days, progress, audience=SILENT)
