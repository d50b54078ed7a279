"""A use case's refusal that a team page can say in the reader's language.

PURE: standard library only, so use cases and pure rules raise it without knowing of Flask.

A use case raises `Refusal(N_("A fix cannot go from %(old)s to %(new)s."), old=…, new=…)`: `str()` of it is the
English sentence, as the API's JSON and the command line have always printed it; a page passes it to
`feedback_app.core.i18n.refusal_text`, which looks the message up in the catalogs and fills in the same values.
`N_` only marks the message, so that catalog extraction (and tests/unit/feedback_app/test_catalogs.py) finds it.
"""
from __future__ import annotations


def N_(message: str) -> str:
    """Marks a message for the catalogs (gettext's conventional name); it is translated where it is shown."""
    return message


class Refusal(ValueError):
    """A request that cannot be carried out; the message says why, for people. `message` is a catalog's msgid
    (%(name)s placeholders filled from `values`); a plain sentence with no values works too. `detail`: a library's
    own (English) reason, which `str()` adds after a colon and a page leaves out."""

    def __init__(self, message: str, *, detail: str | None = None, **values):
        text = message % values if values else message
        super().__init__(f"{text}: {detail}" if detail else text)
        self.message, self.values, self.detail = message, values, detail
