"""Input no database can take, refused at the door with a clear 4xx: for every route, present and future.

- Text: PostgreSQL refuses U+0000 in text, and neither database can store half of a UTF-16 surrogate
  pair (U+D800–DFFF, which only JSON's \\ud800 escapes or raw bytes can produce). One hook looks at the
  query string, the path's text, form fields, uploaded file names and JSON bodies of every request
  and answers 400 (pages, in the visitor's language) or 422 naming the field (the API) — before any
  view could store them. Uploaded files' contents are the reader's business (surveys.importing).
- Ids in paths: `<int:…>` matches 1 … 2⁶³−1 in ASCII digits only; anything else is a 404, never an
  integer the database cannot bind.
- Page numbers: `requested_page` reads `page` for db.paginate, which would otherwise read it itself
  and hand the database an offset past BIGINT.
"""
from __future__ import annotations

import re

from flask import Flask, abort, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

from surveys.numbers import BIGINT_MAX, whole_number

from .api.errors import json_error

# Compiled once; one search per value. Lone surrogates only come from JSON (werkzeug keeps bytes that
# are not UTF-8 in query strings and forms percent-encoded), but one pattern keeps the rule in one place.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
API_PREFIX = "/api/"


class DatabaseId(IntegerConverter):
    """The `int` converter of every route: 1 … 2⁶³−1 in ASCII digits (werkzeug's own matches any
    length and Unicode digits, so /fixes/<5,000 digits> would reach int() and the database)."""

    regex = r"[0-9]{1,19}"

    def __init__(self, map, fixed_digits: int = 0, min: int = 1, max: int = BIGINT_MAX, signed: bool = False):
        super().__init__(map, fixed_digits, min, max, signed=False)


def register(app: Flask) -> None:
    """Call after the blueprints are registered.

    The check runs as each blueprint's last before-request hook, not as an app-wide one, because
    app-wide hooks run first: the API must still authenticate (401 before anything else) and set its
    smaller body limit before anything reads the body. Routes outside any blueprint get the app-wide one.
    """
    for name in app.blueprints:
        if "." not in name:  # a nested blueprint's requests also run its parent's hooks
            app.before_request_funcs.setdefault(name, []).append(refuse_unstorable_text)
    app.before_request(_outside_blueprints)


def _outside_blueprints():
    return refuse_unstorable_text() if request.blueprint is None else None


def refuse_unstorable_text():
    try:
        place = _first_unstorable()
    except NotJson as error:
        return _refuse(400, str(error), _("This request could not be read. Please go back and try again."))
    if place is None:
        return None
    return _refuse(422, f"'{place}' contains a character that cannot be stored: a NUL (U+0000) or half of a "
                        "surrogate pair (U+D800–U+DFFF). Nothing was changed.",
                   _("What you sent contains an invisible character that cannot be saved (a NUL character). It "
                     "often comes with text pasted from another program. Please go back, type the text again "
                     "and send it."), {place: ["contains a NUL character or a lone surrogate"]})


def _refuse(api_status: int, api_message: str, page_message: str, errors: dict | None = None):
    """The API answers in its own JSON (422: well-formed but wrong, as its other field errors); pages
    with a short page in the visitor's language."""
    if request.path.startswith(API_PREFIX):
        return json_error(api_status, api_message, errors)
    return render_template("errors/400.html", message=page_message), 400


class NotJson(ValueError):
    """A body sent as JSON that Python's parser cannot read. Besides plain syntax errors (which the
    API's parser reports too), it raises RecursionError past ~1,000 levels and ValueError on a number
    of more than 4,300 digits, which nothing after this hook would catch."""


def _first_unstorable() -> str | None:
    """The name of the first field with unstorable text, or None. Cheap on the survey POST: a few short
    values, one compiled search each; a body is only parsed as JSON when the request says it is JSON."""
    found = (_in_pairs(request.args.items(multi=True))
             or _in_pairs((request.view_args or {}).items()))
    if found:
        return found
    if request.is_json:
        return _in_json_body()
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return (_in_pairs(request.form.items(multi=True))
                or _in_pairs((name, file.filename or "") for name, file in request.files.items(multi=True)))
    return None


def _in_pairs(pairs) -> str | None:
    for name, value in pairs:
        if UNSTORABLE.search(name):
            return "a field name"
        if isinstance(value, str) and UNSTORABLE.search(value):
            return name
    return None


def _in_json_body() -> str | None:
    if not request.get_data(cache=True):
        return None  # no body: the view says what is missing
    try:
        body = request.get_json()
    except BadRequest:
        raise NotJson("The body is not valid JSON.") from None
    except RecursionError:
        raise NotJson("The body is not valid JSON: it is nested too deeply.") from None
    stack = [("body", body)]  # a loop, not recursion: the document may be nested a thousand deep
    while stack:
        where, value = stack.pop()
        if isinstance(value, str):
            if UNSTORABLE.search(value):
                return where
        elif isinstance(value, dict):
            for key, item in value.items():
                if UNSTORABLE.search(key):
                    return where
                stack.append((key if where == "body" else f"{where}.{key}", item))
        elif isinstance(value, list):
            stack.extend((f"{where}[{index}]", item) for index, item in enumerate(value))
    return None


def requested_page(per_page: int) -> int:
    """The `page` argument for db.paginate: 1 when absent, a 404 when it is not a page number or its
    offset would not fit the database's BIGINT (no table is that long; the page simply does not exist).
    db.paginate itself 404s a page past the end."""
    raw = request.args.get("page", "")
    if raw.strip() == "":
        return 1
    page = whole_number(raw, 1, BIGINT_MAX // per_page)
    if page is None:
        abort(404)
    return page
