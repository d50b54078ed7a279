"""GET /api/v1/responses (every verbatim, filtered and paginated) and PATCH /api/v1/responses/<id>
(a correction of its type, which teaches the model)."""
from __future__ import annotations

import math
from datetime import UTC, datetime

from flask import current_app, request, url_for
from flask.views import MethodView

from feedback_app.api.blueprint import api, errors, write_errors
from feedback_app.api.errors import ApiError
from feedback_app.api.schemas.responses import CorrectionIn, ResponsesQuery, Verbatim, VerbatimPage
from feedback_app.core.clock import utcnow
from feedback_app.core.extensions import db
from surveys.models import Response
from surveys.people.respondents import respondent_of, scale_of_answer
from triage.classification.custom_types import TriageError, type_keys
from triage.models import TriageItem
from triage.verbatims import classifying, listing
from triage.verbatims import feed as verbatims


def iso(moment: datetime | None) -> str | None:
    """Stored as naive UTC; said as UTC."""
    return moment.replace(tzinfo=UTC).isoformat() if moment else None


def present(response: Response, item: TriageItem | None, fix_ids: list[int]) -> dict:
    customer = respondent_of(response)
    return {"id": response.id, "text": response.comment, "score": response.score,
            "kind": scale_of_answer(response),
            "channel": response.channel, "external_id": response.external_id, "survey_id": response.survey_id,
            "language": item.language if item else None, "type": item.type_key if item else None,
            "confidence": item.confidence if item else None, "theme": item.theme if item else None,
            "needs_review": bool(item and item.needs_review), "confirmed": bool(item and item.confirmed),
            "classified": item is not None, "may_contact": response.may_contact,
            "answered_at": iso(response.answered_at), "customer_email": customer.email if customer else None,
            "fix_ids": fix_ids}


def _known_type(type_key: str | None) -> None:
    if type_key and type_key != "none" and type_key not in type_keys():
        known = ", ".join(type_keys())
        raise ApiError(422, f"Unknown type {type_key!r}; one of: {known}, or none.",
                       {"type": [f"one of: {known}, none"]})


def _page_url(page: int | None, per_page: int, after: str | None = None) -> str:
    args = {k: v for k, v in request.args.to_dict().items() if k not in ("page", "after")}
    args.update({"per_page": per_page, **({"page": page} if page else {}), **({"after": after} if after else {})})
    return url_for("api.VerbatimList", **args)


@api.route("/responses", tags=["responses"])
class VerbatimList(MethodView):
    @api.arguments(ResponsesQuery, location="query", unknown="raise")
    @api.response(200, VerbatimPage)
    @errors(422)
    def get(self, query):
        """List verbatims, newest first

        Survey answers and feedback from other channels, classified or not yet. `per_page` (default 50, at
        most 200) at a time; `links.next` leads to the next page (it carries a cursor, `after`, so every page
        costs the same however deep), `page` asks for a page by number. New answers arriving while you page
        do not shift a cursor's pages; to stay in sync, ask with `since`.
        """
        _known_type(query.get("type"))
        since = query.get("since")
        try:
            page = verbatims.verbatim_page(
                listing.Filters(type=query.get("type"), survey=query.get("survey"), language=query.get("language")),
                since.replace(tzinfo=None) if since else None, query.get("needs_review"),
                query["page"], query["per_page"], after=query.get("after"))
        except ValueError:
            raise ApiError(422, "This `after` is not a cursor of this list; take it from `links.next`.",
                           {"after": ["not a cursor from links.next"]}) from None
        size = query["per_page"]
        number = None if query.get("after") else query["page"]
        pages = max(1, math.ceil(page.total / size))
        return {"responses": [present(r, item, page.fix_ids[r.id]) for r, item in page.rows],
                "page": number, "per_page": size, "total": page.total, "pages": pages,
                "next_cursor": page.next,
                "links": {"self": request.url, "first": _page_url(1, size), "last": _page_url(pages, size),
                          "next": _page_url(None, size, after=page.next) if page.next else None,
                          "prev": _page_url(min(number - 1, pages), size) if number and number > 1 else None}}


@api.route("/responses/<int:response_id>", tags=["responses"])
class OneVerbatim(MethodView):
    @api.response(200, Verbatim)
    @errors(404)
    def get(self, response_id):
        """One verbatim"""
        return _present_one(response_id)

    @api.arguments(CorrectionIn)
    @api.response(200, Verbatim)
    @write_errors(404, 409)
    def patch(self, data, response_id):
        """Correct a verbatim's type

        The type is set and marked confirmed, and the verbatim becomes a training example for the next
        model. A verbatim the classifier has not reached yet is classified first; one without text has
        nothing to learn from (409).
        """
        response = _response(response_id)
        _known_type(data["type"])
        if data["type"] == "none":
            raise ApiError(422, "A correction names a type.", {"type": ["a type key"]})
        try:
            classifying.correct_response(response, data["type"], None, utcnow(), current_app.config["REVIEW_BELOW"])
        except TriageError as error:
            raise ApiError(409, str(error).capitalize() + ".") from None
        return _present_one(response_id)


def _response(response_id: int) -> Response:
    response = db.session.get(Response, response_id)
    if response is None:
        raise ApiError(404, f"There is no response {response_id}.")
    return response


def _present_one(response_id: int) -> dict:
    page = verbatims.verbatim_page(listing.Filters(), response_id=response_id)
    if not page.rows:
        raise ApiError(404, f"There is no response {response_id}.")
    response, item = page.rows[0]
    return present(response, item, page.fix_ids[response.id])
