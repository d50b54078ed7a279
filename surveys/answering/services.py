"""Use cases of answering: a customer's answer stored exactly once (or changed within the edit window), and
the lookups the survey page makes. Each public function that writes is one use case and owns its one commit."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import bindparam, literal_column, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from feedback_app.core.brand import BRAND_COLUMNS, BRAND_ID, Brand, BrandRow, brand_of
from feedback_app.core.extensions import db
from feedback_app.core.process_copy import forget_copy, process_copy
from feedback_app.core.sql import DriverStatement, insert_ignoring_conflicts
from surveys.answering.links import SignedInvitation
from surveys.models import Invitation, Response, Survey, ThanksAnswer
from surveys.scales.answers import Answer
from surveys.scales.thanks_step import ThanksStep
from webhooks.events import RESPONSE_CREATED, emit, listened

CREATED, UPDATED, LOCKED, CLOSED, MISSING = "created", "updated", "locked", "closed", "missing"


def record_answer(invitation: SignedInvitation, answer: Answer, now: datetime, edit_window: timedelta) -> str:
    """Store the one response of an invitation, or change it within the edit window.

    The first answer is one INSERT built from the signed link (invitation, survey, language) and the
    form, which does nothing if the invitation already has a response (its unique key): double
    clicks, retries and two tabs all end in a single row, and the common case is one round trip.
    Whether the survey is still open is the caller's check (survey_is_closed, below).
    """
    params = {"invitation_id": invitation.id, "survey_id": invitation.survey_id, "score": answer.score,
              "comment": "" if answer.score_only else answer.comment,
              "may_contact": answer.may_contact and not answer.score_only,
              "consent_at": now if answer.may_contact and not answer.score_only else None,
              "locale": invitation.locale, "answered_at": now, "updated_at": now}
    # Through the driver (feedback_app.core.sql.DriverStatement), in a transaction of its own: neither
    # the session's unit of work nor SQLAlchemy's execution context is needed for one INSERT. The driver's
    # rowcount, not RETURNING: sqlite3 and psycopg both say 1 or 0 for one INSERT … ON CONFLICT DO NOTHING
    # (the suite runs it on both), and a row to fetch costs on the hot path.
    if listened(RESPONSE_CREATED):  # a webhook listens: the answer and its event in one transaction instead
        return _first_answer_with_event(invitation, answer, params, now, edit_window)
    engine = db.engine
    try:
        inserted = _FIRST_ANSWER.write(engine, params) == 1
    except engine.dialect.loaded_dbapi.IntegrityError:  # the link is genuine but its invitation is gone
        return MISSING
    if inserted:
        return CREATED
    return _change_answer(invitation.id, answer, now, edit_window)


def _first_answer_with_event(invitation: SignedInvitation, answer: Answer, params: dict, now: datetime,
                             edit_window: timedelta) -> str:
    statement = _first_answer(db.engine.dialect.name).returning(Response.__table__.c.id)
    try:
        response_id = db.session.execute(statement, params).scalar()
    except IntegrityError:  # the link is genuine but its invitation is gone
        db.session.rollback()
        return MISSING
    if response_id is None:
        db.session.rollback()
        return _change_answer(invitation.id, answer, now, edit_window)
    # A triggered invitation's own id and context (e.g. the ticket) let the receiver put the answer where it belongs.
    external_id, context = db.session.execute(select(Invitation.external_id, Invitation.context)
                                              .where(Invitation.id == invitation.id)).one()
    emit(RESPONSE_CREATED, response_created_data(
        response_id, params["answered_at"], survey_id=invitation.survey_id, invitation_id=invitation.id,
        kind=invitation.kind, score=params["score"], comment=params["comment"], locale=invitation.locale,
        external_id=external_id, context=context), now)
    db.session.commit()
    return CREATED


def response_created_data(response_id: int, answered_at: datetime, **facts) -> dict:
    """The data of a `response.created` webhook event: a survey answer's or a channel's (`channel`)."""
    keys = ("survey_id", "invitation_id", "customer_id", "channel", "kind", "score", "comment", "locale",
            "external_id", "context")
    return {"response_id": response_id, **{key: facts.get(key) for key in keys},
            "answered_at": answered_at.isoformat(timespec="seconds") + "Z"}


def _change_answer(invitation_id: int, answer: Answer, now: datetime, edit_window: timedelta) -> str:
    row = db.session.execute(
        select(Survey.closed_at, Response).join(Survey, Survey.id == Response.survey_id)
        .where(Response.invitation_id == invitation_id)
        .with_for_update(of=Response).execution_options(populate_existing=True)).first()
    if row is None:  # the insert met a conflict, so a response existed; it is gone now (never in practice)
        db.session.rollback()
        return MISSING
    closed_at, response = row
    if closed_at is not None or now - response.answered_at > edit_window:
        db.session.rollback()
        return CLOSED if closed_at is not None else LOCKED
    response.score = answer.score if answer.score is not None else response.score
    if not answer.score_only:
        response.comment = answer.comment
        if answer.may_contact != response.may_contact:
            response.consent_at = now if answer.may_contact else None
        response.may_contact = answer.may_contact
    response.updated_at = now
    response.pending = True  # the sweep counts the new score and classifies the new text
    db.session.commit()
    return UPDATED


def _first_answer(dialect: str):
    from sqlalchemy.dialects import postgresql, sqlite

    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = Response.__table__
    return (insert(table).values({key: bindparam(key) for key in _FIRST_ANSWER_KEYS})
            .on_conflict_do_nothing(index_elements=["invitation_id"]))


_FIRST_ANSWER_KEYS = ("invitation_id", "survey_id", "score", "comment", "may_contact", "consent_at", "locale",
                      "answered_at", "updated_at")
_FIRST_ANSWER = DriverStatement(_first_answer)  # compiled once per database: the survey POST's one statement


def closed_survey_ids() -> frozenset[int]:
    return frozenset(db.session.scalars(select(Survey.id).where(Survey.closed_at.is_not(None))))


# Closed surveys are rare and closing one is rare; the survey POST reads this set instead of the
# survey row. A survey closed in another process stops taking answers within CLOSED_REFRESH seconds.
CLOSED_REFRESH = 5.0


def survey_is_closed(survey_id: int) -> bool:
    closed = process_copy("feedback.closed_surveys", CLOSED_REFRESH, lambda _: closed_survey_ids(), frozenset())
    return survey_id in closed


def forget_closed_surveys() -> None:
    forget_copy("feedback.closed_surveys")


# ---------------------------------------------------------------- lookups for the survey page

def find_invitation(invitation_id: int) -> Invitation | None:
    return db.session.get(Invitation, invitation_id)


class StoredAnswer(NamedTuple):
    score: int | None
    comment: str
    may_contact: bool
    answered_at: datetime


class AnswerPage(NamedTuple):
    """What the survey page shows for one invitation (the rest is in its signed link)."""
    survey_id: int
    closed: bool
    wording: dict
    response: StoredAnswer | None
    brand: Brand  # the team's, read in the same statement: a change shows at once on every kept page

    def asks_in(self, locale: str) -> bool:
        """The survey has its question in this language. A send never invites anyone in a language without
        one (surveys.asking.services.MissingWording); a link to such a page is treated as not found."""
        return locale in self.wording


# Built once: the survey page is what every click in an email opens. Primary-key lookups only (the brand's
# row is the one with id 1, none before an admin sets it).
_ANSWER_PAGE = DriverStatement(
    select(Invitation.survey_id, Survey.closed_at, Survey.wording, Response.invitation_id, Response.score,
           Response.comment, Response.may_contact, Response.answered_at, *BRAND_COLUMNS)
    .join(Survey, Survey.id == Invitation.survey_id)
    .outerjoin(Response, Response.invitation_id == Invitation.id)
    .outerjoin(BrandRow, BrandRow.id == literal_column(str(BRAND_ID)))
    .where(Invitation.id == bindparam("invitation_id")))


def answer_page(invitation_id: int, engine: Engine | None = None) -> AnswerPage | None:
    """The invitation's survey (closed? its wording), its answer, if any, and the team's brand in one
    statement; None if there is no such invitation. Through the driver (feedback_app.core.sql.DriverStatement): no ORM objects,
    no unit of work, and a request that never touches the session ends without its bookkeeping."""
    row = _ANSWER_PAGE.first(engine or db.engine, {"invitation_id": invitation_id})
    if row is None:
        return None
    survey_id, closed_at, wording, answered, score, comment, may_contact, answered_at, *brand = row
    response = StoredAnswer(score, comment, bool(may_contact), answered_at) if answered is not None else None
    return AnswerPage(survey_id, closed_at is not None, wording, response, brand_of(*brand))


def can_still_edit(response: Response | StoredAnswer | ThanksPage | None, now: datetime,
                   edit_window: timedelta) -> bool:
    return response is None or now - response.answered_at <= edit_window


# ---------------------------------------------------------------- the thank-you page and its second question

class ThanksPage(NamedTuple):
    """What the thank-you page shows for one invitation: its answer's time (None: not answered), the survey's
    follow-up step and whether its second question was answered."""
    survey_id: int
    closed: bool
    step: ThanksStep | None
    response_id: int | None
    answered_at: datetime | None
    second_answered: bool
    brand: Brand


def thanks_page(invitation_id: int) -> ThanksPage | None:
    """One statement of primary-key joins (invitation → survey, its response, the second answer, the brand);
    None when there is no such invitation. Reads only."""
    row = db.session.execute(
        select(Invitation.survey_id, Survey.closed_at, Survey.thanks_step, Response.id, Response.answered_at,
               ThanksAnswer.response_id, *BRAND_COLUMNS)
        .join(Survey, Survey.id == Invitation.survey_id)
        .outerjoin(Response, Response.invitation_id == Invitation.id)
        .outerjoin(ThanksAnswer, ThanksAnswer.response_id == Response.id)
        .outerjoin(BrandRow, BrandRow.id == literal_column(str(BRAND_ID)))
        .where(Invitation.id == invitation_id)).first()
    if row is None:
        return None
    survey_id, closed_at, step, response_id, answered_at, second, *brand = row
    return ThanksPage(survey_id, closed_at is not None, ThanksStep.from_json(step), response_id, answered_at,
                      second is not None, brand_of(*brand))


def record_second_answer(response_id: int, survey_id: int, question: str, text: str, locale: str,
                         now: datetime) -> bool:
    """Store the answer to the thank-you page's question, once per response: the table's key decides (a double
    click, a retry or a second tab inserts nothing). Returns whether this call stored it; the first answer
    stays as it was."""
    inserted = insert_ignoring_conflicts(ThanksAnswer, {
        "response_id": response_id, "survey_id": survey_id, "question": question, "text": text, "locale": locale,
        "answered_at": now}, ["response_id"])
    if inserted:
        db.session.commit()
    else:
        db.session.rollback()
    return inserted
