"""Each defect of issue 9's "no server error on any input", as a fixed request: a clear 4xx (or a
per-line import error) and nothing stored, on SQLite and PostgreSQL. test_fuzz.py looks for new ones."""
from __future__ import annotations

import base64
import json
from datetime import timedelta
from functools import partial
from io import BytesIO

import marshmallow as ma
import pytest
from marshmallow import validate
from sqlalchemy import func, select

from feedback_app.accounts.services import create_user
from feedback_app.accounts.tokens import create_token
from feedback_app.api.schemas import activity, common, feedback, responses
from feedback_app.api.schemas import fixes as fix_schemas
from feedback_app.core.extensions import db
from surveys.answering.links import invitation_token, signed_invitation
from surveys.answering.services import record_answer
from surveys.models import Customer, Response
from surveys.people import importing
from surveys.scales.answers import Answer
from tests.support.factories import NOW, sent_survey
from triage.fixes import forms as fix_forms
from triage.fixes import services as fixes
from triage.fixes.services import FixChange
from triage.models import Fix

PASSWORD = "long-enough-password"
BIG = 2**63
INT_PAST = 2**31  # one past the largest id: ids are 32-bit INTEGER columns on PostgreSQL


def rows() -> dict[str, int]:
    """How many rows every table has: a refused request changes none of them."""
    db.session.expire_all()
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


class Seeded:
    def __init__(self, app, client):
        self.bearer = {"Authorization": "Bearer " + create_token("tests", "admin", NOW).plain}
        _, invitations = sent_survey(app, customers=(("ana@example.com", "Ana", "en"), ("bob@example.com", "Bob", "en")))
        record_answer(signed_invitation(invitations[0]),
                      Answer(3, "Too slow", True), NOW, timedelta(hours=24))
        self.response_id = invitations[0].response.id
        self.fix_id = fixes.create_fix(FixChange(title="Faster export", cost=2), NOW,
                                       response_ids=[self.response_id]).id
        self.token = invitation_token(signed_invitation(invitations[1]))
        self.client = client

    def sign_in(self):
        create_user("admin@example.com", PASSWORD, "admin")  # only here: hashing a password takes a while
        assert self.client.post("/login", data={"email": "admin@example.com", "password": PASSWORD}).status_code == 302
        return self.client


@pytest.fixture
def seeded(app, client):
    return Seeded(app, client)


def refused_and_unchanged(send, *statuses):
    before = rows()
    reply = send()
    assert reply.status_code in statuses, (reply.request.url[:200], reply.status_code,
                                           reply.get_data(as_text=True)[:300])
    assert rows() == before
    return reply


# ---------------------------------------------------------------- NUL and lone surrogates

@pytest.mark.parametrize("form", [
    {"score": "7", "comment": "slow\x00"}, {"score": "\x00"}, {"score": "7", "may_contact": "1\x00"},
    {"score": "7", "score_only": "1", "comment\x00": "x"},
])
def test_a_survey_answer_with_a_nul_is_refused(seeded, form):
    reply = refused_and_unchanged(lambda: seeded.client.post(f"/s/{seeded.token}", data=form), 400)
    assert "cannot be saved" in reply.get_data(as_text=True)


def test_a_sign_in_with_a_nul_is_refused(seeded):
    create_user("admin@example.com", PASSWORD, "admin")
    refused_and_unchanged(lambda: seeded.client.post("/login", data={"email": "admin@example.com\x00",
                                                                     "password": PASSWORD}), 400)


def test_filters_with_a_nul_are_refused(seeded):
    # One test for many pages (each only reads): a signed-in app per page would cost a second each.
    client = seeded.sign_in()
    for path in ("/triage?theme=a%00", "/triage?type=%00", "/triage/export.csv?band=%00", "/fixes?type=%00",
                 "/admin/outbox?status=%00", "/?weeks=%00", "/triage/themes?language=en%00"):
        refused_and_unchanged(partial(client.get, path), 400)


