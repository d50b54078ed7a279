"""Admin pages: the outbox, so the state of every email is visible and failures can be retried; the team's brand."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import load_only

from feedback_app.accounts.access import role_required
from feedback_app.branding import BrandForm, change_from_form
from feedback_app.core import paging
from feedback_app.core.brand import problem_message, read_brand, set_brand
from feedback_app.core.clock import utcnow
from feedback_app.core.extensions import db
from feedback_app.mail.delivery import retry_failed
from feedback_app.mail.outbox import FAILED, STATUSES, OutboxEmail, status_counts
from feedback_app.web.forms import ConfirmForm
from surveys.models import Customer

admin = Blueprint("admin", __name__, url_prefix="/admin")
PER_PAGE = 50
# Each status's count is exact up to here and "more than 1000" past it: what an admin acts on (pending,
# sending, failed) is small while all is well, and "sent" is never counted whole on a view.
COUNT_UP_TO = 1000
# What the list shows of each email: not its bodies, which can be long and are read on its own page.
LISTED = (OutboxEmail.recipient, OutboxEmail.subject, OutboxEmail.template, OutboxEmail.status,
          OutboxEmail.attempts, OutboxEmail.created_at, OutboxEmail.sent_at)


@admin.get("/outbox")
@role_required()
def outbox():
    """Newest first, a page at a time by keyset (`after` / `before` an email); `page` is no longer read."""
    status = request.args.get("status") if request.args.get("status") in STATUSES else None
    try:
        after, before = paging.requested_rows(request.args, "outbox")
    except ValueError:
        abort(404)  # a page of no list of ours
    query = select(OutboxEmail).options(load_only(*LISTED))
    if status:
        query = query.where(OutboxEmail.status == status)
    page = paging.by_id(query, "outbox", after, before, size=PER_PAGE, newest_first=True)
    return render_template("admin/outbox.html", page=page, counts=status_counts(COUNT_UP_TO), up_to=COUNT_UP_TO,
                           status=status, statuses=STATUSES, paged=after is not None or before is not None,
                           customers=_customers_of([e.recipient for e in page.items]))


def _customers_of(recipients: list[str]) -> dict[str, int]:
    """Which recipients are customers, by address → id (their page): one look into the unique index."""
    addresses = {recipient.lower() for recipient in recipients}
    if not addresses:
        return {}
    return dict(db.session.execute(select(Customer.email, Customer.id).where(Customer.email.in_(addresses))).all())


@admin.get("/outbox/<int:email_id>")
@role_required()
def email(email_id: int):
    shown = db.get_or_404(OutboxEmail, email_id)
    return render_template("admin/email.html", email=shown, form=ConfirmForm(), failed=FAILED,
                           customers=_customers_of([shown.recipient]))


@admin.get("/outbox/<int:email_id>/html")
@role_required()
def email_html(email_id: int):
    # Shown in a sandboxed frame: the email's HTML may never run script or reach our session.
    body = db.get_or_404(OutboxEmail, email_id).body_html
    return body, 200, {"Content-Type": "text/html; charset=utf-8",
                       "Content-Security-Policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:",
                       "X-Frame-Options": "SAMEORIGIN", "X-Content-Type-Options": "nosniff",
                       "Referrer-Policy": "no-referrer"}


@admin.post("/outbox/<int:email_id>/retry")
@role_required()
def retry(email_id: int):
    if ConfirmForm().validate_on_submit() and retry_failed(email_id, utcnow()):
        flash(_("The email will be sent again on the next delivery run."), "success")
    return redirect(url_for("admin.email", email_id=email_id))


@admin.get("/brand")
@role_required()
def brand():
    current = read_brand()
    form = BrandForm(data={"name": current.name, "colour": current.colour or ""})
    return render_template("admin/brand.html", form=form, brand=current)


@admin.post("/brand")
@role_required()
def save_brand():
    form = BrandForm()
    problems = set_brand(change_from_form(form), utcnow()) if form.validate_on_submit() else None
    if problems == []:
        flash(_("Brand saved. Survey pages show it at once, other pages and new emails within seconds."), "success")
        return redirect(url_for("admin.brand"))
    for problem in problems or []:
        getattr(form, problem.field).errors = [problem_message(problem, str(get_locale()))]
    return render_template("admin/brand.html", form=form, brand=read_brand()), 422
