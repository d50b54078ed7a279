"""Feedback from another channel (support email, chat, app store), sent through the API.

One use case, one commit: the customer (found by email, or created), the verbatim, and its triage
record — so the caller learns the type at once, and a failure leaves nothing half stored.
The same rules as a survey answer apply: at most surveys.scales.answers.MAX_COMMENT characters, kept exactly
as sent, and a score only within its kind's scale.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from feedback_app.core.extensions import db
from feedback_app.core.languages import LOCALES
from feedback_app.core.sql import insert_ignoring_conflicts
from feedback_app.mail.suppression import is_suppressed
from surveys.answering.services import response_created_data
from surveys.models import Customer, Response
from surveys.scales.answers import MAX_COMMENT
from surveys.scales.kinds import KINDS
from triage.classification.learning import ensure_model
from triage.classification.services import classified_data
from triage.language.text import detect_language
from triage.models import TriageItem
from triage.verbatims import classifying
from webhooks.events import RESPONSE_CLASSIFIED, RESPONSE_CREATED, emit

DEFAULT_KIND = "nps"  # the scale of a score sent without a kind: the survey most teams run
DEFAULT_CHANNEL = "api"
CHANNEL = re.compile(r"[a-z0-9][a-z0-9_-]{0,19}")  # fits Response.channel (20)
NAME_MAX = 200
EXTERNAL_ID_MAX = 200


class IntakeError(ValueError):
    """Feedback that cannot be stored as sent; `field` names the part to fix."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ChannelFeedback:
    text: str
    email: str | None = None
    name: str | None = None
    locale: str | None = None
    score: int | None = None
    kind: str | None = None
    channel: str = DEFAULT_CHANNEL
    may_contact: bool = False
    external_id: str | None = None      # the channel's own id (ticket, review): a resend finds the first
    answered_at: datetime | None = None  # when it was written (naive UTC); default: now


@dataclass(frozen=True)
class Taken:
    response: Response
    item: TriageItem | None
    created: bool = True  # False: this channel's item was sent before and is answered as stored


class ErasedAddress(Exception):
    """The sender's address was erased on request: nothing from or about it is stored again (HTTP 409)."""


def take_feedback(feedback: ChannelFeedback, now: datetime, review_below: float) -> Taken:
    _check(feedback, now)
    _refuse_erased(feedback)
    if feedback.external_id and (known := _known(feedback)) is not None:
        return known
    email = _normalised_email(feedback.email) if feedback.email else None
    ensure_model(now)  # a first model trains (and commits) on its own, before anything of ours
    customer = _customer(email, feedback, now) if email else None
    kind = feedback.kind or (DEFAULT_KIND if feedback.score is not None else None)
    response = Response(channel=feedback.channel, customer_id=customer.id if customer else None, kind=kind,
                        score=feedback.score, comment=feedback.text, may_contact=feedback.may_contact,
                        consent_at=now if feedback.may_contact else None,
                        locale=_locale(feedback, customer), answered_at=feedback.answered_at or now,
                        updated_at=now, external_id=feedback.external_id)
    db.session.add(response)
    try:
        db.session.flush()
    except IntegrityError:
        # The same item sent twice at once: the other request stored it first.
        db.session.rollback()
        if feedback.external_id and (known := _known(feedback)) is not None:
            return known
        raise
    item = classifying.classify_response(response, now, review_below)
    emit(RESPONSE_CREATED, response_created_data(
        response.id, response.answered_at, customer_id=response.customer_id, channel=response.channel,
        kind=response.kind, score=response.score, comment=response.comment, locale=response.locale), now)
    if item is not None:
        emit(RESPONSE_CLASSIFIED, classified_data(item, response.comment), now)
    db.session.commit()
    return Taken(response, item)


def _known(feedback: ChannelFeedback) -> Taken | None:
    """An item this channel sent before: answered as it was stored, whatever this copy says."""
    response = db.session.scalar(select(Response).where(Response.channel == feedback.channel,
                                                        Response.external_id == feedback.external_id))
    if response is None:
        return None
    item = db.session.scalar(select(TriageItem).where(TriageItem.response_id == response.id))
    return Taken(response, item, created=False)


def _check(feedback: ChannelFeedback, now: datetime) -> None:
    if not feedback.text or not feedback.text.strip():
        raise IntakeError("text", "The feedback text is empty.")
    if len(feedback.text) > MAX_COMMENT:
        raise IntakeError("text", f"The feedback text has at most {MAX_COMMENT} characters "
                                  f"(this one has {len(feedback.text)}).")
    if feedback.kind is not None and feedback.kind not in KINDS:
        raise IntakeError("kind", f"kind is one of {', '.join(KINDS)}.")
    kind = KINDS[feedback.kind or DEFAULT_KIND]
    if feedback.score is not None and not kind.accepts(feedback.score):
        raise IntakeError("score", f"A {kind.key} score is a whole number from {kind.low} to {kind.high}.")
    if feedback.locale is not None and feedback.locale not in LOCALES:
        raise IntakeError("locale", f"locale is one of {', '.join(LOCALES)}.")
    if not CHANNEL.fullmatch(feedback.channel or "") or feedback.channel == "survey":
        raise IntakeError("channel", "channel is 1–20 lower-case letters, digits, '-' or '_', such as "
                                     "'support-email', 'chat' or 'app-store' (not 'survey').")
    if feedback.name is not None and len(feedback.name) > NAME_MAX:
        raise IntakeError("name", f"A name has at most {NAME_MAX} characters.")
    if feedback.external_id is not None and not 0 < len(feedback.external_id.strip()) <= EXTERNAL_ID_MAX:
        raise IntakeError("external_id", f"external_id is 1–{EXTERNAL_ID_MAX} characters: the channel's own id.")
    if feedback.answered_at is not None and feedback.answered_at > now:
        raise IntakeError("answered_at", "answered_at is in the future.")
    if feedback.may_contact and not feedback.email:
        raise IntakeError("may_contact", "may_contact needs an email: there is no one to contact otherwise.")


def _refuse_erased(feedback: ChannelFeedback) -> None:
    if feedback.email and is_suppressed(email := _normalised_email(feedback.email)):
        raise ErasedAddress(f"{email} was erased on request: nothing from or about it is stored or emailed again. "
                            f"An admin can allow it again with `feedback customers restore {email}`.")


def _normalised_email(raw: str) -> str:
    """As the customer import does, so the same person is one customer whichever way they came."""
    try:
        return validate_email(raw.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise IntakeError("email", f"email {raw!r} is not valid: {error}") from None


def _customer(email: str, feedback: ChannelFeedback, now: datetime) -> Customer:
    """Found by email or created; the unique key decides when two requests race for the same person.
    A known customer keeps the name and language the team gave them, unless no name was known."""
    name = " ".join(feedback.name.split()) if feedback.name else None
    locale = feedback.locale or _text_locale(feedback.text)
    insert_ignoring_conflicts(Customer, {"email": email, "name": name, "locale": locale, "attributes": {},
                                         "created_at": now, "updated_at": now}, ["email"])
    customer = db.session.scalar(select(Customer).where(Customer.email == email))
    if name and not customer.name:
        customer.name = name
    return customer


def _locale(feedback: ChannelFeedback, customer: Customer | None) -> str:
    """The language to write back in: as sent, else the customer's, else the text's own."""
    return feedback.locale or (customer.locale if customer else None) or _text_locale(feedback.text)


def _text_locale(text: str) -> str:
    language = detect_language(text)
    return language if language in LOCALES else "en"
