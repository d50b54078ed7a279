"""What the API accepts and returns. The same schemas validate requests and write the OpenAPI document.

Request schemas refuse unknown fields (marshmallow's RAISE) and take JSON types as JSON has them: a
number in quotes is not a number, and `true` is not 1.
"""
from __future__ import annotations

from datetime import UTC, datetime

import marshmallow as ma
from marshmallow import fields, validate
from webargs.fields import DelimitedList

from feedback_app.core.numbers import BIGINT_MAX, ID_MAX
from surveys.scales.answers import MAX_COMMENT
from surveys.scales.kinds import KINDS, LOCALES
from triage.fixes.grid import QUADRANTS
from triage.fixes.services import TEXT_MAX, TITLE_MAX
from triage.loop.policy import STATUSES
from triage.verbatims.intake import DEFAULT_CHANNEL, DEFAULT_KIND

MAX_PER_PAGE = 200
DEFAULT_PER_PAGE = 50
MAX_RESPONSE_IDS = 1000
TYPE_KEY_MAX = 40  # TriageItem.type_key, Fix.type_key, CustomType.key
CHANNEL_MAX = 20   # Response.channel
# Ids and page numbers the database can bind: beyond its column a query fails instead of finding nothing.
ID_RANGE = validate.Range(min=1, max=ID_MAX)  # ids are INTEGER columns, 32 bits on PostgreSQL
# The page whose first row lies at the largest offset a BIGINT can say, at the largest page size.
PAGE_RANGE = validate.Range(min=1, max=BIGINT_MAX // MAX_PER_PAGE)
COST_MESSAGE = "Cost is a whole number from 1 (trivial) to 5 (very large)."


class JsonInteger(fields.Integer):
    """A JSON whole number: not a string, not a boolean, not 2.5."""

    def _validated(self, value):
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.make_error("invalid")
        return super()._validated(value)


class JsonNumber(fields.Float):
    def _validated(self, value):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.make_error("invalid")
        return super()._validated(value)


class JsonBoolean(fields.Boolean):
    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class UtcDateTime(fields.AwareDateTime):
    """ISO 8601, with an offset or none (UTC), loaded as an aware UTC time from 1970 to 9999.

    Converting to UTC is where extreme values break: 0001-01-01T00:00:00+14:00 is a year-0 time, which
    Python cannot represent (OverflowError), and the columns are naive UTC. So the conversion happens
    here, once, and anything outside the years feedback can have been written in is a field error.
    """
    EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
    LATEST = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
    default_error_messages = {"out_of_range": "A time from 1970-01-01 to 9999-12-31 in UTC."}

    def __init__(self, **kwargs):
        super().__init__(default_timezone=UTC, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            moment = moment.astimezone(UTC)
        except OverflowError:
            raise self.make_error("out_of_range") from None
        if not self.EARLIEST <= moment <= self.LATEST:
            raise self.make_error("out_of_range")
        return moment


class Request(ma.Schema):
    class Meta:
        unknown = ma.RAISE


# ---------------------------------------------------------------- errors

class ErrorSchema(ma.Schema):
    code = fields.Integer(metadata={"description": "The HTTP status code"})
    status = fields.String(metadata={"description": "Its name, e.g. 'Unprocessable Entity'"})
    message = fields.String(required=True, metadata={"description": "What went wrong, for people"})
    errors = fields.Dict(metadata={"description": "Per field: what is wrong with it"})


# ---------------------------------------------------------------- feedback from other channels

class FeedbackIn(Request):
    text = fields.String(required=True, validate=validate.Length(min=1, max=MAX_COMMENT),
                         metadata={"description": f"The verbatim, stored exactly as sent (at most {MAX_COMMENT} "
                                                  "characters)."})
    email = fields.String(allow_none=True, validate=validate.Length(max=320),
                          metadata={"description": "Who wrote it. Matched case-insensitively with the imported "
                                                   "customers; a new address creates a customer."})
    name = fields.String(allow_none=True, validate=validate.Length(max=200),
                         metadata={"description": "Kept for a new customer, or one without a name."})
    locale = fields.String(allow_none=True, validate=validate.OneOf(LOCALES),
                           metadata={"description": "The language to write back in; default: the customer's, "
                                                    "else the text's own."})
    score = JsonInteger(allow_none=True, metadata={"description": "On the scale of `kind`."})
    kind = fields.String(allow_none=True, validate=validate.OneOf(list(KINDS)),
                         metadata={"description": f"The scale of `score` (nps 0–10, csat 1–5, ces 1–7); "
                                                  f"default {DEFAULT_KIND} when a score is sent."})
    channel = fields.String(load_default=DEFAULT_CHANNEL, validate=validate.Length(max=CHANNEL_MAX),
                            metadata={"description": "Where it came from: 1–20 of a–z, 0–9, '-', '_' "
                                                     "(e.g. support-email, chat, app-store)."})
    may_contact = JsonBoolean(load_default=False,
                              metadata={"description": "The person agreed to hear back (needs `email`)."})
    external_id = fields.String(allow_none=True, validate=validate.Length(min=1, max=200),
                                metadata={"description": "The channel's own id for this item (ticket number, "
                                                         "review id). Sending the same channel and id again "
                                                         "answers 200 with the stored item and stores nothing: "
                                                         "retries are safe."})
    answered_at = UtcDateTime(allow_none=True,
                              metadata={"description": "When the person wrote it (ISO 8601, no offset: UTC; "
                                                       "from 1970); default: now. Not in the future."})


class Classified(ma.Schema):
    id = fields.Integer(required=True)
    type = fields.String(allow_none=True, metadata={"description": "None: nothing in the text to go on"})
    confidence = fields.Float()
    theme = fields.String(allow_none=True)
    language = fields.String(metadata={"description": "en, ar, fa, or und (undetermined)"})
    needs_review = fields.Boolean()


# ---------------------------------------------------------------- responses (verbatims)

class ResponsesQuery(Request):
    type = fields.String(validate=validate.Length(max=TYPE_KEY_MAX),
                         metadata={"description": "A type key, or `none` for verbatims without a type"})
    survey = fields.Integer(validate=ID_RANGE)
    language = fields.String(validate=validate.OneOf([*LOCALES, "und"]))
    since = UtcDateTime(metadata={"description": "ISO 8601; only answers given at or after it "
                                                 "(no offset: UTC)"})
    needs_review = fields.Boolean()
    page = fields.Integer(load_default=1, validate=PAGE_RANGE,
                          metadata={"description": "A page number, read with an offset: fine near the start, "
                                                   "slower with depth. To go through everything, follow "
                                                   "`links.next`, which carries `after`."})
    per_page = fields.Integer(load_default=DEFAULT_PER_PAGE, validate=validate.Range(min=1, max=MAX_PER_PAGE))
    after = fields.String(validate=validate.Length(min=1, max=200),
                          metadata={"description": "A cursor from `links.next` / `next_cursor`: the page after "
                                                   "the one it came with, as fast at the millionth verbatim "
                                                   "as at the first. Replaces `page`."})


class Verbatim(ma.Schema):
    id = fields.Integer(required=True)
    text = fields.String(metadata={"description": "Exactly as written"})
    score = fields.Integer(allow_none=True)
    kind = fields.String(allow_none=True)
    channel = fields.String()
    external_id = fields.String(allow_none=True, metadata={"description": "The channel's own id, if it sent one"})
    survey_id = fields.Integer(allow_none=True)
    language = fields.String(allow_none=True)
    type = fields.String(allow_none=True)
    confidence = fields.Float(allow_none=True)
    theme = fields.String(allow_none=True)
    needs_review = fields.Boolean()
    confirmed = fields.Boolean()
    classified = fields.Boolean(metadata={"description": "False until the classifier has seen it"})
    may_contact = fields.Boolean()
    answered_at = fields.String(metadata={"description": "ISO 8601, UTC"})
    customer_email = fields.String(allow_none=True)
    fix_ids = fields.List(fields.Integer())


class PageLinks(ma.Schema):
    self = fields.String()
    first = fields.String()
    last = fields.String()
    next = fields.String(allow_none=True)
    prev = fields.String(allow_none=True)


class VerbatimPage(ma.Schema):
    responses = fields.List(fields.Nested(Verbatim))
    page = fields.Integer(allow_none=True, metadata={"description": "null for a page asked for with `after`"})
    next_cursor = fields.String(allow_none=True, metadata={"description": "`after` of the next page; null on the "
                                                                          "last"})
    per_page = fields.Integer()
    total = fields.Integer()
    pages = fields.Integer()
    links = fields.Nested(PageLinks)


class CorrectionIn(Request):
    type = fields.String(required=True, validate=validate.Length(max=TYPE_KEY_MAX),
                         metadata={"description": "The right type key; it teaches the model"})


# ---------------------------------------------------------------- fixes

class FixIn(Request):
    title = fields.String(required=True, validate=validate.Length(min=1, max=TITLE_MAX))
    cost = JsonInteger(required=True, validate=validate.Range(min=1, max=5, error=COST_MESSAGE),
                       metadata={"description": "1 (trivial) … 5 (very large)"})
    type = fields.String(allow_none=True, validate=validate.Length(max=TYPE_KEY_MAX))
    description = fields.String(load_default="", validate=validate.Length(max=TEXT_MAX))
    response_ids = fields.List(JsonInteger(validate=ID_RANGE), load_default=list,
                               validate=validate.Length(max=MAX_RESPONSE_IDS),
                               metadata={"description": "Verbatims that support the fix"})


class FixesQuery(Request):
    status = DelimitedList(fields.String(validate=validate.OneOf(STATUSES)),
                                  metadata={"description": "One or more, comma-separated"})
    type = fields.String(validate=validate.Length(max=TYPE_KEY_MAX))


class FixItem(ma.Schema):
    id = fields.Integer(required=True)
    title = fields.String()
    type = fields.String(allow_none=True)
    status = fields.String(metadata={"description": " → ".join(STATUSES[:4]) + ", or wont_do"})
    cost = fields.Integer()
    impact = fields.Float(metadata={"description": "0–100; the override when one is set"})
    quadrant = fields.String(metadata={"description": ", ".join(QUADRANTS) + " (the queue's order)"})
    rank = fields.Integer(allow_none=True, metadata={"description": "1 = do first; null once shipped or won't do"})
    respondents = fields.Integer(metadata={"description": "Distinct people behind the linked verbatims"})


class FixList(ma.Schema):
    fixes = fields.List(fields.Nested(FixItem))


class Contribution(ma.Schema):
    respondent = fields.String(metadata={"description": "customer:<id>, or response:<id> without a customer"})
    unhappiness = fields.Float()
    value = fields.Float()
    recency = fields.Float()
    weight = fields.Float()


class ImpactBreakdown(ma.Schema):
    value = fields.Float()
    computed = fields.Float(metadata={"description": "What the evidence says, before any override"})
    overridden = fields.Boolean()
    override_reason = fields.String(allow_none=True)
    evidence_sum = fields.Float(metadata={"description": "E, over every respondent"})
    contributions = fields.List(fields.Nested(Contribution), metadata={
        "description": "The heaviest respondents first, the first page of them: `next.contributions` goes on"})


class Told(ma.Schema):
    event = fields.String(metadata={"description": "fix-planned or fix-shipped"})
    recipient = fields.String()
    status = fields.String(metadata={"description": "The outbox status: pending, sending, sent, failed"})
    queued_at = fields.String()
    sent_at = fields.String(allow_none=True)


class BetaTester(ma.Schema):
    email = fields.String()
    asked_at = fields.String()


class FixLists(ma.Schema):
    """Where each list of a fix goes on: the URL of its next page, or null on its last."""
    response_ids = fields.String(allow_none=True)
    contributions = fields.String(allow_none=True)
    told = fields.String(allow_none=True)
    beta_testers = fields.String(allow_none=True)


class FixDetail(FixItem):
    description = fields.String()
    release_note = fields.String()
    linked = fields.Integer(metadata={"description": "How many verbatims are linked"})
    response_ids = fields.List(fields.Integer(), metadata={"description": "Ascending, the first page of them"})
    impact_breakdown = fields.Nested(ImpactBreakdown)
    told = fields.List(fields.Nested(Told), metadata={"description": "Oldest first, the first page of them"})
    beta_testers = fields.List(fields.Nested(BetaTester), metadata={"description": "The first page of them"})
    next = fields.Nested(FixLists, metadata={"description": "The next page of each list (GET it), or null"})
    created_at = fields.String()
    updated_at = fields.String()
    planned_at = fields.String(allow_none=True)
    shipped_at = fields.String(allow_none=True)
    emails_queued = fields.Integer(metadata={"description": "Set by PATCH: follow-up emails queued by it"})


class FixListQuery(Request):
    after = fields.String(validate=validate.Length(max=100),
                          metadata={"description": "Where the page starts: from the `next` URL of the page before"})
    per_page = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class ResponseIdPage(ma.Schema):
    response_ids = fields.List(fields.Integer())
    next = fields.String(allow_none=True)


class ContributionPage(ma.Schema):
    contributions = fields.List(fields.Nested(Contribution))
    next = fields.String(allow_none=True)


class ToldPage(ma.Schema):
    told = fields.List(fields.Nested(Told))
    next = fields.String(allow_none=True)


class BetaTesterPage(ma.Schema):
    beta_testers = fields.List(fields.Nested(BetaTester))
    next = fields.String(allow_none=True)


class FixPatch(Request):
    title = fields.String(validate=validate.Length(min=1, max=TITLE_MAX))
    description = fields.String(validate=validate.Length(max=TEXT_MAX))
    type = fields.String(allow_none=True, validate=validate.Length(max=TYPE_KEY_MAX),
                         metadata={"description": "null clears it"})
    cost = JsonInteger(validate=validate.Range(min=1, max=5, error=COST_MESSAGE))
    release_note = fields.String(validate=validate.Length(max=TEXT_MAX),
                                 metadata={"description": "Emailed when the fix ships; needed to ship"})
    impact_override = JsonNumber(allow_none=True, validate=validate.Range(min=0, max=100),
                                 metadata={"description": "0–100, with `reason`; null clears the override"})
    reason = fields.String(validate=validate.Length(min=1, max=TEXT_MAX))
    status = fields.String(validate=validate.OneOf(STATUSES))
    notify_planned = JsonBoolean(metadata={"description": "Email the opted-in respondents that it is planned "
                                                          "(with status planned, or for a fix planned already)"})

    @ma.validates_schema
    def _something_to_do(self, data, **kwargs):
        if not data:
            raise ma.ValidationError("Send at least one field to change.", "_schema")
        if "reason" in data and data.get("impact_override") is None:
            raise ma.ValidationError("A reason goes with an impact_override.", "reason")


# ---------------------------------------------------------------- the customer's rights (admin tokens only)

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


class ExportedFix(ma.Schema):
    id = fields.Integer()
    title = fields.String()
    status = fields.String()
    answer_ids = fields.List(fields.Integer(), metadata={"description": "Their answers that support it"})


class ExportedNews(ma.Schema):
    fix_id = fields.Integer()
    title = fields.String(allow_none=True)
    event = fields.String(metadata={"description": "fix-planned or fix-shipped"})
    status = fields.String(metadata={"description": "The email's outbox status"})
    queued_at = fields.String()
    sent_at = fields.String(allow_none=True)


class ExportedBetaTester(ma.Schema):
    fix_id = fields.Integer()
    title = fields.String()
    asked_at = fields.String()


class ExportedEmail(ma.Schema):
    id = fields.Integer()
    template = fields.String()
    subject = fields.String()
    status = fields.String()
    locale = fields.String()
    queued_at = fields.String()
    sent_at = fields.String(allow_none=True)
    text = fields.String(metadata={"description": "The plain-text body, as sent"})


class CustomerExport(ma.Schema):
    export_version = fields.Integer(metadata={"description": "1; keys are only ever added"})
    customer = fields.Nested(ExportedCustomer)
    invitations = fields.List(fields.Nested(ExportedInvitation))
    answers = fields.List(fields.Nested(ExportedAnswer))
    fixes_supported = fields.List(fields.Nested(ExportedFix))
    fixes_told = fields.List(fields.Nested(ExportedNews))
    beta_tester = fields.List(fields.Nested(ExportedBetaTester))
    emails = fields.List(fields.Nested(ExportedEmail))


class Erased(ma.Schema):
    erased = fields.Boolean()
    removed = fields.Dict(keys=fields.String(), values=fields.Integer(),
                          metadata={"description": "What was removed, by kind (the erasure log's counts)"})
