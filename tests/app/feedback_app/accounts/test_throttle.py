"""Sign-in throttling through real requests: per account, per address, unknown accounts alike, recovery,
clearing on success, pruning, and one password check per attempt whether or not the account exists."""
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from feedback_app.accounts import services, signin, views
from feedback_app.accounts.failures import PRUNE_BATCH
from feedback_app.accounts.models import LoginFailure
from feedback_app.core.extensions import db

PASSWORD = "long-enough-password"
NOW = datetime(2026, 12, 3, 12, 0, 0)
LOCKED = "Too many failed sign-ins for this account or from this address. Try again in"


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(NOW)
    monkeypatch.setattr(views, "utcnow", clock)  # the time source of the sign-in views
    return clock


@pytest.fixture
def web(app_factory, clock):
    # No app context held open around the requests: each gets its own, as in production.
    app = app_factory()
    with app.app_context():
        services.create_user("ana@example.com", PASSWORD, "triager")
    return app


def attempt(client, email, password, address="203.0.113.7"):
    return client.post("/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def signed_in(client) -> bool:
    return client.get("/surveys").status_code == 200


def failures(app, **where) -> int:
    with app.app_context():
        query = select(func.count(LoginFailure.id)).filter_by(**where)
        return db.session.scalar(query)


def seed_failures(app, rows):
    with app.app_context():
        db.session.add_all(LoginFailure(account=account, address=address, failed_at=at) for account, address, at in rows)
        db.session.commit()


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one_then_it_recovers(web, clock):
    browser = web.test_client()
    for _ in range(5):
        assert b"do not match" in attempt(browser, "ana@example.com", "wrong-password").data

    refused = attempt(browser, "ana@example.com", PASSWORD)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "900"
    assert f"{LOCKED} 15 minutes." in refused.get_data(as_text=True)
    assert not signed_in(browser)
    assert failures(web) == 5  # a refused attempt is not a failure: the wait cannot be prolonged

    clock.now = NOW + timedelta(minutes=14, seconds=1)
    assert f"{LOCKED} 1 minute." in attempt(browser, "ana@example.com", PASSWORD).get_data(as_text=True)
    clock.now = NOW + timedelta(minutes=15)
    assert attempt(browser, "ana@example.com", PASSWORD).status_code == 302
    assert signed_in(browser)


def test_an_unknown_account_is_throttled_exactly_like_a_known_one(web):
    known, unknown = web.test_client(), web.test_client()
    for _ in range(5):
        attempt(known, "ana@example.com", "wrong-password", "198.51.100.1")
        attempt(unknown, "nobody@example.com", "wrong-password", "198.51.100.2")
    from_known = attempt(known, "ana@example.com", "wrong-password", "198.51.100.1")
    from_unknown = attempt(unknown, "nobody@example.com", "wrong-password", "198.51.100.2")
    assert from_known.status_code == from_unknown.status_code == 429
    assert from_known.headers["Retry-After"] == from_unknown.headers["Retry-After"]
    assert from_known.get_data() == from_unknown.get_data().replace(b"nobody@", b"ana@")


def test_the_account_is_counted_across_addresses_and_spellings(web):
    for number, spelling in enumerate(["ana@example.com", "ANA@example.com", " Ana@Example.com ", "ana@example.com"]):
        attempt(web.test_client(), spelling, "wrong-password", f"198.51.100.{number}")
    attempt(web.test_client(), "ana@example.com", "wrong-password", "198.51.100.9")
    assert attempt(web.test_client(), "ana@example.com", PASSWORD, "198.51.100.10").status_code == 429


def test_one_address_is_throttled_across_accounts(web):
    # Nineteen failures from one address, each for a different account (none of them locked by itself) …
    seed_failures(web, [(f"user{n}@example.com", "203.0.113.7", NOW - timedelta(minutes=1)) for n in range(19)])
    # … and the twentieth through a real request.
    assert b"do not match" in attempt(web.test_client(), "someone@example.com", "guess-password").data
    refused = attempt(web.test_client(), "ana@example.com", PASSWORD)
    assert refused.status_code == 429 and LOCKED in refused.get_data(as_text=True)
    assert attempt(web.test_client(), "ana@example.com", PASSWORD, address="192.0.2.55").status_code == 302


def test_a_successful_sign_in_clears_the_accounts_failures_only(web):
    browser = web.test_client()
    for _ in range(4):
        attempt(browser, "ana@example.com", "wrong-password")
    attempt(browser, "ghost@example.com", "wrong-password")
    assert attempt(browser, "ana@example.com", PASSWORD).status_code == 302
    assert failures(web, account="ana@example.com") == 0
    assert failures(web, account="ghost@example.com") == 1  # the address's other failures still count

    browser.post("/logout")
    for _ in range(4):  # four more: the count started afresh, so the right password still works
        attempt(browser, "ana@example.com", "wrong-password")
    assert attempt(browser, "ana@example.com", PASSWORD).status_code == 302


def test_expired_failures_are_pruned_so_the_table_stays_small(web):
    old = NOW - timedelta(days=2)
    seed_failures(web, [(f"gone{n}@example.com", f"192.0.2.{n}", old) for n in range(PRUNE_BATCH + 5)])
    seed_failures(web, [("recent@example.com", "192.0.2.200", NOW - timedelta(minutes=3))])
    attempt(web.test_client(), "x@example.com", "wrong-password")
    assert failures(web) == 5 + 1 + 1  # the oldest batch went; the recent failure and the new one stay
    attempt(web.test_client(), "x@example.com", "wrong-password")
    assert failures(web) == 1 + 2
    assert failures(web, account="recent@example.com") == 1


def test_every_attempt_checks_exactly_one_password_hash_and_a_throttled_one_none(web, monkeypatch):
    calls = []
    real_check = signin.check_password_hash

    def spy(pwhash, password):
        calls.append(pwhash)
        return real_check(pwhash, password)

    monkeypatch.setattr(signin, "check_password_hash", spy)
    with web.app_context():
        services.create_user("gone@example.com", PASSWORD, "viewer")
        services.deactivate_user(services.find_user("gone@example.com"))
        real_hash = services.find_user("ana@example.com").password_hash

    cases = [("ana@example.com", "wrong-password"), ("ana@example.com", PASSWORD),
             ("nobody@example.com", PASSWORD), ("gone@example.com", PASSWORD)]
    checked = {}
    for number, (email, password) in enumerate(cases):
        calls.clear()
        attempt(web.test_client(), email, password, f"192.0.2.{number}")
        assert len(calls) == 1, email
        checked[email] = calls[0]
    # The hash checked for an unknown account is made with the same method and cost as real ones.
    assert checked["nobody@example.com"] != real_hash
    assert checked["nobody@example.com"].split("$")[0] == real_hash.split("$")[0]  # e.g. scrypt:32768:8:1

    for _ in range(5):
        attempt(web.test_client(), "nobody@example.com", "wrong-password")
    calls.clear()
    assert attempt(web.test_client(), "nobody@example.com", PASSWORD).status_code == 429
    assert calls == []


def test_guessing_the_current_password_on_the_password_page_is_throttled_too(web):
    browser = web.test_client()
    attempt(browser, "ana@example.com", PASSWORD)
    wrong = {"current": "a-guess-here", "new": "a-new-password", "repeat": "a-new-password"}
    for _ in range(5):
        assert b"That is not your current password." in browser.post("/account/password", data=wrong).data
    right = dict(wrong, current=PASSWORD)
    refused = browser.post("/account/password", data=right)
    assert refused.status_code == 429 and LOCKED in refused.get_data(as_text=True)
    with web.app_context():
        assert services.find_user("ana@example.com").check_password(PASSWORD)
