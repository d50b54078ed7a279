"""Every API error is JSON: {"code", "status", "message", "errors"?}, with a message a person can act on.

Status codes: 400 the body is not JSON; 401 no valid token; 403 the token's role may not do it;
404 unknown id or path; 405 method; 413 body too large; 415 not sent as JSON; 422 the JSON is
well-formed but wrong (unknown field, wrong type, out of range, a status the fix cannot move to).
"""
from __future__ import annotations

from flask import Flask, request
from werkzeug.exceptions import HTTPException

from feedback_app.web.json_errors import json_error

PREFIX = "/api/v1"


class ApiError(Exception):
    def __init__(self, code: int, message: str, errors: dict | None = None, headers: dict | None = None):
        super().__init__(message)
        self.code, self.message, self.errors, self.headers = code, message, errors, headers or {}


def handle_api_error(error: ApiError):
    return json_error(error.code, error.message, error.errors, error.headers)


def handle_http_exception(error: HTTPException):
    """werkzeug's and webargs' exceptions: routing, parsing, validation, size."""
    data = getattr(error, "data", None) or {}
    messages = data.get("messages")
    if error.code == 422 and messages:
        fields = _by_field(messages)
        return json_error(422, "Check these fields: " + ", ".join(fields) + ".", fields, data.get("headers"))
    if error.code == 400 and messages:
        return json_error(400, "The body is not valid JSON.")
    return json_error(error.code, _MESSAGES.get(error.code, error.description or error.name), None,
                      _allow(error))


def _by_field(messages: dict) -> dict:
    """webargs nests messages under the request part ("json", "query"); callers name fields only."""
    flat: dict = {}
    for part in messages.values():
        flat.update(part if isinstance(part, dict) else {"_schema": part})
    return {("body" if name == "_schema" else name): value for name, value in flat.items()}


def _allow(error: HTTPException) -> dict:
    methods = getattr(error, "valid_methods", None)
    return {"Allow": ", ".join(methods)} if methods else {}


def handle_server_error(_error):
    return json_error(500, "Something went wrong on our side; nothing was changed. Please try again.")


_MESSAGES = {
    404: "There is nothing at this address. The API's paths are listed in /api/v1/openapi.json.",
    405: "This method is not allowed here; the Allow header lists those that are.",
    413: "The body is too large for this API.",
}


def register(app: Flask) -> None:
    """An unknown /api/v1 path belongs to no blueprint, so the team's HTML 404 page would answer it.

    Flask raises routing errors only after the before-request hooks, so this app-wide hook answers
    them in JSON first. It costs other requests one attribute check.
    """
    @app.before_request
    def api_routing_errors():
        error = request.routing_exception
        if error is not None and error.code >= 400 and (request.path + "/").startswith(PREFIX + "/"):
            return handle_http_exception(error)
        return None
