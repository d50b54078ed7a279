"""The custom type form: shape only; triage.classification.custom_types decides."""
import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Regexp, ValidationError


class CustomTypeForm(FlaskForm):
    key = StringField(_l("Key"), validators=[DataRequired(), Length(max=40),
                                             Regexp(r"^[a-z][a-z0-9_]*$", message=_l("lower-case letters, digits and _ only"))])
    name_en = StringField(_l("Name (English)"), validators=[DataRequired(), Length(max=60)])
    name_ar = StringField(_l("Name (Arabic)"), validators=[Length(max=60)])
    name_fa = StringField(_l("Name (Persian)"), validators=[Length(max=60)])
    description = TextAreaField(_l("What belongs in this type"), validators=[DataRequired(), Length(max=500)])
    examples = TextAreaField(_l("Examples, one per line (at least three, in any language)"),
                             validators=[DataRequired(), Length(max=20000)])

    def validate_examples(self, field):
        if len([line for line in re.split(r"\r?\n", field.data) if line.strip()]) < 3:
            raise ValidationError(_l("Give at least three examples."))
