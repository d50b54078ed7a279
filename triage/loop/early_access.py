"""The customer's side of closing the loop: "I would like to try it early", from a fix's news email.

Like the survey page, a GET never writes (mail scanners open every link): the page asks, and its
button POSTs. The signed link is the only credential, so there is no cookie and no CSRF token.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template

from feedback_app.core.clock import utcnow
from feedback_app.core.extensions import db
from feedback_app.core.i18n import use_locale
from surveys.models import Customer
from surveys.scales.kinds import LOCALES
from triage.fixes.services import record_early_access
from triage.models import Fix

early_access = Blueprint("early_access", __name__)


def _fix_and_customer(token: str) -> tuple[Fix, Customer]:
    found = current_app.extensions["feedback.mailer"].links.early_access(token)
    fix = db.session.get(Fix, found[0]) if found else None
    customer = db.session.get(Customer, found[1]) if found else None
    if fix is None or customer is None:
        abort(404)
    use_locale(customer.locale if customer.locale in LOCALES else "en")
    return fix, customer


@early_access.get("/early/<token>")
def ask(token: str):
    fix, _ = _fix_and_customer(token)
    return render_template("triage/public/early_access.html", fix=fix, token=token, done=False)


@early_access.post("/early/<token>")
def accept(token: str):
    fix, customer = _fix_and_customer(token)
    record_early_access(fix.id, customer.id, utcnow())
    return render_template("triage/public/early_access.html", fix=fix, token=token, done=True)
