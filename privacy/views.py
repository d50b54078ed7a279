"""The privacy page (/admin/privacy), admins only: look up an address, download everything held about
it, erase it, allow an erased address again, and the erasure log.

Every action is a POST with a CSRF token, the download too: the address then travels in the body, never
in a URL that access logs and browser history would keep.
"""
from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from feedback_app.accounts.access import role_required
from feedback_app.core.clock import utcnow
from feedback_app.core.i18n import refusal_text
from privacy import forms, services
from privacy.export import export_customer, look_up
from privacy.labels import label
from privacy.records import PrivacyError

privacy = Blueprint("privacy", __name__, url_prefix="/admin/privacy")


@privacy.before_request
@role_required()  # admins only, on every page of the blueprint: no view can forget it
def admins_only():
    return None


def _page(found=None, status: int = 200, **chosen_forms):
    page_forms = {"lookup_form": forms.lookup_form(), "restore_form": forms.restore_form(),
                  "export_form": forms.export_form(), "erase_form": forms.erase_form()}
    if found is not None and found.export is not None:
        page_forms["export_form"] = forms.export_form(email=found.address)
        page_forms["erase_form"] = forms.erase_form(email=found.address)
    page_forms.update(chosen_forms)
    return render_template("privacy/index.html", found=found, log=services.erasure_log(), label=label,
                           **page_forms), status


@privacy.get("")
def index():
    return _page()


@privacy.post("/lookup")
def lookup():
    form = forms.lookup_form()
    if not form.validate_on_submit():
        return _page(status=422, lookup_form=form)
    try:
        return _page(look_up(form.email.data))
    except PrivacyError as error:
        form.email.errors = [refusal_text(error)]
        return _page(status=422, lookup_form=form)


@privacy.post("/export")
def export():
    form = forms.export_form()
    if not form.validate_on_submit():
        flash(_("Look up an address first."), "error")
        return redirect(url_for("privacy.index"))
    try:
        data = export_customer(form.email.data)
    except PrivacyError as error:
        flash(refusal_text(error), "error")
        return redirect(url_for("privacy.index"))
    return Response(json.dumps(data, ensure_ascii=False, indent=2), mimetype="application/json",
                    headers={"Content-Disposition": 'attachment; filename="customer-data.json"',
                             "Cache-Control": "no-store"})


@privacy.post("/erase")
def erase():
    form = forms.erase_form()
    if not form.validate_on_submit():  # the page again, with what was looked up and why nothing happened
        return _page(_looked_up(form.email.data), 422, erase_form=form)
    try:
        report = services.erase_customer(form.email.data, f"user {current_user.email}", utcnow())
    except PrivacyError as error:
        flash(refusal_text(error), "error")
        return redirect(url_for("privacy.index"))
    flash(_("Erased. Removed: %(counts)s. The address is never emailed again.",
            counts=", ".join(f"{label(key)}: {count}" for key, count in report.removed.items() if count)),
          "success")
    if report.model_withdrawn:
        flash(_("The classifier had learnt from their words and was withdrawn; the scheduler trains its "
                "successor within a minute."), "success")
    if not report.files_cleared:
        flash(_("The database file was busy, so old copies of the erased rows may remain in its free space "
                "until the next erasure."), "error")
    return redirect(url_for("privacy.index"))


def _looked_up(email: str | None):
    try:
        return look_up(email or "")
    except PrivacyError:
        return None


@privacy.post("/restore")
def restore():
    form = forms.restore_form()
    if not form.validate_on_submit():
        return _page(status=422, restore_form=form)
    try:
        services.restore_address(form.email.data, f"user {current_user.email}", utcnow())
    except PrivacyError as error:
        form.email.errors = [refusal_text(error)]
        return _page(status=422, restore_form=form)
    flash(_("This address may be imported and emailed again."), "success")
    return redirect(url_for("privacy.index"))
