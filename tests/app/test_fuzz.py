"""Fuzzing: every route of the app with nasty paths, query strings, forms, files and JSON bodies, on
SQLite and PostgreSQL. No answer may be a 5xx.

Generic on purpose: the routes come from app.url_map, the field names from the app's WTForms forms
and marshmallow schemas, so a route or a field added later is fuzzed without touching this file.
In TESTING mode Flask re-raises a view's exception, so a bug fails here with its own traceback, and
Hypothesis shrinks the request to a small one that still fails. Seeded (derandomize) and bounded, so
every CI run sends the same requests in a known time.
"""
from __future__ import annotations

import functools
import re
import reprlib
from collections import Counter
from datetime import timedelta
from io import BytesIO
from urllib.parse import quote

import marshmallow as ma
import pytest
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wtforms.fields.core import UnboundField

from feedback_app.accounts.services import create_user
from feedback_app.accounts.tokens import create_token
from feedback_app.core.extensions import db
from surveys.answering.links import invitation_token, signed_invitation
from surveys.answering.services import record_answer
from surveys.asking.services import set_thanks_step
from surveys.people.links import unsubscribe_token
from surveys.scales.answers import Answer
from surveys.scales.thanks_step import QUESTION, checked_step
from tests.support.factories import NOW, sent_survey
from triage.fixes import services as fixes
from triage.fixes.services import FixChange
from triage.loop.advise import advise_token
from triage.loop.early_access import early_access_token
from triage.verbatims import classifying

# About 2,000 requests per database in about 30 s (CI runs the suite on SQLite and on PostgreSQL).
FUZZ = settings(max_examples=1000, deadline=None, database=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])
FOCUSED = settings(FUZZ, max_examples=500)

PASSWORD = "long-enough-password"
METHODS = ("GET", "HEAD", "POST", "PATCH")
BIG = 2**63
# Query and form names the views read besides their forms' fields.
QUERY_NAMES = ("page", "per_page", "survey", "type", "since", "score", "weeks", "status", "review", "band",
               "language", "theme", "needs_review", "next", "to", "back")
ANSWER_NAMES = ("score", "comment", "may_contact", "score_only")
# Requests to these go without the admin's cookie, so that signing out cannot end the fuzzing session.
ANONYMOUS_BLUEPRINTS = frozenset({"accounts"})
# Slow work that reads no input but its confirm form: fuzzed once each in test_bad_input, not here.
SLOW_ENDPOINTS = frozenset({"triage.train"})  # retrains the model: a second each time

NASTY_TEXT = [
    "", " ", "\t\n", "\x00", "a\x00b", "%00", "²", "١٢", "۱۲", "１２", "-1", "0", "1", "2", "7", "+1", "1.5", "1e309",
    "nan", "inf", str(2**31 - 1), str(2**31), str(BIG - 1), str(BIG), str(2**64), "9" * 5000, "0" * 5000 + "1",
    "x" * 100_000,
    "שלום \u202eעולם", "مرحبا بالعالم", "\u202egnp.exe", "\ufeff", "\U0001F600" * 50, "' OR 1=1 --",
    "<script>alert(1)</script>", "{{ 7*7 }}", "../../etc/passwd", "0001-01-01", "9999-12-31", "1969-12-31",
    "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "2026-02-30", "true", "false", "null", "on",
    "yes", "none", "open", "planned", "shipped", "new", "existing", "themes", "usability", "One-Click",
]
LONE_SURROGATES = ["\ud800", "a\udfffb", "\udc80\udc80"]
RAW_JSON = [b"{", b"[" * 5000, b'{"a":' * 3000, b'{"score": ' + b"9" * 5000 + b"}", b'{"text": "\\u0000"}',
            b'"\\ud800"', b"NaN", b'{"cost": Infinity}', b"\xff\xfe", b"null", b"[]", b"1" * 5000]
CSV_FILES = [
    b"email,name\nana@example.com,Ana\n",
    b"email,name\n" + b"".join(b"p%d@example.com,P\n" % i for i in range(300)) + b"nul@example.com,N\x00L\n",
    b"email,name\n" + b"".join(b"q%d@example.com,Q\n" % i for i in range(300)) + "jos\xe9@example.com,x\n".encode("latin-1"),
    b"email,name\nlong@example.com," + b"n" * 5000 + b"\n", b"\x89PNG\r\n\x1a\n\x00\x00", b"", b"\xff\xfe\x00e",
    "email,name,locale,plan\nsara@example.com,سارة,ar-SA,pro\n".encode(),
]


def text_without_surrogates():
    """Random text as a browser can send it (form and query values are UTF-8: no lone surrogates)."""
    return st.text(st.characters(exclude_categories=["Cs"]), max_size=20)


