"""The team's pages for fixes: the grid beside the ranked queue, one fix with its evidence and loop,
and the triage list's "link to a fix". Views look up, validate, call one use case of triage.fixes.services."""
from __future__ import annotations

from typing import Callable

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from feedback_app.accounts.access import require_login_for, role_required
from feedback_app.core.clock import utcnow
from feedback_app.core.extensions import db
from feedback_app.web.forms import ConfirmForm
from triage.classification.custom_types import all_types, type_keys
from triage.fixes import chart
from triage.fixes import queries as fix_queries
from triage.fixes import queue as fix_queue
from triage.fixes import services as fix_cases
from triage.fixes.forms import FixFieldsForm, LinkForm, OverrideForm, ReleaseNoteForm, StatusForm, set_type_choices
from triage.fixes.services import FixChange
from triage.loop.policy import STATUSES, TO_DO, TRANSITIONS
from triage.models import Fix
from triage.verbatims import listing

fixes = Blueprint("fixes", __name__, url_prefix="/fixes")
require_login_for(fixes)

STATUS_NAMES = {"open": _l("open"), "planned": _l("planned"), "in_progress": _l("in progress"),
                "shipped": _l("shipped"), "wont_do": _l("won't do")}
QUADRANT_NAMES = {"quick_win": _l("Quick win"), "major_project": _l("Major project"),
                  "fill_in": _l("Fill-in"), "time_sink": _l("Time sink")}
QUADRANT_ADVICE = {"quick_win": _l("do now"), "major_project": _l("next"), "fill_in": _l("soon"),
                   "time_sink": _l("someday")}
STATUS_FILTERS = {"todo": TO_DO, "all": None} | {status: (status,) for status in STATUSES}


@fixes.context_processor
def names():
    return {"STATUS_NAMES": STATUS_NAMES, "QUADRANT_NAMES": QUADRANT_NAMES, "QUADRANT_ADVICE": QUADRANT_ADVICE}


@fixes.app_template_global()
def fixes_to_link():
    """For the triage list's and themes page's "link to a fix" forms, whose views know nothing of fixes.
    Read once per request: the themes page draws one form per group."""
    if "fixes_to_link" not in g:
        g.fixes_to_link = fix_queries.fixes_to_link()
    return g.fixes_to_link


def _settings() -> fix_queue.Settings:
    return fix_queue.settings_from(current_app.config)


def _types():
    return all_types()


# ------------------------------------------------------------- the grid and the ranked queue

def _queue_filters() -> tuple[str, str | None]:
    status = request.args.get("status", "todo")
    type_key = request.args.get("type") or None
    return (status if status in STATUS_FILTERS else "todo",
            type_key if type_key in type_keys() else None)


@fixes.get("")
def index():
    return _render_index(FixFieldsForm(formdata=None, data={"cost": 2}))


def _render_index(new_form: FixFieldsForm, status_code: int = 200):
    status, type_key = _queue_filters()
    settings = _settings()
    queue = fix_queue.ranked_queue(utcnow(), settings, STATUS_FILTERS[status], type_key)
    area = chart.frame(settings.policy.high_cost_from, settings.policy.high_impact_from)
    drawn = chart.layout([chart.Point(p.fix.id, p.fix.cost, p.impact.value, p.impact.respondents)
                               for p in queue], area)
    set_type_choices(new_form, _types())
    return render_template("triage/fixes/index.html", queue=queue, drawn={d.id: d for d in drawn}, area=area,
                           policy=settings.policy, status=status, type_key=type_key, types=_types(),
                           status_filters=STATUS_FILTERS, total=fix_queries.fix_count(), form=new_form), status_code


@fixes.post("")
@role_required("triager")
def create():
    form = FixFieldsForm()
    set_type_choices(form, _types())
    if not form.validate_on_submit():
        return _render_index(form, 400)
    try:
        change = FixChange(title=form.title.data, cost=form.cost.data, type_key=form.type.data or None,
                           description=form.description.data)
        fix = fix_cases.create_fix(change, utcnow(), current_user.id)
    except fix_cases.FixError as error:
        flash(str(error), "error")
        return _render_index(form, 400)
    flash(_("Fix made. Link verbatims to it from the triage list."), "success")
    return redirect(url_for("fixes.show", fix_id=fix.id), 303)


# ------------------------------------------------------------- linking from the triage list

@fixes.post("/link")
@role_required("triager")
def link_from_list():
    """The ticked verbatims, or a whole theme group, to an existing fix or to a new one."""
    form = LinkForm()
    set_type_choices(form, _types())
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
        flash(str(error), "error")
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


# ------------------------------------------------------------- one fix

@fixes.get("/<int:fix_id>")
def show(fix_id: int):
    return _render_show(db.get_or_404(Fix, fix_id))


