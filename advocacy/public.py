"""The customer's side of an ask: /advocate/<token>, opened from the email.

Like every link we email, a GET never writes (mail scanners open every link): the page, in the customer's
language, offers the team's link as a button that POSTs — recorded as "went", then a 303 to the team's link —
and "No thanks", recorded as "declined". The signed link is the only credential (no cookie, no CSRF token); a
forged one is a 404. When the team has switched asking off (or its link is no longer one we send people to), the
page thanks them and sends them nowhere.
"""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request

from advocacy.links import read_ask_token
from advocacy.models import AdvocacyAsk
from advocacy.outcomes import record_outcome
from advocacy.policy import DECLINED, OUTCOMES, WENT, link_origin
from advocacy.setting import current_ask
from feedback_app.core.clock import utcnow
from feedback_app.core.extensions import db
from feedback_app.core.i18n import use_locale
from feedback_app.core.languages import best_locale
from feedback_app.web.security import POLICY, RESPONDENT_HEADERS
from surveys.models import Customer

advocate = Blueprint("advocate", __name__)


def _ask_of(token: str) -> AdvocacyAsk:
    ask_id = read_ask_token(token)
    ask = db.session.get(AdvocacyAsk, ask_id) if ask_id else None
    if ask is None:
        abort(404)
    customer = db.session.get(Customer, ask.customer_id)
    use_locale(best_locale(customer.locale if customer else None))
    return ask


def _page(token: str, kind: str, shown: str, status: int = 200, leads_to: str | None = None):
    """shown: ask (the buttons), declined (we will not ask again), closed (asking is off: thanks only).
    `leads_to`: the team's link, whose origin the page's policy lets its form reach — browsers hold a form's
    redirect to form-action too, and ours is 'self' everywhere else."""
    page = render_template("advocacy/ask.html", token=token, kind=kind, shown=shown)
    origin = link_origin(leads_to) if leads_to else None
    if origin is None:
        return page, status
    # Every respondent header (the token in our address never goes out as a Referer), this policy instead.
    return page, status, {**RESPONDENT_HEADERS, "Content-Security-Policy": POLICY.replace(
        "form-action 'self'", f"form-action 'self' {origin}")}


@advocate.get("/advocate/<token>")
def ask_page(token: str):
    ask = _ask_of(token)
    setting = current_ask()
    # Worded for what the button leads to now (the team may have changed it since the email).
    if not setting.is_on:
        return _page(token, ask.kind, "closed")
    return _page(token, setting.kind, "ask", leads_to=setting.url)


@advocate.post("/advocate/<token>")
def answer(token: str):
    ask = _ask_of(token)
    setting = current_ask()
    clicked = request.form.get("choice")
    if clicked not in OUTCOMES:  # not one of the page's buttons: the page again, nothing recorded
        if not setting.is_on:
            return _page(token, ask.kind, "closed", 400)
        return _page(token, setting.kind, "ask", 400, leads_to=setting.url)
    if clicked == WENT and not setting.is_on:
        return _page(token, ask.kind, "closed")  # nowhere to go: nothing happened, nothing is recorded
    outcome = record_outcome(ask.id, clicked, utcnow())
    if clicked == WENT:
        response = redirect(setting.url, code=303)
        response.headers["Referrer-Policy"] = "no-referrer"  # the team's site never sees the signed link
        return response
    return _page(token, ask.kind, "declined" if outcome == DECLINED else "closed")
