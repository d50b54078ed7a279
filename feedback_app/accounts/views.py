"""Sign-in, sign-out and one's own password (/login, /logout, /account/password); the admins' user pages
are in user_admin.py, on the same blueprint."""
import math
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user

from feedback_app.accounts import access  # noqa: F401  (registers the user loader)
from feedback_app.accounts.forms import LoginForm, OwnPasswordForm, role_name
from feedback_app.accounts.services import AccountError
from feedback_app.accounts.signin import TooManyFailures, WrongPassword, change_own_password, sign_in, sign_out
from feedback_app.accounts.throttle import whole_minutes
from feedback_app.core.clock import utcnow
from feedback_app.core.i18n import refusal_text

accounts = Blueprint("accounts", __name__)
accounts.add_app_template_global(role_name)


@accounts.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        outcome = sign_in(form.email.data, form.password.data, client_address(), utcnow())
        if outcome.user:
            login_user(outcome.user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")))
        if outcome.wait:
            return _too_many_failures("accounts/login.html", outcome.wait, form=form)
        flash(_("That email and password do not match an active account."), "error")
    return render_template("accounts/login.html", form=form)


@accounts.post("/logout")
def logout():
    if current_user.is_authenticated:
        sign_out(current_user._get_current_object())
    logout_user()
    return redirect(url_for("accounts.login"))


@accounts.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    form = OwnPasswordForm()
    if form.validate_on_submit():
        try:
            user = change_own_password(current_user._get_current_object(), form.current.data, form.new.data,
                                       client_address(), utcnow())
        except TooManyFailures as refused:
            return _too_many_failures("accounts/password.html", refused.wait, form=form)
        except WrongPassword:
            form.current.errors.append(_("That is not your current password."))
        except AccountError as error:
            flash(refusal_text(error), "error")
        else:
            keep_signed_in(user)
            flash(_("Your password is changed. Every other session of yours has been signed out."), "success")
            return redirect(url_for("accounts.password"), 303)
    return render_template("accounts/password.html", form=form)


def keep_signed_in(user) -> None:
    """After a change that ended every session of the signed-in user (their password), this session goes
    on with the new version, and a "keep me signed in" cookie it had is renewed with it."""
    remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
    login_user(user, remember=remembered)


def client_address() -> str:
    # The address the throttle counts. Behind a reverse proxy this is the proxy's unless the app is told
    # to trust its X-Forwarded-For (see docs/architecture.md, Accounts).
    return request.remote_addr or "unknown"


def _too_many_failures(template: str, wait: timedelta, **context):
    minutes = whole_minutes(wait)
    flash(ngettext("Too many failed sign-ins for this account or from this address. Try again in %(num)d minute.",
                   "Too many failed sign-ins for this account or from this address. Try again in %(num)d minutes.",
                   minutes), "error")
    return render_template(template, **context), 429, {"Retry-After": str(math.ceil(wait.total_seconds()))}


def _safe_next(target: str | None) -> str:
    """Only same-site paths: a login link must not bounce people to another site."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("dashboard.home")


from feedback_app.accounts import user_admin  # noqa: E402,F401  (its routes, /admin/users, live on this blueprint)
