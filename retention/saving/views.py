"""The Save list (/retention/save) and its outcomes, on the /retention blueprint. Thin: retention.saving.save_list
reads and records."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from feedback_app.accounts.access import role_required
from feedback_app.core.clock import utcnow
from feedback_app.core.extensions import db
from feedback_app.web.forms import ConfirmForm
from retention.blueprint import retention
from retention.saving import models  # noqa: F401  (its tables)
from retention.saving import check_in, save_list
from surveys.models import Customer

STAGE_NAMES = {"at_risk": _l("At risk"), "silent": _l("Silent")}
OUTCOME_NAMES = {"contacted": _l("Contacted"), "saved": _l("Saved"), "lost": _l("Lost")}


def _bounds() -> dict[str, str]:
    """The page's `after` / `before`, checked: carried through an outcome and back to the same page."""
    bounds = {bound: request.args[bound] for bound in ("after", "before") if request.args.get(bound)}
    try:
        for token in bounds.values():
            save_list.position(token)
    except ValueError:
        abort(404)  # a page of no list of ours
    return bounds


def why(case: save_list.Case) -> str:
    """The reason of the customer's stage as a sentence in the reader's language ("" when none is recorded)."""
    reason = case.reason or {}
    key, days, gap = reason.get("key") or reason.get("reason"), reason.get("days_quiet"), reason.get("usual_gap")
    if key == "quiet_against_rhythm" and days is not None and gap:
        return _("Quiet for %(days)d days; usually active every %(gap)d days.", days=days, gap=round(gap))
    if key in ("quiet_against_rhythm", "quiet_without_rhythm") and days is not None:
        return _("Quiet for %(days)d days.", days=days)
    return {"never_active": _("No activity since they started."),
            "unhappy_recently": _("Unhappy in a recent answer or feedback."),
            "silent_and_unhappy": _("Gone quiet, and unhappy in an answer or feedback.")}.get(key, "")


@retention.get("/save", endpoint="save_list")
def save_list_page():
    bounds = _bounds()
    page = save_list.save_page(save_list.position(bounds.get("after")), save_list.position(bounds.get("before")))
    return render_template("retention/save.html", page=page, bounds=bounds, why=why, form=ConfirmForm(),
                           count=save_list.count_to_save(), up_to=save_list.COUNT_UP_TO, stage_names=STAGE_NAMES,
                           outcome_names=OUTCOME_NAMES)


@retention.post("/save/<int:customer_id>/outcome")
@role_required("triager")
def save_outcome(customer_id: int):
    bounds = _bounds()
    db.get_or_404(Customer, customer_id)
    outcome = request.form.get("outcome", "")
    if ConfirmForm().validate_on_submit():
        if outcome not in OUTCOME_NAMES:
            flash(_("Choose contacted, saved or lost."), "error")
        else:
            save_list.record_outcome(customer_id, outcome, current_user.id, utcnow())
            flash(_("Recorded: %(outcome)s.", outcome=OUTCOME_NAMES[outcome]))
    return redirect(url_for("retention.save_list", **bounds) + f"#customer-{customer_id}")


@retention.post("/save/check-in")
@role_required("triager")
def send_check_in():
    """The check-in survey to every silent customer not invited yet (as `feedback retention check-in`)."""
    if ConfirmForm().validate_on_submit():
        try:
            survey, invited = check_in.invite_silent(utcnow(), current_app.config["SURVEY_COOLDOWN_DAYS"])
        except ValueError:  # the team closed it
            flash(_("The check-in survey is closed: nobody was invited."), "error")
        else:
            flash(ngettext("%(num)d silent customer invited to the check-in survey “%(name)s”.",
                           "%(num)d silent customers invited to the check-in survey “%(name)s”.",
                           invited, name=survey.name), "success")
    return redirect(url_for("retention.save_list"))
