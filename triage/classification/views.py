"""The team's pages of the classifier: the feedback types (adding the team's own) and the model history
(training a new model). Routes on the one triage blueprint (triage.blueprint)."""
from __future__ import annotations

import re

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from feedback_app.accounts.access import role_required
from feedback_app.core.clock import utcnow
from feedback_app.core.i18n import refusal_text
from feedback_app.web.forms import ConfirmForm
from triage.blueprint import triage
from triage.classification import learning
from triage.classification.custom_types import TriageError, add_custom_type, all_types
from triage.classification.forms import CustomTypeForm


@triage.route("/types", methods=["GET", "POST"])
def types():
    form = CustomTypeForm()
    if request.method == "POST":
        if not current_user.can():
            return render_template("errors/403.html"), 403
        if form.validate_on_submit():
            try:
                add_custom_type(
                    form.key.data, {"en": form.name_en.data, "ar": form.name_ar.data or form.name_en.data,
                                    "fa": form.name_fa.data or form.name_en.data},
                    {"en": form.description.data}, re.split(r"\r?\n", form.examples.data), utcnow())
            except TriageError as error:
                flash(refusal_text(error), "error")
            else:
                flash(_("Type added. The model learns it at the next training (Models → Train now)."), "success")
                return redirect(url_for("triage.types"), 303)
    return render_template("triage/types.html", types=all_types(), form=form)


@triage.get("/models")
def models():
    return render_template("triage/models.html", history=learning.model_history(), form=ConfirmForm(),
                           pending=learning.labels_since_last_model(),
                           threshold=current_app.config["RETRAIN_AFTER_LABELS"])


@triage.post("/models/train")
@role_required()
def train():
    if ConfirmForm().validate_on_submit():
        outcome = learning.train(utcnow(), note=f"trained from the web by {current_user.email}")
        if outcome.activated:
            flash(_("Model %(version)d is now active. Unconfirmed verbatims are being re-classified.",
                    version=outcome.version), "success")
        else:
            flash(_("Model %(version)d was worse on the held-out labels and was not activated.",
                    version=outcome.version), "error")
    return redirect(url_for("triage.models"), 303)
