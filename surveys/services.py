"""Use cases of survey collection. Each public function is one use case and owns its one commit."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable, Iterable

from sqlalchemy import String, and_, cast, exists, func, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from feedback_app.db_helpers import slices
from feedback_app.extensions import db
from feedback_app.outbox import SENT, OutboxEmail, enqueue_email
from feedback_app.suppression import suppressed_since

from . import scoring, tallies
from .answers import Answer
from .importing import ParsedCSV
from .kinds import KINDS, LOCALES, best_locale, default_wording
from .links import Links, SignedInvitation
from .models import Customer, Invitation, Response, Survey

Progress = Callable[[int], None]


def _no_progress(_: int) -> None:
    pass


# ---------------------------------------------------------------- customers

@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


# Rows per transaction of a long import or send. SQLite has one writer at a time: a batch holds the lock
# for milliseconds, so survey answers arriving meanwhile wait that long instead of the whole import.
BATCH = 1000


def import_customers(parsed: ParsedCSV, progress: Progress = _no_progress) -> ImportReport:
    """Add new customers and update known ones (matched by e-mail); invalid rows were already set apart.

    Committed batch by batch (see BATCH): an import stopped half-way is finished by running it again,
    since a second import of the same rows updates them and never duplicates.
    """
    report = ImportReport(errors=list(parsed.errors))
    for rows in slices(parsed.rows, BATCH):
        _import_batch(rows, report)
        db.session.commit()
        progress(len(rows))
    report.errors.sort(key=lambda error: error[0])
    return report


def _import_batch(rows, report: ImportReport) -> None:
    emails = [row.email for row in rows]
    known = {c.email: c for c in db.session.scalars(select(Customer).where(Customer.email.in_(emails)))}
    erased = suppressed_since(emails)  # erased on request: never stored again unless restored
    for row in rows:
        if row.email in erased:
            report.errors.append((row.line, _erased_message(row.email, erased[row.email])))
            continue
        customer = known.get(row.email)
        if customer is None:
            db.session.add(Customer(email=row.email, name=row.name, locale=row.locale or "en",
                                    attributes=row.attributes))
            report.created += 1
        else:
            customer.name = row.name or customer.name
            customer.locale = row.locale or customer.locale
            customer.attributes = {**(customer.attributes or {}), **row.attributes}
            report.updated += 1


def _erased_message(email: str, erased_at: datetime) -> str:
    return (f"this address was erased on request on {erased_at:%Y-%m-%d}; "
            f"`feedback customers restore {email}` allows it again")


def unsubscribe(customer_id: int, now: datetime) -> Customer | None:
    customer = db.session.get(Customer, customer_id)
    if customer is not None and customer.unsubscribed_at is None:
        customer.unsubscribed_at = now
        db.session.commit()
    return customer


# ---------------------------------------------------------------- surveys

def create_survey(kind: str, name: str, product: str, subject: str = "", task: str = "",
                  wording: dict | None = None) -> Survey:
    wording_ = default_wording(KINDS[kind], product, subject, task)
    for locale, texts in (wording or {}).items():
        wording_[locale].update({k: v for k, v in texts.items() if v and v.strip()})
    survey = Survey(kind=kind, name=name.strip(), wording=wording_)
    db.session.add(survey)
    db.session.commit()
    return survey


def update_wording(survey: Survey, wording: dict[str, dict[str, str]]) -> None:
    survey.wording = {locale: {**survey.wording.get(locale, {}),
                               **{k: v.strip() for k, v in wording.get(locale, {}).items() if v.strip()}}
                      for locale in LOCALES}
    db.session.commit()


def close_survey(survey: Survey, now: datetime) -> None:
    if survey.closed_at is None:
        survey.closed_at = now
        db.session.commit()


# ---------------------------------------------------------------- sending

def signed_invitation(invitation: Invitation) -> SignedInvitation:
    return SignedInvitation(invitation.id, invitation.survey_id, invitation.survey.kind, invitation.locale)


@dataclass(frozen=True)
class Mailer:
    """What building an emailed link needs: the signer and the public address of the app."""
    links: Links
    base_url: str

    def survey_url(self, invitation: Invitation, score: int | None = None) -> str:
        url = f"{self.base_url}/s/{self.links.invitation_token(signed_invitation(invitation))}"
        return url if score is None else f"{url}?score={score}"

    def unsubscribe_url(self, customer_id: int) -> str:
        return f"{self.base_url}/u/{self.links.unsubscribe_token(customer_id)}"

    def early_access_url(self, fix_id: int, customer_id: int) -> str:
        return f"{self.base_url}/early/{self.links.early_access_token(fix_id, customer_id)}"


def eligible_customers(survey: Survey, now: datetime, cooldown_days: int):
    """Not unsubscribed, not surveyed (by any survey) within the cool-down, not invited to this one."""
    recent = aliased(Invitation)
    this_one = aliased(Invitation)
    return (select(Customer)
            .where(Customer.unsubscribed_at.is_(None))
            .where(~exists().where(and_(recent.customer_id == Customer.id,
                                        recent.sent_at >= now - timedelta(days=cooldown_days))))
            .where(~exists().where(and_(this_one.customer_id == Customer.id,
                                        this_one.survey_id == survey.id)))
            .order_by(Customer.id))


def count_eligible(survey: Survey, now: datetime, cooldown_days: int) -> int:
    return db.session.scalar(select(func.count()).select_from(
        eligible_customers(survey, now, cooldown_days).subquery()))


def send_survey(survey: Survey, mailer: Mailer, now: datetime, cooldown_days: int,
                progress: Progress = _no_progress) -> int:
    """Invite every eligible customer. Each batch of invitations is committed with its emails, so an
    invitation never exists without its email; a send stopped half-way is finished by sending again
    (customers already invited are no longer eligible)."""
    if not survey.is_open:
        raise ValueError("this survey is closed")
    invited, after = 0, 0
    while customers := db.session.scalars(eligible_customers(survey, now, cooldown_days)
                                          .where(Customer.id > after).limit(BATCH)).all():
        invitations = [Invitation(survey=survey, customer=c, sent_at=now, locale=best_locale(c.locale))
                       for c in customers]
        db.session.add_all(invitations)
        db.session.flush()  # ids for the signed links
        for invitation in invitations:
            _queue_survey_email(invitation, "survey_invitation", f"survey-invitation:{invitation.id}", mailer, now)
        db.session.commit()
        invited, after = invited + len(invitations), customers[-1].id
        progress(len(invitations))
    return invited


# A reminder weeks after the invitation (the scheduler was down, say) confuses more than it helps.
REMINDER_GRACE = timedelta(days=7)


def queue_due_reminders(mailer: Mailer, now: datetime, after_days: int) -> int:
    """One reminder per unanswered invitation `after_days` old; the dedupe key makes it once."""
    reminder_key = _dedupe_key("survey-reminder:", Invitation.id)
    due = db.session.scalars(
        select(Invitation).join(Invitation.survey).join(Invitation.customer)
        .where(Invitation.sent_at <= now - timedelta(days=after_days))
        .where(Invitation.sent_at > now - timedelta(days=after_days) - REMINDER_GRACE)
        .where(Survey.closed_at.is_(None), Customer.unsubscribed_at.is_(None))
        .where(~exists().where(Response.invitation_id == Invitation.id))
        .where(~exists().where(OutboxEmail.dedupe_key == reminder_key))
        .order_by(Invitation.id)).all()
    queued = sum(_queue_survey_email(invitation, "survey_reminder", f"survey-reminder:{invitation.id}",
                                     mailer, now) for invitation in due)
    db.session.commit()
    return queued


def _dedupe_key(prefix: str, column):
    """The outbox key of a row's email, as SQL, so a join can ask whether it was queued or delivered."""
    return literal(prefix, String) + cast(column, String)


