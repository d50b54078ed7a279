"""Sessions end where they should: sign-out, password changes, "keep me signed in", deactivation, roles.

Two test clients are two browsers. Every check goes through real requests, and no app context is held
open around them: with one open, all requests would share `g`, where Flask-Login keeps the current user,
and one browser's sign-in would leak into the other's requests.
"""
import pytest

from feedback_app.accounts import services

PASSWORD = "long-enough-password"
NEW_PASSWORD = "another-long-password"


@pytest.fixture
def web(app_factory):
    return app_factory()


def run(app, use_case, email, *args):
    """An admin's use case on the user with this email, as the CLI or the admin pages call it."""
    with app.app_context():
        return use_case(services.find_user(email), *args)


def add(app, email, role="viewer"):
    with app.app_context():
        services.create_user(email, PASSWORD, role)


def sign_in(client, email, password=PASSWORD, **extra):
    return client.post("/login", data={"email": email, "password": password, **extra})


def signed_in(client) -> bool:
    reply = client.get("/surveys")
    assert reply.status_code in (200, 302)
    return reply.status_code == 200


def browser_with_cookie(app, name, cookie):
    client = app.test_client()
    client.set_cookie(name, cookie.value)
    return client


def remember_cookie_name(app):
    return app.config.get("REMEMBER_COOKIE_NAME", "remember_token")


def test_signing_out_ends_the_session_in_every_browser_and_a_replayed_cookie(web):
    add(web, "ana@example.com", "triager")
    laptop, phone = web.test_client(), web.test_client()
    sign_in(laptop, "ana@example.com"), sign_in(phone, "ana@example.com")
    assert signed_in(laptop) and signed_in(phone)
    copied = laptop.get_cookie("session")  # e.g. stolen before sign-out: a client-side session stays valid

    assert laptop.post("/logout").status_code == 302
    assert not signed_in(laptop)
    assert not signed_in(phone)
    assert not signed_in(browser_with_cookie(web, "session", copied))
    sign_in(phone, "ana@example.com")
    assert signed_in(phone)  # signing in again works


def test_changing_ones_own_password_keeps_this_browser_and_signs_out_the_others(web):
    add(web, "ana@example.com", "viewer")
    laptop, phone = web.test_client(), web.test_client()
    sign_in(laptop, "ana@example.com"), sign_in(phone, "ana@example.com")

    reply = laptop.post("/account/password", data={"current": PASSWORD, "new": NEW_PASSWORD, "repeat": NEW_PASSWORD})
    assert reply.status_code == 303
    assert "Every other session" in laptop.get(reply.headers["Location"]).get_data(as_text=True)
    assert signed_in(laptop)
    assert not signed_in(phone)
    assert b"do not match" in sign_in(phone, "ana@example.com").data  # the old password is gone
    sign_in(phone, "ana@example.com", NEW_PASSWORD)
    assert signed_in(phone)


def test_a_wrong_current_password_or_a_mismatch_changes_nothing(web):
    add(web, "ana@example.com", "viewer")
    laptop, phone = web.test_client(), web.test_client()
    sign_in(laptop, "ana@example.com"), sign_in(phone, "ana@example.com")

    wrong = laptop.post("/account/password", data={"current": "not-my-password", "new": NEW_PASSWORD,
                                                   "repeat": NEW_PASSWORD})
    assert wrong.status_code == 200 and "That is not your current password." in wrong.get_data(as_text=True)
    differ = laptop.post("/account/password", data={"current": PASSWORD, "new": NEW_PASSWORD, "repeat": "typo"})
    assert "The two passwords differ." in differ.get_data(as_text=True)
    short = laptop.post("/account/password", data={"current": PASSWORD, "new": "short", "repeat": "short"})
    assert 'id="new-error">A password needs at least 8' in short.get_data(as_text=True)
    with web.app_context():
        assert services.find_user("ana@example.com").check_password(PASSWORD)
    assert signed_in(laptop) and signed_in(phone)


