"""Signed, unguessable links for invitations and unsubscribes.

The token carries the row id signed with the app's secret (HMAC via itsdangerous): it cannot be
forged or guessed, and checking it needs no database read. Each purpose has its own salt, so an
unsubscribe token can never be replayed as a survey token or the other way round.
"""
from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer


class Links:
    def __init__(self, secret_key: str):
        self._invitation = URLSafeSerializer(secret_key, salt="survey-invitation")
        self._unsubscribe = URLSafeSerializer(secret_key, salt="unsubscribe")

    def invitation_token(self, invitation_id: int) -> str:
        return self._invitation.dumps(invitation_id)

    def invitation_id(self, token: str) -> int | None:
        return _load(self._invitation, token)

    def unsubscribe_token(self, customer_id: int) -> str:
        return self._unsubscribe.dumps(customer_id)

    def customer_id(self, token: str) -> int | None:
        return _load(self._unsubscribe, token)


def _load(serializer: URLSafeSerializer, token: str) -> int | None:
    if not token or len(token) > 200:
        return None
    try:
        value = serializer.loads(token)
    except BadSignature:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None
