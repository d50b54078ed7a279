"""The triage list, theme groups, custom types and model history."""
from __future__ import annotations

import re
from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user

from feedback_app.accounts.access import require_login_for, role_required
from feedback_app.core.clock import utcnow
from feedback_app.core.extensions import db
from feedback_app.core.numbers import ID_MAX, whole_number
from feedback_app.web.forms import ConfirmForm
from surveys.models import Response
from surveys.services import all_surveys
from triage.classification import learning
from triage.classification import services as classification
from triage.classification.custom_types import TriageError, add_custom_type, all_types, type_keys
from triage.loop import follow_up
from triage.models import TriageItem
from triage.verbatims import export, listing
from triage.verbatims.forms import CorrectForm, CustomTypeForm

triage = Blueprint("triage", __name__, url_prefix="/triage")
require_login_for(triage)


def list_filters() -> listing.Filters:
    args = request.args
    survey = whole_number(args.get("survey"), 1, ID_MAX)
    if survey is None and args.get("survey", "").strip():
        abort(404)  # a filter by a survey that cannot exist: no such list
    return listing.Filters(
        type=args.get("type") or None, survey=survey,
        language=args.get("language") if args.get("language") in ("en", "ar", "fa", "und") else None,
        band=args.get("band") if args.get("band") in ("unhappy", "neutral", "happy") else None,
        needs_review=args.get("review") == "1", theme=args.get("theme") or None)


# The list's filters and where its page starts (after a row) or ends (before one): carried through a
# confirm or correct and back to the same page.
LIST_ARGS = ("type", "survey", "language", "band", "review", "theme", "after", "before")


def _list_args() -> dict:
    """The list's filters and page, carried through a confirm or correct and back."""
    return {k: v for k, v in request.args.items() if k in LIST_ARGS and v}


def _page_bounds() -> tuple[listing.Cursor | None, listing.Cursor | None]:
    try:
        return listing.Cursor.parse(request.args.get("after")), listing.Cursor.parse(request.args.get("before"))
    except ValueError:
        abort(404)  # a page of no list of ours


@triage.get("")
def index():
    filters = list_filters()
    after, before = _page_bounds()
    page = listing.list_page(filters, after, before)
    types = all_types()
    form = CorrectForm()
    form.type.choices = [(t.key, t.name.get("en", t.key)) for t in types]
    return render_template("triage/index.html", page=page, filters=filters, types=types, form=form,
                           confirm_form=ConfirmForm(), surveys=all_surveys(), args=_list_args(),
                           filter_args={k: v for k, v in _list_args().items() if k not in ("after", "before")},
                           groups=listing.theme_groups(filters, limit=8) if not filters.theme else [],
                           has_model=learning.active_model() is not None)


THEMES_PER_PAGE = 100  # each group carries its own "link to a fix" form: 100 keep the page near 200 KB
THEME_PAGES_MAX = 10_000


@triage.get("/themes")
def themes():
    filters = list_filters()
    number = whole_number(request.args.get("page", "1"), 1, THEME_PAGES_MAX)
    if number is None:
        abort(404)  # a page of no list of ours
    groups = listing.theme_groups(filters, limit=THEMES_PER_PAGE + 1, offset=(number - 1) * THEMES_PER_PAGE)
    if number > 1 and not groups:
        abort(404)
    return render_template("triage/themes.html", groups=groups[:THEMES_PER_PAGE], number=number,
                           more=len(groups) > THEMES_PER_PAGE, first_rank=(number - 1) * THEMES_PER_PAGE,
                           types={t.key: t for t in all_types()},
                           args={k: v for k, v in _list_args().items() if k not in ("after", "before")})


@triage.post("/<int:item_id>/confirm")
@role_required("triager")
def confirm(item_id: int):
    item = db.get_or_404(TriageItem, item_id)
    if ConfirmForm().validate_on_submit():
        try:
            classification.confirm(item, current_user.id, utcnow())
        except TriageError as error:
            flash(str(error), "error")
    return _back(item_id)


@triage.post("/<int:item_id>/type")
@role_required("triager")
def correct(item_id: int):
    item = db.get_or_404(TriageItem, item_id)
    form = CorrectForm()
    form.type.choices = [(key, key) for key in type_keys()]
    if form.validate_on_submit():
        classification.correct(item, form.type.data, current_user.id, utcnow())
    else:
        flash(_("Choose one of the types."), "error")
    return _back(item_id)


