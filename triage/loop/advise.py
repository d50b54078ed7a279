"""The customer's "Would you advise us?", beside "try it early" in a fix's "planned" email.

The link: a fix id and a customer id signed for the purpose "advise" (feedback_app.core.links), a purpose every
link emailed carries, so it never changes. The same rules as early access (triage.loop.early_access): a GET only
asks (mail scanners open every link), the page's button POSTs and records a FixAdviser row once per fix; the
signed link is the only credential (no cookie, no CSRF token); the page is in the customer's language. A fix
that shipped or that the team will not do asks for no advice: the page says so instead.
"""
from __future__ import annotations

from datetime import datetime

from flask import render_template

from feedback_app.core.clock import utcnow
from feedback_app.core.extensions import db, links
from feedback_app.core.links import LinkSigning, SignedLinks
from feedback_app.core.sql import insert_ignoring_conflicts
from surveys.models import Customer
from triage.loop.early_access import fix_and_customer, public_title, read_fix_and_customer
from triage.loop.public import early_access
from triage.models import Fix, FixAdviser

ADVISE = "advise"
CLOSED = ("shipped", "wont_do")  # nothing left to advise on


def advise_token(fix_id: int, customer_id: int, signing: SignedLinks | LinkSigning = links) -> str:
    return signing.sign(ADVISE, [fix_id, customer_id])


def read_advise(token: str, signing: SignedLinks | LinkSigning = links) -> tuple[int, int] | None:
    """(fix id, customer id) of an advice token, or None."""
    return read_fix_and_customer(ADVISE, token, signing)


def advise_url(fix_id: int, customer_id: int) -> str:
    return links.url(f"/advise/{advise_token(fix_id, customer_id)}")


def record_advice(fix_id: int, customer_id: int, now: datetime) -> bool:
    """A customer offered to advise the team on a fix; once per fix. False when the link names nothing known
    or the fix is closed (shipped, or won't be done)."""
    fix = db.session.get(Fix, fix_id)
    if fix is None or fix.status in CLOSED or db.session.get(Customer, customer_id) is None:
        return False
    insert_ignoring_conflicts(FixAdviser, {"fix_id": fix_id, "customer_id": customer_id, "created_at": now},
                              ["fix_id", "customer_id"])
    db.session.commit()
    return True


def _page(fix: Fix, customer: Customer, token: str, done: bool):
    return render_template("triage/public/advise.html", title=public_title(fix, customer), token=token, done=done,
                           closed=fix.status if fix.status in CLOSED else None)


@early_access.get("/advise/<token>")
def ask_advice(token: str):
    fix, customer = fix_and_customer(ADVISE, token)
    return _page(fix, customer, token, done=False)


@early_access.post("/advise/<token>")
def offer_advice(token: str):
    fix, customer = fix_and_customer(ADVISE, token)
    done = record_advice(fix.id, customer.id, utcnow())  # a closed fix records nothing: the page says why
    return _page(fix, customer, token, done=done)
