"""The survey page a link opens, its POST (the hot path) and the thank-you page: routes of the `public` blueprint."""
from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, jsonify, redirect, render_template, request, url_for

from feedback_app.core.brand import current_brand
from feedback_app.core.clock import utcnow
from feedback_app.core.i18n import use_locale
from surveys.answering import services
from surveys.answering.links import read_invitation
from surveys.answering.shortcut import TOKEN_SLOT, clicked_score, page_key, page_read_before
from surveys.blueprints import public
from surveys.scales.answers import MAX_COMMENT, Invalid, read_answer
from surveys.scales.kinds import KINDS
from surveys.scales.thanks_step import MAX_ANSWER, QUESTION, AnswerRefused, read_second_answer, shown_in


def edit_window() -> timedelta:
    return timedelta(hours=current_app.config["ANSWER_EDIT_HOURS"])


@public.get("/s/<token>")
def survey_page(token: str):
    # What every click in an email opens: the signed link says which invitation, survey kind and
    # language; one statement reads the survey and the answer; the page itself is rendered once per
    # survey, language and state (see _answer_page).
    signed = read_invitation(token)
    page = _answer_page_of(signed) if signed is not None else None
    if page is None or not page.asks_in(signed.locale):
        abort(404)
    if page.closed:
        return _closed_page(signed.locale, page.brand)
    response = page.response
    if not services.can_still_edit(response, utcnow(), edit_window()):
        use_locale(signed.locale)
        return render_template("surveys/public/locked.html", response=response, survey=page, brand=page.brand)
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
                           errors={}, token=token, autosave=autosave, answered=answered, brand=page.brand,
                           max_comment=MAX_COMMENT)


@public.post("/s/<token>")
def submit_answer(token: str):
    # The hot path: verify the signature (no database), check the answer against the kind carried in
    # the token, and store it with one INSERT. Everything else happens only when that does not do.
    signed = read_invitation(token)
    if signed is None:
        abort(404)
    wants_json = request.form.get("score_only") == "1"
    if services.survey_is_closed(signed.survey_id):
        return (jsonify(saved=False, reason="closed"), 410) if wants_json else _closed_page(signed.locale)
    answer = read_answer(request.form, KINDS[signed.kind])
    if isinstance(answer, Invalid):
        if wants_json:
            return jsonify(saved=False, errors=answer.errors), 422
        return _invalid(token, signed, answer)
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


def _closed_page(locale: str, brand=None):
    use_locale(locale)
    return render_template("surveys/public/closed.html", brand=brand or current_brand()), 410


def _invalid(token: str, signed, invalid: Invalid):
    """The form again with what was typed and what is wrong. A valid score beside an over-long comment is
    saved (as the page's script saves a score): the message then says the score was saved, the comment
    not, and by how many characters it is over."""
    saved_score = None
    if invalid.errors == {"comment": "too_long"}:
        score_only = read_answer({"score": request.form.get("score", ""), "score_only": "1"}, KINDS[signed.kind])
        if not isinstance(score_only, Invalid):
            outcome = services.record_answer(signed, score_only, utcnow(), edit_window())
            if outcome == services.MISSING:
                abort(404)
            if outcome == services.CLOSED:
                return _closed_page(signed.locale)
            if outcome == services.LOCKED:
                return redirect(url_for("public.survey_page", token=token), 303)  # the page explains
            saved_score = score_only.score
    page = services.answer_page(signed.id)
    if page is None or not page.asks_in(signed.locale):
        abort(404)
    use_locale(signed.locale)
    comment = request.form.get("comment", "")
    values = {"score": request.form.get("score", ""), "comment": comment,
              "may_contact": bool(request.form.get("may_contact"))}
    over_by = len(comment.replace("\r\n", "\n")) - MAX_COMMENT  # counted as read_answer counts
    return render_template("surveys/public/answer.html", survey=page, kind=KINDS[signed.kind], values=values,
                           errors=invalid.errors, token=token, autosave=False, answered=page.response is not None,
                           brand=page.brand, saved_score=saved_score, over_by=over_by, max_comment=MAX_COMMENT), 422


@public.get("/s/<token>/thanks")
def thanks(token: str):
    signed = read_invitation(token)
    page = services.thanks_page(signed.id) if signed is not None else None
    if page is None:
        abort(404)
    if page.response_id is None:
        return redirect(url_for("public.survey_page", token=token))
    return _thanks_page(token, signed, page)


@public.post("/s/<token>/thanks")
def answer_thanks(token: str):
    """The answer to the team's second question: stored once per response, never changed (the signed link is
    the credential, as on the survey page). Its own route: a GET of the thank-you page never writes."""
    signed = read_invitation(token)
    page = services.thanks_page(signed.id) if signed is not None else None
    if page is None:
        abort(404)
    if page.response_id is None:
        return redirect(url_for("public.survey_page", token=token), 303)
    if page.closed:
        return _closed_page(signed.locale, page.brand)
    step = shown_in(page.step, signed.locale)
    if step is None or step.kind != QUESTION:  # no question (any more) in this language: nothing to store
        return redirect(url_for("public.thanks", token=token), 303)
    if page.second_answered:
        return _thanks_page(token, signed, page, notice="already", status=409)
    text = read_second_answer(request.form.get("answer", ""))
    if isinstance(text, AnswerRefused):
        return _thanks_page(token, signed, page, error=text, typed=request.form.get("answer", ""), status=422)
    if not services.record_second_answer(page.response_id, page.survey_id, step.text, text, signed.locale,
                                         utcnow()):
        return _thanks_page(token, signed, page._replace(second_answered=True), notice="already", status=409)
    return redirect(url_for("public.thanks", token=token), 303)


def _thanks_page(token: str, signed, page: services.ThanksPage, notice: str | None = None,
                 error: AnswerRefused | None = None, typed: str = "", status: int = 200):
    use_locale(signed.locale)
    editable = services.can_still_edit(page, utcnow(), edit_window())
    return render_template("surveys/public/thanks.html", token=token, editable=editable, closed=page.closed,
                           step=shown_in(page.step, signed.locale), second_answered=page.second_answered,
                           notice=notice, error=error, typed=typed, max_answer=MAX_ANSWER, brand=page.brand), status
