"""The JSON error body of every API answer: {"code", "status", "message", "errors"?} (the API's errors and the
input guard's refusals of API requests write it the same way)."""
from __future__ import annotations

from http import HTTPStatus

from flask import jsonify


def json_error(code: int, message: str, errors: dict | None = None, headers: dict | None = None):
    body = {"code": code, "status": HTTPStatus(code).phrase, "message": message}
    if errors:
        body["errors"] = errors
    return jsonify(body), code, headers or {}
