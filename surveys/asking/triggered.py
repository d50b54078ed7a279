"""Use case: one customer invited to a survey now, by another system (POST /api/v1/invitations), through the
outbox, with the survey's throttle (surveys.asking.throttle). One commit: the invitation with its email."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from feedback_app.core.extensions import db
from feedback_app.core.languages import best_locale
from feedback_app.mail.suppression import is_suppressed
from surveys.answering.links import signed_invitation
from surveys.asking.services import INVITATION_KEY, _queue_survey_email
from surveys.asking.throttle import RELATIONSHIP, Refusal, cooldown_of, refusal
from surveys.models import Customer, Invitation, Survey


class TriggerRefused(Exception):
    def __init__(self, status: int, message: str, retry_at: datetime | None = None):
        super().__init__(message)
        self.status, self.message, self.retry_at = status, message, retry_at


@dataclass(frozen=True)
class Trigger:
    survey_id: int
    email: str | None = None
    customer_id: int | None = None
    external_id: str | None = None
    context: str | None = None


@dataclass(frozen=True)
class Triggered:
    invitation: Invitation
    created: bool


def trigger_invitation(trigger: Trigger, now: datetime, relationship_cooldown_days: int) -> Triggered:
    """The invitation (created, or the one this external_id made before); raises TriggerRefused (404, 409, 429)."""
    survey = db.session.get(Survey, trigger.survey_id)
    if survey is None:
        raise TriggerRefused(404, f"There is no survey {trigger.survey_id}.")
    if trigger.external_id is not None and (earlier := _by_external_id(survey.id, trigger.external_id)):
        return Triggered(earlier, False)
    customer = _customer(trigger)
    _check_may_ask(survey, customer)
    locale = best_locale(customer.locale)
    if locale not in survey.wording:
        raise TriggerRefused(409, f"Survey {survey.id} has no question in {locale}, the customer's language: "
                                  f"word it first (`feedback surveys wording`).")
    _hold(customer)
    earlier = db.session.scalar(select(func.count(Invitation.id)).where(  # this customer's rounds of this survey
        Invitation.customer_id == customer.id, Invitation.survey_id == survey.id))
    if found := _throttled(survey, customer, earlier, now, relationship_cooldown_days):
        db.session.rollback()  # lets go of the customer's row at once
        raise TriggerRefused(found.status, found.message, found.retry_at)
    return Triggered(_invite(survey, customer, locale, earlier, trigger, now), True)


def _by_external_id(survey_id: int, external_id: str) -> Invitation | None:
    return db.session.scalar(select(Invitation).where(Invitation.survey_id == survey_id,
                                                      Invitation.external_id == external_id))


def _customer(trigger: Trigger) -> Customer:
    if trigger.customer_id is not None:
        customer = db.session.get(Customer, trigger.customer_id)
        if customer is None:
            raise TriggerRefused(404, f"There is no customer {trigger.customer_id}.")
        return customer
    address = trigger.email.strip().lower()  # as the customer import stores addresses
    customer = db.session.scalar(select(Customer).where(Customer.email == address))
    if customer is None:
        if is_suppressed(address):
            raise TriggerRefused(409, f"{address} was erased on request: it is never emailed again.")
        raise TriggerRefused(404, f"There is no customer {address}; import them first.")
    return customer


def _check_may_ask(survey: Survey, customer: Customer) -> None:
    if not survey.is_open:
        raise TriggerRefused(409, f"Survey {survey.id} is closed.")
    if customer.unsubscribed_at is not None:
        raise TriggerRefused(409, "This customer unsubscribed from surveys.")
    if is_suppressed(customer.email):
        raise TriggerRefused(409, "This customer's address was erased on request: it is never emailed again.")


def _hold(customer: Customer) -> None:
    """Take the customer's row for this transaction before the cool-down is read: two triggers of the same
    customer at once (say, to two CSAT surveys) then decide one after the other, and the second sees the first's
    invitation. An UPDATE that changes nothing locks the row on PostgreSQL and takes SQLite's write lock, so it
    works on both (SELECT … FOR UPDATE is ignored by SQLite)."""
    db.session.execute(update(Customer).where(Customer.id == customer.id).values(id=Customer.id))


def _throttled(survey: Survey, customer: Customer, earlier: int, now: datetime,
               relationship_days: int) -> Refusal | None:
    alike = select(Survey.id).where(Survey.mode == survey.mode)
    if survey.mode != RELATIONSHIP:
        alike = alike.where(Survey.kind == survey.kind)
    last_alike = db.session.scalar(select(func.max(Invitation.sent_at)).where(
        Invitation.customer_id == customer.id, Invitation.survey_id.in_(alike)))
    return refusal(survey.mode, bool(earlier), last_alike,
                   cooldown_of(survey.mode, survey.cooldown_days, relationship_days), now)


def _invite(survey: Survey, customer: Customer, locale: str, rounds: int, trigger: Trigger,
            now: datetime) -> Invitation:
    invitation = Invitation(survey_id=survey.id, customer_id=customer.id, sent_at=now, locale=locale, round=rounds,
                            external_id=trigger.external_id, context=trigger.context)
    db.session.add(invitation)
    try:
        db.session.flush()
    except IntegrityError:  # the same trigger, or another invitation of this customer, committed meanwhile
        db.session.rollback()
        if trigger.external_id is not None and (earlier := _by_external_id(survey.id, trigger.external_id)):
            return earlier
        raise TriggerRefused(409, "Another invitation of this customer to this survey was made meanwhile; "
                                  "try again.") from None
    db.session.execute(update(Survey).where(Survey.id == survey.id).values(invited=Survey.invited + 1))
    _queue_survey_email(signed_invitation(invitation), customer, survey.wording, "survey_invitation",
                        f"{INVITATION_KEY}{invitation.id}", now)
    db.session.commit()
    return invitation
