"""Friendly error pages, in the visitor's language: a team member lost on a team page keeps the team's
navigation and words; a customer (a signed link, unsubscribe, early access) keeps the public page."""
from flask import Flask, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from feedback_app.web.security import RESPONDENT_PATHS


def register(app: Flask) -> None:
    def page(code: int, template: str):
        def handler(_error):
            return render_template(f"errors/{template}.html"), code
        return handler

    app.register_error_handler(403, page(403, "403"))
    app.register_error_handler(404, not_found)
    app.register_error_handler(413, page(413, "413"))
    app.register_error_handler(500, page(500, "500"))
    app.register_error_handler(CSRFError, page(400, "csrf"))


def not_found(_error):
    return render_template("errors/404.html", team=is_team_page()), 404


def is_team_page() -> bool:
    """A signed-in member asking for anything but a customer's page (those carry their own credential)."""
    return not request.path.startswith(RESPONDENT_PATHS) and current_user.is_authenticated
