from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user

from . import access  # noqa: F401  (registers the user loader)
from .forms import LoginForm
from .services import authenticate

accounts = Blueprint("accounts", __name__)


@accounts.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user:
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        flash(_("That email and password do not match an active account."), "error")
    return render_template("accounts/login.html", form=form)


@accounts.route("/logout", methods=["POST"])
def logout():
    logout_user()
    return redirect(url_for("accounts.login"))


def _safe_next(target: str | None) -> str:
    """Only same-site paths: a login link must not bounce people to another site."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("dashboard.home")
