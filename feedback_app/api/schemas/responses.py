"""/responses: the verbatims, read a page at a time (by number or cursor), and a type corrected."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from feedback_app.api.schemas.common import (
    DEFAULT_PER_PAGE,
    ID_RANGE,
    MAX_PER_PAGE,
    PAGE_RANGE,
    TYPE_KEY_MAX,
    Request,
    UtcDateTime,
)
from feedback_app.core.languages import LOCALES


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
