"""The customer's side of closing the loop: "I would like to try it early", from a fix's news email.

The link: a fix id and a customer id signed for the purpose "early-access" (feedback_app.core.links), a
purpose every link already emailed carries, so it never changes. Like the survey page, a GET never writes
(mail scanners open every link): the page asks, and its button POSTs. The signed link is the only
credential, so there is no cookie and no CSRF token. Once the fix has shipped (or the team decided not to make
it), the page says so in the customer's language instead of offering early access.
"""
from __future__ import annotations

from datetime import datetime

from flask import abort, render_template

from feedback_app.core.clock import utcnow
from feedback_app.core.extensions import db, links
from feedback_app.core.i18n import use_locale
from feedback_app.core.languages import best_locale
from feedback_app.core.links import LinkSigning, SignedLinks, is_id
from feedback_app.core.sql import insert_ignoring_conflicts
from surveys.models import Customer
from triage.loop import beta
from triage.loop.public import early_access
from triage.models import BetaTester, Fix

EARLY_ACCESS = "early-access"


def early_access_token(fix_id: int, customer_id: int, signing: SignedLinks | LinkSigning = links) -> str:
    """For "I would like to try it early" in a fix's news: who, for which fix."""
    return signing.sign(EARLY_ACCESS, [fix_id, customer_id])


def read_early_access(token: str, signing: SignedLinks | LinkSigning = links) -> tuple[int, int] | None:
    """(fix id, customer id) of an early-access token, or None."""
    return read_fix_and_customer(EARLY_ACCESS, token, signing)


def read_fix_and_customer(purpose: str, token: str, signing: SignedLinks | LinkSigning = links
                          ) -> tuple[int, int] | None:
    """(fix id, customer id) of a token signed for `purpose` (early access, advice), or None."""
    value = signing.read(purpose, token)
    if isinstance(value, list) and len(value) == 2 and all(is_id(v) for v in value):
        return value[0], value[1]
    return None


def early_access_url(fix_id: int, customer_id: int) -> str:
    return links.url(f"/early/{early_access_token(fix_id, customer_id)}")


def fix_and_customer(purpose: str, token: str) -> tuple[Fix, Customer]:
    """The fix and customer a customer's link names, the page switched to the customer's language; 404 for
    a forged or changed link, or one naming what is no longer held."""
    found = read_fix_and_customer(purpose, token)
    fix = db.session.get(Fix, found[0]) if found else None
    customer = db.session.get(Customer, found[1]) if found else None
    if fix is None or customer is None:
        abort(404)
    use_locale(best_locale(customer.locale))
    return fix, customer


def public_title(fix: Fix, customer: Customer) -> str:
    """The fix's title in the customer's language when the team wrote one (never another language's)."""
    return (fix.public_titles or {}).get(best_locale(customer.locale), "")


def _page(fix: Fix, customer: Customer, token: str, done: bool):
    """In the customer's language, with the fix's title in it when the team wrote one; once the fix has
    shipped, it says so instead of offering early access."""
    title = public_title(fix, customer)
    return render_template("triage/public/early_access.html", title=title, token=token, done=done,
                           shipped=fix.status == "shipped", dropped=fix.status == "wont_do")


def record_early_access(fix_id: int, customer_id: int, now: datetime) -> bool:
    """A customer asked to try a fix early; once per fix (and, once its beta is open, told it is ready, once).
    False when the link names nothing known."""
    if db.session.get(Fix, fix_id) is None or db.session.get(Customer, customer_id) is None:
        return False
    insert_ignoring_conflicts(BetaTester, {"fix_id": fix_id, "customer_id": customer_id, "created_at": now},
                              ["fix_id", "customer_id"])
    beta.tell_late_tester(db.session.get(Fix, fix_id), customer_id, now)  # the beta is open already: at once
    db.session.commit()
    return True


@early_access.get("/early/<token>")
def ask(token: str):
    fix, customer = fix_and_customer(EARLY_ACCESS, token)
    return _page(fix, customer, token, done=False)


@early_access.post("/early/<token>")
def accept(token: str):
    fix, customer = fix_and_customer(EARLY_ACCESS, token)
    if fix.status in ("shipped", "wont_do"):  # nothing to try early: a late click (or a scanner's POST) records nothing
        return _page(fix, customer, token, done=False)
    record_early_access(fix.id, customer.id, utcnow())
    return _page(fix, customer, token, done=True)
