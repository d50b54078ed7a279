"""PURE: the languages the product speaks — supported locales, text direction, localized digits.

Standard library only. Infrastructure (pages, emails) and the domains read these facts from here: the
survey kinds' wording (surveys.scales.kinds) is written for exactly these locales.
"""
from __future__ import annotations

LOCALES = ("en", "ar", "fa")
RTL_LOCALES = frozenset({"ar", "fa"})
DEFAULT_LOCALE = "en"
# Each language by its name in English (command-line output, the team's error messages) and in itself (a field
# that holds text in that language); pages name them in the reader's language: feedback_app.core.i18n.
ENGLISH_NAMES = {"en": "English", "ar": "Arabic", "fa": "Persian"}
ENDONYMS = {"en": "English", "ar": "العربية", "fa": "فارسی"}


def best_locale(requested: str | None) -> str:
    """A supported locale for a customer's stated one ('ar-SA' → 'ar'; unknown → English)."""
    base = (requested or "").replace("_", "-").split("-")[0].lower()
    return base if base in LOCALES else DEFAULT_LOCALE


def text_direction(locale: str) -> str:
    return "rtl" if best_locale(locale) in RTL_LOCALES else "ltr"


# Arabic readers in the Gulf and Egypt expect Arabic-Indic digits; Persian readers expect the
# extended (Persian) digits, which differ in 4, 5 and 6.
_DIGITS = {
    "ar": str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"),
    "fa": str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"),
}


def localized_digits(value: object, locale: str) -> str:
    table = _DIGITS.get(best_locale(locale))
    text = str(value)
    return text.translate(table) if table else text
