"""Forms of the fix pages and of the triage list's "link to a fix": shape only; triage.fixes.services decides."""
from __future__ import annotations

import re

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, FloatField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from feedback_app.core.i18n import LANGUAGE_NAMES
from feedback_app.core.languages import LOCALES
from feedback_app.core.numbers import ID_MAX, whole_number
from triage.classification.types import problem_types
from triage.fixes.services import TEXT_MAX, TITLE_MAX
from triage.loop.beta_rules import BETA_URL_MAX
from triage.loop.news import NOTE_MAX, PUBLIC_TITLE_MAX
from triage.loop.policy import STATUSES

COST_CHOICES = [SelectChoice(1, _l("1 — trivial")), SelectChoice(2, _l("2 — small")), SelectChoice(3, _l("3 — medium")),
                SelectChoice(4, _l("4 — large")), SelectChoice(5, _l("5 — very large"))]


THEME_KEY_MAX = 120  # Fix.theme_key


def _id_or_none(value) -> int | None:
    """An id as the database holds it (1 … 2³¹−1), or None: "²" or 2⁶³ are simply not ids."""
    return whole_number(value, 1, ID_MAX) if isinstance(value, str) else value


def _fix_reference(value) -> int | None:
    """A fix picked from a select ("17") or typed into the themes' list box ("#17 Faster exports"): its id."""
    if not isinstance(value, str):
        return value
    match = re.match(r"\s*#?\s*(\d{1,10})(?!\d)", value)
    return whole_number(match.group(1), 1, ID_MAX) if match else None


class IdList(Field):
    """Every value of a repeated form field (one per ticked checkbox), as ids."""

    def process_formdata(self, valuelist):
        ids = [_id_or_none(value) for value in valuelist]
        self.data = [found for found in ids if found is not None]
        self.bad = [value for value, found in zip(valuelist, ids) if found is None]

    def _value(self):
        return ""

    def pre_validate(self, form):
        if getattr(self, "bad", None):  # refused whole: never link half of what was ticked
            raise ValidationError(_l("Verbatims are chosen by their number."))


def _type_field():
    return SelectField(_l("Type"), choices=[], validators=[Optional()])


def _cost_field():
    return SelectField(_l("Cost"), coerce=int, choices=COST_CHOICES, validate_choice=True,
                       description=_l("How much work: 1 trivial … 5 very large."))


def set_type_choices(form, types) -> None:
    """A fix's type is one of the problem types: praise has nothing to fix."""
    locale = str(get_locale())
    form.type.choices = [SelectChoice("", _l("— no type —"))] + [SelectChoice(t.key, t.name.get(locale, t.name["en"]))
                                                                 for t in problem_types(types)]


class FixFieldsForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=TITLE_MAX)])
    description = TextAreaField(_l("Description"), validators=[Length(max=TEXT_MAX)])
    type = _type_field()
    cost = _cost_field()


class LinkForm(FlaskForm):
    """From the triage list: the ticked verbatims (or a theme group) to an existing fix or a new one."""
    response = IdList()
    theme = HiddenField(validators=[Length(max=THEME_KEY_MAX)])  # a whole theme group instead of ticked ones
    fix = SelectField(_l("Existing fix"), coerce=_fix_reference, choices=[], validate_choice=False)
    to = HiddenField()                    # set by the button pressed: "existing" or "new"
    title = StringField(_l("New fix title"), validators=[Length(max=TITLE_MAX)])
    cost = SelectField(_l("Cost"), choices=[SelectChoice("", "—")] + COST_CHOICES, validate_choice=False)
    type = _type_field()
    back = HiddenField(validators=[Length(max=10)])  # "themes": back to the themes page; else to the list

    def validate_to(self, field):
        if field.data not in ("existing", "new"):
            raise ValidationError(_l("Choose an existing fix or make a new one."))

    def validate_fix(self, field):
        if self.to.data == "existing" and field.data is None:
            raise ValidationError(_l("Choose the fix to link to."))

    def validate_title(self, field):
        if self.to.data == "new" and not (field.data or "").strip():
            raise ValidationError(_l("A new fix needs a title."))

    def validate_cost(self, field):
        if self.to.data == "new" and field.data not in {str(choice.value) for choice in COST_CHOICES}:
            raise ValidationError(_l("Cost is a whole number from 1 (trivial) to 5 (very large)."))


class BetaForm(FlaskForm):
    """The beta's link: its shape is checked by the use case (triage.loop.beta_rules), here only its length."""
    url = StringField(_l("Beta link"), validators=[DataRequired(), Length(max=BETA_URL_MAX)],
                      description=_l("An http:// or https:// address where beta testers can try the change."))


class OverrideForm(FlaskForm):
    impact = FloatField(_l("Impact (0–100)"), validators=[InputRequired(), NumberRange(0, 100)])
    reason = TextAreaField(_l("Why the evidence is overruled"), validators=[DataRequired(), Length(max=TEXT_MAX)])



class NewsTextsForm(FlaskForm):
    """What customers read, one title and one release note per language (fields title_<locale>, note_<locale>,
    added below for every supported locale), and the fallback language the team allows."""
    fallback = SelectField(_l("A recipient whose language has no text"), validate_choice=True, default="",
                           choices=[SelectChoice("", _l("is not sent anything: I will write it"))] + [
                               SelectChoice(locale, LANGUAGE_NAMES[locale]) for locale in LOCALES],
                           description=_l("A fallback language sends them the whole email in that language."))

    def title_field(self, locale: str):
        return self[f"title_{locale}"]

    def note_field(self, locale: str):
        return self[f"note_{locale}"]

    def texts(self, kind: str) -> dict[str, str]:
        """{locale: text} of the titles ("title") or release notes ("note"), every language (empty ones too)."""
        return {locale: self[f"{kind}_{locale}"].data or "" for locale in LOCALES}


for _locale in LOCALES:
    setattr(NewsTextsForm, f"title_{_locale}", StringField(
        _l("Title in %(language)s", language=LANGUAGE_NAMES[_locale]), validators=[Length(max=PUBLIC_TITLE_MAX)]))
    setattr(NewsTextsForm, f"note_{_locale}", TextAreaField(
        _l("Release note in %(language)s", language=LANGUAGE_NAMES[_locale]), validators=[Length(max=NOTE_MAX)]))


class StatusForm(FlaskForm):
    status = HiddenField(validators=[DataRequired()])
    tell = BooleanField(_l("Email the linked respondents who opted in"))

    def validate_status(self, field):
        if field.data not in STATUSES:
            raise ValidationError(_l("Unknown status."))