def any_code_points():
    """Random text with anything in it, NUL and lone surrogates included (JSON can carry those)."""
    return st.lists(st.integers(0, 0x10FFFF), max_size=12).map(lambda points: "".join(map(chr, points)))


# Just past the lengths of the columns and of the forms' and schemas' limits.
LONG_TEXT = st.sampled_from([9, 17, 21, 41, 61, 101, 121, 201, 301, 321, 501, 1001, 5001, 10_001, 20_001, 100_001]
                            ).map(lambda length: "ب" * length)
TEXT = st.one_of(st.sampled_from(NASTY_TEXT), LONG_TEXT, text_without_surrogates(),
                 st.integers(-BIG * 4, BIG * 4).map(str))
JSON_LEAF = st.one_of(st.none(), st.booleans(), st.integers(-BIG * 4, BIG * 4),
                      st.sampled_from([BIG, BIG - 1, -BIG - 1, 2**31, 2**31 - 1, 10**300, 0, 1, 5, 11, -1]),
                      st.floats(allow_nan=False, allow_infinity=False), st.sampled_from(NASTY_TEXT + LONE_SURROGATES),
                      LONG_TEXT, any_code_points())
JSON_VALUE = st.recursive(JSON_LEAF, lambda inner: st.lists(inner, max_size=4)
                          | st.dictionaries(any_code_points(), inner, max_size=3), max_leaves=8)


# ---------------------------------------------------------------- what the app is made of

def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


@functools.cache
def form_fields() -> tuple[str, ...]:
    """The fields of every WTForms form, and of the survey answer (read without WTForms)."""
    names = set(ANSWER_NAMES) | {"List-Unsubscribe", "answer"}  # answer: the thank-you page's question
    for form in _subclasses(FlaskForm):
        names.update(name for name in dir(form) if isinstance(getattr(form, name, None), UnboundField))
    return tuple(sorted(names))


@functools.cache
def schema_fields() -> tuple[tuple[str, ...], ...]:
    """The fields of every marshmallow schema, one tuple per schema."""
    return tuple(tuple(schema._declared_fields) for schema in _subclasses(ma.Schema) if schema._declared_fields)


def api_arguments(app, rule, method: str) -> dict[str, tuple[str, ...]]:
    """What an API operation declares it reads (flask-smorest keeps it on the view): location → fields."""
    view = app.view_functions[rule.endpoint]
    handler = getattr(getattr(view, "view_class", None), "get" if method == "HEAD" else method.lower(), None)
    parameters = getattr(handler or view, "_apidoc", {}).get("arguments", {}).get("parameters", [])
    return {parameter["in"]: tuple(parameter["schema"]._declared_fields) for parameter in parameters}


PATH_PART = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def _path(rule: str, draw, values_for) -> str:
    return PATH_PART.sub(lambda part: quote(draw(st.sampled_from(values_for(part.group(1) or "default",
                                                                            part.group(2)))), safe=""), rule)


# ---------------------------------------------------------------- the world the requests land in

