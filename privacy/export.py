"""Everything held about one customer, as one JSON document (the right of access). Reads only.

The key names are a contract (README, "The customer's rights"; the API's CustomerExport schema):
add keys, never rename them. Times are ISO 8601 in UTC.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from advocacy.models import AdvocacyAsk
from feedback_app.core.extensions import db
from feedback_app.mail.outbox import OutboxEmail
from privacy.records import (
    addressed_to,
    customer_by_address,
    erased_on,
    normalised,
    nothing_held,
    their_response_ids,
)
from retention.models import Activity, StageChange
from retention.saving.models import SaveOutcome, WinBackCampaign, WinBackEmail
from surveys.models import Customer, Invitation, Response, Survey, ThanksAnswer
from surveys.people.respondents import answer_scale
from triage.loop.beta_rules import BETA_READY
from triage.loop.policy import LOOP_EVENTS
from triage.models import BetaTester, Fix, FixAdviser, FixLink, TriageItem

EXPORT_VERSION = 1


def iso(moment: datetime | None) -> str | None:
    """Stored as naive UTC; said as UTC."""
    return moment.replace(tzinfo=UTC).isoformat() if moment else None


def export_customer(email: str) -> dict:
    """The customer, their invitations, answers, the fixes their answers support and those they were
    told about, their beta-tester and adviser records, every email to them, what they did (activity) and their
    lifecycle stages, their answers to thank-you pages' second questions, the win-back emails sent to them, the
    team's save outcome and the one ask for a review or a referral they got (and what they did with it). Raises a
    PrivacyError when nothing
    is held (unknown or already erased address)."""
    address = normalised(email)
    customer = customer_by_address(address)
    if customer is None:
        raise nothing_held(address)
    response_ids = their_response_ids(customer.id)
    emails = _emails(address)
    return {"export_version": EXPORT_VERSION, "customer": _customer(customer),
            "invitations": _invitations(customer.id), "answers": _answers(response_ids),
            "thanks_answers": _thanks_answers(response_ids),
            "fixes_supported": _fixes_supported(response_ids), "fixes_told": _fixes_told(emails),
            "beta_tester": _beta_tester(customer.id), "adviser": _adviser(customer.id), "emails": [_email(e) for e in emails],
            "activity": _activity(customer.id), "stage_history": _stage_history(customer.id),
            "win_back_emails": _win_back_emails(customer.id), "save_outcome": _save_outcome(customer.id),
            "advocacy_ask": _advocacy_ask(customer.id)}


@dataclass(frozen=True)
class Lookup:
    """What the admin page shows for an address: everything held, or when it was erased, or nothing."""
    address: str
    export: dict | None
    erased_on: datetime | None
    customer_id: int | None = None  # their page (the export names no id: its keys are a contract)


def look_up(email: str) -> Lookup:
    address = normalised(email)
    customer = customer_by_address(address)
    if customer is None:
        return Lookup(address, None, erased_on(address))
    return Lookup(address, export_customer(address), None, customer.id)


def _customer(customer: Customer) -> dict:
    return {"email": customer.email, "name": customer.name, "locale": customer.locale,
            "attributes": dict(customer.attributes or {}), "created_at": iso(customer.created_at),
            "updated_at": iso(customer.updated_at), "unsubscribed_at": iso(customer.unsubscribed_at),
            "customer_since": iso(customer.customer_since), "ended_at": iso(customer.ended_at),
            "stage": customer.stage, "stage_since": iso(customer.stage_since)}


def _invitations(customer_id: int) -> list[dict]:
    rows = db.session.execute(
        select(Invitation, Survey, Response.id).join(Survey, Survey.id == Invitation.survey_id)
        .outerjoin(Response, Response.invitation_id == Invitation.id)
        .where(Invitation.customer_id == customer_id).order_by(Invitation.sent_at, Invitation.id))
    return [{"id": invitation.id, "survey_id": survey.id, "survey_name": survey.name, "survey_kind": survey.kind,
             "sent_at": iso(invitation.sent_at), "locale": invitation.locale, "answered": response_id is not None}
            for invitation, survey, response_id in rows]


def _answers(response_ids: list[int]) -> list[dict]:
    if not response_ids:
        return []
    rows = db.session.execute(
        select(Response, answer_scale(), Survey.name, TriageItem)
        .outerjoin(Survey, Survey.id == Response.survey_id)
        .outerjoin(TriageItem, TriageItem.response_id == Response.id)
        .where(Response.id.in_(response_ids)).order_by(Response.answered_at, Response.id))
    return [{"id": r.id, "channel": r.channel, "survey_id": r.survey_id, "survey_name": survey_name,
             "external_id": r.external_id, "kind": kind, "score": r.score, "text": r.comment,
             "locale": r.locale, "may_contact": r.may_contact, "consent_at": iso(r.consent_at),
             "answered_at": iso(r.answered_at), "updated_at": iso(r.updated_at),
             "contacted_at": iso(r.contacted_at),
             "type": item.type_key if item else None, "theme": item.theme if item else None,
             "type_confirmed": item.confirmed if item else False}
            for r, kind, survey_name, item in rows]


def _thanks_answers(response_ids: list[int]) -> list[dict]:
    """Their answers to the thank-you page's second question (surveys.models.ThanksAnswer)."""
    if not response_ids:
        return []
    rows = db.session.scalars(select(ThanksAnswer).where(ThanksAnswer.response_id.in_(response_ids))
                              .order_by(ThanksAnswer.answered_at, ThanksAnswer.response_id))
    return [{"answer_id": row.response_id, "survey_id": row.survey_id, "question": row.question, "text": row.text,
             "locale": row.locale, "answered_at": iso(row.answered_at)} for row in rows]


