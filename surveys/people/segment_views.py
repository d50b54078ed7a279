"""The team's segments page (`surveys` blueprint): the list with each segment's size, create, delete."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from feedback_app.accounts.access import role_required
from feedback_app.core.clock import utcnow
from feedback_app.core.i18n import refusal_text
from feedback_app.core.numbers import ID_MAX, whole_number
from feedback_app.web.forms import ConfirmForm
from surveys.blueprints import team
from surveys.models import Segment
from surveys.people import segment_store
from surveys.people.forms import SegmentForm


def _page(form: SegmentForm, status: int = 200):
    return render_template("surveys/segments.html", segments=segment_store.sized_segments(), form=form,
                           confirm=ConfirmForm(), cap=segment_store.SIZE_CAP,
                           listed_max=segment_store.LISTED_MAX), status


def requested_segment() -> Segment | None:
    """The segment `?segment=ID` names (an empty value: none); 404 for one that does not exist or is not an id.
    Every page filtered by a segment reads it here."""
    raw = request.args.get("segment", "")
    if not raw:
        return None
    segment = segment_store.segment_by_id(whole_number(raw, 1, ID_MAX))
    if segment is None:
        abort(404)
    return segment


@team.get("/segments")
def segments():
    return _page(SegmentForm())


@team.post("/segments")
@role_required("triager")
def create_segment():
    form = SegmentForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    try:
        segment = segment_store.create_segment(form.name.data, form.rules.data or "", utcnow(), current_user.id)
    except segment_store.SegmentError as error:
        getattr(form, error.field).errors = [refusal_text(error)]
        return _page(form, 400)
    flash(_("Segment “%(name)s” saved.", name=segment.name), "success")
    return redirect(url_for("surveys.segments"))


@team.post("/segments/<int:segment_id>/delete")
@role_required("triager")
def delete_segment(segment_id: int):
    segment = segment_store.segment_by_id(segment_id)
    if segment is None or not ConfirmForm().validate_on_submit():
        abort(404 if segment is None else 400)
    segment_store.delete_segment(segment)
    flash(_("Segment “%(name)s” deleted.", name=segment.name), "success")
    return redirect(url_for("surveys.segments"))
