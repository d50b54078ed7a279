"""Team users, API tokens and failed sign-ins: the accounts tables."""
from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from feedback_app.core.clock import utcnow
from feedback_app.core.extensions import db

ROLES = ("admin", "triager", "viewer")
# How passwords are hashed: werkzeug's default (scrypt), about 0.1 s a hash, on purpose. One name for it,
# used by every hash the app makes (the sign-in's dummy hash too), so the test suite may lower the cost.
PASSWORD_METHOD = "scrypt"


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Part of every session's identity (get_id): raising it ends every session signed in before.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        """The session's identity (Flask-Login's "alternative token"): the version makes every session and
        remember cookie issued before the last raise of session_version invalid (see access.load_user)."""
        return f"{self.id}:{self.session_version}"

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, PASSWORD_METHOD)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def can(self, *roles: str) -> bool:
        return self.role == "admin" or self.role in roles


class ApiToken(db.Model):
    """A bearer token for /api/v1. Only its SHA-256 is stored: a leaked database leaks no token."""
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))  # one of ROLES: what the token may do
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)


class LoginFailure(db.Model):
    """A failed sign-in: what was typed as the account and where it came from. Counted to throttle
    guessing; the account is the typed address, known or not, so throttling tells nobody which exist."""
    __tablename__ = "login_failure"
    __table_args__ = (Index("ix_login_failure_account_at", "account", "failed_at"),
                      Index("ix_login_failure_address_at", "address", "failed_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    account: Mapped[str] = mapped_column(String(320))
    address: Mapped[str] = mapped_column(String(64))
    failed_at: Mapped[datetime] = mapped_column(DateTime)
