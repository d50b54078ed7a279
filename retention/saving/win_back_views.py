"""The win-back page (/retention/win-back): every campaign with its win-back rate, a form to create one and a button
to send each. Thin: retention.saving.win_back creates, sends and counts."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange

from feedback_app.accounts.access import role_required
from feedback_app.core.clock import utcnow
from feedback_app.core.extensions import db
from feedback_app.core.languages import ENDONYMS, LOCALES
from feedback_app.web.forms import ConfirmForm
from retention.blueprint import retention
from retention.incentives import RETURN_DAYS
from retention.saving import win_back as services
from retention.saving.models import NAME_MAX, WinBackCampaign

TIER_NAMES = {"standard": _l("Standard"), "premium": _l("Premium"), "vip": _l("VIP")}


class CampaignForm(FlaskForm):
    name = StringField(_l("Name"), validators=[
        DataRequired(_l("Give the campaign a name.")),
        Length(max=NAME_MAX, message=_l("A name can be at most %(max)d characters long.", max=NAME_MAX))])
    return_days = IntegerField(_l("Returned within (days)"), default=RETURN_DAYS, validators=[
        DataRequired(_l("Enter a number of days from 1 to %(max)d.", max=services.RETURN_DAYS_MAX)),
        NumberRange(1, services.RETURN_DAYS_MAX,
                    _l("Enter a number of days from 1 to %(max)d.", max=services.RETURN_DAYS_MAX))],
        description=_l("A customer counts as won back when they do anything but cancel within this many days."))

    def offers(self) -> dict[str, dict[str, str]]:
        """{tier: {locale: text}} of the offer fields filled in."""
        offers: dict[str, dict[str, str]] = {}
        for tier in services.OFFER_TIERS:
            for locale in LOCALES:
                text = (getattr(self, offer_field(tier, locale)).data or "").strip()
                if text:
                    offers.setdefault(tier, {})[locale] = text
        return offers


def offer_field(tier: str, locale: str) -> str:
    return f"offer_{tier}_{locale}"


for _tier in services.OFFER_TIERS:
    for _locale in LOCALES:
        setattr(CampaignForm, offer_field(_tier, _locale), StringField(ENDONYMS[_locale], validators=[Length(
            max=services.INCENTIVE_MAX, message=_l("An offer can be at most %(max)d characters long.",
                                                    max=services.INCENTIVE_MAX))]))


def _page(form: CampaignForm, status: int = 200):
    figures = services.campaign_figures(utcnow())
    return render_template("retention/win_back.html", figures=figures, form=form, confirm=ConfirmForm(),
                           tiers=TIER_NAMES, locales=LOCALES, offer_field=offer_field), status


@retention.get("/win-back")
def win_back():
    return _page(CampaignForm())


@retention.post("/win-back")
@role_required("triager")
def create_campaign():
    form = CampaignForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    try:
        campaign = services.create_campaign(form.name.data, utcnow(), form.return_days.data, form.offers())
    except services.CampaignError:  # the form's own checks already say why; a name only of spaces lands here
        form.name.errors = [_("Give the campaign a name.")]
        return _page(form, 400)
    flash(_("Campaign “%(name)s” created. Send it when you are ready.", name=campaign.name), "success")
    return redirect(url_for("retention.win_back") + f"#campaign-{campaign.id}")


@retention.post("/win-back/<int:campaign_id>/send")
@role_required("triager")
def send_campaign(campaign_id: int):
    campaign = db.get_or_404(WinBackCampaign, campaign_id)
    if ConfirmForm().validate_on_submit():
        emailed = services.send_campaign(campaign, utcnow())
        flash(ngettext("%(num)d lost customer emailed.", "%(num)d lost customers emailed.", emailed), "success")
    return redirect(url_for("retention.win_back") + f"#campaign-{campaign_id}")
