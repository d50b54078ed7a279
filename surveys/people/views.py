"""The customer pages: the team's list and CSV import (`surveys` blueprint), the customer's unsubscribe link
(`public`).
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from feedback_app.accounts.access import role_required
from feedback_app.core import paging
from feedback_app.core.clock import utcnow
from feedback_app.core.extensions import db
from feedback_app.core.i18n import refusal_text, use_locale
from feedback_app.core.languages import LOCALES
from surveys.blueprints import public, team
from surveys.models import Customer, Segment
from surveys.people import services
from surveys.people.forms import ImportForm
from surveys.people.importing import CustomerCSV, NotACustomerCSV
from surveys.people.links import unsubscribing_customer_id
from surveys.people.segment_views import requested_segment
from surveys.people.segments import customer_condition

# ------------------------------------------------------------- public: unsubscribe


def _unsubscribing_customer(token: str) -> Customer:
    customer_id = unsubscribing_customer_id(token)
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


# ------------------------------------------------------------- team: customers

CUSTOMERS_PER_PAGE = 50
# A segment is a condition over attributes and scores no index holds: a page of its customers reads at most this
# many customers by id, then stops with a shorter page that says where to search further.
SEGMENT_SCAN = 2000


def _customer_page(segment: Segment | None = None) -> paging.Page:
    """In the order they were added, a page at a time by keyset (`after` / `before` a customer), with no total:
    counting 200,000 customers would read them all on every view. `page` is no longer read. With a segment,
    only its customers, found among at most SEGMENT_SCAN customers per page (paging.scanned_by_id)."""
    try:
        after, before = paging.requested_rows(request.args, "customers")
    except ValueError:
        abort(404)  # a page of no list of ours
    if segment is not None:
        return paging.scanned_by_id(Customer, customer_condition(segment), "customers", after, before,
                                    size=CUSTOMERS_PER_PAGE, scan=SEGMENT_SCAN)
    return paging.by_id(db.select(Customer), "customers", after, before, size=CUSTOMERS_PER_PAGE,
                        newest_first=False)


@team.get("/customers")
def customers():
    segment = requested_segment()
    return render_template("surveys/customers.html", page=_customer_page(segment), form=ImportForm(),
                           segment=segment, paged=bool(request.args.get("after") or request.args.get("before")),
                           backwards=bool(request.args.get("before")))


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
        flash(_("This file cannot be imported: %(reason)s", reason=refusal_text(error)), "error")
        return redirect(url_for("surveys.customers"))
    report = services.import_customers(lines)
    page = _customer_page()
    # Each line's reason in the reader's language (the command line prints the same refusals in English).
    reasons = [(line, refusal_text(reason)) for line, reason in report.errors]
    return render_template("surveys/customers.html", page=page, form=ImportForm(), report=report, reasons=reasons)