def _queue_survey_email(invitation: Invitation, template: str, key: str, mailer: Mailer, now: datetime) -> bool:
    customer, survey = invitation.customer, invitation.survey
    kind = KINDS[survey.kind]
    locale = invitation.locale
    unsubscribe_url = mailer.unsubscribe_url(customer.id)
    context = {
        "customer": customer, "survey": survey, "kind": kind,
        "question": survey.wording[locale]["question"],
        "buttons": [(point, mailer.survey_url(invitation, point)) for point in kind.scale],
        "survey_url": mailer.survey_url(invitation),
        "unsubscribe_url": unsubscribe_url,
    }
    headers = {"List-Unsubscribe": f"<{unsubscribe_url}>",
               "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    return enqueue_email(key, template, customer.email, locale, context, now, headers)


# ---------------------------------------------------------------- answering

CREATED, UPDATED, LOCKED, CLOSED, MISSING = "created", "updated", "locked", "closed", "missing"


def record_answer(invitation: SignedInvitation, answer: Answer, now: datetime, edit_window: timedelta) -> str:
    """Store the one response of an invitation, or change it within the edit window.

    The first answer is one INSERT built from the signed link (invitation, survey, language) and the
    form, which does nothing if the invitation already has a response (its unique key): double
    clicks, retries and two tabs all end in a single row, and the common case is one round trip.
    Whether the survey is still open is the caller's check (see surveys.views.survey_is_closed).
    """
    params = {"invitation_id": invitation.id, "survey_id": invitation.survey_id, "score": answer.score,
              "comment": "" if answer.score_only else answer.comment,
              "may_contact": answer.may_contact and not answer.score_only,
              "consent_at": now if answer.may_contact and not answer.score_only else None,
              "locale": invitation.locale, "answered_at": now, "updated_at": now}
    # Through the connection, not Session.execute: a Core statement needs none of the ORM's work.
    # rowcount, not RETURNING: both drivers (sqlite3, psycopg) report 0 for a skipped conflict, and
    # a result row to fetch and read is measurable on the hot path.
    try:
        inserted = db.session.connection().execute(_first_answer_statement(), params).rowcount == 1
    except IntegrityError:  # the link is genuine but its invitation is gone (foreign key)
        db.session.rollback()
        return MISSING
    if inserted:
        db.session.commit()
        return CREATED
    return _change_answer(invitation.id, answer, now, edit_window)


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


_first_answer_statements: dict[str, object] = {}


def _first_answer_statement():
    """Built once per database dialect: the survey POST must not rebuild SQL on every request."""
    dialect = db.engine.dialect.name
    statement = _first_answer_statements.get(dialect)
    if statement is None:
        statement = _build_first_answer_statement(dialect)
        _first_answer_statements[dialect] = statement
    return statement


def _build_first_answer_statement(dialect: str):
    from sqlalchemy.dialects import postgresql, sqlite

    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = Response.__table__
    # inline(): no implicit RETURNING of the new id, which nothing reads. preserve_rowcount: SQLAlchemy
    # collects an INSERT's rowcount only when asked.
    return (insert(table).inline().on_conflict_do_nothing(index_elements=["invitation_id"])
            .execution_options(preserve_rowcount=True))


def closed_survey_ids() -> frozenset[int]:
    return frozenset(db.session.scalars(select(Survey.id).where(Survey.closed_at.is_not(None))))


# ---------------------------------------------------------------- results

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
    """Read from the score tallies (surveys.tallies), not from every answer: as fast at a million answers
    as at ten. The comments are the newest, read in order from an index."""
    weeks = {week: tally for (kind, week), tally in tallies.weekly(survey_id=survey.id).items() if kind == survey.kind}
    total = sum(weeks.values(), Counter())
    invited = db.session.scalar(select(func.count(Invitation.id)).where(Invitation.survey_id == survey.id))
    delivered = db.session.scalar(
        select(func.count(Invitation.id)).join(
            OutboxEmail, OutboxEmail.dedupe_key == _dedupe_key("survey-invitation:", Invitation.id))
        .where(Invitation.survey_id == survey.id, OutboxEmail.status == SENT))
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


# ---------------------------------------------------------------- lookups for the survey page

def find_invitation(invitation_id: int) -> Invitation | None:
    return db.session.get(Invitation, invitation_id)


def can_still_edit(response: Response | None, now: datetime, edit_window: timedelta) -> bool:
    return response is None or now - response.answered_at <= edit_window
