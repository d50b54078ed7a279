"""The triage list's forms: shape only; triage.classification.services decides."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import DataRequired


class CorrectForm(FlaskForm):
    type = SelectField(_l("Type"), validators=[DataRequired()])
