"""The triage list's forms: shape only; triage.classification.services and triage.verbatims.naming decide."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import DataRequired


class CorrectForm(FlaskForm):
    type = SelectField(_l("Type"), validators=[DataRequired()])


class ThemeNameForm(FlaskForm):
    """A theme group's name; the rules (triage.language.themes.clean_name) judge it, so no validator here."""
    key = HiddenField(validators=[DataRequired()])
    name = StringField(_l("Theme name"))
    back = HiddenField()  # themes | list: the page the form returns to
