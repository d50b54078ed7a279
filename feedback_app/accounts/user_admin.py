"""The admins' user pages (/admin/users): add a user, change a role, set a password, deactivate, activate.

Admins only (role_required() with no roles). Every change is a POST with a CSRF-checked form, and each
calls one service in services.py.
"""
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from feedback_app.accounts import services
from feedback_app.accounts.access import role_required
from feedback_app.accounts.forms import NewUserForm, RoleForm, SetPasswordForm, role_name
from feedback_app.accounts.models import User
from feedback_app.accounts.views import accounts, keep_signed_in
from feedback_app.core.extensions import db
from feedback_app.core.i18n import refusal_text
from feedback_app.web.forms import ConfirmForm


@accounts.route("/admin/users", methods=["GET", "POST"])
@role_required()
def users():
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(form.email.data, form.password.data, form.role.data)
        except services.AccountError as error:
            flash(refusal_text(error), "error")
        else:
            flash(_("%(email)s can sign in now, as %(role)s.", email=user.email, role=role_name(user.role)), "success")
            return redirect(url_for("accounts.users"), 303)
    return render_template("admin/users.html", users=services.list_users(), form=form)


@accounts.get("/admin/users/<int:user_id>")
@role_required()
def user(user_id: int):
    return _user_page(db.get_or_404(User, user_id))


@accounts.post("/admin/users/<int:user_id>/role")
@role_required()
def set_role(user_id: int):
    user = db.get_or_404(User, user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        return _user_page(user, role_form=form)
    return _apply(services.set_role, user, form.role.data,
                  done=_("%(email)s is now %(role)s.", email=user.email, role=role_name(form.role.data)))


@accounts.post("/admin/users/<int:user_id>/password")
@role_required()
def set_password(user_id: int):
    user = db.get_or_404(User, user_id)
    form = SetPasswordForm()
    if not form.validate_on_submit():
        return _user_page(user, password_form=form)
    return _apply(services.set_password, user, form.password.data,
                  done=_("The password of %(email)s is changed; every session of theirs has ended.",
                         email=user.email))


@accounts.route("/admin/users/<int:user_id>/deactivate", methods=["GET", "POST"])
@role_required()
def deactivate(user_id: int):
    user = db.get_or_404(User, user_id)
    form = ConfirmForm()
    if not form.validate_on_submit():  # the GET: ask first
        return render_template("admin/user_deactivate.html", user=user, form=form)
    return _apply(services.deactivate_user, user,
                  done=_("%(email)s is deactivated and signed out everywhere.", email=user.email))


@accounts.post("/admin/users/<int:user_id>/activate")
@role_required()
def activate(user_id: int):
    user = db.get_or_404(User, user_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("accounts.user", user_id=user.id), 303)
    return _apply(services.activate_user, user, done=_("%(email)s can sign in again.", email=user.email))


def _apply(use_case, user: User, *args, done: str):
    myself = user.id == current_user.id
    try:
        use_case(user, *args)
    except services.AccountError as error:
        flash(refusal_text(error), "error")
        return redirect(url_for("accounts.user", user_id=user.id), 303)
    if myself and user.active:
        keep_signed_in(user)  # a new password ended every session of theirs, this one included
    flash(done, "success")
    if myself and not (user.active and user.can()):
        return redirect(url_for("dashboard.home"), 303)  # no longer an admin: these pages would be 403
    return redirect(url_for("accounts.user", user_id=user.id), 303)


def _user_page(user: User, role_form=None, password_form=None):
    return render_template("admin/user.html", user=user, role_form=role_form or RoleForm(role=user.role),
                           password_form=password_form or SetPasswordForm(formdata=None),
                           confirm=ConfirmForm())
