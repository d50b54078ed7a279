"""The customer's way out of fix news ("stop emails about changes you asked for"), apart from surveys.

The link: a customer id signed for the purpose "fix-news-stop" (feedback_app.core.links), a purpose every
link already emailed carries, so it never changes. Like the survey unsubscribe, a GET only asks (mail
scanners open every link) and the POST stops the news, also as RFC 8058's one-click POST from the mail
provider. Its address starts with /u/, the respondents' prefix (no cookie, no Referer; the signed link is
the only credential). Stopping fix news leaves survey invitations alone; a survey unsubscribe stops both
(triage.loop.policy.loop_recipients).
"""
from __future__ import annotations

from datetime import datetime

from flask import abort, render_template, request

from feedback_app.core.clock import utcnow
from feedback_app.core.extensions import db, links
from feedback_app.core.i18n import use_locale
from feedback_app.core.languages import best_locale
from feedback_app.core.links import LinkSigning, SignedLinks, is_id
from feedback_app.core.sql import insert_ignoring_conflicts
from surveys.models import Customer
from triage.loop.public import early_access
from triage.models import FixNewsStop

STOP_NEWS = "fix-news-stop"


def stop_news_token(customer_id: int, signing: SignedLinks | LinkSigning = links) -> str:
    return signing.sign(STOP_NEWS, customer_id)


def stopping_customer_id(token: str, signing: SignedLinks | LinkSigning = links) -> int | None:
    """The customer a stop-news token was signed for, or None."""
    value = signing.read(STOP_NEWS, token)
    return value if is_id(value) else None


def stop_news_url(customer_id: int) -> str:
    return links.url(f"/u/news/{stop_news_token(customer_id)}")


def stop_news(customer_id: int, now: datetime) -> bool:
    """No more news of fixes for this customer; asking twice changes nothing. False for an unknown customer."""
    if db.session.get(Customer, customer_id) is None:
        return False
    insert_ignoring_conflicts(FixNewsStop, {"customer_id": customer_id, "stopped_at": now}, ["customer_id"])
    db.session.commit()
    return True


def has_stopped(customer_id: int) -> bool:
    return db.session.get(FixNewsStop, customer_id) is not None


def _customer(token: str) -> Customer:
    customer_id = stopping_customer_id(token)
    customer = db.session.get(Customer, customer_id) if customer_id is not None else None
    if customer is None:
        abort(404)
    use_locale(best_locale(customer.locale))
    return customer


# Two views, not one that tests the method: Flask answers HEAD with the GET view, so a HEAD never writes.
@early_access.get("/u/news/<token>")
def confirm(token: str):
    customer = _customer(token)
    return render_template("triage/public/stop_news.html", token=token, done=has_stopped(customer.id))


@early_access.post("/u/news/<token>")
def stop(token: str):
    customer = _customer(token)
    stop_news(customer.id, utcnow())
    if request.form.get("List-Unsubscribe") == "One-Click":  # RFC 8058, sent by the mail provider
        return "Unsubscribed\n", 200, {"Content-Type": "text/plain; charset=utf-8"}
    return render_template("triage/public/stop_news.html", token=token, done=True)