@pytest.mark.parametrize("method, path, body, field", [
    ("post", "/api/v1/feedback", {"text": "slow\u0000"}, "text"),
    ("post", "/api/v1/feedback", {"text": "slow", "name": "Ana\ud800"}, "name"),
    ("post", "/api/v1/feedback", {"text": "slow", "email": "ana\u0000@example.com"}, "email"),
    ("post", "/api/v1/feedback", {"text": "slow", "external_id": "\udfff"}, "external_id"),
    ("post", "/api/v1/fixes", {"title": "Faster\u0000", "cost": 2}, "title"),
    ("post", "/api/v1/fixes", {"title": "Faster", "cost": 2, "description": "\ud800"}, "description"),
    ("patch", "/api/v1/fixes/{fix}", {"title": "\u0000"}, "title"),
    ("patch", "/api/v1/fixes/{fix}", {"release_note": "note \udc80"}, "release_note"),
    ("patch", "/api/v1/responses/{response}", {"type": "usability\u0000"}, "type"),
    ("post", "/api/v1/feedback", {"text": "slow", "extra": [{"deep\u0000": 1}]}, "extra[0]"),
])
def test_api_text_with_a_nul_or_a_lone_surrogate_is_refused(seeded, method, path, body, field):
    path = path.format(fix=seeded.fix_id, response=seeded.response_id)
    reply = refused_and_unchanged(lambda: getattr(seeded.client, method)(
        path, data=json.dumps(body), content_type="application/json", headers=seeded.bearer), 422)
    assert field in reply.get_json()["errors"] and reply.get_json()["code"] == 422


def test_api_lone_surrogates_as_raw_bytes_are_refused_too(seeded):
    body = b'{"text": "slow \xed\xa0\x80"}'  # not UTF-8, but Python's JSON reader lets it through
    refused_and_unchanged(lambda: seeded.client.post("/api/v1/feedback", data=body, content_type="application/json",
                                                     headers=seeded.bearer), 400, 422)


def test_api_query_with_a_nul_is_refused(seeded):
    reply = refused_and_unchanged(lambda: seeded.client.get("/api/v1/responses?type=%00", headers=seeded.bearer), 422)
    assert "type" in reply.get_json()["errors"]


def test_unauthenticated_api_requests_are_still_told_to_authenticate_first(seeded):
    reply = seeded.client.post("/api/v1/feedback", json={"text": "\u0000"})
    assert reply.status_code == 401


def test_every_route_but_the_static_files_is_guarded(app):
    """The guard hooks into each blueprint; a route outside all of them would go unchecked."""
    unguarded = [rule.rule for rule in app.url_map.iter_rules()
                 if rule.endpoint != "static" and "." not in rule.endpoint]
    assert unguarded == []


# ---------------------------------------------------------------- numbers

def test_ids_in_paths_beyond_the_database_are_not_found(seeded):
    client = seeded.sign_in()
    for path in (f"/fixes/{BIG}", f"/fixes/{INT_PAST}", f"/surveys/{BIG}", f"/admin/outbox/{BIG}",
                 "/fixes/" + "9" * 5000, "/fixes/²", "/fixes/١", "/fixes/-1", "/fixes/0", f"/surveys/{BIG * 4}/wording"):
        refused_and_unchanged(partial(client.get, path), 404)


def test_ids_in_posted_paths_beyond_the_database_are_not_found(seeded):
    client = seeded.sign_in()
    for path in (f"/triage/{BIG}/confirm", f"/fixes/{seeded.fix_id}/link/{BIG}",
                 f"/fixes/{seeded.fix_id}/unlink/{INT_PAST}", f"/triage/follow-ups/{INT_PAST}/contacted"):
        refused_and_unchanged(partial(client.post, path), 404)


@pytest.mark.parametrize("method", ["get", "patch"])
def test_api_ids_beyond_the_database_are_not_found(seeded, method):
    for path in (f"/api/v1/fixes/{BIG}", f"/api/v1/responses/{INT_PAST}", "/api/v1/fixes/²"):
        reply = refused_and_unchanged(partial(getattr(seeded.client, method), path, json={"title": "x"},
                                              headers=seeded.bearer), 404)
        assert reply.get_json()["code"] == 404


