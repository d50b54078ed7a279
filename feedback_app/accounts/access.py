"""Who may do what. Roles: admin (everything), triager (surveys and triage), viewer (read only)."""
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from ..extensions import db, login_manager
from .models import User


@login_manager.user_loader
def load_user(user_id: str):
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


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
