"""Which language a page is shown in, and the helpers templates use for direction and digits."""
from __future__ import annotations

from flask import g, has_request_context, request
from flask_babel import get_locale, refresh

from surveys.kinds import LOCALES, localized_digits, text_direction


def select_locale() -> str:
    # A survey page sets the respondent's language; team pages follow the browser.
    forced = g.get("locale")
    if forced:
        return forced
    if not has_request_context():
        return "en"
    return request.accept_languages.best_match(LOCALES) or "en"


def template_helpers() -> dict:
    return {"get_locale": get_locale, "text_direction": text_direction, "digits": localized_digits, "LOCALES": LOCALES}


def use_locale(locale: str) -> None:
    """Show the rest of this request in the respondent's language (not the browser's)."""
    g.locale = locale
    refresh()  # Flask-Babel caches the locale it picked first; forget it.
