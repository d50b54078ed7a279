"""Use cases of asking: a survey created, worded, sent to the eligible customers, reminded, closed.
Each public function is one use case and owns its one commit (a send commits BATCH invitations at a time:
see send_survey)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, and_, cast, exists, func, literal, select, update
from sqlalchemy.orm import aliased

from feedback_app.core.extensions import db
from feedback_app.core.languages import LOCALES, best_locale
from feedback_app.mail.outbox import SENT_LISTENERS, OutboxEmail, enqueue_email, enqueue_emails
from surveys.answering.links import SignedInvitation, signed_invitation, survey_url
from surveys.models import Customer, Invitation, Response, Survey
from surveys.people.links import unsubscribe_url
from surveys.people.services import BATCH, Progress, no_progress
from surveys.scales.kinds import KINDS, Kind, default_wording

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


def send_survey(survey: Survey, now: datetime, cooldown_days: int, progress: Progress = no_progress) -> int:
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
        invited += _invite(customers, letter, now)
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


def _invite(customers: list, letter: _Letter, now: datetime) -> int:
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
                                  f"{INVITATION_KEY}{invitation_id}")
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


# ---------------------------------------------------------------- reminders

# A reminder weeks after the invitation (the scheduler was down, say) confuses more than it helps.
REMINDER_GRACE = timedelta(days=7)


def queue_due_reminders(now: datetime, after_days: int) -> int:
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
                                     "survey_reminder", f"survey-reminder:{invitation.id}", now)
                 for invitation in due)
    db.session.commit()
    return queued


def _dedupe_key(prefix: str, column):
    """The outbox key of a row's email, as SQL, so a join can ask whether it was queued or delivered."""
    return literal(prefix, String) + cast(column, String)


def _queue_survey_email(invitation: SignedInvitation, customer, wording: dict, template: str, key: str,
                        now: datetime) -> bool:
    key, template, recipient, locale, context, headers = _survey_email(invitation, customer, wording, template, key)
    return enqueue_email(key, template, recipient, locale, context, now, headers)


def _survey_email(invitation: SignedInvitation, customer, wording: dict, template: str,
                  key: str) -> tuple[str, str, str, str, dict, dict]:
    """One customer's invitation or reminder (`customer`: id, email and name), as the outbox queues it:
    (key, template, recipient, locale, context, headers)."""
    kind, locale = KINDS[invitation.kind], invitation.locale
    url = survey_url(invitation)  # signed once: every button is this link with its score
    unsubscribe = unsubscribe_url(customer.id)
    context = {
        "customer": customer, "kind": kind, "question": wording[locale]["question"],
        "buttons": [(point, f"{url}?score={point}") for point in kind.scale],
        "survey_url": url, "unsubscribe_url": unsubscribe,
    }
    headers = {"List-Unsubscribe": f"<{unsubscribe}>",
               "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    return key, template, customer.email, locale, context, headers
