"""POST /feedback: feedback from other channels, and what it was classified as."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from feedback_app.api.schemas.common import CHANNEL_MAX, JsonBoolean, JsonInteger, Request, UtcDateTime
from feedback_app.core.languages import LOCALES
from surveys.scales.answers import MAX_COMMENT
from surveys.scales.kinds import KINDS
from triage.verbatims.intake import DEFAULT_CHANNEL, DEFAULT_KIND


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
