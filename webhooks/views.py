"""The admins' webhooks page (/admin/webhooks): endpoints and their state, the form that adds one, resuming a
paused endpoint, removing one, and the delivery log (newest first, a page at a time) with its "resend" button."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, SelectMultipleField, StringField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from feedback_app.accounts.access import role_required
from feedback_app.core import paging
from feedback_app.core.clock import utcnow
from feedback_app.core.extensions import db
from feedback_app.core.i18n import refusal_text
from feedback_app.web.forms import ConfirmForm
from webhooks.events import EVENT_TYPES
from webhooks.models import WebhookDelivery, WebhookEvent
from webhooks.services import (NewEndpoint, WebhookError, add_endpoint, endpoints, remove_endpoint, resend, resume,
                               waiting_counts)

webhook_pages = Blueprint("webhooks", __name__, url_prefix="/admin/webhooks")
PER_PAGE = 50
COUNT_UP_TO = 1000
# The kinds of address a webhook is refused (webhooks.addresses.refusal), named in the admin's language.
ADDRESS_KINDS = {"unspecified": _l("unspecified"), "loopback": _l("loopback"), "link-local": _l("link-local"),
                 "multicast": _l("multicast"), "unique-local": _l("unique-local"), "private": _l("private"),
                 "reserved": _l("reserved")}


class EndpointForm(FlaskForm):
    url = StringField(_l("URL"), validators=[DataRequired(message=_l("Enter the receiver's URL.")),
                                             Length(max=2000)])
    secret = StringField(_l("Secret"), validators=[DataRequired(message=_l("Enter a secret.")), Length(max=200)],
                         description=_l("Each delivery is signed with it; the receiver checks the signature."))
    events = SelectMultipleField(_l("Events"), choices=[SelectChoice(event, event) for event in EVENT_TYPES],
                                 validators=[DataRequired(message=_l("Choose at least one event."))],
                                 option_widget=widgets.CheckboxInput(), widget=widgets.ListWidget(prefix_label=False))
    allow_private = BooleanField(_l("Allow private and loopback addresses (a receiver on your own network)"))


@webhook_pages.get("")
@role_required()
def index(form: EndpointForm | None = None):
    try:
        after, before = paging.requested_rows(request.args, "webhook-deliveries")
    except ValueError:
        abort(404)
    shown = endpoints()
    page = paging.by_id(select(WebhookDelivery), "webhook-deliveries", after, before, size=PER_PAGE,
                        newest_first=True)
    types = dict(db.session.execute(select(WebhookEvent.id, WebhookEvent.type).where(
        WebhookEvent.id.in_({delivery.event_id for delivery in page.items}))).all()) if page.items else {}
    return render_template("webhooks/index.html", endpoints=shown, form=form or EndpointForm(),
                           waiting=waiting_counts([e.id for e in shown], COUNT_UP_TO), up_to=COUNT_UP_TO,
                           urls={e.id: e.url for e in shown}, page=page, types=types, confirm=ConfirmForm(),
                           paged=after is not None or before is not None)


@webhook_pages.post("")
@role_required()
def add():
    form = EndpointForm()
    if not form.validate_on_submit():
        return index(form), 422
    try:
        endpoint = add_endpoint(NewEndpoint(form.url.data, form.secret.data, tuple(form.events.data),
                                            form.allow_private.data), utcnow())
    except WebhookError as error:
        form.url.errors = [*form.url.errors, refusal_text(error, reason=ADDRESS_KINDS)]
        return index(form), 422
    flash(_("Endpoint %(num)d added.", num=endpoint.id), "success")
    return redirect(url_for("webhooks.index"))


@webhook_pages.post("/<int:endpoint_id>/resume")
@role_required()
def resume_endpoint(endpoint_id: int):
    if ConfirmForm().validate_on_submit() and resume(endpoint_id, utcnow()):
        flash(_("The endpoint is active again: waiting deliveries are sent on the next run."), "success")
    return redirect(url_for("webhooks.index"))


@webhook_pages.post("/<int:endpoint_id>/remove")
@role_required()
def remove(endpoint_id: int):
    if ConfirmForm().validate_on_submit():
        if not remove_endpoint(endpoint_id):
            abort(404)
        flash(_("Endpoint %(num)d removed, with its waiting deliveries and its log.", num=endpoint_id), "success")
    return redirect(url_for("webhooks.index"))


@webhook_pages.post("/deliveries/<int:delivery_id>/resend")
@role_required()
def resend_delivery(delivery_id: int):
    if ConfirmForm().validate_on_submit():
        if resend(delivery_id, utcnow()) is None:
            abort(404)
        flash(_("The event is queued again, with the same event id."), "success")
    return redirect(url_for("webhooks.index"))
