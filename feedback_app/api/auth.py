"""Bearer tokens for the API: who is calling, and whether their role may do it.

Viewer tokens read; triager and admin tokens also write. The decision is by HTTP method, so a new
endpoint cannot forget it. No cookie is read or set: the token is the whole credential, which is
also why the API needs no CSRF token.
"""
from __future__ import annotations

from flask import g, request

from feedback_app.accounts.models import ApiToken
from feedback_app.accounts.tokens import may_write, verify_token
from feedback_app.api.errors import ApiError
from feedback_app.core.clock import utcnow

READING = frozenset({"GET", "HEAD", "OPTIONS"})
REALM = 'Bearer realm="feedback"'


def authorise() -> ApiToken:
    token = _token_of_request()
    if request.method not in READING and not may_write(token):
        raise ApiError(403, f"This token has the {token.role} role, which may only read. "
                            "Writing needs a triager or admin token.")
    g.api_token = token
    return token


def _token_of_request() -> ApiToken:
    header = request.authorization
    if header is None or header.type != "bearer" or not header.token:
        raise ApiError(401, "Send a token: Authorization: Bearer <token> (create one with `feedback tokens create`).",
                       headers={"WWW-Authenticate": REALM})
    token = verify_token(header.token, utcnow())
    if token is None:
        raise ApiError(401, "This token is not valid: it is unknown or was revoked.",
                       headers={"WWW-Authenticate": f'{REALM}, error="invalid_token"'})
    return token
