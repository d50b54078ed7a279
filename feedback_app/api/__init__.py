"""The JSON API under /api/v1: bearer tokens, JSON errors, an OpenAPI document.

A view here looks up, validates with the schemas, calls one use case (surveys, triage) and answers
JSON; it never reads a session cookie, so it needs no CSRF token (security.CSRF_EXEMPT_BLUEPRINTS).
"""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from feedback_app.api import activity, customers, errors, feedback, fixes, invitations, openapi, responses  # noqa: F401 — the resources add their routes
    from feedback_app.api.blueprint import api

    openapi.build(app).register_blueprint(api)
    errors.register(app)
