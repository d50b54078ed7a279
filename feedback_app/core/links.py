"""Signed links: a value signed for one named purpose, and the app's absolute URLs. Imports no domain.

A token carries its value signed with the app's SECRET_KEY (HMAC via itsdangerous): it cannot be forged
or guessed, and reading it needs no database. Each purpose is the signature's salt, so a token made for
one purpose (an unsubscribe) is never accepted for another (a survey answer). The domains define their
tokens on top of this (surveys.answering.links, surveys.people.links, triage.loop.early_access); their
purposes are written into every link already emailed, so a purpose's name never changes.

`links` (feedback_app.core.extensions) is the extension object: `links.init_app(app)` builds the app's
LinkSigning once, and `links.sign(...)`, `links.read(...)`, `links.url(...)` use the current app's.
Code running outside an app context (the survey page's WSGI shortcut) keeps `links.of(app)`.
"""
from __future__ import annotations

from typing import Any

from flask import Flask, current_app
from itsdangerous import BadSignature, Signer, URLSafeSerializer

EXTENSION = "feedback.links"
TOKEN_MAX = 200  # longer is no token of ours: refused before any HMAC is computed


class LinkSigning:
    """One app's signers (one per purpose, each built once) and its public address."""

    def __init__(self, secret_key: str, base_url: str):
        self._secret_key = secret_key
        self.base_url = base_url
        self._serializers: dict[str, URLSafeSerializer] = {}
        self._signers: dict[str, Signer] = {}

    def sign(self, purpose: str, value: Any) -> str:
        """Any JSON value (an id, a list of ids), as a URL-safe token for `purpose`."""
        return self._serializer(purpose).dumps(value)

    def read(self, purpose: str, token: str) -> Any | None:
        """The value signed for `purpose`, or None if the token is not one (forged, changed, another purpose)."""
        if not token or len(token) > TOKEN_MAX:
            return None
        try:
            return self._serializer(purpose).loads(token)
        except BadSignature:
            return None

    def sign_text(self, purpose: str, text: str) -> str:
        """A compact token: the text itself, a dot and its signature (no JSON, no base64 of the value),
        for a link checked on a hot path."""
        return self._signer(purpose).sign(text).decode()

    def read_text(self, purpose: str, token: str) -> str | None:
        if not token or len(token) > TOKEN_MAX:
            return None
        try:
            return self._signer(purpose).unsign(token).decode()
        except BadSignature:
            return None

    def url(self, path: str) -> str:
        """The absolute address of one of the app's paths ("/s/…"), as an email must give it."""
        return f"{self.base_url}{path}"

    def _serializer(self, purpose: str) -> URLSafeSerializer:
        serializer = self._serializers.get(purpose)
        if serializer is None:
            serializer = self._serializers[purpose] = URLSafeSerializer(self._secret_key, salt=purpose)
        return serializer

    def _signer(self, purpose: str) -> Signer:
        signer = self._signers.get(purpose)
        if signer is None:
            signer = self._signers[purpose] = Signer(self._secret_key, salt=purpose, sep=".")
        return signer


class SignedLinks:
    """The extension object: the current app's LinkSigning, with the same methods (each one lookup: the survey
    POST reads a token per request)."""

    def __init__(self, app: Flask | None = None):
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        app.extensions[EXTENSION] = LinkSigning(app.config["SECRET_KEY"], app.config["BASE_URL"])

    @staticmethod
    def of(app: Flask) -> LinkSigning:
        return app.extensions[EXTENSION]

    def sign(self, purpose: str, value: Any) -> str:
        return current_app.extensions[EXTENSION].sign(purpose, value)

    def read(self, purpose: str, token: str) -> Any | None:
        return current_app.extensions[EXTENSION].read(purpose, token)

    def sign_text(self, purpose: str, text: str) -> str:
        return current_app.extensions[EXTENSION].sign_text(purpose, text)

    def read_text(self, purpose: str, token: str) -> str | None:
        return current_app.extensions[EXTENSION].read_text(purpose, token)

    def url(self, path: str) -> str:
        return current_app.extensions[EXTENSION].url(path)


def is_id(value: Any) -> bool:
    """Whether a value read from a token is a row id (JSON's true is no id)."""
    return isinstance(value, int) and not isinstance(value, bool)
