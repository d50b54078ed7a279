"""The triage list and its theme groups: filters, keyset pages, confirming and correcting a verbatim's
type, and the list as CSV. Its routes are on the one triage blueprint (triage.blueprint)."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, stream_with_context, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from feedback_app.accounts.access import role_required
from feedback_app.core.clock import utcnow
from feedback_app.core.i18n import refusal_text
from feedback_app.core.extensions import db
from feedback_app.core.numbers import whole_number
from feedback_app.web.forms import ConfirmForm
from surveys.asking.results import all_surveys
from surveys.people.segment_store import listed_segments, segment_by_id
from triage.blueprint import triage
from triage.classification import learning
from triage.classification import services as classification
from triage.classification.custom_types import TriageError, all_types, type_keys
from triage.models import TriageItem
from triage.verbatims import export, listing, naming
from triage.verbatims.forms import CorrectForm, ThemeNameForm


def list_filters() -> listing.Filters:
    try:
        filters = listing.Filters.from_args(request.args)
    except ValueError:
        abort(404)  # a filter by a survey (or segment) that cannot exist: no such list
    if filters.segment and segment_by_id(filters.segment) is None:
        abort(404)  # a segment since deleted, or never made
    return filters


def _list_args() -> dict:
    return listing.list_args(request.args)


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
                           confirm_form=ConfirmForm(), surveys=all_surveys(), segments=listed_segments(), args=_list_args(),
                           filter_args=listing.Filters.carried(request.args),
                           groups=listing.theme_groups(filters, limit=8) if not (filters.theme or filters.segment) else [],  # no tally by customer
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
                           args=listing.Filters.carried(request.args))


@triage.post("/themes/name")
@role_required("triager")
def rename_theme():
    """A triager names a theme group (or empties its name for the automatic one), from the themes page or
    from the list of one group; back to that page, with a message either way."""
    form = ThemeNameForm()
    if not form.validate_on_submit() and not form.name.errors:
        abort(400)  # no group named: no form of ours
    renamed = naming.NameProblem("too_long") if form.name.errors else naming.rename_group(form.key.data, form.name.data or "")
    if isinstance(renamed, naming.NameProblem):
        flash(naming.problem_message(renamed, str(get_locale())), "error")
    elif renamed.name:
        flash(_("The theme is now called “%(name)s”.", name=renamed.name), "success")
    else:
        flash(_("The theme shows its automatic name again: “%(name)s”.", name=renamed.label), "success")
    args = listing.list_args(request.args)
    if form.back.data == "themes":
        number = whole_number(request.args.get("page", "1"), 1, THEME_PAGES_MAX)
        return redirect(url_for("triage.themes", **args, **({"page": number} if number and number > 1 else {})), 303)
    return redirect(url_for("triage.index", **args, _anchor="theme-name"), 303)


@triage.post("/<int:item_id>/confirm")
@role_required("triager")
def confirm(item_id: int):
    item = db.get_or_404(TriageItem, item_id)
    if ConfirmForm().validate_on_submit():
        try:
            classification.confirm(item, current_user.id, utcnow())
        except TriageError as error:
            flash(refusal_text(error), "error")
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
