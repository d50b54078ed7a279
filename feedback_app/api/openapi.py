"""GET /api/v1/openapi.json: the OpenAPI 3 document, generated from the schemas that validate requests."""
from __future__ import annotations

from flask import jsonify
from flask_smorest import Api, current_api

from feedback_app.api.blueprint import api
from feedback_app.api.errors import PREFIX
from feedback_app.api.schemas.activity import ActivityBatchOut
from feedback_app.api.schemas.common import ErrorSchema

DESCRIPTION = f"""Feedback from any channel, its triage, and the fixes it supports.

Every request except this document needs `Authorization: Bearer <token>`; create a token with
`feedback tokens create NAME --role triager` (shown once). Viewer tokens may only read.

Errors are JSON `{{"code", "status", "message", "errors"}}`: 400 the body is not valid JSON, 401 no
valid token, 403 the token's role may not do it, 404 unknown id or path under {PREFIX}, 405 method not
allowed (see the Allow header), 413 body over 256 KiB, 415 body not sent as JSON, 422 valid JSON that
is wrong (unknown field, wrong type, out of range, a status change the fix cannot make). A request
that fails changes nothing.

Times are ISO 8601 in UTC."""


class FeedbackApi(Api):
    """flask-smorest's Api, with its error handling kept to /api/v1.

    Its own handlers would answer every HTTP error of the whole app in JSON, the team's HTML pages
    included; ours are registered on the API blueprint instead (feedback_app/api/errors.py).
    """
    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self):
        pass


def build(app) -> FeedbackApi:
    spec = FeedbackApi(app, spec_kwargs={
        "title": "Feedback API", "version": "1", "openapi_version": "3.0.3",
        "info": {"description": DESCRIPTION},
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}]})
    # POST /activity answers one of two bodies (one activity, or a batch); the decorators name only the first.
    spec.spec.components.schema("ActivityBatchOut", schema=ActivityBatchOut)
    spec.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer",
                                                        "description": "A token from `feedback tokens create`"})
    return spec


@api.route("/openapi.json", tags=["meta"])
@api.doc(security=[], responses={"200": {"description": "This document (OpenAPI 3)",
                                         "content": {"application/json": {"schema": {"type": "object"}}}}})
def openapi_json():
    """The OpenAPI document of this API (no token needed)"""
    return jsonify(current_api.spec.to_dict())
