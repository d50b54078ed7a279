"""The triage list's forms: shape only; triage.classification.services and triage.verbatims.naming decide."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from triage.language.themes import NAME_MAX


class CorrectForm(FlaskForm):
    type = SelectField(_l("Type"), validators=[DataRequired()])


class ThemeNameForm(FlaskForm):
    """A theme group's name. Bounds only on what is read at all; the rules (triage.language.themes.clean_name)
    judge the name itself, after trimming."""
    key = HiddenField(validators=[DataRequired(), Length(max=120)])  # the group's stems (theme_group.key)
    name = StringField(_l("Theme name"), validators=[Length(max=4 * NAME_MAX, message=_l(
        "A theme's name can be at most %(max)s characters long.", max=NAME_MAX))])
    back = HiddenField(validators=[Length(max=10)])  # themes | list: the page the form returns to
