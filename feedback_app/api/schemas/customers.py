"""/customers (admin tokens only): the customer's rights — everything held about them, and its erasure."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from feedback_app.api.schemas.common import Request


class AddressIn(Request):
    email = fields.String(required=True, validate=validate.Length(min=1, max=320),
                          metadata={"description": "The customer's address (matched case-insensitively)"})


class ExportedCustomer(ma.Schema):
    email = fields.String()
    name = fields.String(allow_none=True)
    locale = fields.String()
    attributes = fields.Dict(metadata={"description": "Every other column of the customer import (plan, mrr, …)"})
    created_at = fields.String(allow_none=True)
    updated_at = fields.String(allow_none=True)
    unsubscribed_at = fields.String(allow_none=True)
    customer_since = fields.String(allow_none=True, metadata={"description": "When they became a customer"})
    ended_at = fields.String(allow_none=True, metadata={"description": "When they stopped being one"})
    stage = fields.String(allow_none=True, metadata={"description": "new, active, silent, at_risk or lost"})
    stage_since = fields.String(allow_none=True)


class ExportedActivity(ma.Schema):
    occurred_at = fields.String()
    kind = fields.String(metadata={"description": "What they did: purchase, login, renewal, cancel…"})
    amount = fields.Float(allow_none=True)
    external_id = fields.String(allow_none=True)


class ExportedStageChange(ma.Schema):
    changed_at = fields.String()
    from_stage = fields.String(allow_none=True)
    to_stage = fields.String()


class ExportedInvitation(ma.Schema):
    id = fields.Integer()
    survey_id = fields.Integer()
    survey_name = fields.String()
    survey_kind = fields.String()
    sent_at = fields.String()
    locale = fields.String()
    answered = fields.Boolean()


class ExportedAnswer(ma.Schema):
    id = fields.Integer()
    channel = fields.String(metadata={"description": "survey, or the channel that sent it (support-email, …)"})
    survey_id = fields.Integer(allow_none=True)
    survey_name = fields.String(allow_none=True)
    external_id = fields.String(allow_none=True)
    kind = fields.String(allow_none=True)
    score = fields.Integer(allow_none=True)
    text = fields.String(metadata={"description": "Exactly as written"})
    locale = fields.String()
    may_contact = fields.Boolean()
    consent_at = fields.String(allow_none=True)
    answered_at = fields.String()
    updated_at = fields.String(allow_none=True)
    contacted_at = fields.String(allow_none=True, metadata={"description": "When the team reached out"})
    type = fields.String(allow_none=True)
    theme = fields.String(allow_none=True)
    type_confirmed = fields.Boolean()


class ExportedThanksAnswer(ma.Schema):
    answer_id = fields.Integer(metadata={"description": "The survey answer whose thank-you page asked it"})
    survey_id = fields.Integer()
    question = fields.String(metadata={"description": "The question as it was asked"})
    text = fields.String(metadata={"description": "Exactly as written"})
    locale = fields.String()
    answered_at = fields.String()


class ExportedFix(ma.Schema):
    id = fields.Integer()
    title = fields.String()
    status = fields.String()
    answer_ids = fields.List(fields.Integer(), metadata={"description": "Their answers that support it"})


class ExportedNews(ma.Schema):
    fix_id = fields.Integer()
    title = fields.String(allow_none=True)
    event = fields.String(metadata={"description": "fix-planned, fix-shipped or fix-beta-ready"})
    status = fields.String(metadata={"description": "The email's outbox status"})
    queued_at = fields.String()
    sent_at = fields.String(allow_none=True)


class ExportedBetaTester(ma.Schema):
    fix_id = fields.Integer()
    title = fields.String()
    asked_at = fields.String()


class ExportedAdviser(ma.Schema):
    fix_id = fields.Integer()
    title = fields.String()
    offered_at = fields.String()


class ExportedEmail(ma.Schema):
    id = fields.Integer()
    template = fields.String()
    subject = fields.String()
    status = fields.String()
    locale = fields.String()
    queued_at = fields.String()
    sent_at = fields.String(allow_none=True)
    text = fields.String(metadata={"description": "The plain-text body, as sent"})


class ExportedWinBackEmail(ma.Schema):
    campaign = fields.String()
    tier = fields.String()
    emailed_at = fields.String()


class ExportedSaveOutcome(ma.Schema):
    outcome = fields.String(metadata={"description": "contacted, saved or lost"})
    at = fields.String()


class ExportedAdvocacyAsk(ma.Schema):
    kind = fields.String(metadata={"description": "review or referral: what they were asked for"})
    asked_at = fields.String()
    outcome = fields.String(allow_none=True, metadata={"description": "went, declined, or null (no answer)"})
    outcome_at = fields.String(allow_none=True)


class CustomerExport(ma.Schema):
    export_version = fields.Integer(metadata={"description": "1; keys are only ever added"})
    customer = fields.Nested(ExportedCustomer)
    invitations = fields.List(fields.Nested(ExportedInvitation))
    answers = fields.List(fields.Nested(ExportedAnswer))
    thanks_answers = fields.List(fields.Nested(ExportedThanksAnswer),
                                 metadata={"description": "Their answers to thank-you pages' second questions"})
    fixes_supported = fields.List(fields.Nested(ExportedFix))
    fixes_told = fields.List(fields.Nested(ExportedNews))
    beta_tester = fields.List(fields.Nested(ExportedBetaTester))
    adviser = fields.List(fields.Nested(ExportedAdviser), metadata={
        "description": "The fixes they offered to advise the team on"})
    emails = fields.List(fields.Nested(ExportedEmail))
    activity = fields.List(fields.Nested(ExportedActivity), metadata={"description": "What they did, oldest first"})
    stage_history = fields.List(fields.Nested(ExportedStageChange))
    win_back_emails = fields.List(fields.Nested(ExportedWinBackEmail))
    save_outcome = fields.Nested(ExportedSaveOutcome, allow_none=True,
                                 metadata={"description": "The team's latest outcome from the Save list, or null"})
    advocacy_ask = fields.Nested(ExportedAdvocacyAsk, allow_none=True,
                                 metadata={"description": "The one ask for a review or referral they got, or null"})


class Erased(ma.Schema):
    erased = fields.Boolean()
    removed = fields.Dict(keys=fields.String(), values=fields.Integer(),
                          metadata={"description": "What was removed, by kind (the erasure log's counts)"})
