"""Use cases of survey collection. Each public function is one use case and owns its one commit."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable, Iterable, NamedTuple

from sqlalchemy import String, and_, bindparam, cast, exists, func, insert, literal, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased

from feedback_app.core.extensions import db
from feedback_app.core.sql import DriverStatement
from feedback_app.mail.outbox import SENT_LISTENERS, OutboxEmail, enqueue_email, enqueue_emails
from feedback_app.mail.suppression import suppressed_since
from surveys.answering import tallies
from surveys.asking.links import Links, SignedInvitation
from surveys.models import Customer, Invitation, Response, Survey
from surveys.people.importing import CustomerRow
from surveys.scales import scoring
from surveys.scales.answers import Answer
from surveys.scales.kinds import KINDS, LOCALES, Kind, best_locale, default_wording

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


def import_customers(lines: Iterable[CustomerRow | tuple[int, str]], progress: Progress = _no_progress) -> ImportReport:
    """Add new customers and update known ones (matched by e-mail); broken lines go to the report.

    `lines` is what surveys.people.importing reads (a CustomerCSV streamed from the file, or a ParsedCSV):
    rows are taken BATCH at a time, so memory stays flat however long the file. Each batch is
    committed (see BATCH): an import stopped half-way is finished by running it again, since a second
    import of the same rows updates them and never duplicates. `progress` gets the rows of each batch.
    """
    report = ImportReport()
    batch: list[CustomerRow] = []
    for item in lines:
        if not isinstance(item, CustomerRow):
            report.errors.append(tuple(item))
            continue
        batch.append(item)
        if len(batch) == BATCH:
            _import_batch(batch, report, progress)
            batch = []
    if batch:
        _import_batch(batch, report, progress)
    report.errors.sort(key=lambda error: error[0])
    return report


# Who must follow a change of known customers' attributes in the same transaction: fn(customer ids).
# The import writes rows in bulk, past the ORM's events; triage's stored fix evidence weighs customers
# by an attribute (`mrr`) and registers here (surveys never imports triage).
ATTRIBUTES_LISTENERS: list[Callable[[list[int]], None]] = []


def _import_batch(rows: list[CustomerRow], report: ImportReport, progress: Progress) -> None:
    """One transaction: the new rows inserted and the known ones updated, each in one statement."""
    emails = [row.email for row in rows]
    known = {c.email: c for c in db.session.execute(
        select(Customer.id, Customer.email, Customer.name, Customer.locale, Customer.attributes)
        .where(Customer.email.in_(emails)))}
    erased = suppressed_since(emails)  # erased on request: never stored again unless restored
    new, changed, moved = [], [], []
    for row in rows:
        if row.email in erased:
            report.errors.append((row.line, _erased_message(row.email, erased[row.email])))
        elif (customer := known.get(row.email)) is None:
            new.append({"email": row.email, "name": row.name, "locale": row.locale or "en",
                        "attributes": row.attributes})
        else:
            attributes = {**(customer.attributes or {}), **row.attributes}
            changed.append({"id": customer.id, "name": row.name or customer.name,
                            "locale": row.locale or customer.locale, "attributes": attributes})
            if attributes != (customer.attributes or {}):
                moved.append(customer.id)
    # Bulk statements, not ORM objects: nothing of the batch stays in the session after the commit.
    if new:
        db.session.execute(insert(Customer), new)
    if changed:
        db.session.execute(update(Customer), changed)
    for listener in ATTRIBUTES_LISTENERS if moved else ():
        listener(moved)
    db.session.commit()
    report.created += len(new)
    report.updated += len(changed)
    progress(len(rows))


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

    def survey_url(self, invitation: Invitation | SignedInvitation, score: int | None = None) -> str:
        signed = invitation if isinstance(invitation, SignedInvitation) else signed_invitation(invitation)
        url = f"{self.base_url}/s/{self.links.invitation_token(signed)}"
        return url if score is None else f"{url}?score={score}"

    def unsubscribe_url(self, customer_id: int) -> str:
        return f"{self.base_url}/u/{self.links.unsubscribe_token(customer_id)}"

    def early_access_url(self, fix_id: int, customer_id: int) -> str:
        return f"{self.base_url}/early/{self.links.early_access_token(fix_id, customer_id)}"


def eligible_customers(survey: Survey, now: datetime, cooldown_days: int, *columns):
    """Not unsubscribed, not surveyed (by any survey) within the cool-down, not invited to this one.
    The customers, or only `columns` of them."""
    recent = aliased(Invitation)
    this_one = aliased(Invitation)
    return (select(*(columns or (Customer,)))
            .where(Customer.unsubscribed_at.is_(None))
            .where(~exists().where(and_(recent.customer_id == Customer.id,
                                        recent.sent_at >= now - timedelta(days=cooldown_days))))
            .where(~exists().where(and_(this_one.customer_id == Customer.id,
                                        this_one.survey_id == survey.id)))
            .order_by(Customer.id))


def count_eligible(survey: Survey, now: datetime, cooldown_days: int) -> int:
    return db.session.scalar(select(func.count()).select_from(
        eligible_customers(survey, now, cooldown_days, Customer.id).subquery()))


def send_survey(survey: Survey, mailer: Mailer, now: datetime, cooldown_days: int,
                progress: Progress = _no_progress) -> int:
    """Invite every eligible customer, BATCH at a time. Each batch of invitations is committed with
    their emails, so an invitation never exists without its email; a send stopped half-way is finished
    by sending again (customers already invited are no longer eligible). Rows, not ORM objects: the
    memory a send holds is one batch, whatever the number of customers. `progress` gets the customers
    of each batch."""
    if not survey.is_open:
        raise ValueError("this survey is closed")
    letter = _Letter(survey.id, KINDS[survey.kind], survey.wording)  # plain values: the commits expire `survey`
    eligible = eligible_customers(survey, now, cooldown_days, Customer.id, Customer.email, Customer.name,
                                  Customer.locale).limit(BATCH)
    invited, after = 0, 0
    while customers := _eligible_batch(eligible, after):
        invited += _invite(customers, letter, mailer, now)
        db.session.commit()
        after = customers[-1].id
        progress(len(customers))
    return invited


@dataclass(frozen=True)
class _Letter:
    """What every invitation email of one survey shares."""
    survey_id: int
    kind: Kind
    wording: dict


def _eligible_batch(eligible, after: int) -> list:
    return db.session.execute(eligible.where(Customer.id > after)).all()


def _invite(customers: list, letter: _Letter, mailer: Mailer, now: datetime) -> int:
    """The batch's invitations in one INSERT and an email queued for each one it made. ON CONFLICT DO
    NOTHING: a customer whom another send invited meanwhile is skipped here, email included."""
    inserted = db.session.execute(_insert_invitations(), [
        {"survey_id": letter.survey_id, "customer_id": c.id, "sent_at": now, "locale": best_locale(c.locale)}
        for c in customers]).all()
    if inserted:
        db.session.execute(update(Survey).where(Survey.id == letter.survey_id)
                           .values(invited=Survey.invited + len(inserted)))
    by_id = {c.id: c for c in customers}
    enqueue_emails([_survey_email(SignedInvitation(invitation_id, letter.survey_id, letter.kind.key, locale),
                                  by_id[customer_id], letter.wording, "survey_invitation",
                                  f"{INVITATION_KEY}{invitation_id}", mailer)
                    for invitation_id, customer_id, locale in inserted], now)
    return len(inserted)


def _insert_invitations():
    from sqlalchemy.dialects import postgresql, sqlite

    insert_ = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    table = Invitation.__table__
    return (insert_(table).on_conflict_do_nothing(index_elements=["survey_id", "customer_id"])
            .returning(table.c.id, table.c.customer_id, table.c.locale))


INVITATION_KEY = "survey-invitation:"


def count_delivered(keys: list[str]) -> None:
    """The outbox just sent these emails (feedback_app.mail.outbox.SENT_LISTENERS): each survey's invitations
    among them count as delivered. An email is sent once, so each is counted once."""
    ids = [int(key[len(INVITATION_KEY):]) for key in keys
           if key.startswith(INVITATION_KEY) and key[len(INVITATION_KEY):].isdigit()]
    if not ids:
        return
    per_survey = db.session.execute(select(Invitation.survey_id, func.count(Invitation.id))
                                    .where(Invitation.id.in_(ids)).group_by(Invitation.survey_id)).all()
    for survey_id, sent in per_survey:
        db.session.execute(update(Survey).where(Survey.id == survey_id).values(delivered=Survey.delivered + sent))


SENT_LISTENERS.append(count_delivered)


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
    queued = sum(_queue_survey_email(signed_invitation(invitation), invitation.customer, invitation.survey.wording,
                                     "survey_reminder", f"survey-reminder:{invitation.id}", mailer, now)
                 for invitation in due)
    db.session.commit()
    return queued


def _dedupe_key(prefix: str, column):
    """The outbox key of a row's email, as SQL, so a join can ask whether it was queued or delivered."""
    return literal(prefix, String) + cast(column, String)


