"""/admin/users: admins add users, change roles, set passwords, deactivate (after a confirmation) and
activate; nobody else may, and every form needs its CSRF token."""
import pytest
from sqlalchemy import select

from feedback_app.accounts import services
from feedback_app.accounts.models import User
from feedback_app.core.extensions import db

PASSWORD = "long-enough-password"


@pytest.fixture
def web(app_factory):
    # No app context held open around the requests (see tests/app/feedback_app/accounts/test_sessions.py).
    app = app_factory()
    with app.app_context():
        services.create_user("lead@example.com", PASSWORD, "admin")
        services.create_user("ana@example.com", PASSWORD, "triager")
    return app


def browser(app, email, password=PASSWORD):
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": password}).status_code == 302
    return client


def signed_in(client) -> bool:
    return client.get("/surveys").status_code == 200


def user(app, email) -> User | None:
    with app.app_context():
        found = db.session.scalar(select(User).where(User.email == email))
        if found is not None:
            db.session.expunge(found)
        return found


def test_only_admins_reach_the_user_pages(web):
    with web.app_context():
        services.create_user("vic@example.com", PASSWORD, "viewer")
    ana_id = user(web, "ana@example.com").id
    posts = {"/admin/users": {"email": "x@example.com", "role": "admin", "password": PASSWORD},
             f"/admin/users/{ana_id}/role": {"role": "admin"},
             f"/admin/users/{ana_id}/password": {"password": "hijacked-password", "repeat": "hijacked-password"},
             f"/admin/users/{ana_id}/deactivate": {}, f"/admin/users/{ana_id}/activate": {}}
    for email in ("vic@example.com", "ana@example.com"):
        client = browser(web, email)
        for path in ("/admin/users", f"/admin/users/{ana_id}", f"/admin/users/{ana_id}/deactivate"):
            assert client.get(path).status_code == 403, (email, path)
        for path, data in posts.items():
            assert client.post(path, data=data).status_code == 403, (email, path)
        assert b'href="/admin/users"' not in client.get("/").data
    ana = user(web, "ana@example.com")
    assert (ana.role, ana.active, ana.session_version) == ("triager", True, 0) and ana.check_password(PASSWORD)
    assert user(web, "x@example.com") is None
    assert web.test_client().get("/admin/users").status_code == 302  # signed out: to the sign-in page


def test_an_admin_adds_a_user_who_can_then_sign_in(web):
    lead = browser(web, "lead@example.com")
    page = lead.get("/admin/users").get_data(as_text=True)
    assert "ana@example.com" in page and "triager" in page and 'href="/admin/users"' in page
    reply = lead.post("/admin/users", data={"email": "New@Example.com", "role": "viewer", "password": "initial-password"})
    assert reply.status_code == 303
    assert "new@example.com can sign in now, as viewer." in lead.get("/admin/users").get_data(as_text=True)
    assert user(web, "new@example.com").role == "viewer"
    assert signed_in(browser(web, "new@example.com", "initial-password"))


BAD_NEW_USERS = [
    ({"email": "ana@example.com", "role": "viewer", "password": "initial-password"}, "a user ana@example.com already exists"),
    ({"email": "new@example.com", "role": "viewer", "password": "short"}, "A password needs at least 8"),
    ({"email": "new@example.com", "role": "owner", "password": "initial-password"}, "Not a valid choice"),
    ({"email": "not-an-address", "role": "viewer", "password": "initial-password"}, "is not an email address"),
]


def test_adding_a_user_with_bad_input_says_why_and_adds_nobody(web):
    lead = browser(web, "lead@example.com")
    for data, message in BAD_NEW_USERS:
        reply = lead.post("/admin/users", data=data)
        assert reply.status_code == 200 and message in reply.get_data(as_text=True), message
    with web.app_context():
        assert len(services.list_users()) == 2


def test_an_admin_changes_a_role(web):
    lead, ana = browser(web, "lead@example.com"), browser(web, "ana@example.com")
    ana_id = user(web, "ana@example.com").id
    assert 'selected value="triager"' in lead.get(f"/admin/users/{ana_id}").get_data(as_text=True)
    reply = lead.post(f"/admin/users/{ana_id}/role", data={"role": "viewer"})
    assert reply.status_code == 303
    assert "ana@example.com is now viewer." in lead.get(reply.headers["Location"]).get_data(as_text=True)
    assert ana.get("/surveys/new").status_code == 403 and signed_in(ana)