def _fixes_supported(response_ids: list[int]) -> list[dict]:
    if not response_ids:
        return []
    rows = db.session.execute(select(Fix.id, Fix.title, Fix.status, FixLink.response_id)
                              .join(FixLink, FixLink.fix_id == Fix.id)
                              .where(FixLink.response_id.in_(response_ids)).order_by(Fix.id, FixLink.response_id))
    found: dict[int, dict] = {}
    for fix_id, title, status, response_id in rows:
        entry = found.setdefault(fix_id, {"id": fix_id, "title": title, "status": status, "answer_ids": []})
        entry["answer_ids"].append(response_id)
    return list(found.values())


def _emails(address: str) -> list[OutboxEmail]:
    return list(db.session.scalars(select(OutboxEmail).where(addressed_to(address))
                                   .order_by(OutboxEmail.created_at, OutboxEmail.id)))


def _fixes_told(emails: list[OutboxEmail]) -> list[dict]:
    """News of a fix is an outbox row keyed <event>:<fix id>:<customer id> (triage.loop.policy.loop_email_key)."""
    news = [(e, *e.dedupe_key.split(":")[:2]) for e in emails
            if e.dedupe_key.split(":")[0] in (*LOOP_EVENTS.values(), BETA_READY)]
    titles = dict(db.session.execute(select(Fix.id, Fix.title)
                                     .where(Fix.id.in_([int(fix_id) for _, _, fix_id in news if fix_id.isdigit()]))
                                     ).all()) if news else {}
    return [{"fix_id": int(fix_id), "title": titles.get(int(fix_id)), "event": event, "status": e.status,
             "queued_at": iso(e.created_at), "sent_at": iso(e.sent_at)}
            for e, event, fix_id in news if fix_id.isdigit()]


def _beta_tester(customer_id: int) -> list[dict]:
    rows = db.session.execute(select(BetaTester, Fix.title).join(Fix, Fix.id == BetaTester.fix_id)
                              .where(BetaTester.customer_id == customer_id).order_by(BetaTester.created_at))
    return [{"fix_id": tester.fix_id, "title": title, "asked_at": iso(tester.created_at)} for tester, title in rows]


def _adviser(customer_id: int) -> list[dict]:
    """The fixes they offered to advise the team on ("Would you advise us?")."""
    rows = db.session.execute(select(FixAdviser, Fix.title).join(Fix, Fix.id == FixAdviser.fix_id)
                              .where(FixAdviser.customer_id == customer_id).order_by(FixAdviser.created_at))
    return [{"fix_id": adviser.fix_id, "title": title, "offered_at": iso(adviser.created_at)}
            for adviser, title in rows]


def _email(email: OutboxEmail) -> dict:
    return {"id": email.id, "template": email.template, "subject": email.subject, "status": email.status,
            "locale": email.locale, "queued_at": iso(email.created_at), "sent_at": iso(email.sent_at),
            "text": email.body_text}



def _activity(customer_id: int) -> list[dict]:
    rows = db.session.execute(select(Activity.occurred_at, Activity.kind, Activity.amount, Activity.external_id)
                              .where(Activity.customer_id == customer_id)
                              .order_by(Activity.occurred_at, Activity.id))
    return [{"occurred_at": iso(at), "kind": kind, "amount": amount, "external_id": external_id}
            for at, kind, amount, external_id in rows]


def _stage_history(customer_id: int) -> list[dict]:
    rows = db.session.execute(select(StageChange.changed_at, StageChange.from_stage, StageChange.to_stage)
                              .where(StageChange.customer_id == customer_id)
                              .order_by(StageChange.changed_at, StageChange.id))
    return [{"changed_at": iso(at), "from_stage": from_stage, "to_stage": to_stage}
            for at, from_stage, to_stage in rows]


def _win_back_emails(customer_id: int) -> list[dict]:
    rows = db.session.execute(select(WinBackCampaign.name, WinBackEmail.tier, WinBackEmail.emailed_at)
                              .join(WinBackCampaign, WinBackCampaign.id == WinBackEmail.campaign_id)
                              .where(WinBackEmail.customer_id == customer_id).order_by(WinBackEmail.emailed_at))
    return [{"campaign": name, "tier": tier, "emailed_at": iso(at)} for name, tier, at in rows]


def _save_outcome(customer_id: int) -> dict | None:
    outcome = db.session.get(SaveOutcome, customer_id)
    return None if outcome is None else {"outcome": outcome.outcome, "at": iso(outcome.at)}


def _advocacy_ask(customer_id: int) -> dict | None:
    ask = db.session.scalar(select(AdvocacyAsk).where(AdvocacyAsk.customer_id == customer_id))
    return None if ask is None else {"kind": ask.kind, "asked_at": iso(ask.asked_at), "outcome": ask.outcome,
                                     "outcome_at": iso(ask.outcome_at)}
