"""Who may do what. Roles: admin (everything), triager (surveys and triage), viewer (read only)."""
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from feedback_app.accounts.models import User
from feedback_app.core.extensions import db, login_manager


@login_manager.user_loader
def load_user(session_id: str):
    """The user of a session or remember cookie, if it is still valid: "<id>:<session version>" (User.get_id).

    Read from the database on every request, so a role change applies at once, and a raised version
    (sign-out, password change, deactivation) ends every older session on every worker.
    """
    user_id, _, version = session_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None  # malformed, or a session from before versions: sign in again
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def role_required(*roles: str):
    """Login required, and one of `roles` (admins pass every check)."""
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.can(*roles):
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator


def require_login_for(blueprint) -> None:
    """Every page of a team blueprint needs a signed-in user."""
    @blueprint.before_request
    @login_required
    def check():
        return None
