"""The team's fix pages: the grid beside the ranked queue, and the `fixes` blueprint the other page groups add
their routes to (triage.fixes.one_fix: one fix; triage.fixes.linking: the triage list's "link to a fix").
Views look up, validate, call one use case of triage.fixes.services."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from feedback_app.accounts.access import require_login_for, role_required
from feedback_app.core.clock import utcnow
from feedback_app.core.i18n import refusal_text
from triage.classification.custom_types import all_types, type_keys
from triage.classification.types import problem_types
from triage.fixes import chart
from triage.fixes import queries as fix_queries
from triage.fixes import queue as fix_queue
from triage.fixes import services as fix_cases
from triage.fixes.forms import FixFieldsForm, set_type_choices
from triage.fixes.services import FixChange
from triage.loop.policy import STATUSES, TO_DO, loop_email_customer

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
    return {"STATUS_NAMES": STATUS_NAMES, "QUADRANT_NAMES": QUADRANT_NAMES, "QUADRANT_ADVICE": QUADRANT_ADVICE,
            "news_customer": loop_email_customer}


@fixes.app_template_global()
def fixes_to_link():
    """For the triage list's and themes page's "link to a fix" forms, whose views know nothing of fixes.
    Read once per request: the themes page draws one form per group."""
    if "fixes_to_link" not in g:
        g.fixes_to_link = fix_queries.fixes_to_link()
    return g.fixes_to_link


def queue_settings() -> fix_queue.Settings:
    return fix_queue.settings_from(current_app.config)


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
    settings = queue_settings()
    queue = fix_queue.ranked_queue(utcnow(), settings, STATUS_FILTERS[status], type_key)
    area = chart.frame(settings.policy.high_cost_from, settings.policy.high_impact_from)
    drawn = chart.layout([chart.Point(p.fix.id, p.fix.cost, p.impact.value, p.impact.respondents)
                               for p in queue], area)
    types = problem_types(all_types())  # a fix is never praise: nothing to filter by
    set_type_choices(new_form, types)
    return render_template("triage/fixes/index.html", queue=queue, drawn={d.id: d for d in drawn}, area=area,
                           policy=settings.policy, status=status, type_key=type_key, types=types,
                           status_filters=STATUS_FILTERS, total=fix_queries.fix_count(), form=new_form), status_code


@fixes.post("")
@role_required("triager")
def create():
    form = FixFieldsForm()
    set_type_choices(form, all_types())
    if not form.validate_on_submit():
        return _render_index(form, 400)
    try:
        change = FixChange(title=form.title.data, cost=form.cost.data, type_key=form.type.data or None,
                           description=form.description.data)
        fix = fix_cases.create_fix(change, utcnow(), current_user.id)
    except fix_cases.FixError as error:
        flash(refusal_text(error), "error")
        return _render_index(form, 400)
    flash(_("Fix made. Link verbatims to it from the triage list."), "success")
    return redirect(url_for("fixes.show", fix_id=fix.id), 303)
