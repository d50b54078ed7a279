"""A survey's variable texts per language: which languages they complete, and the questions filled with them.

PURE: standard library only (and the pure language facts of feedback_app.core.languages).

The kinds' question templates (surveys.scales.kinds) name {product}, {subject} and {task}. The team gives:
- a product *name* once, used in every language (names are not translated), or a product per language;
- a subject (CSAT) and a task (CES) per language.
Whatever the team did not give at all takes the translated default below (the subject: the product, in each
language). Whatever it gave for some languages only is missing in the others: those languages get no question,
never one filled with another language's words (a customer never reads a mixed-language sentence).
"""
from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field

from feedback_app.core.languages import LOCALES

# The built-in defaults, written so that each template reads well with them and with a Latin product name.
DEFAULT_PRODUCT = {"en": "our product", "ar": "منتجنا", "fa": "محصول ما"}
DEFAULT_TASK = {"en": "get what I needed done", "ar": "إنجاز ما أحتاج إليه", "fa": "انجام کارم"}
PLACEHOLDERS = ("product", "subject", "task")

# `ar:تصدير تقرير`: a language prefix as the CLI reads it. Only a lower-case code right before the colon is
# taken for one, so that an English text with a colon ("Plan: Pro") stays a bare (English) value.
_PREFIX = re.compile(r"^([a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?):(.*)$", re.DOTALL)


class UnknownLanguage(ValueError):
    """A text given for a language the product does not speak."""

    def __init__(self, code: str):
        super().__init__(f"unknown language {code!r} (use one of: {', '.join(LOCALES)})")
        self.code = code


@dataclass(frozen=True)
class SurveyTexts:
    """What the team gave, each as {locale: text} for the languages it was given in; empty: not given."""
    product: Mapping[str, str] = field(default_factory=dict)
    subject: Mapping[str, str] = field(default_factory=dict)
    task: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def given(cls, product: str | Mapping[str, str] = "", subject: str | Mapping[str, str] = "",
              task: str | Mapping[str, str] = "") -> SurveyTexts:
        """From the use case's arguments: a str product is a name for every language; a str subject or task is
        English; a dict is {locale: text}. Empty values mean "not given"."""
        return cls(per_language(product, every_language=True), per_language(subject), per_language(task))

    def over(self, earlier: SurveyTexts) -> SurveyTexts:
        """These texts, with `earlier`'s for the languages these do not give."""
        return SurveyTexts(*({**getattr(earlier, name), **getattr(self, name)} for name in PLACEHOLDERS))

    def languages(self) -> set[str]:
        """The languages these texts name specifically (a product name for every language names them all)."""
        return {locale for name in PLACEHOLDERS for locale in getattr(self, name)}


def per_language(value: str | Mapping[str, str] | None, every_language: bool = False) -> dict[str, str]:
    """{locale: text} without empty texts; a str is English, or every language's when `every_language`."""
    if isinstance(value, str):
        value = dict.fromkeys(LOCALES if every_language else ("en",), value)
    texts = {}
    for locale, text in (value or {}).items():
        if locale not in LOCALES:
            raise UnknownLanguage(locale)
        if text and text.strip():
            texts[locale] = text.strip()
    return texts


def read_language_value(raw: str) -> tuple[str | None, str]:
    """`ar:تصدير تقرير` → ("ar", "تصدير تقرير"); a bare value → (None, the value). A prefix that looks like a
    language code but is not a supported one raises UnknownLanguage (write `en:` before such an English text)."""
    prefix = _PREFIX.match(raw)
    if prefix is None:
        return None, raw.strip()
    code, text = prefix.groups()
    if code not in LOCALES:
        raise UnknownLanguage(code)
    return code, text.strip()


