"""POST /api/v1/invitations: a triggered survey, one customer invited now."""
from __future__ import annotations

import math

from flask import current_app, jsonify
from flask.views import MethodView

from feedback_app.api.blueprint import api, write_errors
from feedback_app.api.errors import ApiError
from feedback_app.api.schemas.invitations import InvitationIn, InvitationOut, RetryLater
from feedback_app.core.clock import utcnow
from surveys.asking.triggered import Trigger, TriggerRefused, trigger_invitation


@api.route("/invitations", tags=["surveys"])
class Invitations(MethodView):
    @api.arguments(InvitationIn)
    @api.response(201, InvitationOut)
    @api.alt_response(200, schema=InvitationOut, description="This `external_id` made an invitation to this survey "
                                                             "before: that invitation; nothing was queued again")
    @api.alt_response(429, schema=RetryLater, description="Within the survey's cool-down: `retry_after` seconds to "
                                                          "wait (also the Retry-After header), `retry_at` when")
    @write_errors(404, 409)
    def post(self, data):
        """Invite one customer to a survey now

        A triggered survey (after a support ticket closes, a purchase …): the invitation email is queued at once,
        in the customer's language, as a send writes it. The survey's throttle applies: a relationship survey
        asks each customer once and not within SURVEY_COOLDOWN_DAYS of another relationship survey; a
        transactional one not within its own cool-down (default 7 days) of the customer's last transactional
        survey of the same kind. The two never block each other.

        Refusals: 404 unknown survey or customer; 409 the survey is closed or has no question in the customer's
        language, the customer unsubscribed or was erased, or was already invited to this relationship survey;
        429 within the cool-down: `retry_after` in the body is the number of seconds to wait (also in the
        Retry-After header) and `retry_at` the UTC time from which it is allowed. The survey link is personal and
        never returned.
        """
        now = utcnow()
        try:
            triggered = trigger_invitation(Trigger(**data), now, current_app.config["SURVEY_COOLDOWN_DAYS"])
        except TriggerRefused as refused:
            if refused.retry_at is not None:
                return _retry_later(refused, now)
            raise ApiError(refused.status, refused.message) from None
        invitation = triggered.invitation
        return invitation, 201 if triggered.created else 200


def _retry_later(refused: TriggerRefused, now):
    """The API's error body, with when to try again: whole seconds, rounded up, and the time itself."""
    seconds = max(1, math.ceil((refused.retry_at - now).total_seconds()))
    body = {"code": 429, "status": "Too Many Requests", "message": refused.message, "retry_after": seconds,
            "retry_at": refused.retry_at.isoformat(timespec="seconds") + "Z"}
    return jsonify(body), 429, {"Retry-After": str(seconds)}
