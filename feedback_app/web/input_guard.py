"""Input no database or form can take, refused at the door with a clear 4xx: for every route, present and future.

- Text: PostgreSQL refuses U+0000 in text, and neither database can store half of a UTF-16 surrogate
  pair (U+D800–DFFF, which only JSON's \\ud800 escapes or raw bytes can produce). One hook looks at the
  query string, the path's text, form fields, uploaded file names and JSON bodies of every request
  and answers 400 (pages, in the visitor's language) or 422 naming the field (the API), before any
  view could store them. Uploaded files' contents are their reader's business (surveys.people.importing).
- JSON: only the API takes it. Flask-WTF would read a JSON body as a team form's data, handing its
  fields lists, numbers and objects where they expect text (a 500), so pages answer a JSON body 415.
  A body the API cannot parse is a 400 here: past ~1,000 levels of nesting or 4,300 digits in a number,
  Python's parser raises errors that nothing after this hook would catch.
- Ids in paths: `<int:…>` matches 1 … 2³¹−1 (every id column is a 32-bit INTEGER on PostgreSQL) in
  ASCII digits only; anything else is a 404, never an integer the database cannot bind.
"""
from __future__ import annotations

import re

from flask import Flask, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

from feedback_app.core.numbers import ID_MAX
from feedback_app.web.json_errors import json_error

# Compiled once; one search per value. Lone surrogates only come from JSON (werkzeug keeps bytes that
# are not UTF-8 in query strings and forms percent-encoded), but one pattern keeps the rule in one place.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
API_PREFIX = "/api/"
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


class DatabaseId(IntegerConverter):
    """The `int` converter of every route: an id, 1 … 2³¹−1, in ASCII digits (werkzeug's own matches
    any length and Unicode digits, so /fixes/<5,000 digits> would reach int() and the database)."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map, fixed_digits: int = 0, min: int = 1, max: int = ID_MAX, signed: bool = False):
        super().__init__(map, fixed_digits, min, max, signed=False)


def register(app: Flask) -> None:
    """Call after the blueprints are registered.

    The check runs as each blueprint's last before-request hook, not as an app-wide one, because
    app-wide hooks run first: the API must still authenticate (401 before anything else) and set its
    smaller body limit before anything reads the body. Every route lives in a blueprint but the static
    files, which read no input (tests/app/feedback_app/web/test_input_guard.py keeps it so).
    """
    for name in app.blueprints:
        if "." not in name:  # a nested blueprint's requests also run its parent's hooks
            app.before_request_funcs.setdefault(name, []).append(refuse_unusable_input)


class Refused(Exception):
    """The API's answer (its status, message and field errors, as its other errors) and the page's
    (a short page in the visitor's language)."""

    def __init__(self, status: int, api_message: str, page_message: str, errors: dict | None = None,
                 page_status: int = 400):
        super().__init__(api_message)
        self.status, self.page_message, self.errors, self.page_status = status, page_message, errors, page_status


def refuse_unusable_input():
    try:
        _check_request()
    except Refused as refused:
        if request.path.startswith(API_PREFIX):
            return json_error(refused.status, str(refused), refused.errors)
        return render_template("errors/400.html", message=refused.page_message), refused.page_status
    return None


def _check_request() -> None:
    """Cheap on the survey POST (about 5 µs of its 600): a few short values, one compiled search each;
    a body is parsed as JSON only on the API, and only when the request says it is JSON."""
    req = request._get_current_object()  # one proxy lookup instead of one per attribute
    if req.query_string:
        _check_pairs(req.args.items(multi=True))
    if req.view_args:
        _check_pairs(req.view_args.items())
    if req.is_json:
        if not req.path.startswith(API_PREFIX):
            if req.get_data(cache=True):
                raise Refused(415, "This address takes forms, not JSON.",
                              _("This page takes the data of its form, not JSON."), page_status=415)
            return
        _check_json_body(req)
    elif req.mimetype in FORM_TYPES:
        _check_pairs(req.form.items(multi=True))
        if req.files:
            _check_pairs((name, file.filename or "") for name, file in req.files.items(multi=True))


def _unstorable(place: str) -> Refused:
    return Refused(422, f"'{place}' contains a character that cannot be stored: a NUL (U+0000) or half of a "
                        "surrogate pair (U+D800–U+DFFF). Nothing was changed.",
                   _("What you sent contains an invisible character that cannot be saved (a NUL character). It "
                     "often comes with text pasted from another program. Please go back, type the text again "
                     "and send it."), {place: ["contains a NUL character or a lone surrogate"]})


def _check_pairs(pairs) -> None:
    search = UNSTORABLE.search
    for name, value in pairs:
        if search(name):
            raise _unstorable("a field name")
        if isinstance(value, str) and search(value):
            raise _unstorable(name)


def _check_json_body(req) -> None:
    if not req.get_data(cache=True):
        return  # no body: the view says what is missing
    try:
        body = req.get_json()
    except (BadRequest, RecursionError) as error:
        nested = isinstance(error, RecursionError)
        raise Refused(400, "The body is not valid JSON" + (": it is nested too deeply." if nested else "."),
                      _("This request could not be read.")) from None
    stack = [("body", body)]  # a loop, not recursion: the document may be nested a thousand deep
    while stack:
        where, value = stack.pop()
        if isinstance(value, str):
            if UNSTORABLE.search(value):
                raise _unstorable(where)
        elif isinstance(value, dict):
            for key, item in value.items():
                if UNSTORABLE.search(key):
                    raise _unstorable(where)
                stack.append((key if where == "body" else f"{where}.{key}", item))
        elif isinstance(value, list):
            stack.extend((f"{where}[{index}]", item) for index, item in enumerate(value))

