import io

import pytest
from sqlalchemy import func, select

from feedback_app.accounts.services import create_user
from feedback_app.core.extensions import db
from surveys.models import Customer, Invitation, Survey
from tests.support.factories import sent_survey, survey_path

TEAM_PAGES = ["/", "/surveys", "/surveys/new", "/customers", "/admin/outbox"]


def login(client, email, password="long-enough-password"):
    return client.post("/login", data={"email": email, "password": password})


@pytest.fixture
def admin(app):
    return create_user("admin@example.com", "long-enough-password", "admin")


@pytest.mark.parametrize("page", TEAM_PAGES)
def test_team_pages_require_login(client, page):
    reply = client.get(page)
    assert reply.status_code == 302 and "/login" in reply.headers["Location"]


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(app, client, admin):
    reply = login(client, "admin@example.com", "wrong-password")
    assert b"do not match" in reply.data
    assert client.get("/surveys").status_code == 302


def test_viewer_can_read_but_not_send_or_manage(app, client):
    create_user("viewer@example.com", "long-enough-password", "viewer")
    survey, _ = sent_survey(app)
    login(client, "viewer@example.com")
    assert client.get(f"/surveys/{survey.id}").status_code == 200
    assert client.post(f"/surveys/{survey.id}/send").status_code == 403
    assert client.get(f"/surveys/{survey.id}/send").status_code == 403
    assert client.get("/surveys/new").status_code == 403
    assert client.get("/admin/outbox").status_code == 403


def test_login_redirect_only_to_this_site(app, client, admin):
    reply = client.post("/login?next=https://evil.example/x", data={"email": "admin@example.com",
                                                                   "password": "long-enough-password"})
    assert reply.headers["Location"] == "/"


def test_forms_need_a_csrf_token(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        create_user("admin@example.com", "long-enough-password", "admin")
        client = app.test_client()
        assert login(client, "admin@example.com").status_code == 400
        survey, (invitation,) = sent_survey(app)
        # The survey page itself needs no cookie: its signed token is the credential.
        assert client.post(survey_path(app, invitation), data={"score": "8"}).status_code == 303


def test_every_team_form_is_refused_without_its_csrf_token_even_when_logged_in(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        create_user("admin@example.com", "long-enough-password", "admin")
        survey, _ = sent_survey(app)
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        reply = client.post("/login", data={"email": "admin@example.com", "password": "long-enough-password",
                                            "csrf_token": token})
        assert reply.status_code == 302
        for path in (f"/surveys/{survey.id}/close", "/triage/models/train", "/admin/outbox/1/retry", "/logout"):
            assert client.post(path).status_code == 400, path
        assert db.session.get(Survey, survey.id).closed_at is None
        assert client.get("/surveys").status_code == 200  # still logged in: /logout was refused too


def test_create_a_survey_then_edit_its_wording_and_send_it_from_the_ui(app, client, admin):
    login(client, "admin@example.com")
    client.post("/customers/import", data={"file": (io.BytesIO(b"email,name,locale\na@example.com,A,en\nbad,B,en\n"),
                                                    "customers.csv")}, content_type="multipart/form-data")
    reply = client.post("/surveys/new", data={"kind": "csat", "name": "Support", "product": "Acme",
                                              "subject_en": "our support", "subject_ar": "دعمنا الفني",
                                              "subject_fa": "پشتیبانی ما"})
    survey = db.session.scalar(select(Survey))
    assert reply.headers["Location"].endswith(f"/surveys/{survey.id}/wording")
    assert survey.wording["en"]["question"] == "How satisfied are you with our support?"
    form = {f"{part}_{locale}": survey.wording[locale][part] for locale in ("en", "ar", "fa")
            for part in ("question", "reason")}
    form["question_en"] = "How happy are you with our support team?"
    client.post(f"/surveys/{survey.id}/wording", data=form)
    db.session.expire_all()
    assert db.session.get(Survey, survey.id).wording["en"]["question"] == "How happy are you with our support team?"
    assert f'href="/surveys/{survey.id}/send"' in client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    confirm = client.get(f"/surveys/{survey.id}/send").get_data(as_text=True)  # who would get it, nothing sent
    assert "1 customer will get an email" in confirm and db.session.scalar(select(func.count(Invitation.id))) == 0
    client.post(f"/surveys/{survey.id}/send")
    page = client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert "1 invited" in page
    assert "Everyone eligible has been invited." in client.get(f"/surveys/{survey.id}/send").get_data(as_text=True)


def test_ui_import_reports_broken_rows_with_line_numbers(app, client, admin):
    login(client, "admin@example.com")
    data = b"email,name,plan\nok@example.com,Ok,team\nnope,No,free\n"
    page = client.post("/customers/import", data={"file": (io.BytesIO(data), "c.csv")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "1 added" in page and "Line 3" in page
    assert db.session.scalar(select(Customer.attributes).where(Customer.email == "ok@example.com")) == {"plan": "team"}
    refused = client.post("/customers/import", data={"file": (io.BytesIO(b"\xff\xfe\x00b"), "c.csv")},
                          content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)
    assert "cannot be imported" in refused


def test_results_page_shows_score_and_escaped_verbatims(app, client, admin):
    _, (invitation,) = sent_survey(app)
    app.test_client().post(survey_path(app, invitation), data={"score": "10", "comment": "<script>alert(1)</script>"})
    login(client, "admin@example.com")
    page = client.get(f"/surveys/{invitation.survey_id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert 'data-testid="score">100<' in page and "n = 1" in page and "Fewer than 30 answers" in page


def test_outbox_page_shows_each_email_and_its_state(app, client, admin):
    from feedback_app.mail.outbox import OutboxEmail
    sent_survey(app)
    email_id = db.session.scalar(select(OutboxEmail.id))
    login(client, "admin@example.com")
    listing = client.get("/admin/outbox").get_data(as_text=True)
    assert "ana@example.com" in listing and "pending" in listing
    detail = client.get(f"/admin/outbox/{email_id}").get_data(as_text=True)
    assert "survey-invitation:" in detail and "?score=10" in detail
    html = client.get(f"/admin/outbox/{email_id}/html")
    assert html.headers["Content-Security-Policy"].startswith("sandbox") and b"?score=0" in html.data


def test_security_headers_on_every_page(client):
    reply = client.get("/login")
    assert "script-src 'self'" in reply.headers["Content-Security-Policy"]
    assert reply.headers["X-Content-Type-Options"] == "nosniff"


def test_closing_from_the_team_page_stops_answers_at_once(app, client, admin):
    _, (invitation,) = sent_survey(app)
    respondent = app.test_client()
    assert respondent.post(survey_path(app, invitation), data={"score": "8", "score_only": "1"}).status_code == 200
    login(client, "admin@example.com")
    client.post(f"/surveys/{invitation.survey_id}/close")
    assert respondent.post(survey_path(app, invitation), data={"score": "3"}).status_code == 410