def _back(item_id: int):
    return redirect(url_for("triage.index", **_list_args(), _anchor=f"item-{item_id}"), 303)


@triage.route("/types", methods=["GET", "POST"])
def types():
    form = CustomTypeForm()
    if request.method == "POST":
        if not current_user.can():
            return render_template("errors/403.html"), 403
        if form.validate_on_submit():
            try:
                add_custom_type(
                    form.key.data, {"en": form.name_en.data, "ar": form.name_ar.data or form.name_en.data,
                                    "fa": form.name_fa.data or form.name_en.data},
                    {"en": form.description.data}, re.split(r"\r?\n", form.examples.data), utcnow())
            except TriageError as error:
                flash(str(error), "error")
            else:
                flash(_("Type added. The model learns it at the next training (Models → Train now)."), "success")
                return redirect(url_for("triage.types"), 303)
    return render_template("triage/types.html", types=all_types(), form=form)


@triage.get("/models")
def models():
    return render_template("triage/models.html", history=learning.model_history(), form=ConfirmForm(),
                           pending=learning.labels_since_last_model(),
                           threshold=current_app.config["RETRAIN_AFTER_LABELS"])


@triage.post("/models/train")
@role_required()
def train():
    if ConfirmForm().validate_on_submit():
        outcome = learning.train(utcnow(), note=f"trained from the web by {current_user.email}")
        if outcome.activated:
            flash(_("Model %(version)d is now active. Unconfirmed verbatims are being re-classified.",
                    version=outcome.version), "success")
        else:
            flash(_("Model %(version)d was worse on the held-out labels and was not activated.",
                    version=outcome.version), "error")
    return redirect(url_for("triage.models"), 303)



# ------------------------------------------------------------- follow-ups

def _follow_up_window() -> timedelta:
    return timedelta(hours=current_app.config["FOLLOW_UP_HOURS"])


def _follow_up_bounds() -> dict[str, str]:
    """The page's `after` / `before` cursor, checked: carried through "contacted" and back to the same page."""
    bounds = {bound: request.args[bound] for bound in ("after", "before") if request.args.get(bound)}
    try:
        for token in bounds.values():
            follow_up.Position.parse(token)
    except ValueError:
        abort(404)  # a page of no list of ours
    return bounds


@triage.get("/follow-ups")
def follow_ups():
    """Oldest first, a page at a time by keyset; how many wait, counted up to follow_up.COUNT_UP_TO."""
    bounds = _follow_up_bounds()
    page, waiting_count = follow_up.follow_ups(
        utcnow(), _follow_up_window(), follow_up.Position.parse(bounds.get("after")),
        follow_up.Position.parse(bounds.get("before")), size=follow_up.PAGE_SIZE, up_to=follow_up.COUNT_UP_TO)
    return render_template("triage/follow_ups.html", page=page, waiting_count=waiting_count, bounds=bounds,
                           up_to=follow_up.COUNT_UP_TO, hours=current_app.config["FOLLOW_UP_HOURS"], form=ConfirmForm())


@triage.post("/follow-ups/<int:response_id>/contacted")
@role_required("triager")
def contacted(response_id: int):
    bounds = _follow_up_bounds()
    response = db.get_or_404(Response, response_id)
    if ConfirmForm().validate_on_submit():
        follow_up.mark_contacted(response, current_user.id, utcnow())
        flash(_("Marked as contacted."))
    return redirect(url_for("triage.follow_ups", **bounds))


# ------------------------------------------------------------- export

@triage.get("/export.csv")
def export_csv():
    """The verbatims the list shows (its filters, plus `since`), streamed as CSV; viewers may download."""
    try:
        since = export.parse_day(request.args["since"]) if request.args.get("since") else None
    except export.ExportError as error:
        return str(error), 400, {"Content-Type": "text/plain; charset=utf-8"}
    filename = f"verbatims-{utcnow():%Y-%m-%d}.csv"
    return current_app.response_class(
        stream_with_context(export.csv_chunks(list_filters(), since)), mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})
