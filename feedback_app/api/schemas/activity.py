"""POST /activity: what customers do, one item or a batch, and the items as stored.

An item's values are read by the same functions as a line of `feedback activity import`
(retention.activity_csv), so the API and the CSV accept exactly the same activity."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import ValidationError, fields, validate, validates_schema

from feedback_app.api.schemas.common import JsonNumber, Request
from retention import activity_csv
from retention.activity import API_BATCH_MAX

TIME_MAX = 64  # characters of an ISO 8601 time, with room to spare


class _Read(fields.String):
    """A string read by one of activity_csv's readers (which raise ValueError for people). Its validators (its
    length) apply to the text as sent, before it is read: what it is read into may be no text (a time)."""

    def __init__(self, reader, **kwargs):
        super().__init__(**kwargs)
        self.reader = reader

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        super()._validate(text)
        try:
            return self.reader(text)
        except ValueError as error:
            raise ValidationError(str(error)) from None

    def _validate(self, value):
        pass  # done on the text, above


class _Amount(JsonNumber):
    def _deserialize(self, value, attr, data, **kwargs):
        number = super()._deserialize(value, attr, data, **kwargs)
        try:  # by its shortest decimal form: 19.99 is 19.99, not 19.989999…
            return activity_csv.read_amount(repr(number))
        except ValueError as error:
            raise ValidationError(str(error)) from None


def _external_id(text: str) -> str:
    external_id = activity_csv.read_external_id(text)
    if external_id is None:
        raise ValueError(f"external_id is 1–{activity_csv.EXTERNAL_ID_MAX} characters: the other system's id")
    return external_id


def _time(text: str):
    if not text.strip():
        raise ValueError("occurred_at is empty")
    return activity_csv.read_utc(text)


def _fields(required: bool) -> dict:
    return {
        "email": _Read(activity_csv.read_email, required=required,
                       validate=validate.Length(min=1, max=activity_csv.EMAIL_MAX),
                       metadata={"description": "A customer's address (matched case-insensitively). Activity is "
                                                "kept for imported customers only: an unknown address is refused."}),
        "occurred_at": _Read(_time, required=required, validate=validate.Length(min=1, max=TIME_MAX),
                             metadata={"description": "When: an ISO 8601 date (its midnight UTC) or date and time, "
                                                      "UTC unless it has an offset (2026-01-31, 2026-01-31T14:05:00,"
                                                      " 2026-01-31T14:05:00+03:30). Not in the future."}),
        "kind": _Read(activity_csv.read_kind, required=required,
                      validate=validate.Length(min=1, max=activity_csv.KIND_MAX),
                      metadata={"description": "What the customer did, free text stored lower-cased: purchase, "
                                               "login, renewal, cancel…"}),
        "amount": _Amount(allow_none=True, metadata={"description": "Its value (a refund is negative), kept to 4 "
                                                                    "decimal places; none: no amount."}),
        "external_id": _Read(_external_id, allow_none=True,
                             validate=validate.Length(min=1, max=activity_csv.EXTERNAL_ID_MAX),
                             metadata={"description": "The other system's id for it (an order number). Sending an "
                                                      "id again answers 200 with the activity as stored and stores "
                                                      "nothing: retries are safe. Without one, the very same "
                                                      "activity (customer, time, kind, amount) is stored once."}),
    }


ActivityItem = Request.from_dict(_fields(required=True), name="ActivityItem")


class ActivityIn(Request.from_dict(_fields(required=False), name="ActivityFields")):
    """One activity (its fields), or a batch: `{"activities": [ … ]}` and nothing else."""
    activities = fields.List(fields.Nested(ActivityItem), validate=validate.Length(min=1, max=API_BATCH_MAX),
                             metadata={"description": f"A batch of 1–{API_BATCH_MAX} activities instead of one, "
                                                      "stored all or none (and within the 256 KiB body limit)."})

    @validates_schema
    def one_or_a_batch(self, data, **kwargs):
        single = [name for name in ("email", "occurred_at", "kind", "amount", "external_id") if name in data]
        if "activities" in data:
            if single:
                raise ValidationError({name: ["Send one activity or `activities`, not both."] for name in single})
            return
        missing = [name for name in ("email", "occurred_at", "kind") if name not in data]
        if missing:
            raise ValidationError({name: ["Missing data for required field."] for name in missing})


class ActivityOut(ma.Schema):
    id = fields.Integer(required=True)
    email = fields.String()
    occurred_at = fields.String(metadata={"description": "ISO 8601, UTC"})
    kind = fields.String()
    amount = fields.Float(allow_none=True)
    external_id = fields.String(allow_none=True)
    created = fields.Boolean(metadata={"description": "False: stored before; nothing was stored again"})


class ActivityBatchOut(ma.Schema):
    added = fields.Integer(metadata={"description": "Activities stored by this request"})
    already_there = fields.Integer(metadata={"description": "Activities sent before (or twice in the batch)"})
    activities = fields.List(fields.Nested(ActivityOut), metadata={"description": "Each item as stored, in order"})
