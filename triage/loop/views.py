"""The team's follow-up page: unhappy answers waiting for a person to contact them, from the moment they answer,
soonest due (the overdue) first, each with when it falls due; and marking one contacted. Routes on the one triage blueprint (triage.blueprint)."""
from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from feedback_app.accounts.access import role_required
from feedback_app.core.clock import utcnow
from feedback_app.core.extensions import db
from feedback_app.web.forms import ConfirmForm
from surveys.models import Response
from triage.blueprint import triage
from triage.loop import follow_up


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
    """Oldest (soonest due) first, a page at a time by keyset; how many wait, counted up to
    follow_up.COUNT_UP_TO."""
    bounds = _follow_up_bounds()
    page, waiting_count = follow_up.follow_ups(
        follow_up.Position.parse(bounds.get("after")), follow_up.Position.parse(bounds.get("before")),
        size=follow_up.PAGE_SIZE, up_to=follow_up.COUNT_UP_TO)
    due = follow_up.due_times(page.waiting, utcnow(), _follow_up_window())
    return render_template("triage/follow_ups.html", page=page, due=due, waiting_count=waiting_count, bounds=bounds,
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
