"""Which language a page is shown in, and the helpers templates use for direction and digits."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import g, has_request_context, request
from flask_babel import get_locale, gettext, refresh
from flask_babel import lazy_gettext as _l

from feedback_app.core.languages import LOCALES, localized_digits, text_direction
from feedback_app.core.refusals import Refusal

# Each supported language named in the language of the page that names it.
LANGUAGE_NAMES = {"en": _l("English"), "ar": _l("Arabic"), "fa": _l("Persian")}


def select_locale() -> str:
    # A survey page sets the respondent's language; team pages follow the browser.
    forced = g.get("locale")
    if forced:
        return forced
    if not has_request_context():
        return "en"
    return request.accept_languages.best_match(LOCALES) or "en"


def refusal_text(error: Exception, **names: Mapping) -> str:
    """What a page says of a refused request, in the page's language: a Refusal's message through the catalogs
    with its values; any other error as it reads. `names`: per value, the page's names of its possible values
    (e.g. status=STATUS_NAMES says "planned" in the reader's language); a value not named is shown as it is."""
    if not isinstance(error, Refusal):
        return str(error)
    return gettext(error.message, **{key: _shown(value, names.get(key)) for key, value in error.values.items()})


def _shown(value, names: Mapping | None):
    """A refusal's value as the page shows it: a refusal inside another ("Rule 2: …") in the reader's language too,
    a named value by the page's name, any other as it is."""
    if isinstance(value, Refusal):
        return refusal_text(value)
    return names.get(value, value) if names is not None else value


def template_helpers() -> dict:
    return {"get_locale": get_locale, "text_direction": text_direction, "digits": localized_digits, "LOCALES": LOCALES}


def use_locale(locale: str) -> None:
    """Show the rest of this request in the respondent's language (not the browser's)."""
    g.locale = locale
    refresh()  # Flask-Babel caches the locale it picked first; forget it.


def compile_catalogs(translations: Path) -> None:
    """Build missing or stale .mo files from the committed .po catalogs.

    Compiled catalogs are build output and not committed; doing it here (cheap: it only reads file
    times unless a catalog changed) means a fresh clone shows Arabic and Persian however it starts.
    """
    for po_path in translations.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        temporary = mo_path.with_suffix(f".{os.getpid()}.tmp")
        with temporary.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        temporary.replace(mo_path)  # atomic: two workers starting at once never read half a file
