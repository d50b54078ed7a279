"""The team's survey pages: the list, a new survey, its results, wording, sending and closing (`surveys` blueprint)."""
from __future__ import annotations

import json

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from feedback_app.accounts.access import role_required
from feedback_app.core.clock import utcnow
from feedback_app.core.extensions import db
from feedback_app.core.i18n import LANGUAGE_NAMES
from feedback_app.core.languages import ENDONYMS, LOCALES
from feedback_app.web.forms import ConfirmForm
from surveys.answering import tallies
from surveys.answering.services import forget_closed_surveys
from surveys.asking import services
from surveys.asking.forms import SurveyForm, ThanksStepForm, TouchpointForm, WordingForm
from surveys.asking.labels import MODE_NAMES, TOUCHPOINT_NAMES, touchpoint_name
from surveys.asking.results import all_surveys, second_answers, survey_results
from surveys.asking.throttle import TRANSACTIONAL
from surveys.blueprints import team
from surveys.models import Survey
from surveys.people import segment_store
from surveys.people.segment_views import requested_segment
from surveys.people.segments import customer_condition
from surveys.scales import scoring
from surveys.scales.kinds import KINDS, REASON
from surveys.scales.thanks_step import ThanksStep
from surveys.scales.texts import DEFAULT_PRODUCT, DEFAULT_TASK, SurveyTexts, filled_question, missing_languages


@team.app_context_processor
def survey_labels():
    """The survey list, results and the dashboard name modes and touchpoints alike."""
    return {"mode_names": MODE_NAMES, "touchpoint_name": touchpoint_name}


@team.get("/surveys")
def index():
    surveys = all_surveys()
    return render_template("surveys/index.html", rows=[survey_results(s, 0) for s in surveys])


@team.route("/surveys/new", methods=["GET", "POST"])
@role_required("triager")
def new():
    form = SurveyForm()
    if form.validate_on_submit():
        texts = form.texts_of_kind()
        survey = services.create_survey(form.kind.data, form.name.data, form.product.data or "",
                                        texts.get("subject", ""), texts.get("task", ""), mode=form.mode.data,
                                        cooldown_days=form.cooldown_days.data,
                                        touchpoint=(form.touchpoint.data or "").strip() or None)
        if missing := missing_languages(survey.wording):
            flash(_("Survey created with no question in %(languages)s: write it below, or customers who speak it "
                    "are not sent this survey.", languages=_languages(missing)), "warning")
        else:
            flash(_("Survey created. Check its wording in each language, then send it."), "success")
        return redirect(url_for("surveys.wording", survey_id=survey.id))
    return _new_page(form)


def _new_page(form):
    return render_template("surveys/new.html", form=form, preview=_preview(form), language_endonyms=ENDONYMS,
                           templates=json.dumps({key: kind.question for key, kind in KINDS.items()}),
                           defaults=json.dumps({"product": DEFAULT_PRODUCT, "task": DEFAULT_TASK}),
                           touchpoints=TOUCHPOINT_NAMES)


def _preview(form) -> dict[str, str | None]:
    """Each language's question as the form stands (the page's script keeps it live as the team types)."""
    kind = KINDS.get(form.kind.data) or next(iter(KINDS.values()))
    texts = form.texts_of_kind()
    given = SurveyTexts.given(form.product.data or "", texts.get("subject", ""), texts.get("task", ""))
    return {locale: filled_question(kind.question[locale], given, locale) for locale in LOCALES}


def _languages(locales) -> str:
    """'Arabic (ar), Persian (fa)', in the page's language."""
    return _(", ").join(f"{LANGUAGE_NAMES[locale]} ({locale})" for locale in locales)


@team.get("/surveys/<int:survey_id>")
def results(survey_id: int):
    return _results_page(db.get_or_404(Survey, survey_id))


def _results_page(survey: Survey, thanks_form=None, status: int = 200):
    segment = requested_segment()
    missing = missing_languages(survey.wording)
    points = [(touchpoint, scoring.score_of(survey.kind, tally))
              for (touchpoint, kind), tally in tallies.by_touchpoint().items() if kind == survey.kind]
    return render_template("surveys/results.html", results=survey_results(survey, segment=segment),
                           touchpoint_scores=sorted(points, key=lambda row: (row[1].value is None, row[1].value or 0,
                                                                           row[0])),
                           kind=KINDS[survey.kind], form=ConfirmForm(), missing=missing,
                           missing_list=_languages(missing), segments=segment_store.listed_segments(),
                           touchpoint_form=TouchpointForm(data={"touchpoint": survey.touchpoint}),
                           touchpoints=TOUCHPOINT_NAMES, thanks_step=ThanksStep.from_json(survey.thanks_step),
                           thanks_form=thanks_form or ThanksStepForm.of(ThanksStep.from_json(survey.thanks_step)),
                           second_answers=second_answers(survey.id), language_endonyms=ENDONYMS), status