def _queue_survey_email(invitation: SignedInvitation, customer, wording: dict, template: str, key: str,
                        mailer: Mailer, now: datetime) -> bool:
    key, template, recipient, locale, context, headers = _survey_email(invitation, customer, wording, template, key,
                                                                       mailer)
    return enqueue_email(key, template, recipient, locale, context, now, headers)


def _survey_email(invitation: SignedInvitation, customer, wording: dict, template: str, key: str,
                  mailer: Mailer) -> tuple[str, str, str, str, dict, dict]:
    """One customer's invitation or reminder (`customer`: id, email and name), as the outbox queues it:
    (key, template, recipient, locale, context, headers)."""
    kind, locale = KINDS[invitation.kind], invitation.locale
    survey_url = mailer.survey_url(invitation)  # signed once: every button is this link with its score
    unsubscribe_url = mailer.unsubscribe_url(customer.id)
    context = {
        "customer": customer, "kind": kind, "question": wording[locale]["question"],
        "buttons": [(point, f"{survey_url}?score={point}") for point in kind.scale],
        "survey_url": survey_url, "unsubscribe_url": unsubscribe_url,
    }
    headers = {"List-Unsubscribe": f"<{unsubscribe_url}>",
               "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    return key, template, customer.email, locale, context, headers


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
    # Through the driver (feedback_app.core.sql.DriverStatement), in a transaction of its own: neither
    # the session's unit of work nor SQLAlchemy's execution context is needed for one INSERT. rowcount,
    # not RETURNING: both drivers report 0 for a skipped conflict, and a row to fetch costs on the hot path.
    engine = db.engine
    try:
        inserted = _FIRST_ANSWER.write(engine, params) == 1
    except engine.dialect.loaded_dbapi.IntegrityError:  # the link is genuine but its invitation is gone
        return MISSING
    if inserted:
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


# Built once: the survey page is what every click in an email opens. Primary-key lookups only.
_ANSWER_PAGE = DriverStatement(
    select(Invitation.survey_id, Survey.closed_at, Survey.wording, Response.invitation_id, Response.score,
           Response.comment, Response.may_contact, Response.answered_at)
    .join(Survey, Survey.id == Invitation.survey_id)
    .outerjoin(Response, Response.invitation_id == Invitation.id)
    .where(Invitation.id == bindparam("invitation_id")))


def answer_page(invitation_id: int, engine: Engine | None = None) -> AnswerPage | None:
    """The invitation's survey (closed? its wording) and its answer, if any, in one statement; None if
    there is no such invitation. Through the driver (feedback_app.core.sql.DriverStatement): no ORM objects,
    no unit of work, and a request that never touches the session ends without its bookkeeping."""
    row = _ANSWER_PAGE.first(engine or db.engine, {"invitation_id": invitation_id})
    if row is None:
        return None
    survey_id, closed_at, wording, answered, score, comment, may_contact, answered_at = row
    response = StoredAnswer(score, comment, bool(may_contact), answered_at) if answered is not None else None
    return AnswerPage(survey_id, closed_at is not None, wording, response)


def can_still_edit(response: Response | None, now: datetime, edit_window: timedelta) -> bool:
    return response is None or now - response.answered_at <= edit_window
