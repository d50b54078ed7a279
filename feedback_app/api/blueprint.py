"""The one blueprint of /api/v1; the resource modules add their routes to it."""
from __future__ import annotations

from flask import request
from flask_smorest import Blueprint
from werkzeug.exceptions import InternalServerError, default_exceptions

from feedback_app.api import auth
from feedback_app.api.errors import PREFIX, ApiError, handle_api_error, handle_http_exception, handle_server_error
from feedback_app.api.schemas.common import ErrorSchema

api = Blueprint("api", __name__, url_prefix=PREFIX,
                description="Feedback from any channel, its triage, and the fixes it supports.")

# Far above any valid body (5,000 characters of feedback, a thousand verbatim ids), far below the
# app's 5 MiB for CSV uploads.
MAX_BODY = 256 * 1024
PUBLIC_ENDPOINTS = frozenset({"api.openapi_json"})
WITH_BODY = frozenset({"POST", "PUT", "PATCH"})


@api.before_request
def check_request():
    request.max_content_length = MAX_BODY
    if request.method == "OPTIONS" or request.endpoint in PUBLIC_ENDPOINTS:
        return None
    auth.authorise()
    if request.method in WITH_BODY and not request.is_json:
        raise ApiError(415, "Send the body as JSON, with Content-Type: application/json.")
    return None


api.register_error_handler(ApiError, handle_api_error)
# By code, not only by class: Flask prefers the app's HTML page for a code over a blueprint's handler
# for a class, so each code the team's pages answer in HTML is claimed here for the API.
for code in default_exceptions:
    api.register_error_handler(code, handle_http_exception)
api.register_error_handler(InternalServerError, handle_server_error)

ERROR_TEXT = {400: "The body is not valid JSON", 401: "No valid token (missing, unknown or revoked)",
              403: "The token's role may not do this (viewer tokens only read)", 404: "No such id",
              409: "The request conflicts with the data as it is", 413: "The body is larger than 256 KiB",
              415: "The body is not sent as JSON",
              422: "Valid JSON, but wrong: unknown field, wrong type, out of range, or not possible now"}


def errors(*codes: int):
    """Document the error answers of an operation (401 always: every operation needs a token)."""
    def decorate(view):
        for code in sorted({401, *codes}, reverse=True):
            view = api.alt_response(code, schema=ErrorSchema, description=ERROR_TEXT[code])(view)
        return view
    return decorate


def write_errors(*codes: int):
    """The errors of an operation that writes: it may be refused to a viewer, and takes a JSON body."""
    return errors(400, 403, 413, 415, 422, *codes)

