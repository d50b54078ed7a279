"""POST /invitations: one customer invited to a survey now (a triggered survey)."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from feedback_app.api.schemas.common import ErrorSchema, JsonInteger, Request


class InvitationIn(Request):
    survey_id = JsonInteger(required=True, validate=validate.Range(min=1))
    email = fields.String(allow_none=True, validate=validate.Length(min=1, max=320),
                          metadata={"description": "The customer's address (an imported customer). Give this or "
                                                   "`customer_id`."})
    customer_id = JsonInteger(allow_none=True, validate=validate.Range(min=1),
                              metadata={"description": "The customer's id. Give this or `email`."})
    external_id = fields.String(allow_none=True, validate=validate.Length(min=1, max=200),
                                metadata={"description": "Your own id for the trigger (ticket, order). The same "
                                                         "id for the same survey again answers 200 with the first "
                                                         "invitation and queues nothing: retries are safe."})
    context = fields.String(allow_none=True, validate=validate.Length(min=1, max=200),
                            metadata={"description": "A short text shown to the team beside the answer, e.g. "
                                                     "the ticket number."})

    @ma.validates_schema
    def one_customer(self, data, **_kwargs):
        if (data.get("email") is None) == (data.get("customer_id") is None):
            raise ma.ValidationError("Give the customer's email or customer_id (one of them).", "email")


class InvitationOut(ma.Schema):
    id = fields.Integer(required=True)
    survey_id = fields.Integer()
    customer_id = fields.Integer()
    sent_at = fields.DateTime(format="iso")
    locale = fields.String(metadata={"description": "The language the invitation is written in."})
    external_id = fields.String(allow_none=True)
    context = fields.String(allow_none=True)


class RetryLater(ErrorSchema):
    retry_after = fields.Integer(required=True, metadata={"description": "Seconds to wait before the customer may "
                                                                         "be invited (rounded up)"})
    retry_at = fields.String(required=True, metadata={"description": "When they may be, ISO 8601 UTC"})
