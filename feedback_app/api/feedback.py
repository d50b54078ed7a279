"""POST /api/v1/feedback: feedback from another channel, stored and classified at once."""
from __future__ import annotations

from datetime import UTC

from flask import current_app
from flask.views import MethodView

from feedback_app.api.blueprint import api, write_errors
from feedback_app.api.errors import ApiError
from feedback_app.api.schemas.feedback import Classified, FeedbackIn
from feedback_app.core.clock import utcnow
from triage.verbatims.intake import ChannelFeedback, ErasedAddress, IntakeError, take_feedback


@api.route("/feedback", tags=["feedback"])
class FeedbackFromChannels(MethodView):
    @api.arguments(FeedbackIn)
    @api.response(201, Classified)
    @api.alt_response(200, schema=Classified, description="This channel sent this `external_id` before: the "
                                                          "item as stored; nothing was stored again")
    @write_errors(409)
    def post(self, data):
        """Send feedback from another channel

        Support email, chat, app-store reviews: stored verbatim as a response of its `channel`, linked to
        the customer with this email (created if new), and classified at once like a survey answer.
        A `score` without `kind` is on the NPS scale. With an `external_id`, a retry never stores twice.
        """
        if data.get("answered_at") is not None:
            data["answered_at"] = data["answered_at"].astimezone(UTC).replace(tzinfo=None)
        try:
            taken = take_feedback(ChannelFeedback(**data), utcnow(), current_app.config["REVIEW_BELOW"])
        except IntakeError as error:
            raise ApiError(422, str(error), {error.field: [str(error)]}) from None
        except ErasedAddress as error:  # erased on request: nothing from or about it is stored again
            raise ApiError(409, str(error)) from None
        item = taken.item
        body = {"id": taken.response.id, "type": item.type_key if item else None,
                "confidence": item.confidence if item else 0.0, "theme": item.theme if item else None,
                "language": item.language if item else None, "needs_review": item.needs_review if item else True}
        return body, 201 if taken.created else 200
