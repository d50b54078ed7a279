"""Survey pages: the public page customers answer on, and the team's survey and customer pages."""
from __future__ import annotations

import time
from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from feedback_app.accounts.access import require_login_for, role_required
from feedback_app.core import paging
from feedback_app.core.clock import utcnow
from feedback_app.core.extensions import db
from feedback_app.core.i18n import use_locale
from surveys import services
from surveys.answering.shortcut import TOKEN_SLOT, clicked_score, page_key, page_read_before
from surveys.forms import ConfirmForm, ImportForm, SurveyForm, WordingForm
from surveys.models import Customer, Survey
from surveys.people.importing import CustomerCSV, NotACustomerCSV
from surveys.scales.answers import Invalid, read_answer
from surveys.scales.kinds import KINDS, LOCALES

public = Blueprint("public", __name__)
team = Blueprint("surveys", __name__)
require_login_for(team)


def mailer() -> services.Mailer:
    return current_app.extensions["feedback.mailer"]


def edit_window() -> timedelta:
    return timedelta(hours=current_app.config["ANSWER_EDIT_HOURS"])


# ------------------------------------------------------------- public: the survey page
# The token in the URL is the respondent's only credential and no cookie is involved, so CSRF
# protection adds nothing here (a forger would need the token itself): feedback_app.web.security leaves
# this blueprint out of its CSRF checks.

def _invitation_or_404(token: str):
    invitation_id = mailer().links.invitation_id(token)
    invitation = services.find_invitation(invitation_id) if invitation_id is not None else None
    if invitation is None:
        abort(404)
    use_locale(invitation.locale)
    return invitation


@public.get("/s/<token>")
def survey_page(token: str):
    # What every click in an email opens: the signed link says which invitation, survey kind and
    # language; one statement reads the survey and the answer; the page itself is rendered once per
    # survey, language and state (see _answer_page).
    signed = mailer().links.invitation(token)
    page = _answer_page_of(signed) if signed is not None else None
    if page is None:
        abort(404)
    if page.closed:
        return _closed_page(signed.locale)
    response = page.response
    if not services.can_still_edit(response, utcnow(), edit_window()):
        use_locale(signed.locale)
        return render_template("surveys/public/locked.html", response=response, survey=page)
    clicked = clicked_score(signed.kind, request.args.get("score"))
    values = {"score": clicked if clicked is not None else (response.score if response else None),
              "comment": response.comment if response else "",
              "may_contact": response.may_contact if response else False}
    autosave = clicked is not None and (response is None or response.score != clicked)
    return _answer_page(token, signed, page, values, autosave, answered=response is not None)


def _answer_page_of(signed):
    was_read, page = page_read_before(request.environ, signed.id)  # by surveys.answering.shortcut
    return page if was_read else services.answer_page(signed.id)


def _answer_page(token: str, signed, page: services.AnswerPage, values: dict, autosave: bool, answered: bool):
    """The answer form. Rendering it is most of what a GET costs, and it differs between links only by
    the token (in the form's address) as long as nothing the respondent wrote is in it: such pages are
    rendered once per process and served again with the token put in — here, or beneath Flask by
    surveys.answering.shortcut. A page with their comment is always rendered afresh, and never kept."""
    if values["comment"]:
        use_locale(signed.locale)
        return _render_answer_page(token, signed, page, values, autosave, answered)
    key = page_key(request.script_root, signed, page, values, autosave, answered)
    kept = current_app.extensions["feedback.kept_pages"]
    html = kept.get(key)
    if html is None:
        use_locale(signed.locale)
        html = _render_answer_page(TOKEN_SLOT, signed, page, values, autosave, answered)
        kept.keep(key, html)
    return html.replace(TOKEN_SLOT, token)


def _render_answer_page(token: str, signed, page: services.AnswerPage, values: dict, autosave: bool,
                        answered: bool) -> str:
    return render_template("surveys/public/answer.html", survey=page, kind=KINDS[signed.kind], values=values,
                           errors={}, token=token, autosave=autosave, answered=answered)


# Closed surveys are rare and closing one is rare; the survey POST reads this set instead of the
# survey row. A survey closed in another process stops taking answers within CLOSED_REFRESH seconds.
CLOSED_REFRESH = 5.0


def survey_is_closed(survey_id: int) -> bool:
    cache = current_app.extensions.setdefault("feedback.closed_surveys", {"ids": frozenset(), "read_at": None})
    if cache["read_at"] is None or time.monotonic() - cache["read_at"] > CLOSED_REFRESH:
        cache.update(ids=services.closed_survey_ids(), read_at=time.monotonic())
    return survey_id in cache["ids"]


def forget_closed_surveys() -> None:
    current_app.extensions.pop("feedback.closed_surveys", None)


