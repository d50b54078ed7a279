"""The team's survey pages: the list, a new survey, its results, wording, sending and closing (`surveys` blueprint)."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from feedback_app.accounts.access import role_required
from feedback_app.core.clock import utcnow
from feedback_app.core.extensions import db
from feedback_app.core.languages import LOCALES
from feedback_app.web.forms import ConfirmForm
from surveys.answering.services import forget_closed_surveys
from surveys.asking import services
from surveys.asking.forms import SurveyForm, WordingForm
from surveys.asking.results import all_surveys, survey_results
from surveys.blueprints import team
from surveys.models import Survey
from surveys.scales.kinds import KINDS


@team.get("/surveys")
def index():
    surveys = all_surveys()
    return render_template("surveys/index.html", rows=[survey_results(s, 0) for s in surveys])


@team.route("/surveys/new", methods=["GET", "POST"])
@role_required("triager")
def new():
    form = SurveyForm()
    if form.validate_on_submit():
        survey = services.create_survey(form.kind.data, form.name.data, form.product.data,
                                        form.subject.data or "", form.task.data or "")
        flash(_("Survey created. Check its wording in each language, then send it."), "success")
        return redirect(url_for("surveys.wording", survey_id=survey.id))
    return render_template("surveys/new.html", form=form)


@team.get("/surveys/<int:survey_id>")
def results(survey_id: int):
    survey = db.get_or_404(Survey, survey_id)
    return render_template("surveys/results.html", results=survey_results(survey),
                           kind=KINDS[survey.kind], form=ConfirmForm())


@team.route("/surveys/<int:survey_id>/wording", methods=["GET", "POST"])
@role_required("triager")
def wording(survey_id: int):
    survey = db.get_or_404(Survey, survey_id)
    form = WordingForm(data={f"{part}_{locale}": survey.wording[locale][part]
                             for locale in LOCALES for part in ("question", "reason")})
    if form.validate_on_submit():
        services.update_wording(survey, {locale: {part: form[f"{part}_{locale}"].data
                                                  for part in ("question", "reason")} for locale in LOCALES})
        flash(_("Wording saved."), "success")
        return redirect(url_for("surveys.results", survey_id=survey.id))
    return render_template("surveys/wording.html", survey=survey, form=form, kind=KINDS[survey.kind])


@team.get("/surveys/<int:survey_id>/send")
@role_required("triager")
def confirm_send(survey_id: int):
    """Who would get it, before anything is sent (the count reads every customer: here, not on results)."""
    survey = db.get_or_404(Survey, survey_id)
    cooldown = current_app.config["SURVEY_COOLDOWN_DAYS"]
    eligible = services.count_eligible(survey, utcnow(), cooldown) if survey.is_open else 0
    return render_template("surveys/send.html", survey=survey, eligible=eligible, cooldown_days=cooldown,
                           form=ConfirmForm())


@team.post("/surveys/<int:survey_id>/send")
@role_required("triager")
def send(survey_id: int):
    survey = db.get_or_404(Survey, survey_id)
    if ConfirmForm().validate_on_submit():
        if not survey.is_open:
            flash(_("This survey is closed."), "error")
        else:
            queued = services.send_survey(survey, utcnow(), current_app.config["SURVEY_COOLDOWN_DAYS"])
            flash(ngettext("Queued %(num)d invitation.", "Queued %(num)d invitations.", queued), "success")
    return redirect(url_for("surveys.results", survey_id=survey.id))


@team.post("/surveys/<int:survey_id>/close")
@role_required("triager")
def close(survey_id: int):
    survey = db.get_or_404(Survey, survey_id)
    if ConfirmForm().validate_on_submit():
        services.close_survey(survey, utcnow())
        forget_closed_surveys()
        flash(_("Survey closed: its links now show a friendly ‘closed’ page."), "success")
    return redirect(url_for("surveys.results", survey_id=survey.id))