def _token(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@pytest.mark.parametrize(("path", "name"), [("/admin/outbox", "outbox"), ("/customers", "customers"),
                                           ("/triage/follow-ups", "follow-ups")])
def test_list_positions_that_cannot_exist_are_not_found(seeded, path, name):
    """These lists page by cursor (the row a page starts after or ends before); a page number from a bookmark
    of before is ignored."""
    client = seeded.sign_in()
    for bound in ("after", "before"):
        for cursor in ("nonsense", "9" * 5000, "²", _token(f"{name}|{BIG}"), _token(f"{name}|{INT_PAST}"),
                       _token(f"{name}|0"), _token(f"{name}|²"), _token(f"{name}|-1"), _token("other|1")):
            refused_and_unchanged(partial(client.get, path, query_string={bound: cursor}), 404)
    for page in (str(BIG), "9" * 5000, "²"):
        refused_and_unchanged(partial(client.get, path, query_string={"page": page}), 200)


@pytest.mark.parametrize("bound", ["after", "before"])
def test_triage_pages_that_cannot_exist_are_not_found(seeded, bound):
    """The triage list pages by cursor (the row a page starts after or ends before), not by number."""
    client = seeded.sign_in()
    for cursor in ("nonsense", "9" * 5000, "²", _token(f"1|2026-01-01T00:00:00|{BIG}"), _token("2|2026-01-01T00:00:00|1"),
                   _token("1|2026-01-01T00:00:00+05:00|1"), _token("1|yesterday|1"), _token("1|2026-01-01|0")):
        refused_and_unchanged(partial(client.get, "/triage", query_string={bound: cursor}), 404)


def test_a_triage_list_filtered_by_a_survey_that_cannot_exist_is_not_found(seeded):
    client = seeded.sign_in()
    for survey in (str(BIG), str(INT_PAST), "²", "9" * 5000):
        refused_and_unchanged(partial(client.get, "/triage", query_string={"survey": survey}), 404)
        refused_and_unchanged(partial(client.get, "/triage/export.csv", query_string={"survey": survey}), 404)


def test_api_numbers_in_the_query_beyond_the_database_are_refused(seeded):
    for field, value in (("page", BIG), ("per_page", BIG), ("survey", BIG), ("survey", INT_PAST),
                         ("page", "9" * 5000), ("survey", "²")):
        reply = refused_and_unchanged(partial(seeded.client.get, "/api/v1/responses", query_string={field: value},
                                              headers=seeded.bearer), 422)
        assert field in reply.get_json()["errors"]


@pytest.mark.parametrize("ids", [[str(BIG)], [str(INT_PAST)], ["²"], ["9" * 5000], ["{response}", "١"]])
def test_linking_ids_beyond_the_database_is_refused_and_links_nothing(seeded, ids):
    client = seeded.sign_in()
    form = {"response": [i.format(response=seeded.response_id) for i in ids], "to": "new", "title": "New fix",
            "cost": "2"}
    refused_and_unchanged(lambda: client.post("/fixes/link", data=form), 303)  # back to the list, which says why
    assert "Verbatims are chosen by their number." in client.get("/triage").get_data(as_text=True)


@pytest.mark.parametrize("fix", [str(BIG), str(INT_PAST), "²", "9" * 5000])
def test_linking_to_a_fix_beyond_the_database_is_refused(seeded, fix):
    client = seeded.sign_in()
    form = {"response": [str(seeded.response_id)], "to": "existing", "fix": fix}
    refused_and_unchanged(lambda: client.post("/fixes/link", data=form), 303)
    assert "Choose the fix to link to." in client.get("/triage").get_data(as_text=True)


def test_a_theme_longer_than_its_column_is_refused(seeded):
    client = seeded.sign_in()
    form = {"response": [str(seeded.response_id)], "to": "new", "title": "New", "cost": "2",
            "theme": "t" * (fix_forms.THEME_KEY_MAX + 1)}
    refused_and_unchanged(lambda: client.post("/fixes/link", data=form), 303)


@pytest.mark.parametrize("ids", [[BIG], [INT_PAST], [0], ["1"]])
def test_api_response_ids_beyond_the_database_are_refused(seeded, ids):
    reply = refused_and_unchanged(lambda: seeded.client.post("/api/v1/fixes", json={"title": "x", "cost": 2,
                                                                                    "response_ids": ids},
                                                             headers=seeded.bearer), 422)
    assert "response_ids" in reply.get_json()["errors"]


@pytest.mark.parametrize("score", ["9" * 5000, "0" * 5000 + "7", "²", str(BIG)])
def test_a_score_of_thousands_of_digits_is_a_wrong_score(seeded, score):
    reply = refused_and_unchanged(lambda: seeded.client.post(f"/s/{seeded.token}", data={"score": score}), 422)
    assert "Choose a score from 0 to 10." in reply.get_data(as_text=True)
    reply = refused_and_unchanged(lambda: seeded.client.post(f"/s/{seeded.token}",
                                                             data={"score": score, "score_only": "1"}), 422)
    assert reply.get_json() == {"saved": False, "errors": {"score": "out_of_range"}}


def test_a_clicked_score_of_thousands_of_digits_preselects_nothing(seeded):
    page = refused_and_unchanged(lambda: seeded.client.get(f"/s/{seeded.token}?score=" + "9" * 5000), 200)
    assert 'data-autosave="1"' not in page.get_data(as_text=True) and "checked" not in page.get_data(as_text=True)


# ---------------------------------------------------------------- dates

@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00",
                                    "1969-12-31T23:59:59Z", "0001-01-01T00:00:00"])