@public.post("/s/<token>")
def submit_answer(token: str):
    # The hot path: verify the signature (no database), check the answer against the kind carried in
    # the token, and store it with one INSERT. Everything else happens only when that does not do.
    signed = mailer().links.invitation(token)
    if signed is None:
        abort(404)
    wants_json = request.form.get("score_only") == "1"
    if survey_is_closed(signed.survey_id):
        return (jsonify(saved=False, reason="closed"), 410) if wants_json else _closed_page(signed.locale)
    answer = read_answer(request.form, KINDS[signed.kind])
    if isinstance(answer, Invalid):
        return _invalid(token, answer, wants_json)
    outcome = services.record_answer(signed, answer, utcnow(), edit_window())
    if outcome in (services.CREATED, services.UPDATED):
        return jsonify(saved=True) if wants_json else redirect(f"{request.path}/thanks", 303)
    if outcome == services.MISSING:
        abort(404)
    if wants_json:
        return jsonify(saved=False, reason=outcome), 409
    if outcome == services.CLOSED:
        return _closed_page(signed.locale)
    return redirect(url_for("public.survey_page", token=token), 303)  # locked: the page explains


def _closed_page(locale: str):
    use_locale(locale)
    return render_template("surveys/public/closed.html"), 410


def _invalid(token: str, invalid: Invalid, wants_json: bool):
    if wants_json:
        return jsonify(saved=False, errors=invalid.errors), 422
    invitation = _invitation_or_404(token)
    values = {"score": request.form.get("score", ""), "comment": request.form.get("comment", ""),
              "may_contact": bool(request.form.get("may_contact"))}
    return render_template("surveys/public/answer.html", invitation=invitation, survey=invitation.survey,
                           kind=KINDS[invitation.survey.kind], values=values, errors=invalid.errors,
                           token=token, autosave=False, answered=invitation.response is not None), 422


@public.get("/s/<token>/thanks")
def thanks(token: str):
    signed = mailer().links.invitation(token)
    page = services.answer_page(signed.id) if signed is not None else None
    if page is None:
        abort(404)
    if page.response is None:
        return redirect(url_for("public.survey_page", token=token))
    use_locale(signed.locale)
    editable = services.can_still_edit(page.response, utcnow(), edit_window())
    return render_template("surveys/public/thanks.html", token=token, editable=editable, response=page.response)


def _unsubscribing_customer(token: str) -> Customer:
    customer_id = mailer().links.customer_id(token)
    customer = db.session.get(Customer, customer_id) if customer_id is not None else None
    if customer is None:
        abort(404)
    use_locale(customer.locale if customer.locale in LOCALES else "en")
    return customer


# Two views, not one that tests the method: Flask answers HEAD with the GET view, so a view that
# wrote on "anything but GET" let a mail scanner's HEAD unsubscribe the customer.
@public.get("/u/<token>")
def unsubscribe_page(token: str):
    customer = _unsubscribing_customer(token)
    return render_template("surveys/public/unsubscribe.html", token=token, done=customer.unsubscribed_at is not None)


@public.post("/u/<token>")
def unsubscribe(token: str):
    customer = _unsubscribing_customer(token)
    services.unsubscribe(customer.id, utcnow())
    if request.form.get("List-Unsubscribe") == "One-Click":  # RFC 8058, sent by the mail provider
        return "Unsubscribed\n", 200, {"Content-Type": "text/plain; charset=utf-8"}
    return render_template("surveys/public/unsubscribe.html", token=token, done=True)


# ------------------------------------------------------------- team: surveys

@team.get("/surveys")
def index():
    surveys = services.all_surveys()
    return render_template("surveys/index.html", rows=[services.survey_results(s, 0) for s in surveys])


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
    return render_template("surveys/results.html", results=services.survey_results(survey),
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
            queued = services.send_survey(survey, mailer(), utcnow(), current_app.config["SURVEY_COOLDOWN_DAYS"])
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


# ------------------------------------------------------------- team: customers

CUSTOMERS_PER_PAGE = 50


def _customer_page() -> paging.Page:
    """In the order they were added, a page at a time by keyset (`after` / `before` a customer), with no total:
    counting 200,000 customers would read them all on every view. `page` is no longer read."""
    try:
        after, before = paging.requested_rows(request.args, "customers")
    except ValueError:
        abort(404)  # a page of no list of ours
    return paging.by_id(db.select(Customer), "customers", after, before, size=CUSTOMERS_PER_PAGE, newest_first=False)


@team.get("/customers")
def customers():
    return render_template("surveys/customers.html", page=_customer_page(), form=ImportForm(),
                           paged=bool(request.args.get("after") or request.args.get("before")))


@team.post("/customers/import")
@role_required("triager")
def import_customers():
    form = ImportForm()
    if not form.validate_on_submit():
        flash(_("Choose a CSV file to import."), "error")
        return redirect(url_for("surveys.customers"))
    try:
        # The upload's stream (Werkzeug spools a large one to a temporary file), read as it is imported.
        lines = CustomerCSV(form.file.data.stream)
    except NotACustomerCSV as error:
        flash(_("This file cannot be imported: %(reason)s", reason=str(error)), "error")
        return redirect(url_for("surveys.customers"))
    report = services.import_customers(lines)
    page = _customer_page()
    return render_template("surveys/customers.html", page=page, form=ImportForm(), report=report)
