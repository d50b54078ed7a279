"""Signed, unguessable links for invitations and unsubscribes.

The token carries the row id signed with the app's secret (HMAC via itsdangerous): it cannot be
forged or guessed, and checking it needs no database read. Each purpose has its own salt, so an
unsubscribe token can never be replayed as a survey token or the other way round.
"""
from __future__ import annotations

from typing import NamedTuple

from itsdangerous import BadSignature, Signer, URLSafeSerializer

from surveys.scales.kinds import KINDS, LOCALES


class SignedInvitation(NamedTuple):
    """What the survey POST needs, carried in the link itself: none of it ever changes after sending,
    so the answer is checked and stored without reading the invitation first."""
    id: int
    survey_id: int
    kind: str
    locale: str


class Links:
    def __init__(self, secret_key: str):
        # "<id>.<kind>.<signature>": a plain signed string, as the survey POST checks one per request.
        self._invitation = Signer(secret_key, salt="survey-invitation", sep=".")
        self._unsubscribe = URLSafeSerializer(secret_key, salt="unsubscribe")
        self._early_access = URLSafeSerializer(secret_key, salt="early-access")

    def invitation_token(self, invitation: SignedInvitation) -> str:
        return self._invitation.sign(".".join(map(str, invitation))).decode()

    def invitation(self, token: str) -> SignedInvitation | None:
        if not token or len(token) > 200:
            return None
        try:
            value = self._invitation.unsign(token).decode()
        except BadSignature:
            return None
        parts = value.split(".")
        if (len(parts) == 4 and all(p.isascii() and p.isdigit() for p in parts[:2]) and parts[2] in KINDS
                and parts[3] in LOCALES):
            return SignedInvitation(int(parts[0]), int(parts[1]), parts[2], parts[3])
        return None

    def invitation_id(self, token: str) -> int | None:
        signed = self.invitation(token)
        return signed.id if signed else None

    def unsubscribe_token(self, customer_id: int) -> str:
        return self._unsubscribe.dumps(customer_id)

    def customer_id(self, token: str) -> int | None:
        value = _load(self._unsubscribe, token)
        return value if _is_id(value) else None


    def early_access_token(self, fix_id: int, customer_id: int) -> str:
        """For "I would like to try it early" in a fix's news: who, for which fix."""
        return self._early_access.dumps([fix_id, customer_id])

    def early_access(self, token: str) -> tuple[int, int] | None:
        value = _load(self._early_access, token)
        if isinstance(value, list) and len(value) == 2 and all(_is_id(v) for v in value):
            return value[0], value[1]
        return None


def _load(serializer: URLSafeSerializer, token: str):
    if not token or len(token) > 200:
        return None
    try:
        return serializer.loads(token)
    except BadSignature:
        return None


def _is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
