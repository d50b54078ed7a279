"""Team accounts: creating users and checking sign-ins."""
from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from .models import ROLES, User

MIN_PASSWORD = 8


class AccountError(ValueError):
    pass


def create_user(email: str, password: str, role: str) -> User:
    email = email.strip().lower()
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    if "@" not in email:
        raise AccountError(f"{email!r} is not an email address")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must be at least {MIN_PASSWORD} characters long")
    if db.session.scalar(select(User).where(User.email == email)):
        raise AccountError(f"a user {email} already exists")
    user = User(email=email, role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active or not user.check_password(password):
        return None
    return user
