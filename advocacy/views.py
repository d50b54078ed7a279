"""The admins' page of advocacy (/admin/advocacy): what promoters are asked for and where, on or off, and what
came of the asks so far. Thin: the form is read here, advocacy.setting checks and stores it."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from advocacy.outcomes import figures
from advocacy.policy import REFERRAL, REVIEW, URL_MAX
from advocacy.setting import SettingError, current_ask, set_ask
from feedback_app.accounts.access import role_required
from feedback_app.core.clock import utcnow

advocacy_pages = Blueprint("advocacy", __name__, url_prefix="/admin/advocacy")


class AskForm(FlaskForm):
    kind = SelectField(_l("Ask promoters for"), choices=[SelectChoice(REVIEW, _l("A public review")),
                                                         SelectChoice(REFERRAL, _l("A referral"))],
                       validate_choice=False)  # advocacy.setting checks it, with the message people read
    url = StringField(_l("Link"), validators=[Length(max=2 * URL_MAX)], description=_l(
        "Where the button takes them: your page on a review site, or your referral form (http:// or https://)."))
    enabled = BooleanField(_l("Ask promoters now"), default=True)


@advocacy_pages.get("")
@role_required()
def settings(form: AskForm | None = None, status: int = 200):
    ask = current_ask()
    if form is None:
        form = AskForm(data={"kind": ask.kind or REVIEW, "url": ask.url, "enabled": ask.enabled or not ask.url})
    return render_template("advocacy/settings.html", form=form, ask=ask, advocacy=figures()), status


@advocacy_pages.post("")
@role_required()
def save():
    form = AskForm()
    if form.validate_on_submit():
        try:
            saved = set_ask(form.kind.data, form.url.data, utcnow(), enabled=form.enabled.data)
        except SettingError as error:
            getattr(form, error.field).errors = [str(error)]
        else:
            flash(_("Saved. Promoters who answered in the last 14 days are asked within ten minutes.")
                  if saved.enabled else _("Saved. Asking is off: nobody more is asked."), "success")
            return redirect(url_for("advocacy.settings"))
    return settings(form, 422)