def _render_show(fix: Fix, status_code: int = 200, **forms):
    settings = _settings()
    at = fix_queries.Cursors(*(request.args.get(name) for name in ("linked", "people", "told", "testers")))
    page = fix_queries.fix_page(fix, utcnow(), settings, at)
    edit_form = forms.get("edit_form") or FixFieldsForm(formdata=None, data={
        "title": fix.title, "description": fix.description, "type": fix.type_key or "", "cost": fix.cost})
    set_type_choices(edit_form, _types())
    override_form = forms.get("override_form") or OverrideForm(formdata=None, data={
        "impact": fix.impact_override, "reason": fix.override_reason or ""})
    note_form = forms.get("note_form") or ReleaseNoteForm(formdata=None, data={"release_note": fix.release_note})
    moves = [status for status in STATUSES if status in TRANSITIONS.get(fix.status, set())]
    return render_template("triage/fixes/show.html", fix=fix, page=page, moves=moves, types={t.key: t for t in _types()},
                           edit_form=edit_form, override_form=override_form, note_form=note_form,
                           status_form=StatusForm(formdata=None), confirm_form=ConfirmForm(),
                           policy=settings.policy, value_attribute=settings.value_attribute, at=at), status_code


def _to_show(fix: Fix):
    return redirect(url_for("fixes.show", fix_id=fix.id), 303)


def _update(fix: Fix, form, form_name: str, done: str, change: Callable[..., FixChange]):
    """The fix page's edit forms: validate, make the changes (all or nothing), say what happened."""
    if not form.validate_on_submit():
        return _render_show(fix, 400, **{form_name: form})
    try:
        fix_cases.update_fix(fix, utcnow(), change(form), current_user.id)
    except fix_cases.FixError as error:
        flash(str(error), "error")
    else:
        flash(done, "success")
    return _to_show(fix)


@fixes.post("/<int:fix_id>/edit")
@role_required("triager")
def edit(fix_id: int):
    form = FixFieldsForm()
    set_type_choices(form, _types())
    return _update(db.get_or_404(Fix, fix_id), form, "edit_form", _("Saved."),
                   lambda f: FixChange(title=f.title.data, description=f.description.data, cost=f.cost.data,
                                       type_key=f.type.data or ""))


@fixes.post("/<int:fix_id>/override")
@role_required("triager")
def override(fix_id: int):
    return _update(db.get_or_404(Fix, fix_id), OverrideForm(), "override_form",
                   _("Impact overridden; the reason is kept with it."),
                   lambda f: FixChange(impact_override=f.impact.data, reason=f.reason.data))


@fixes.post("/<int:fix_id>/override/clear")
@role_required("triager")
def clear_override(fix_id: int):
    fix = db.get_or_404(Fix, fix_id)
    if ConfirmForm().validate_on_submit():
        fix_cases.update_fix(fix, utcnow(), FixChange(clear_override=True), current_user.id)
        flash(_("Override cleared: impact comes from the evidence again."), "success")
    return _to_show(fix)


@fixes.post("/<int:fix_id>/release-note")
@role_required("triager")
def release_note(fix_id: int):
    return _update(db.get_or_404(Fix, fix_id), ReleaseNoteForm(), "note_form", _("Release note saved."),
                   lambda f: FixChange(release_note=f.release_note.data))


@fixes.post("/<int:fix_id>/status")
@role_required("triager")
def change_status(fix_id: int):
    fix = db.get_or_404(Fix, fix_id)
    form = StatusForm()
    if not form.validate_on_submit():
        flash(_("Choose one of the status buttons."), "error")
        return _to_show(fix)
    try:
        queued = fix_cases.change_status(fix, form.status.data, utcnow(), tell_planned=form.tell.data)
    except fix_cases.FixError as error:
        flash(str(error), "error")
    else:
        flash(_("Status is now “%(status)s”. %(count)d emails queued.",
                status=STATUS_NAMES[fix.status], count=queued), "success")
    return _to_show(fix)


@fixes.post("/<int:fix_id>/announce")
@role_required("triager")
def announce(fix_id: int):
    fix = db.get_or_404(Fix, fix_id)
    if ConfirmForm().validate_on_submit():
        try:
            queued = fix_cases.tell_planned(fix, utcnow())
        except fix_cases.FixError as error:
            flash(str(error), "error")
        else:
            flash(_("%(count)d emails queued (nobody is told twice).", count=queued), "success")
    return _to_show(fix)


@fixes.post("/<int:fix_id>/link/<int:response_id>")
@role_required("triager")
def link_one(fix_id: int, response_id: int):
    fix = db.get_or_404(Fix, fix_id)
    if ConfirmForm().validate_on_submit():
        try:
            fix_cases.link_verbatims(fix, [response_id], utcnow(), current_user.id)
        except fix_cases.FixError as error:
            flash(str(error), "error")
        else:
            flash(_("Verbatim linked."), "success")
    return _to_show(fix)


@fixes.post("/<int:fix_id>/unlink/<int:response_id>")
@role_required("triager")
def unlink(fix_id: int, response_id: int):
    fix = db.get_or_404(Fix, fix_id)
    if ConfirmForm().validate_on_submit():
        fix_cases.unlink_verbatim(fix, response_id, utcnow())
        flash(_("Verbatim unlinked."), "success")
    return _to_show(fix)