def test_api_times_outside_1970_to_9999_in_utc_are_refused(seeded, moment):
    reply = refused_and_unchanged(lambda: seeded.client.post("/api/v1/feedback", json={"text": "slow",
                                                                                       "answered_at": moment},
                                                             headers=seeded.bearer), 422)
    assert "answered_at" in reply.get_json()["errors"]
    reply = refused_and_unchanged(lambda: seeded.client.get("/api/v1/responses", query_string={"since": moment},
                                                            headers=seeded.bearer), 422)
    assert "since" in reply.get_json()["errors"]


def test_api_times_at_the_edges_are_taken(seeded):
    reply = seeded.client.get("/api/v1/responses", query_string={"since": "1970-01-01T00:00:00+00:00"},
                              headers=seeded.bearer)
    assert reply.status_code == 200 and reply.get_json()["total"] == 1


def test_an_export_since_a_day_that_is_no_day_of_feedback_is_refused(seeded):
    client = seeded.sign_in()
    for since in ("0001-01-01", "1969-12-31", "99999-01-01", "2026-02-30", "\u0661" * 4):
        reply = refused_and_unchanged(partial(client.get, "/triage/export.csv", query_string={"since": since}), 400)
        assert "since" in reply.get_data(as_text=True)


# ---------------------------------------------------------------- CSV import

def import_csv(client, data: bytes):
    return client.post("/customers/import", data={"file": (BytesIO(data), "customers.csv")})


def filler(count: int) -> bytes:
    return "".join(f"person{i}@example.com,Person {i}\n" for i in range(count)).encode()


@pytest.mark.parametrize("bad_line, reason", [
    (b"nul@example.com,Nu\x00l\n", "contains a NUL character"),
    ("latin@example.com,Jos\xe9\n".encode("latin-1"), "is not UTF-8 text"),
    (b"long@example.com," + b"n" * (importing.NAME_MAX + 1) + b"\n", "name is longer than 200 characters"),
])
def test_an_import_keeps_good_lines_and_reports_a_line_past_the_first_4_kb(seeded, bad_line, reason):
    # Once: PostgreSQL refused the NUL and failed the whole import; SQLite stored the over-long name.
    client = seeded.sign_in()
    good = filler(300)
    assert len(good) > importing.SNIFF
    page = import_csv(client, b"email,name\n" + good + bad_line + b"last@example.com,Last\n")
    assert page.status_code == 200
    assert f"Line 302: {reason}" in page.get_data(as_text=True).replace("&#39;", "'")
    emails = set(db.session.scalars(select(Customer.email)))
    assert "person299@example.com" in emails and "last@example.com" in emails
    assert not {"nul@example.com", "latin@example.com", "long@example.com"} & emails


