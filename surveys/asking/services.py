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
from surveys.asking.throttle import RELATIONSHIP, TRANSACTIONAL, normalised_touchpoint
from surveys.scales.kinds import KINDS, REASON, Kind
from surveys.scales.thanks_step import ThanksStep
from surveys.scales.texts import SurveyTexts, fill_wording, missing_languages, recovered_texts, with_written
from webhooks.events import SURVEY_CLOSED, emit

# ---------------------------------------------------------------- surveys


class NoQuestion(ValueError):
    """The texts given complete the question in no language."""


def create_survey(kind: str, name: str, product: str | dict, subject: str | dict = "", task: str | dict = "",
                  wording: dict | None = None, mode: str = RELATIONSHIP, cooldown_days: int | None = None,
                  touchpoint: str | None = None) -> Survey:
    """A survey worded in each language its texts complete (surveys.scales.texts): `product` a name for every
    language (str) or {locale: text}; `subject` and `task` English (str) or {locale: text}; empty: not given.
    `wording` {locale: {"question"?, "reason"?}} is written by the team and wins. Raises UnknownLanguage, or
    NoQuestion when no language would have a question. `mode`, `cooldown_days` (transactional only) and
    `touchpoint` (normalised here; ValueError when empty) are the triggered surveys' throttle and journey point."""
    wording_ = fill_wording(KINDS[kind].question, REASON, SurveyTexts.given(product, subject, task), wording)
    if not wording_:
        raise NoQuestion("no language has every text its question needs (give the same languages for each)")
    survey = Survey(kind=kind, name=name.strip(), wording=wording_, mode=mode, cooldown_days=cooldown_days,
                    touchpoint=normalised_touchpoint(touchpoint) if touchpoint else None)
    db.session.add(survey)
    db.session.commit()
    return survey


def update_wording(survey: Survey, wording: dict[str, dict[str, str]]) -> None:
    """The team's questions and reason prompts over the survey's: an empty text changes nothing, and a language
    without a question gets one only when it is written (its reason prompt then defaults to the standard one)."""
    survey.wording = with_written(survey.wording, wording, REASON)
    db.session.commit()


def set_touchpoint(survey: Survey, name: str) -> None:
    """Where in the journey the survey asks (normalised; empty: none). Raises ValueError for a name with
    nothing to keep or too long."""
    survey.touchpoint = normalised_touchpoint(name) if name.strip() else None
    db.session.commit()


def set_thanks_step(survey: Survey, step: ThanksStep | None) -> None:
    """The thank-you page's follow-up step (checked by surveys.scales.thanks_step.checked_step), or none."""
    survey.thanks_step = step.as_json() if step is not None else None
    db.session.commit()


def reword_survey(survey: Survey, texts: SurveyTexts, written: dict[str, dict[str, str]] | None = None) -> list[str]:
    """New texts for a survey (`feedback surveys wording`): the question of each language these texts name,
    and of each language still without one, is filled again from the standard template with them and the
    survey's own texts (read back from its questions); `written` questions and prompts win. Returns the
    languages still without a question."""
    kind = KINDS[survey.kind]
    filled = fill_wording(kind.question, REASON, texts.over(recovered_texts(kind.question, survey.wording)))
    renewed = texts.languages() | set(missing_languages(survey.wording))
    questions = {locale: {"question": filled[locale]["question"]} for locale in renewed if locale in filled}
    for locale, own in (written or {}).items():
        questions[locale] = {**questions.get(locale, {}), **{part: text for part, text in own.items() if text}}
    survey.wording = with_written(survey.wording, questions, REASON)
    db.session.commit()
    return missing_languages(survey.wording)


def close_survey(survey: Survey, now: datetime) -> None:
    if survey.closed_at is None:
        survey.closed_at = now
        emit(SURVEY_CLOSED, {"survey_id": survey.id, "name": survey.name, "kind": survey.kind,
                             "closed_at": now.isoformat(timespec="seconds") + "Z"}, now)
        db.session.commit()


# ---------------------------------------------------------------- sending