@team.post("/surveys/<int:survey_id>/thanks-step")
@role_required("triager")
def thanks_step(survey_id: int):
    """Set, change or remove the thank-you page's follow-up step; a refused one changes nothing and the page
    shows why beside what was typed."""
    survey = db.get_or_404(Survey, survey_id)
    form = ThanksStepForm()
    valid, step = form.checked()
    if not valid:
        return _results_page(survey, thanks_form=form, status=422)
    services.set_thanks_step(survey, step)
    flash(_("Thank-you page saved.") if step else _("The thank-you page offers no follow-up step now."), "success")
    return redirect(url_for("surveys.results", survey_id=survey.id, _anchor="thanks-step"))


@team.post("/surveys/<int:survey_id>/touchpoint")
@role_required("triager")
def touchpoint(survey_id: int):
    survey = db.get_or_404(Survey, survey_id)
    form = TouchpointForm()
    if form.validate_on_submit():
        try:
            services.set_touchpoint(survey, form.touchpoint.data or "")
            flash(_("Touchpoint saved."), "success")
        except ValueError:
            flash(_("A touchpoint is 1–40 letters or digits, e.g. onboarding or support."), "error")
    return redirect(url_for("surveys.results", survey_id=survey.id))


@team.route("/surveys/<int:survey_id>/wording", methods=["GET", "POST"])
@role_required("triager")
def wording(survey_id: int):
    survey = db.get_or_404(Survey, survey_id)
    form = WordingForm(data={f"{part}_{locale}": texts[part]
                             for locale, texts in survey.wording.items() for part in ("question", "reason")})
    if form.validate_on_submit() and form.check_languages(survey.wording):
        services.update_wording(survey, {locale: {part: form[f"{part}_{locale}"].data or ""
                                                  for part in ("question", "reason")} for locale in LOCALES})
        flash(_("Wording saved."), "success")
        return redirect(url_for("surveys.results", survey_id=survey.id))
    return render_template("surveys/wording.html", survey=survey, form=form, kind=KINDS[survey.kind],
                           missing=missing_languages(survey.wording), reasons=REASON, language_endonyms=ENDONYMS)


@team.get("/surveys/<int:survey_id>/send")
@role_required("triager")
def confirm_send(survey_id: int):
    """Who would get it, before anything is sent (the count reads every customer: here, not on results), and
    who speaks a language the survey has no question in (then nothing can be sent)."""
    survey = db.get_or_404(Survey, survey_id)
    if survey.mode == TRANSACTIONAL:
        return _triggered_only(survey)
    segment = requested_segment()
    cooldown = current_app.config["SURVEY_COOLDOWN_DAYS"]
    audience = customer_condition(segment) if segment else None
    by_language = services.eligible_by_language(survey, utcnow(), cooldown, audience) if survey.is_open else {}
    speakers = {locale: by_language[locale] for locale in missing_languages(survey.wording) if by_language.get(locale)}
    return render_template("surveys/send.html", survey=survey, eligible=sum(by_language.values()),
                           cooldown_days=cooldown, form=ConfirmForm(), speakers=speakers,
                           language_names=LANGUAGE_NAMES, segment=segment, segments=segment_store.listed_segments())


@team.post("/surveys/<int:survey_id>/send")
@role_required("triager")
def send(survey_id: int):
    survey = db.get_or_404(Survey, survey_id)
    segment = requested_segment()  # the audience the confirmation page showed
    if ConfirmForm().validate_on_submit():
        if not survey.is_open:
            flash(_("This survey is closed."), "error")
            return redirect(url_for("surveys.results", survey_id=survey.id))
        try:
            queued = services.send_survey(survey, utcnow(), current_app.config["SURVEY_COOLDOWN_DAYS"],
                                          audience=customer_condition(segment) if segment else None)
        except services.TriggeredOnly:
            return _triggered_only(survey)
        except services.MissingWording as refused:
            flash(_not_sent(refused.speakers), "error")
            return redirect(url_for("surveys.confirm_send", survey_id=survey.id,
                                    segment=segment.id if segment else None))
        flash(ngettext("Queued %(num)d invitation.", "Queued %(num)d invitations.", queued), "success")
    return redirect(url_for("surveys.results", survey_id=survey.id))


def _triggered_only(survey: Survey):
    flash(_("This survey is transactional: another system invites one customer at a time through POST "
            "/api/v1/invitations. It is never sent to everyone."), "error")
    return redirect(url_for("surveys.results", survey_id=survey.id))


def _not_sent(speakers: dict[str, int]) -> str:
    counts = _(", ").join(_("%(language)s (%(locale)s): %(num)d", language=LANGUAGE_NAMES[locale], locale=locale,
                            num=count) for locale, count in speakers.items())
    return ngettext("Not sent: %(num)d eligible customer speaks a language this survey has no question in "
                    "(%(counts)s). Add the question on the Wording page, then send.",
                    "Not sent: %(num)d eligible customers speak languages this survey has no question in "
                    "(%(counts)s). Add the question on the Wording page, then send.",
                    sum(speakers.values()), counts=counts)


@team.post("/surveys/<int:survey_id>/close")
@role_required("triager")
def close(survey_id: int):
    survey = db.get_or_404(Survey, survey_id)
    if ConfirmForm().validate_on_submit():
        services.close_survey(survey, utcnow())
        forget_closed_surveys()
        flash(_("Survey closed: its links now show a friendly ‘closed’ page."), "success")
    return redirect(url_for("surveys.results", survey_id=survey.id))
