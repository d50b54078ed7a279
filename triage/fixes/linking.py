"""The triage list's and themes page's "link to a fix": verbatims linked to a new or an existing fix, then back
to the same page of the same list (a route of the `fixes` blueprint)."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from feedback_app.accounts.access import role_required
from feedback_app.core.clock import utcnow
from feedback_app.core.i18n import refusal_text
from feedback_app.core.extensions import db
from triage.classification.custom_types import all_types
from triage.fixes import queries as fix_queries
from triage.fixes import services as fix_cases
from triage.fixes.forms import LinkForm, set_type_choices
from triage.fixes.services import FixChange
from triage.fixes.views import fixes
from triage.models import Fix
from triage.verbatims import listing


@fixes.post("/link")
@role_required("triager")
def link_from_list():
    """The ticked verbatims, or a whole theme group, to an existing fix or to a new one."""
    form = LinkForm()
    set_type_choices(form, all_types())
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return _back_to_list(form)
    ids = form.response.data or (fix_queries.theme_response_ids(_list_filters(), form.theme.data)
                                 if form.theme.data else [])
    if not ids:
        flash(_("Tick at least one verbatim (x on the keyboard), or use a theme group's own form."), "error")
        return _back_to_list(form)
    try:
        if form.to.data == "new":
            _link_to_new_fix(form, ids)
        else:
            _link_to_existing_fix(form, ids)
    except fix_cases.FixError as error:
        flash(refusal_text(error), "error")
    return _back_to_list(form)


def _link_to_new_fix(form: LinkForm, ids: list[int]) -> None:
    change = FixChange(title=form.title.data, cost=int(form.cost.data), type_key=form.type.data or None)
    fix = fix_cases.create_fix(change, utcnow(), current_user.id, response_ids=ids, theme_key=form.theme.data or None)
    flash(_("New fix “%(title)s” made with %(count)d verbatims.", title=fix.title, count=len(ids)), "success")


def _link_to_existing_fix(form: LinkForm, ids: list[int]) -> None:
    fix = db.session.get(Fix, form.fix.data)
    if fix is None:
        raise fix_cases.FixError(_("No such fix: %(id)s. Nothing was linked.", id=form.fix.data))
    added = fix_cases.link_verbatims(fix, ids, utcnow(), current_user.id)
    flash(_("%(added)d of %(count)d verbatims linked to “%(title)s” (the others were linked already).",
            added=added, count=len(ids), title=fix.title) if added < len(ids) else
          _("%(count)d verbatims linked to “%(title)s”.", count=added, title=fix.title), "success")


def _list_filters() -> listing.Filters:
    """The filters of the list the link form was sent from (its theme's verbatims are read under them)."""
    try:
        return listing.Filters.from_args(request.args)
    except ValueError:
        abort(404)  # a filter by a survey that cannot exist: no such list


def _back_to_list(form: LinkForm):
    args = listing.list_args(request.args)
    page = "triage.themes" if form.back.data == "themes" else "triage.index"
    return redirect(url_for(page, **args), 303)


