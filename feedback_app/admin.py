"""Admin pages: the outbox, so the state of every email is visible and failures can be retried."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from .accounts.access import role_required
from .extensions import db
from .outbox import FAILED, STATUSES, OutboxEmail, retry_failed
from .forms import ConfirmForm
from .input_guard import requested_page
from .timeutil import utcnow

admin = Blueprint("admin", __name__, url_prefix="/admin")
PER_PAGE = 50


@admin.get("/outbox")
@role_required()
def outbox():
    status = request.args.get("status")
    query = select(OutboxEmail).order_by(OutboxEmail.id.desc())
    if status in STATUSES:
        query = query.where(OutboxEmail.status == status)
    counts = dict(db.session.execute(select(OutboxEmail.status, func.count()).group_by(OutboxEmail.status)).all())
    page = db.paginate(query, page=requested_page(PER_PAGE), per_page=PER_PAGE)
    return render_template("admin/outbox.html", page=page, counts=counts, status=status, statuses=STATUSES)


@admin.get("/outbox/<int:email_id>")
@role_required()
def email(email_id: int):
    return render_template("admin/email.html", email=db.get_or_404(OutboxEmail, email_id), form=ConfirmForm(),
                           failed=FAILED)


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
