"""API tokens: create (the plain token is shown once), verify, revoke, list. Each change is one use case
with its one commit.

Only the SHA-256 of a token is stored. A token is 32 random bytes, so a fast hash is enough: there is
nothing to guess, unlike a password, and the lookup by hash stays one indexed query per API request.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

from feedback_app.accounts.models import ROLES, ApiToken
from feedback_app.core.extensions import db

PREFIX = "fbk_"  # recognisable in logs and by secret scanners
NAME_MAX = 100
# Recording every use would make each read request a write; once in a while is enough to tell a
# stale token from one in use.
LAST_USED_EVERY = timedelta(minutes=10)
WRITE_ROLES = frozenset({"admin", "triager"})  # viewers read only


class TokenError(ValueError):
    pass


@dataclass(frozen=True)
class NewToken:
    record: ApiToken
    plain: str  # shown once, never stored


def hash_token(plain: str) -> str:
    return hashlib.sha256(plain.encode("utf-8")).hexdigest()


def create_token(name: str, role: str, now: datetime) -> NewToken:
    name = " ".join((name or "").split())
    if not name:
        raise TokenError("a token needs a name that says who uses it, e.g. 'zendesk'")
    if len(name) > NAME_MAX:
        raise TokenError(f"a token name has at most {NAME_MAX} characters")
    if role not in ROLES:
        raise TokenError(f"role must be one of {', '.join(ROLES)}")
    plain = PREFIX + secrets.token_urlsafe(32)
    record = ApiToken(name=name, role=role, token_hash=hash_token(plain), created_at=now)
    db.session.add(record)
    db.session.commit()
    return NewToken(record, plain)


def verify_token(plain: str, now: datetime) -> ApiToken | None:
    """The live token with this value, or None (unknown, malformed or revoked)."""
    if not plain.startswith(PREFIX) or len(plain) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(plain),
                                                     ApiToken.revoked_at.is_(None)))
    if token is not None and (token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY):
        # Conditional, so concurrent requests write it once; bookkeeping only, no data a caller sees.
        db.session.execute(update(ApiToken).where(ApiToken.id == token.id, or_(
            ApiToken.last_used_at.is_(None), ApiToken.last_used_at <= now - LAST_USED_EVERY))
            .values(last_used_at=now))
        db.session.commit()
    return token


def revoke_token(token_id: int, now: datetime) -> ApiToken:
    """Revoked at once for every process: each request looks the token up. Revoking twice keeps the first time."""
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise TokenError(f"there is no token {token_id} (see `feedback tokens list`)")
    if token.revoked_at is None:
        token.revoked_at = now
        db.session.commit()
    return token


def list_tokens() -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).order_by(ApiToken.id)))


def may_write(token: ApiToken) -> bool:
    return token.role in WRITE_ROLES
