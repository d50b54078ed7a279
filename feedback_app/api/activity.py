"""POST /api/v1/activity: what customers do, from the team's systems — one activity or a batch."""
from __future__ import annotations

from flask import jsonify
from flask.views import MethodView

from feedback_app.api.blueprint import api, write_errors
from feedback_app.api.errors import ApiError
from feedback_app.api.responses import iso
from feedback_app.api.schemas.activity import ActivityBatchOut, ActivityIn, ActivityOut
from feedback_app.core.clock import utcnow
from retention.activity import ActivityRefused, StoredActivity, record_activities
from retention.activity_csv import ActivityRow

ITEM_FIELDS = ("email", "occurred_at", "kind", "amount", "external_id")


def _answer(description: str) -> dict:
    """One activity answers ActivityOut, a batch ActivityBatchOut (registered in feedback_app.api.openapi)."""
    schemas = [{"$ref": f"#/components/schemas/{name}"} for name in ("ActivityOut", "ActivityBatchOut")]
    return {"description": description, "content": {"application/json": {"schema": {"oneOf": schemas}}}}


@api.route("/activity", tags=["activity"])
class Activities(MethodView):
    @api.arguments(ActivityIn)
    @api.response(201, ActivityOut)
    @api.alt_response(200, schema=ActivityOut)
    @api.doc(responses={"201": _answer("Stored: the activity (or, for a batch, each item) as stored"),
                        "200": _answer("Nothing new: sent before (its `external_id`, or the very same activity); "
                                       "the activity as stored — for a batch, every item was there before")})
    @write_errors()
    def post(self, data):
        """Record what a customer did

        A purchase, a login, a renewal, a cancel (`kind` is free text), for a customer imported before; the same
        values as a line of `feedback activity import`. Send one activity, or `{"activities": [...]}` (up to
        1,000), stored all or none. Retries are safe: an activity sent before is not stored again.
        """
        batch = "activities" in data
        items = data["activities"] if batch else [data]
        rows = [ActivityRow(index, *(item.get(name) for name in ITEM_FIELDS)) for index, item in enumerate(items)]
        try:
            stored = record_activities(rows, utcnow())
        except ActivityRefused as refused:
            raise _refusal(refused, batch) from None
        created = sum(item.created for item in stored)
        if not batch:
            return _item(stored[0]), 201 if created else 200
        # The declared schema is the single item's: a batch's body is dumped here and passed through as it is.
        reply = jsonify(ActivityBatchOut().dump({"added": created, "already_there": len(stored) - created,
                                                 "activities": [_item(item) for item in stored]}))
        reply.status_code = 201 if created else 200
        return reply


def _item(item: StoredActivity) -> dict:
    return {"id": item.id, "email": item.email, "occurred_at": iso(item.occurred_at), "kind": item.kind,
            "amount": item.amount, "external_id": item.external_id, "created": item.created}


def _refusal(refused: ActivityRefused, batch: bool) -> ApiError:
    if not batch:
        (_, field, reason), *_ = refused.problems
        return ApiError(422, reason, {field: [reason]})
    errors: dict = {}
    for index, field, reason in refused.problems:
        errors.setdefault(str(index), {})[field] = [reason]
    return ApiError(422, f"{len(refused.problems)} of the activities cannot be stored (nothing was): "
                         f"{refused.problems[0][2]} (item {refused.problems[0][0]})…" if len(refused.problems) > 1
                    else f"Nothing was stored: {refused.problems[0][2]} (item {refused.problems[0][0]}).",
                    {"activities": errors})