class World:
    """Real rows of every kind, real signed links and a signed-in admin, so the views' bodies run."""

    def __init__(self, app):
        with app.app_context():
            self._seed(app)
        self.app = app
        self.admin = app.test_client()
        assert self.admin.post("/login", data={"email": "admin@example.com", "password": PASSWORD}).status_code == 302
        self.anonymous = app.test_client()
        self.answered = Counter()  # True: the view did its work (2xx, 3xx); False: refused (4xx)
        self.statuses = Counter()  # (endpoint, method, status): where the refusals are, when too few got through

    def _seed(self, app) -> None:
        create_user("admin@example.com", PASSWORD, "admin")
        self.api_token = create_token("fuzz", "admin", NOW).plain
        survey, invitations = sent_survey(app, customers=[(f"p{i}@example.com", f"P {i}", locale)
                                                          for i, locale in enumerate(("en", "ar", "fa", "en"))])
        set_thanks_step(survey, checked_step(QUESTION, {"en": "What next?", "ar": "ماذا بعد؟"}))
        for invitation, comment in zip(invitations[:3], ("The export is slow", "التطبيق بطيء", "")):
            record_answer(signed_invitation(invitation),
                          Answer(3, comment, True), NOW, timedelta(hours=24))
        classifying.classify_pending(NOW, review_below=0.5)
        response_ids = [invitation.response.id for invitation in invitations[:3]]
        fix = fixes.create_fix(FixChange(title="Faster export", cost=2, type_key=None), NOW,
                               response_ids=response_ids[:2])
        customer = invitations[0].customer
        self.tokens = [invitation_token(signed_invitation(invitations[0])),
                       invitation_token(signed_invitation(invitations[3])),
                       unsubscribe_token(customer.id), early_access_token(fix.id, customer.id),
                       advise_token(fix.id, customer.id)]
        self.plausible = {"score": "7", "comment": "Too slow", "may_contact": "1", "score_only": "1",
                          "title": "Faster export", "cost": "2", "to": "new", "status": "planned",
                          "response": [str(i) for i in response_ids], "fix": str(fix.id), "theme": "",
                          "email": "ana@example.com", "password": PASSWORD, "text": "The app crashes",
                          "kind": "nps", "channel": "chat", "type": "usability", "impact": "50", "reason": "Why",
                          "key": "billing", "name_en": "Billing", "examples": "invoice wrong\nrefund late",
                          "release_note": "Done", "description": "More", "List-Unsubscribe": "One-Click",
                          "answer": "Bulk export", "url": "https://reviews.example.com/r", "text_en": "Review us"}
        self.plausible_json = {"text": "The app crashes", "score": 3, "kind": "nps", "cost": 2, "title": "Faster",
                               "response_ids": response_ids, "may_contact": True, "type": "usability",
                               "status": "planned", "impact_override": 50, "reason": "Why", "channel": "chat",
                               # a customer's address: activity is only taken for known customers
                               "answered_at": "2026-11-01T10:00:00Z", "email": "p3@example.com",
                               "occurred_at": "2026-10-01T10:00:00Z", "amount": 12.5, "external_id": "order-1",
                               "url": "https://beta.example.com/"}
        db.session.commit()
        # The ids of every table, so that /fixes/<fix_id> gets fix ids and /triage/<item_id> triage items'.
        self.table_ids = {table.name: [str(row.id) for row in db.session.execute(table.select())]
                          for table in db.metadata.sorted_tables if "id" in table.c}

    def _real_ids(self, parameter: str) -> list[str]:
        stem = parameter.removesuffix("_id")
        found = [ids for table, ids in self.table_ids.items() if table == stem or table.endswith("_" + stem)]
        return [i for ids in found for i in ids] or [i for ids in self.table_ids.values() for i in ids]

    def path_values(self, converter: str, parameter: str) -> list[str]:
        if converter == "int":
            hostile = ["1", "0", "-1", "²", "١", "01", str(BIG - 1), str(BIG), str(10**30), str(2**31 - 1), str(2**31),
                       "9" * 5000, "1.0", " 1", "\x00"]
            # About half real ids: a path that names nothing ends in a 404 before the view's work, and a run of
            # those would leave the views' bodies unfuzzed (reaching_the_views below).
            real = self._real_ids(parameter)
            return real * (len(hostile) // max(len(real), 1) + 1) + hostile
        return self.tokens * 3 + [self.tokens[0] + "x", self.tokens[0][:-2], "1.1.nps.en.c2lnbmF0dXJl", "x" * 5000,
                              "", "\x00", "..", "ü", "%", "style.css", "../../etc/passwd"]

    def send(self, rule, method: str, path: str, query: list, body: dict, auth: str | None):
        headers = {}
        if rule.rule.startswith("/api/"):
            client = self.anonymous
            if auth:
                headers["Authorization"] = auth
        else:
            client = self.anonymous if rule.endpoint.split(".")[0] in ANONYMOUS_BLUEPRINTS else self.admin
        response = client.open(path, method=method, query_string=query, headers=headers, **body)
        response.get_data()  # a streamed answer (the CSV export) runs only as it is read
        self.answered[response.status_code < 400] += 1
        self.statuses[(rule.endpoint, method, response.status_code)] += 1
        return response


@pytest.fixture
def world(app_factory):
    # No app context is kept open around the requests (unlike the `app` fixture): each request gets
    # its own, as in production, so nothing (flask.g, the session) leaks from one request to the next.
    return World(app_factory())


# ---------------------------------------------------------------- requests, drawn

def rarely(draw, one_in: int) -> bool:
    """True about once in `one_in` draws. Not `integers(0, n) == 0`: Hypothesis favours the ends of a
    range, so that would be true far more often than 1/n."""
    return draw(st.integers(0, one_in - 1)) == one_in // 2


def _query(draw, world: World, declared: tuple[str, ...]) -> list[tuple[str, str]]:
    # An API route refuses a query name it does not declare (422): mostly its own names, so its view is reached.
    pool = declared if declared and not rarely(draw, 4) else QUERY_NAMES + ANSWER_NAMES + declared
    names = draw(st.lists(st.sampled_from(pool), max_size=4))
    return [(name, draw(st.one_of(TEXT, st.just(world.plausible.get(name, "1"))))) for name in names]


def _form(draw, world: World) -> dict:
    """Every form's fields at once, plausible (a form ignores the others' fields), then a few made nasty
    and a few left out: so whichever form the route reads, its view gets past validation now and then."""
    names = form_fields()
    data = {name: world.plausible.get(name, "x") for name in names}
    if not rarely(draw, 4):  # else left plausible: the success paths need their share too
        for name in draw(st.lists(st.sampled_from(names), max_size=3)):
            data[name] = draw(st.one_of(TEXT, st.lists(TEXT, min_size=2, max_size=3)))
        for name in draw(st.lists(st.sampled_from(names), max_size=4)):
            data.pop(name, None)
    if rarely(draw, 4):  # an upload, with a name that may be nasty too
        data["file"] = (BytesIO(draw(st.sampled_from(CSV_FILES))), draw(st.sampled_from(["c.csv", "\x00.csv", ""])))
    return {"data": data}


def _json(draw, world: World, declared: tuple[str, ...] | None) -> dict:
    if rarely(draw, 10):
        return {"data": draw(st.sampled_from(RAW_JSON)), "content_type": "application/json"}
    if rarely(draw, 10):
        return {"json": draw(JSON_VALUE)}
    fields = declared or draw(st.sampled_from(schema_fields()))
    body = {name: world.plausible_json[name] for name in fields if name in world.plausible_json}
    if not rarely(draw, 2):  # else left plausible, half the time: an API checks every field before its work
        for name in draw(st.lists(st.sampled_from(fields), max_size=3)):
            body[name] = draw(JSON_VALUE)
        for name in draw(st.lists(st.sampled_from(fields), max_size=2)):
            body.pop(name, None)
    return {"json": body}


def _body(draw, world: World, method: str, declared: dict) -> dict:
    if method in ("GET", "HEAD") and not rarely(draw, 4):
        return {}
    if "json" in declared or rarely(draw, 10):
        return _json(draw, world, declared.get("json"))
    return _form(draw, world)


def _auth(draw, world: World) -> str | None:
    return draw(st.sampled_from([f"Bearer {world.api_token}"] * 8 + [None, "Bearer \x00", "Basic Zm9vOmJhcg=="]))


def _request(draw, world: World, rules) -> tuple:
    rule = draw(st.sampled_from(rules))
    allowed = sorted(set(rule.methods) & set(METHODS))
    method = draw(st.sampled_from(list(METHODS) if rarely(draw, 10) else allowed))
    path = _path(rule.rule, draw, world.path_values)
    declared = api_arguments(world.app, rule, method)
    return (rule, method, path, _query(draw, world, declared.get("query", ())), _body(draw, world, method, declared),
            _auth(draw, world))


def _routes(app, prefix: str = "/") -> list:
    return sorted((rule for rule in app.url_map.iter_rules()
                   if rule.rule.startswith(prefix) and rule.endpoint not in SLOW_ENDPOINTS), key=lambda r: r.rule)


def _check(world: World, request) -> None:
    rule, method, path, query, body, auth = request
    response = world.send(rule, method, path, query, body, auth)
    assert response.status_code < 500, reprlib.repr((response.status_code, method, path, query, body))


# ---------------------------------------------------------------- the tests

@pytest.fixture
def reaching_the_views(world):
    """Fuzzing that is refused at the door everywhere proves little: a share of the requests must
    be answered by the views' own work. And had a request ended the admin's session (cookies go to
    every route but the accounts' own), team routes would have been fuzzed signed out unnoticed."""
    yield
    assert world.answered[True] >= 0.2 * sum(world.answered.values()), (world.answered, world.statuses.most_common(12))
    assert world.admin.get("/").status_code == 200, "the fuzzing session was signed out: see ANONYMOUS_BLUEPRINTS"


@FUZZ
@given(data=st.data())
def test_no_route_answers_any_request_with_a_server_error(world, reaching_the_views, data):
    _check(world, _request(data.draw, world, _routes(world.app)))


@FOCUSED
@given(data=st.data())
def test_the_survey_page_and_its_post_never_answer_a_server_error(world, reaching_the_views, data):
    """The hot path, with its own fields only: the generic test reaches it with them too rarely."""
    token = data.draw(st.sampled_from(world.tokens[:2]))
    method = data.draw(st.sampled_from(["GET", "POST", "POST", "POST"]))
    form = {name: data.draw(st.one_of(TEXT, st.just(world.plausible[name]))) for name in ANSWER_NAMES
            if data.draw(st.booleans())}
    rule = next(rule for rule in world.app.url_map.iter_rules() if rule.endpoint == "public.submit_answer")
    query = [("score", data.draw(TEXT))] if method == "GET" else []
    _check(world, (rule, method, f"/s/{quote(token, safe='')}", query, {"data": form}, None))


@FOCUSED
@given(data=st.data())
def test_the_api_never_answers_a_server_error(world, reaching_the_views, data):
    """The API's routes only, so each of its schemas gets a few hundred bodies of its own."""
    _check(world, _request(data.draw, world, _routes(world.app, "/api/")))