def test_an_admin_sets_a_password_which_signs_the_user_out(web):
    lead, ana = browser(web, "lead@example.com"), browser(web, "ana@example.com")
    ana_id = user(web, "ana@example.com").id
    mismatch = lead.post(f"/admin/users/{ana_id}/password", data={"password": "a-new-password", "repeat": "other"})
    assert "The two passwords differ." in mismatch.get_data(as_text=True) and signed_in(ana)
    reply = lead.post(f"/admin/users/{ana_id}/password", data={"password": "a-new-password", "repeat": "a-new-password"})
    assert reply.status_code == 303
    assert not signed_in(ana)
    assert signed_in(browser(web, "ana@example.com", "a-new-password"))
    assert signed_in(lead)


def test_an_admin_setting_their_own_password_here_stays_signed_in(web):
    lead, lead_phone = browser(web, "lead@example.com"), browser(web, "lead@example.com")
    lead_id = user(web, "lead@example.com").id
    lead.post(f"/admin/users/{lead_id}/password", data={"password": "a-new-password", "repeat": "a-new-password"})
    assert signed_in(lead) and not signed_in(lead_phone)


def test_deactivation_asks_first_then_signs_the_user_out_and_activation_lets_them_back(web):
    lead, ana = browser(web, "lead@example.com"), browser(web, "ana@example.com")
    ana_id = user(web, "ana@example.com").id
    question = lead.get(f"/admin/users/{ana_id}/deactivate")
    assert question.status_code == 200 and "Deactivate ana@example.com?" in question.get_data(as_text=True)
    assert user(web, "ana@example.com").active and signed_in(ana)  # asking changed nothing

    assert lead.post(f"/admin/users/{ana_id}/deactivate").status_code == 303
    assert not user(web, "ana@example.com").active and not signed_in(ana)
    assert "deactivated" in lead.get("/admin/users").get_data(as_text=True)
    assert b"do not match" in web.test_client().post("/login", data={"email": "ana@example.com",
                                                                     "password": PASSWORD}).data

    assert lead.post(f"/admin/users/{ana_id}/activate").status_code == 303
    assert signed_in(browser(web, "ana@example.com"))


def test_the_last_admin_cannot_demote_or_deactivate_themselves_here(web):
    lead = browser(web, "lead@example.com")
    lead_id = user(web, "lead@example.com").id
    for path, data in ((f"/admin/users/{lead_id}/role", {"role": "viewer"}), (f"/admin/users/{lead_id}/deactivate", {})):
        page = lead.post(path, data=data, follow_redirects=True).get_data(as_text=True)
        assert "lead@example.com is the last active admin" in page
    lead_now = user(web, "lead@example.com")
    assert (lead_now.role, lead_now.active) == ("admin", True) and signed_in(lead)


def test_an_admin_who_demotes_themselves_lands_on_the_dashboard(web):
    with web.app_context():
        services.set_role(services.find_user("ana@example.com"), "admin")
    lead = browser(web, "lead@example.com")
    reply = lead.post(f"/admin/users/{user(web, 'lead@example.com').id}/role", data={"role": "triager"})
    assert reply.headers["Location"] == "/"
    assert lead.get("/admin/users").status_code == 403 and signed_in(lead)


def test_an_unknown_user_is_404(web):
    lead = browser(web, "lead@example.com")
    assert lead.get("/admin/users/9999").status_code == 404
    assert lead.post("/admin/users/9999/role", data={"role": "viewer"}).status_code == 404


def test_every_account_form_needs_its_csrf_token(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        services.create_user("lead@example.com", PASSWORD, "admin")
        ana = services.create_user("ana@example.com", PASSWORD, "triager")
        ana_id = ana.id
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    assert client.post("/login", data={"email": "lead@example.com", "password": PASSWORD,
                                       "csrf_token": token}).status_code == 302
    forms = {"/admin/users": {"email": "x@example.com", "role": "admin", "password": PASSWORD},
             f"/admin/users/{ana_id}/role": {"role": "admin"},
             f"/admin/users/{ana_id}/password": {"password": "hijacked-password", "repeat": "hijacked-password"},
             f"/admin/users/{ana_id}/deactivate": {}, f"/admin/users/{ana_id}/activate": {},
             "/account/password": {"current": PASSWORD, "new": "hijacked-password", "repeat": "hijacked-password"}}
    for path, data in forms.items():
        assert client.post(path, data=data).status_code == 400, path
    ana_now, lead_now = user(app, "ana@example.com"), user(app, "lead@example.com")
    assert (ana_now.role, ana_now.active, ana_now.session_version) == ("triager", True, 0)
    assert ana_now.check_password(PASSWORD) and lead_now.check_password(PASSWORD)
    assert user(app, "x@example.com") is None
    # With the token from the page, the same form works.
    page = client.get(f"/admin/users/{ana_id}").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    assert client.post(f"/admin/users/{ana_id}/role", data={"role": "viewer", "csrf_token": token}).status_code == 303
    assert user(app, "ana@example.com").role == "viewer"
