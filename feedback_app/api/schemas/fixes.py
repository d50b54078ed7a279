"""/fixes: a fix created, listed, read with its evidence and lists a page at a time, and changed."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate
from webargs.fields import DelimitedList

from feedback_app.api.schemas.common import ID_RANGE, TYPE_KEY_MAX, JsonBoolean, JsonInteger, JsonNumber, Request
from feedback_app.core.languages import LOCALES
from triage.fixes.grid import QUADRANTS
from triage.fixes.services import TEXT_MAX, TITLE_MAX
from triage.loop.beta_rules import BETA_URL_MAX
from triage.loop.news import NOTE_MAX, PUBLIC_TITLE_MAX
from triage.loop.policy import STATUSES

MAX_RESPONSE_IDS = 1000
COST_MESSAGE = "Cost is a whole number from 1 (trivial) to 5 (very large)."


LANGUAGE = validate.OneOf(LOCALES, error="Unknown language {input!r}; one of: " + ", ".join(LOCALES) + ".")


def per_language(limit: int, description: str, **kwargs) -> fields.Dict:
    """{locale: text}: known languages only, each text at most `limit` characters ("" removes a language)."""
    return fields.Dict(keys=fields.String(validate=LANGUAGE),
                       values=fields.String(allow_none=True, validate=validate.Length(
                           max=limit, error=f"At most {limit} characters.")),
                       metadata={"description": description + " {locale: text}, locales " + ", ".join(LOCALES)},
                       **kwargs)


def public_title_field(**kwargs) -> fields.Dict:
    return per_language(PUBLIC_TITLE_MAX, "What customers read as the fix's title, per language (the `title` is "
                                          "the team's own):", **kwargs)


def release_notes_field(**kwargs) -> fields.Dict:
    return per_language(NOTE_MAX, "The release note per language, emailed when the fix ships:", **kwargs)


def news_fallback_field(**kwargs) -> fields.String:
    return fields.String(allow_none=True, validate=LANGUAGE, metadata={
        "description": "The language recipients whose own has no texts read the whole news in; null: such news "
                       "is refused (422, naming the languages)"}, **kwargs)


class FixIn(Request):
    title = fields.String(required=True, validate=validate.Length(min=1, max=TITLE_MAX))
    cost = JsonInteger(required=True, validate=validate.Range(min=1, max=5, error=COST_MESSAGE),
                       metadata={"description": "1 (trivial) … 5 (very large)"})
    type = fields.String(allow_none=True, validate=validate.Length(max=TYPE_KEY_MAX))
    description = fields.String(load_default="", validate=validate.Length(max=TEXT_MAX))
    public_title = public_title_field()
    release_notes = release_notes_field()
    news_fallback = news_fallback_field()
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
    event = fields.String(metadata={"description": "fix-planned, fix-shipped or fix-beta-ready (the beta's "
                                                   "\"ready to try\" email)"})
    recipient = fields.String()
    status = fields.String(metadata={"description": "The outbox status: pending, sending, sent, failed"})
    queued_at = fields.String()
    sent_at = fields.String(allow_none=True)


class BetaTester(ma.Schema):
    email = fields.String()
    asked_at = fields.String()


class Adviser(ma.Schema):
    email = fields.String()
    name = fields.String(allow_none=True)
    locale = fields.String()
    offered_at = fields.String()


class FixLists(ma.Schema):
    """Where each list of a fix goes on: the URL of its next page, or null on its last."""
    response_ids = fields.String(allow_none=True)
    contributions = fields.String(allow_none=True)
    told = fields.String(allow_none=True)
    beta_testers = fields.String(allow_none=True)
    advisers = fields.String(allow_none=True)


class FixDetail(FixItem):
    description = fields.String()
    release_note = fields.String(metadata={"description": "The English release note (release_notes.en)"})
    public_title = public_title_field()
    release_notes = release_notes_field()
    news_fallback = news_fallback_field()
    linked = fields.Integer(metadata={"description": "How many verbatims are linked"})
    response_ids = fields.List(fields.Integer(), metadata={"description": "Ascending, the first page of them"})
    impact_breakdown = fields.Nested(ImpactBreakdown)
    told = fields.List(fields.Nested(Told), metadata={"description": "Oldest first, the first page of them"})
    beta_testers = fields.List(fields.Nested(BetaTester), metadata={"description": "The first page of them"})
    advisers = fields.List(fields.Nested(Adviser), metadata={
        "description": "Who offered to advise the team (\"Would you advise us?\"), the first page of them"})
    beta_url = fields.String(allow_none=True, metadata={"description": "The beta testers' link; null: no beta"})
    beta_opened_at = fields.String(allow_none=True)
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


class AdviserPage(ma.Schema):
    advisers = fields.List(fields.Nested(Adviser))
    next = fields.String(allow_none=True)


class BetaIn(Request):
    url = fields.String(required=True, validate=validate.Length(min=1, max=BETA_URL_MAX), metadata={
        "description": "Where beta testers try the change: an http:// or https:// address"})


class FixPatch(Request):
    title = fields.String(validate=validate.Length(min=1, max=TITLE_MAX))
    description = fields.String(validate=validate.Length(max=TEXT_MAX))
    type = fields.String(allow_none=True, validate=validate.Length(max=TYPE_KEY_MAX),
                         metadata={"description": "null clears it"})
    cost = JsonInteger(validate=validate.Range(min=1, max=5, error=COST_MESSAGE))
    release_note = fields.String(validate=validate.Length(max=TEXT_MAX),
                                 metadata={"description": "The English release note (as release_notes.en)"})
    public_title = public_title_field()
    release_notes = release_notes_field()
    news_fallback = news_fallback_field()
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
