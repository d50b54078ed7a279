"""What every API schema shares: JSON's own types taken strictly, UTC times, ids and pages the database can
bind, the request base that refuses unknown fields, and the error body.

Request schemas refuse unknown fields (marshmallow's RAISE) and take JSON types as JSON has them: a
number in quotes is not a number, and `true` is not 1.
"""
from __future__ import annotations

from datetime import UTC, datetime

import marshmallow as ma
from marshmallow import fields, validate

from feedback_app.core.numbers import BIGINT_MAX, ID_MAX

MAX_PER_PAGE = 200
DEFAULT_PER_PAGE = 50
TYPE_KEY_MAX = 40  # TriageItem.type_key, Fix.type_key, CustomType.key
CHANNEL_MAX = 20   # Response.channel
# Ids and page numbers the database can bind: beyond its column a query fails instead of finding nothing.
ID_RANGE = validate.Range(min=1, max=ID_MAX)  # ids are INTEGER columns, 32 bits on PostgreSQL
# The page whose first row lies at the largest offset a BIGINT can say, at the largest page size.
PAGE_RANGE = validate.Range(min=1, max=BIGINT_MAX // MAX_PER_PAGE)


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


class ErrorSchema(ma.Schema):
    code = fields.Integer(metadata={"description": "The HTTP status code"})
    status = fields.String(metadata={"description": "Its name, e.g. 'Unprocessable Entity'"})
    message = fields.String(required=True, metadata={"description": "What went wrong, for people"})
    errors = fields.Dict(metadata={"description": "Per field: what is wrong with it"})
