"""The team's survey forms: they check shape and hand plain values to the use cases."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from feedback_app.core.languages import LOCALES
from surveys.scales.kinds import KINDS


class SurveyForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=[SelectChoice(k.key, f"{k.key.upper()} — {k.label} ({k.low}–{k.high})")
                                            for k in KINDS.values()])
    name = StringField(_l("Name (for your team)"), validators=[DataRequired(), Length(max=200)])
    product = StringField(_l("Product or company name"), validators=[DataRequired(), Length(max=100)])
    subject = StringField(_l("CSAT: what are they rating?"), validators=[Optional(), Length(max=100)],
                          description=_l("e.g. “your delivery”; defaults to the product name"))
    task = StringField(_l("CES: what did they try to do?"), validators=[Optional(), Length(max=100)],
                       description=_l("e.g. “solve my problem”"))


def wording_form_class():
    """One question and one reason prompt per language."""
    fields = {}
    for locale in LOCALES:
        fields[f"question_{locale}"] = TextAreaField(f"Question ({locale})", validators=[DataRequired(), Length(max=500)])
        fields[f"reason_{locale}"] = StringField(f"Open question ({locale})", validators=[DataRequired(), Length(max=300)])
    return type("WordingForm", (FlaskForm,), fields)


WordingForm = wording_form_class()
