"""One fix's page: its evidence, impact and loop, and the forms that edit it, override its impact, write what
customers read in each language, move its status, open its beta and link or unlink a verbatim (routes of the
`fixes` blueprint)."""
from __future__ import annotations

from typing import Callable, Iterable
from urllib.parse import quote

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from feedback_app.accounts.access import role_required
from feedback_app.core.clock import utcnow
from feedback_app.core.extensions import db
from feedback_app.core.i18n import LANGUAGE_NAMES, refusal_text
from feedback_app.core.languages import LOCALES
from feedback_app.web.forms import ConfirmForm
from triage.classification.custom_types import all_types
from triage.fixes import queries as fix_queries
from triage.fixes import services as fix_cases
from triage.fixes.forms import BetaForm, FixFieldsForm, NewsTextsForm, OverrideForm, StatusForm, set_type_choices
from triage.fixes.queue import linked_verbatims
from triage.fixes.services import FixChange
from triage.fixes.views import STATUS_NAMES, fixes, queue_settings
from triage.loop.beta_rules import BetaUrlError, check_beta_url
from triage.loop.news import Plan, speakers
from triage.loop.policy import LOOP_EVENTS, STATUSES, TRANSITIONS
from triage.models import Fix


@fixes.get("/<int:fix_id>")
def show(fix_id: int):
    return _render_show(db.get_or_404(Fix, fix_id))


def _render_show(fix: Fix, status_code: int = 200, **forms):
    settings = queue_settings()
    at = fix_queries.Cursors(*(request.args.get(name) for name in ("linked", "people", "told", "testers", "advisers")))
    page = fix_queries.fix_page(fix, utcnow(), settings, at)
    edit_form = forms.get("edit_form") or FixFieldsForm(formdata=None, data={
        "title": fix.title, "description": fix.description, "type": fix.type_key or "", "cost": fix.cost})
    set_type_choices(edit_form, all_types())
    override_form = forms.get("override_form") or OverrideForm(formdata=None, data={
        "impact": fix.impact_override, "reason": fix.override_reason or ""})
    texts_form = forms.get("texts_form") or NewsTextsForm(formdata=None, data=_texts_data(fix))
    moves = [status for status in STATUSES if status in TRANSITIONS.get(fix.status, set())]
    news = _news_outlook(fix, moves)
    return render_template("triage/fixes/show.html", fix=fix, page=page, moves=moves,
                           types={t.key: t for t in all_types()}, news=news, LOCALES=LOCALES,
                           LANGUAGE_NAMES=LANGUAGE_NAMES, missing_locales=set().union(*(
                               outlook["missing"] for outlook in news.values())),
                           edit_form=edit_form, override_form=override_form, texts_form=texts_form,
                           status_form=StatusForm(formdata=None), confirm_form=ConfirmForm(),
                           beta_form=forms.get("beta_form") or BetaForm(formdata=None, data={"url": fix.beta_url}),
                           mailto=mailto,
                           policy=settings.policy, value_attribute=settings.value_attribute, at=at), status_code


def mailto(addresses: Iterable[str], bcc: bool = False) -> str:
    """A mailto: link the team's own mail program opens: one person, or everyone of a list in Bcc (so no
    customer sees another's address)."""
    joined = ",".join(quote(address, safe="@") for address in addresses)
    return f"mailto:?bcc={joined}" if bcc else f"mailto:{joined}"


def _texts_data(fix: Fix) -> dict:
    titles, notes = fix.public_titles or {}, fix.release_notes or {}
    return {"fallback": fix.news_fallback or "", **{f"title_{locale}": text for locale, text in titles.items()},
            **{f"note_{locale}": text for locale, text in notes.items()}}


def _news_outlook(fix: Fix, moves: list[str]) -> dict[str, dict]:
    """For each news this page can send ("shipped", "planned"): who would get it in which language, what
    is missing, and the refusal the status button would meet (None: it can succeed)."""
    outlook = {}
    wanted = [status for status in ("shipped", "planned")
              if status in moves or (status == "planned" and fix.status in ("planned", "in_progress"))]
    linked = linked_verbatims([fix.id])[fix.id] if wanted else []  # read once for both news
    for status in wanted:
        readers, plan = fix_cases.news_plan(fix, LOOP_EVENTS[status], linked)
        outlook[status] = {"speakers": speakers(readers.readers), "plan": plan,
                           "missing": {gap.locale for gap in plan.gaps}, "reason": _reason(plan)}
    return outlook


def _reason(plan: Plan) -> str | None:
    """Why the news would be refused, in the team's language: the languages and their recipients."""
    if not plan.refused:
        return None
    languages = _(", ").join(_("%(language)s (%(count)d)", language=LANGUAGE_NAMES.get(gap.locale, gap.locale),
                            count=gap.recipients) for gap in plan.gaps)
    if plan.fallback_lacking:
        return _("The texts this email needs are missing for recipients who read: %(languages)s; the fallback "
                 "language lacks them too.", languages=languages)
    return _("The texts this email needs are missing for recipients who read: %(languages)s. Write them, or "
             "choose a fallback language.", languages=languages)


def _refused(refused) -> str:
    return _("Not sent, nothing changed.") + " " + _reason(refused.plan)


def _said(error: fix_cases.FixError) -> str:
    """A refused change of a fix in the reader's language, statuses named as the page names them."""
    return refusal_text(error, status=STATUS_NAMES, old=STATUS_NAMES, new=STATUS_NAMES)