def test_a_binary_file_is_refused_whole(seeded):
    client = seeded.sign_in()
    refused_and_unchanged(lambda: import_csv(client, b"PK\x03\x04\x14\x00\x06\x00" + filler(10)), 302)
    assert "binary file" in client.get("/customers").get_data(as_text=True)


def test_import_limits_are_the_columns_lengths():
    assert importing.EMAIL_MAX == Customer.__table__.c.email.type.length
    assert importing.NAME_MAX == Customer.__table__.c.name.type.length
    assert fix_forms.THEME_KEY_MAX == Fix.__table__.c.theme_key.type.length
    assert common.TYPE_KEY_MAX == Fix.__table__.c.type_key.type.length
    assert common.CHANNEL_MAX == Response.__table__.c.channel.type.length


def test_every_api_text_field_has_a_bounded_length():
    """What the API stores is never longer than its column (PostgreSQL refuses, SQLite keeps it)."""
    unbounded = [f"{schema.__name__}.{name}" for schema in (feedback.FeedbackIn, responses.ResponsesQuery,
                                                            responses.CorrectionIn, fix_schemas.FixIn, fix_schemas.FixPatch,
                                                            fix_schemas.FixesQuery, activity.ActivityIn,
                                                            activity.ActivityItem)
                 for name, field in schema._declared_fields.items()
                 if isinstance(field, ma.fields.String) and not any(
                     isinstance(rule, (validate.Length, validate.OneOf)) for rule in field.validators)]
    assert unbounded == []


def test_every_text_field_of_every_form_has_a_bounded_length():
    """As the API's: a form's text never reaches a column longer than the column (or its own check)."""
    from flask_wtf import FlaskForm
    from wtforms import StringField
    from wtforms.fields.core import UnboundField
    from wtforms.validators import AnyOf, Length

    from feedback_app import create_app
    create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True})  # imports every view and its forms

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    unbounded = []
    for form in subclasses(FlaskForm):
        for name in dir(form):
            field = getattr(form, name, None)
            if isinstance(field, UnboundField) and issubclass(field.field_class, StringField):
                validators = field.kwargs.get("validators") or (field.args[1] if len(field.args) > 1 else [])
                if not any(isinstance(rule, (Length, AnyOf)) for rule in validators) \
                        and not hasattr(form, f"validate_{name}"):
                    unbounded.append(f"{form.__name__}.{name}")
    assert unbounded == []


# ---------------------------------------------------------------- bodies

@pytest.mark.parametrize("body", [b"[" * 5000, b'{"text": ' + b"9" * 5000 + b"}", b"{"])
def test_api_bodies_python_cannot_read_are_refused(seeded, body):
    reply = refused_and_unchanged(lambda: seeded.client.post("/api/v1/feedback", data=body,
                                                             content_type="application/json",
                                                             headers=seeded.bearer), 400)
    assert reply.get_json()["code"] == 400


@pytest.mark.parametrize("body", [b"NaN", b"[]", b'{"cost": Infinity}', b'{"title": ["a"], "cost": {"x": 1}}'])
def test_team_forms_refuse_json_bodies(seeded, body):
    # Flask-WTF reads a JSON body as form data: its fields then got lists, numbers and objects (a 500).
    client = seeded.sign_in()
    refused_and_unchanged(lambda: client.post(f"/fixes/{seeded.fix_id}/edit", data=body,
                                              content_type="application/json"), 415)


def test_retraining_from_the_web_survives_nasty_input(seeded):
    """The fuzz test leaves this one out (a second per request); its input is a confirm form only."""
    client = seeded.sign_in()
    refused_and_unchanged(lambda: client.post("/triage/models/train?page=%00"), 400)
    assert client.post("/triage/models/train", data={"csrf_token": "x" * 100_000}).status_code == 303