def test_keep_me_signed_in_outlives_the_session_until_the_version_is_raised(web):
    add(web, "ana@example.com", "viewer")
    laptop = web.test_client()
    sign_in(laptop, "ana@example.com", remember="y")
    cookie = laptop.get_cookie(remember_cookie_name(web))
    assert cookie is not None
    reopened = browser_with_cookie(web, remember_cookie_name(web), cookie)  # the browser was closed: no session
    assert signed_in(reopened)

    web.test_client().post("/logout")  # someone else's sign-out changes nothing
    assert signed_in(browser_with_cookie(web, remember_cookie_name(web), cookie))
    elsewhere = web.test_client()
    sign_in(elsewhere, "ana@example.com")
    elsewhere.post("/logout")  # Ana signs out elsewhere: every session of hers ends, remembered ones too
    assert not signed_in(reopened)
    assert not signed_in(browser_with_cookie(web, remember_cookie_name(web), cookie))


def test_without_keep_me_signed_in_there_is_no_remember_cookie(web):
    add(web, "ana@example.com", "viewer")
    laptop = web.test_client()
    sign_in(laptop, "ana@example.com")
    assert signed_in(laptop) and laptop.get_cookie(remember_cookie_name(web)) is None


def test_a_password_change_renews_the_remember_cookie_of_the_browser_it_came_from(web):
    add(web, "ana@example.com", "viewer")
    laptop = web.test_client()
    sign_in(laptop, "ana@example.com", remember="y")
    old_cookie = laptop.get_cookie(remember_cookie_name(web))
    laptop.post("/account/password", data={"current": PASSWORD, "new": NEW_PASSWORD, "repeat": NEW_PASSWORD})
    new_cookie = laptop.get_cookie(remember_cookie_name(web))
    assert new_cookie.value != old_cookie.value
    assert signed_in(browser_with_cookie(web, remember_cookie_name(web), new_cookie))
    assert not signed_in(browser_with_cookie(web, remember_cookie_name(web), old_cookie))


def test_deactivation_signs_out_at_once_and_keeps_the_user_out_until_activated(web):
    add(web, "admin@example.com", "admin")
    add(web, "ana@example.com", "triager")
    browser = web.test_client()
    sign_in(browser, "ana@example.com", remember="y")
    remembered = browser.get_cookie(remember_cookie_name(web))

    run(web, services.deactivate_user, "ana@example.com")
    assert not signed_in(browser)
    assert not signed_in(browser_with_cookie(web, remember_cookie_name(web), remembered))
    assert b"do not match" in sign_in(browser, "ana@example.com").data
    assert not signed_in(browser)

    run(web, services.activate_user, "ana@example.com")
    sign_in(browser, "ana@example.com")
    assert signed_in(browser)


def test_a_role_change_applies_on_the_next_request_without_signing_out(web):
    add(web, "admin@example.com", "admin")
    add(web, "ana@example.com", "viewer")
    browser = web.test_client()
    sign_in(browser, "ana@example.com")
    assert browser.get("/surveys/new").status_code == 403

    run(web, services.set_role, "ana@example.com", "triager")
    assert browser.get("/surveys/new").status_code == 200
    assert browser.get("/admin/users").status_code == 403
    run(web, services.set_role, "ana@example.com", "admin")
    assert browser.get("/admin/users").status_code == 200
    run(web, services.set_role, "ana@example.com", "viewer")
    assert browser.get("/surveys/new").status_code == 403 and signed_in(browser)


def test_a_session_from_before_session_versions_is_signed_out(web):
    """Cookies issued before this release hold a bare user id: they must not stay valid forever."""
    add(web, "ana@example.com", "viewer")
    user_id = run(web, lambda user: user.id, "ana@example.com")
    browser = web.test_client()
    with browser.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True
    assert not signed_in(browser)
    with browser.session_transaction() as session:
        session["_user_id"] = f"{user_id}:0"  # the same user and version in today's form is let in
    assert signed_in(browser)