def _to_show(fix: Fix):
    return redirect(url_for("fixes.show", fix_id=fix.id), 303)


def _update(fix: Fix, form, form_name: str, done: str, change: Callable[..., FixChange]):
    """The fix page's edit forms: validate, make the changes (all or nothing), say what happened."""
    if not form.validate_on_submit():
        return _render_show(fix, 400, **{form_name: form})
    try:
        fix_cases.update_fix(fix, utcnow(), change(form), current_user.id)
    except fix_cases.FixError as error:
        flash(_said(error), "error")
    else:
        flash(done, "success")
    return _to_show(fix)


@fixes.post("/<int:fix_id>/edit")
@role_required("triager")
def edit(fix_id: int):
    form = FixFieldsForm()
    set_type_choices(form, all_types())
    return _update(db.get_or_404(Fix, fix_id), form, "edit_form", _("Saved."),
                   lambda f: FixChange(title=f.title.data, description=f.description.data, cost=f.cost.data,
                                       type_key=f.type.data or ""))


@fixes.post("/<int:fix_id>/override")
@role_required("triager")
def override(fix_id: int):
    return _update(db.get_or_404(Fix, fix_id), OverrideForm(), "override_form",
                   _("Impact overridden; the reason is kept with it."),
                   lambda f: FixChange(impact_override=f.impact.data, reason=f.reason.data))


@fixes.post("/<int:fix_id>/override/clear")
@role_required("triager")
def clear_override(fix_id: int):
    fix = db.get_or_404(Fix, fix_id)
    if ConfirmForm().validate_on_submit():
        fix_cases.update_fix(fix, utcnow(), FixChange(clear_override=True), current_user.id)
        flash(_("Override cleared: impact comes from the evidence again."), "success")
    return _to_show(fix)


@fixes.post("/<int:fix_id>/news-texts")
@role_required("triager")
def news_texts(fix_id: int):
    return _update(db.get_or_404(Fix, fix_id), NewsTextsForm(), "texts_form",
                   _("Saved what customers read in each language."),
                   lambda f: FixChange(public_titles=f.texts("title"), release_notes=f.texts("note"),
                                       news_fallback=f.fallback.data or ""))


@fixes.post("/<int:fix_id>/status")
@role_required("triager")
def change_status(fix_id: int):
    fix = db.get_or_404(Fix, fix_id)
    form = StatusForm()
    if not form.validate_on_submit():
        flash(_("Choose one of the status buttons."), "error")
        return _to_show(fix)
    try:
        queued = fix_cases.change_status(fix, form.status.data, utcnow(), tell_planned=form.tell.data)
    except fix_cases.NewsRefused as refused:
        flash(_refused(refused), "error")
    except fix_cases.FixError as error:
        flash(_said(error), "error")
    else:
        flash(_("Status is now “%(status)s”. %(count)d emails queued.",
                status=STATUS_NAMES[fix.status], count=queued), "success")
    return _to_show(fix)


@fixes.post("/<int:fix_id>/announce")
@role_required("triager")
def announce(fix_id: int):
    fix = db.get_or_404(Fix, fix_id)
    if ConfirmForm().validate_on_submit():
        try:
            queued = fix_cases.tell_planned(fix, utcnow())
        except fix_cases.NewsRefused as refused:
            flash(_refused(refused), "error")
        except fix_cases.FixError as error:
            flash(_said(error), "error")
        else:
            flash(_("%(count)d emails queued (nobody is told twice).", count=queued), "success")
    return _to_show(fix)


@fixes.post("/<int:fix_id>/link/<int:response_id>")
@role_required("triager")
def link_one(fix_id: int, response_id: int):
    fix = db.get_or_404(Fix, fix_id)
    if ConfirmForm().validate_on_submit():
        try:
            fix_cases.link_verbatims(fix, [response_id], utcnow(), current_user.id)
        except fix_cases.FixError as error:
            flash(_said(error), "error")
        else:
            flash(_("Verbatim linked."), "success")
    return _to_show(fix)


@fixes.post("/<int:fix_id>/unlink/<int:response_id>")
@role_required("triager")
def unlink(fix_id: int, response_id: int):
    fix = db.get_or_404(Fix, fix_id)
    if ConfirmForm().validate_on_submit():
        fix_cases.unlink_verbatim(fix, response_id, utcnow())
        flash(_("Verbatim unlinked."), "success")
    return _to_show(fix)


@fixes.post("/<int:fix_id>/beta")
@role_required("triager")
def open_beta(fix_id: int):
    fix = db.get_or_404(Fix, fix_id)
    form = BetaForm()
    if not form.validate_on_submit():
        return _render_show(fix, 400, beta_form=form)
    try:
        check_beta_url(form.url.data)  # said here in the team's language; the use case checks it again
        queued = fix_cases.open_beta(fix, form.url.data, utcnow())
    except BetaUrlError:
        form.url.errors = [_("The beta link must be an http:// or https:// address, e.g. https://beta.example.com/.")]
        return _render_show(fix, 400, beta_form=form)
    except fix_cases.NewsRefused as refused:
        flash(_refused(refused), "error")
    except fix_cases.FixError as error:
        flash(_said(error), "error")
    else:
        flash(_("The beta is open. Emails queued: %(count)d (each beta tester is told once).", count=queued),
              "success")
    return _to_show(fix)