def placeholders_of(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def sentence_case(text: str) -> str:
    """The first letter in capitals ("our product made it easy…" → "Our product…"), unless the first word
    already has a capital inside (a name written that way: "iPhone", "eBay"). Scripts without case are unchanged."""
    first_word = text.split(" ", 1)[0]
    if not first_word or first_word != first_word.lower():
        return text
    return text[0].upper() + text[1:]


def values_in(texts: SurveyTexts, locale: str) -> dict[str, str | None]:
    """Each placeholder's text in one language; None where the team gave it for other languages only."""
    product = texts.product.get(locale) if texts.product else DEFAULT_PRODUCT[locale]
    subject = texts.subject.get(locale) if texts.subject else product
    task = texts.task.get(locale) if texts.task else DEFAULT_TASK[locale]
    return {"product": product, "subject": subject, "task": task}


def missing_texts(template: str, texts: SurveyTexts, locale: str) -> list[str]:
    """The placeholders of `template` that lack a text in `locale` (empty: the question can be filled)."""
    values = values_in(texts, locale)
    return [name for name in PLACEHOLDERS if name in placeholders_of(template) and values[name] is None]


def filled_question(template: str, texts: SurveyTexts, locale: str) -> str | None:
    """The template filled in one language, as a sentence; None if a text it needs is missing there."""
    if missing_texts(template, texts, locale):
        return None
    return sentence_case(template.format(**values_in(texts, locale)))


def fill_wording(templates: Mapping[str, str], reasons: Mapping[str, str], texts: SurveyTexts,
                 written: Mapping[str, Mapping[str, str]] | None = None) -> dict[str, dict[str, str]]:
    """{locale: {"question", "reason"}} for the languages that have a question: the template filled with the
    texts, or a question the team wrote (`written`: {locale: {"question"?, "reason"?}}, which wins). A language
    with neither is left out. The reason prompt is the standard one unless written."""
    filled = {locale: {"question": question} for locale in LOCALES
              if (question := filled_question(templates[locale], texts, locale))}
    return with_written(filled, written or {}, reasons)


def with_written(wording: Mapping[str, Mapping[str, str]], written: Mapping[str, Mapping[str, str]],
                 reasons: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """A survey's wording with the team's texts over it: an empty text changes nothing (a language never
    loses its question: invitations in it may be out), and a language without a question gets one only when
    one is written, its reason prompt then the standard one unless written too."""
    updated = {}
    for locale in LOCALES:
        own = {part: text.strip() for part, text in written.get(locale, {}).items()
               if part in ("question", "reason") and text and text.strip()}
        texts = {**wording.get(locale, {}), **own}
        if texts.get("question"):
            updated[locale] = {**texts, "reason": texts.get("reason") or reasons[locale]}
    return updated


def missing_languages(wording: Mapping[str, object]) -> list[str]:
    """The supported languages a survey has no question in, in the product's order."""
    return [locale for locale in LOCALES if locale not in wording]


# ---------------------------------------------------------------- reading a survey's texts back

def recovered_texts(templates: Mapping[str, str], wording: Mapping[str, Mapping[str, str]]) -> SurveyTexts:
    """The texts a survey's questions were filled with, read back from the questions still in the standard
    form (the survey keeps only its questions). A product that reads the same in two languages or more is
    a name, used in every language; texts equal to the defaults were not given."""
    found: dict[str, dict[str, str]] = {name: {} for name in PLACEHOLDERS}
    for locale, texts in wording.items():
        match = _template_pattern(templates[locale]).match(texts.get("question", "")) if locale in templates else None
        for name, text in (match.groupdict() if match else {}).items():
            found[name][locale] = text
    product, subject, task = (_given(found[name], defaults) for name, defaults in
                              (("product", DEFAULT_PRODUCT), ("subject", DEFAULT_PRODUCT), ("task", DEFAULT_TASK)))
    if _shared(product):
        product = dict.fromkeys(LOCALES, _shared(product))
    elif not found["product"] and _shared(subject):  # CSAT: one name as the subject everywhere is the product
        product, subject = dict.fromkeys(LOCALES, _shared(subject)), {}
    return SurveyTexts(product, subject, task)


def _template_pattern(template: str) -> re.Pattern:
    parts = []
    for literal, name, _, _ in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if name:
            parts.append(f"(?P<{name}>.+?)")
    return re.compile("".join(parts) + r"\Z")


def _given(found: dict[str, str], defaults: Mapping[str, str]) -> dict[str, str]:
    """Recovered texts as the team gave them: {} if every one is the default (sentence case aside)."""
    return {} if all(_same(text, defaults[locale]) for locale, text in found.items()) else dict(found)


def _shared(found: Mapping[str, str]) -> str | None:
    """The one text of two languages or more that read the same; None otherwise."""
    texts = set(found.values())
    return texts.pop() if len(found) >= 2 and len(texts) == 1 else None


def _same(text: str, default: str) -> bool:
    return text == default or text == sentence_case(default)
