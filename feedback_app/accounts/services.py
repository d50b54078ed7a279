"""Team accounts as admins manage them: add, list, set a password, change a role, deactivate, activate.

Each public function is one use case with its one commit. Signing in and out and changing one's own
password are in signin.py.
"""
from __future__ import annotations

from sqlalchemy import select

from feedback_app.accounts.models import ROLES, User
from feedback_app.core.extensions import db
from feedback_app.core.refusals import N_, Refusal

MIN_PASSWORD = 8
MAX_PASSWORD = 500  # hashing is deliberately slow; a megabyte "password" must not cost a worker seconds
EMAIL_MAX = 320


class AccountError(Refusal):
    pass


def create_user(email: str, password: str, role: str) -> User:
    email = email.strip().lower()
    _check_role(role)
    if "@" not in email or len(email) > EMAIL_MAX:
        raise AccountError(N_("%(email)s is not an email address"), email=repr(email))
    check_new_password(password)
    if db.session.scalar(select(User).where(User.email == email)):
        raise AccountError(N_("a user %(email)s already exists"), email=email)
    user = User(email=email, role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def list_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.id)))


def find_user(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise AccountError(N_("there is no user %(email)s (see `feedback users list`)"), email=email.strip())
    return user


def set_password(user: User, password: str) -> User:
    """An admin (or the CLI) sets a new password: every session of that user ends."""
    check_new_password(password)
    user.set_password(password)
    end_sessions(user)
    db.session.commit()
    return user


def set_role(user: User, role: str) -> User:
    """Applies from the user's next request: the session loader reads the role each time."""
    _check_role(role)
    if role != "admin":
        _keep_an_admin(user, "demote")
    user.role = role
    db.session.commit()
    return user


def deactivate_user(user: User) -> User:
    """The user can no longer sign in, and every session of theirs ends at once."""
    _keep_an_admin(user, "deactivate")
    user.active = False
    end_sessions(user)
    db.session.commit()
    return user


def activate_user(user: User) -> User:
    """The way back from deactivate_user; the user signs in again with their password."""
    user.active = True
    db.session.commit()
    return user


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(N_("the password must be at least %(count)d characters long"), count=MIN_PASSWORD)
    if len(password) > MAX_PASSWORD:
        raise AccountError(N_("the password must be at most %(count)d characters long"), count=MAX_PASSWORD)


def end_sessions(user: User) -> None:
    """Raise the session version, ending every session and remember cookie issued before (no commit).

    Incremented in SQL, not read-then-written, so two concurrent raises never land on the same number.
    """
    user.session_version = User.session_version + 1
    db.session.flush()  # the new number is read back from the row when next used


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise AccountError(N_("role must be one of %(roles)s"), roles=", ".join(ROLES))


# One whole sentence per action, so that each reads right in every language.
_LAST_ADMIN = {"demote": N_("%(email)s is the last active admin; make another user an admin before you demote this one"),
               "deactivate": N_("%(email)s is the last active admin; make another user an admin before you "
                                "deactivate this one")}


def _keep_an_admin(user: User, action: str) -> None:
    """Refuse to leave the team without an active admin: nobody could manage users any more.

    Must run before the user is changed. On PostgreSQL the active admins' rows are locked, so two admins
    demoting each other at once cannot both pass; SQLite writes one transaction at a time anyway.
    """
    if user.role != "admin" or not user.active:
        return
    admins = db.session.scalars(select(User.id).where(User.role == "admin", User.active.is_(True))
                                .order_by(User.id).with_for_update()).all()
    if not any(admin_id != user.id for admin_id in admins):
        raise AccountError(_LAST_ADMIN[action], email=user.email)