def eligible_customers(survey: Survey, now: datetime, cooldown_days: int, *columns, audience=None):
    """Not unsubscribed, not surveyed (by any relationship survey: a triggered transactional one does not count)
    within the cool-down, not invited to this one.
    The customers, or only `columns` of them. `audience`: a condition on Customer that narrows them (the
    check-in survey's silent customers); None: every customer."""
    recent = aliased(Invitation)
    this_one = aliased(Invitation)
    return (select(*(columns or (Customer,)))
            .where(Customer.unsubscribed_at.is_(None) if audience is None
                   else and_(Customer.unsubscribed_at.is_(None), audience))
            .where(~exists().where(and_(recent.customer_id == Customer.id,
                                        recent.sent_at >= now - timedelta(days=cooldown_days),
                                        recent.survey_id.in_(select(Survey.id).where(Survey.mode == RELATIONSHIP)))))
            .where(~exists().where(and_(this_one.customer_id == Customer.id,
                                        this_one.survey_id == survey.id)))
            .order_by(Customer.id))


def count_eligible(survey: Survey, now: datetime, cooldown_days: int, audience=None) -> int:
    return db.session.scalar(select(func.count()).select_from(
        eligible_customers(survey, now, cooldown_days, Customer.id, audience=audience).subquery()))


def eligible_by_language(survey: Survey, now: datetime, cooldown_days: int, audience=None) -> dict[str, int]:
    """{locale: eligible customers} in the languages a send would write to (best_locale, as the send maps
    them), in one grouped statement: a customer's stated locales are few, the customers many."""
    stated = db.session.execute(eligible_customers(survey, now, cooldown_days, Customer.locale, func.count(),
                                                   audience=audience)
                                .order_by(None).group_by(Customer.locale)).all()
    counts = dict.fromkeys(LOCALES, 0)
    for locale, customers in stated:
        counts[best_locale(locale)] += customers
    return counts


class TriggeredOnly(ValueError):
    """A transactional survey asks one customer at a time, after a moment of their journey (POST
    /api/v1/invitations, under its own cool-down): it is never sent to everyone at once."""

    def __init__(self, survey_id: int):
        super().__init__(f"survey {survey_id} is transactional: it is triggered one customer at a time through "
                         f"POST /api/v1/invitations, never sent to everyone")


class MissingWording(Exception):
    """A send refused before anything is written: eligible customers speak languages the survey has no
    question in. `speakers`: {locale: eligible customers}, in the product's order of languages."""

    def __init__(self, survey_id: int, speakers: dict[str, int]):
        super().__init__(f"survey {survey_id} has no question in {', '.join(speakers)}")
        self.survey_id, self.speakers = survey_id, speakers


def unworded_speakers(survey: Survey, now: datetime, cooldown_days: int, audience=None) -> dict[str, int]:
    """{locale: eligible customers} of the languages this survey has no question in (none: it may be sent)."""
    missing = missing_languages(survey.wording)
    if not missing:
        return {}
    counts = eligible_by_language(survey, now, cooldown_days, audience)
    return {locale: counts[locale] for locale in missing if counts[locale]}


def send_survey(survey: Survey, now: datetime, cooldown_days: int, progress: Progress = no_progress,
                audience=None) -> int:
    """Invite every eligible customer, BATCH at a time. Each batch of invitations is committed with
    their emails, so an invitation never exists without its email; a send stopped half-way is finished
    by sending again (customers already invited are no longer eligible). Rows, not ORM objects: the
    memory a send holds is one batch, whatever the number of customers. `progress` gets the customers
    of each batch."""
    if not survey.is_open:
        raise ValueError("this survey is closed")
    if survey.mode == TRANSACTIONAL:
        raise TriggeredOnly(survey.id)
    if speakers := unworded_speakers(survey, now, cooldown_days, audience):
        raise MissingWording(survey.id, speakers)  # never a mixed-language question: nothing is queued
    letter = _Letter(survey.id, KINDS[survey.kind], survey.wording)  # plain values: the commits expire `survey`
    eligible = eligible_customers(survey, now, cooldown_days, Customer.id, Customer.email, Customer.name,
                                  Customer.locale, audience=audience).limit(BATCH)
    invited, after = 0, 0
    while customers := _eligible_batch(eligible, after):
        # A customer whose language changed since the check above is left for the next send.
        invited += _invite([c for c in customers if best_locale(c.locale) in letter.wording], letter, now)
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
    if not customers:
        return 0
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
    return (insert_(table).on_conflict_do_nothing(index_elements=["survey_id", "customer_id", "round"])
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
    # An invitation's language always has a question (sends check it, wording never loses one): the check
    # below only keeps a mixed-language reminder impossible.
    queued = sum(_queue_survey_email(signed_invitation(invitation), invitation.customer, invitation.survey.wording,
                                     "survey_reminder", f"survey-reminder:{invitation.id}", now)
                 for invitation in due if invitation.locale in invitation.survey.wording)
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
