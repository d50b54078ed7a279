"""The team's survey forms: they check shape and hand plain values to the use cases."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from feedback_app.core.languages import ENDONYMS, LOCALES, text_direction
from surveys.scales.kinds import KINDS

# The texts given per language on the new-survey form, and the kind whose question uses each.
PER_LANGUAGE = {"subject": "csat", "task": "ces"}


def _in_language(locale: str, **kwargs):
    """A text field written in `locale`: its own name as label, its direction for the browser."""
    return StringField(ENDONYMS[locale], validators=[Optional(), Length(max=100)],
                       render_kw={"lang": locale, "dir": text_direction(locale)}, **kwargs)


class _SurveyForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=[SelectChoice(k.key, f"{k.key.upper()} — {k.label} ({k.low}–{k.high})")
                                            for k in KINDS.values()])
    name = StringField(_l("Name (for your team)"), validators=[DataRequired(), Length(max=200)])
    product = StringField(_l("Product or company name"), validators=[Optional(), Length(max=100)],
                          description=_l("Used as written in every language: names are not translated. Empty: "
                                         "“our product”, in each language."))

    def texts(self, name: str) -> dict[str, str]:
        """One per-language text (`subject`, `task`) as {locale: text}; empty ones are not given."""
        return {locale: self[f"{name}_{locale}"].data or "" for locale in LOCALES}

    def texts_of_kind(self) -> dict[str, dict[str, str]]:
        """The per-language texts the chosen kind's question uses (the others' fields may hold leftovers)."""
        return {name: self.texts(name) for name, kind in PER_LANGUAGE.items() if kind == self.kind.data}


def survey_form_class():
    """The new-survey form: the product name once, and the subject and task in each language."""
    fields = {f"{name}_{locale}": _in_language(locale) for name in PER_LANGUAGE for locale in LOCALES}
    return type("SurveyForm", (_SurveyForm,), fields)


SurveyForm = survey_form_class()


class _WordingForm(FlaskForm):
    def check_languages(self, wording: dict) -> bool:
        """A language that has a question keeps one; a new language needs its question, not just a prompt."""
        valid = True
        for locale in LOCALES:
            question, reason = self[f"question_{locale}"], self[f"reason_{locale}"]
            if locale in wording and not (question.data or "").strip():
                question.errors = [*question.errors, _l("This language has a question: it cannot be left empty.")]
                valid = False
            elif locale not in wording and (reason.data or "").strip() and not (question.data or "").strip():
                question.errors = [*question.errors, _l("Write the question too, or leave both empty.")]
                valid = False
        return valid


def wording_form_class():
    """One question and one reason prompt per language; a language may be left without (saving adds only
    the languages written)."""
    fields = {}
    for locale in LOCALES:
        direction = {"lang": locale, "dir": text_direction(locale)}
        fields[f"question_{locale}"] = TextAreaField(_l("Question"), validators=[Optional(), Length(max=500)],
                                                     render_kw=direction)
        fields[f"reason_{locale}"] = StringField(_l("Open question"), validators=[Optional(), Length(max=300)],
                                                 render_kw=direction)
    return type("WordingForm", (_WordingForm,), fields)


WordingForm = wording_form_class()


class TouchpointForm(FlaskForm):
    """Where in the journey a survey asks: one of the usual points or the team's own name (empty: none)."""
    touchpoint = StringField(_l("Touchpoint"), validators=[Optional(), Length(max=40)],
                             render_kw={"list": "touchpoints"})
