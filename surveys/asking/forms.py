"""The team's survey forms: they check shape and hand plain values to the use cases."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from feedback_app.core.languages import ENDONYMS, LOCALES, text_direction
from surveys.asking.labels import MODE_NAMES
from surveys.asking.throttle import (DEFAULT_TRANSACTIONAL_COOLDOWN, MAX_COOLDOWN, RELATIONSHIP, TRANSACTIONAL,
                                     normalised_touchpoint)
from surveys.scales.kinds import KINDS
from surveys.scales.thanks_step import LINK, MAX_TEXT, MAX_URL, QUESTION, StepRefused, ThanksStep, checked_step

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
    mode = RadioField(_l("How it is sent"), default=RELATIONSHIP,
                      choices=[SelectChoice(mode, MODE_NAMES[mode]) for mode in (RELATIONSHIP, TRANSACTIONAL)],
                      description=_l("Relationship: sent to everyone eligible, at most one such survey per customer "
                                     "in the cool-down across surveys. Transactional: triggered one customer at a "
                                     "time through POST /api/v1/invitations (after a ticket, a purchase…)."))
    cooldown_days = IntegerField(_l("Cool-down in days (transactional)"),
                                 validators=[Optional(), NumberRange(min=0, max=MAX_COOLDOWN)],
                                 description=_l("At most one invitation per customer to surveys of this kind in "
                                                "this many days. Empty: %(days)s days (the default).",
                                                days=DEFAULT_TRANSACTIONAL_COOLDOWN),
                                 render_kw={"inputmode": "numeric"})
    touchpoint = StringField(_l("Touchpoint"), validators=[Optional(), Length(max=40)],
                             description=_l("Where in the customer's journey it asks: one of the list, or your own."),
                             render_kw={"list": "touchpoints"})

    def validate_cooldown_days(self, field) -> None:
        """A cool-down of its own is a transactional survey's; relationship surveys share SURVEY_COOLDOWN_DAYS."""
        if field.data is not None and self.mode.data != TRANSACTIONAL:
            raise ValidationError(_l("Only a transactional survey has a cool-down of its own; leave it empty."))

    def validate_touchpoint(self, field) -> None:
        if (field.data or "").strip():
            try:
                normalised_touchpoint(field.data)
            except ValueError:
                raise ValidationError(_l("A touchpoint is 1–40 letters or digits, e.g. onboarding or support.")) from None

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


NO_STEP = "none"
# Why a step is refused, for the team (the reasons of surveys.scales.thanks_step.StepRefused).
STEP_REFUSALS = {
    "bad_url": _l("Write the full address, starting with http:// or https://, such as https://example.com/review. "
                  "An address with a user name or password in it is not accepted."),
    "url_too_long": _l("The address is longer than %(max)d characters.", max=MAX_URL),
    "no_text": _l("Write it in at least one language: pages in a language without it show no step."),
}


class _ThanksStepForm(FlaskForm):
    kind = RadioField(_l("After the answer, the thank-you page offers"), default=NO_STEP,
                      choices=[SelectChoice(NO_STEP, _l("nothing more")), SelectChoice(LINK, _l("a link")),
                               SelectChoice(QUESTION, _l("a second question"))])
    url = StringField(_l("Link address"), validators=[Optional(), Length(max=MAX_URL, message=STEP_REFUSALS["url_too_long"])],
                      description=_l("Where the link goes, e.g. your review page (used when the page offers a link)."),
                      render_kw={"inputmode": "url", "dir": "ltr", "autocomplete": "off"})

    @classmethod
    def of(cls, stored: ThanksStep | None):
        data = {"kind": stored.kind, "url": stored.url or ""} if stored else {}
        return cls(data={**data, **{f"text_{locale}": (stored.texts if stored else {}).get(locale, "")
                                    for locale in LOCALES}})

    def checked(self) -> tuple[bool, ThanksStep | None]:
        """(valid, the step to keep: None for none). The rules are surveys.scales.thanks_step's; a refusal is
        put on the field it is about."""
        if not self.validate_on_submit():
            return False, None
        if self.kind.data == NO_STEP:
            return True, None
        texts = {locale: self[f"text_{locale}"].data or "" for locale in LOCALES}
        try:
            return True, checked_step(self.kind.data, texts, self.url.data if self.kind.data == LINK else None)
        except StepRefused as refused:
            if refused.reason == "text_too_long":
                field, message = self[f"text_{refused.locale}"], _l("At most %(max)d characters.",
                                                                    max=MAX_TEXT[self.kind.data])
            else:
                field = self.url if refused.reason in ("bad_url", "url_too_long") else self.text_en
                message = STEP_REFUSALS.get(refused.reason, str(refused))
            field.errors = [*field.errors, message]
            return False, None


def thanks_step_form_class():
    """The thank-you page's follow-up step: nothing, a link or a second question, and its text per language."""
    # Bounded by the longer of the two kinds' texts here; checked_step holds each kind to its own limit.
    longest = max(MAX_TEXT.values())
    bounded = [Optional(), Length(max=longest, message=_l("At most %(max)d characters.", max=longest))]
    fields = {f"text_{locale}": StringField(ENDONYMS[locale], validators=bounded,
                                            render_kw={"lang": locale, "dir": text_direction(locale)})
              for locale in LOCALES}
    return type("ThanksStepForm", (_ThanksStepForm,), fields)


ThanksStepForm = thanks_step_form_class()
