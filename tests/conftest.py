"""Shared fixtures. App tests run once on SQLite and once on a real PostgreSQL.

PostgreSQL: FEEDBACK_TEST_POSTGRES_URL if set, else a throw-away cluster started from the Debian
binaries. Where PostgreSQL or Chromium is missing the tests that need them are skipped locally and
fail in CI (CI=true), so CI can never pass by skipping.
"""
from __future__ import annotations

import email
import os
import threading
from pathlib import Path

import pytest

os.environ.setdefault("FEEDBACK_SECRET_KEY", "test-secret-key-0123456789")

from tests.support.postgres import TemporaryPostgres, free_port  # noqa: E402

IN_CI = os.environ.get("CI", "").lower() == "true"
# The optional encoder (installed by the test extra) is tested where it is the subject (test_refining, which
# switches it on); elsewhere the suite's schedulers — live servers, `feedback dev` in a subprocess — would spend
# their run embedding the corpus (minutes of CPU), as a new installation's scheduler does once.
os.environ.setdefault("FEEDBACK_ENCODER", "off")
SMALL_CORPUS = Path(__file__).parent / "support" / "corpus"  # written for the tests: trains in a moment


@pytest.fixture(autouse=True, scope="session")
def quick_password_hashes():
    """scrypt costs ~0.1 s a hash, on purpose; the suite makes hundreds. Tests of sign-in behaviour do not
    depend on the cost, and the one that compares the dummy hash with real ones compares methods."""
    from feedback_app.accounts import models
    models.PASSWORD_METHOD = "pbkdf2:sha256:1000"
    yield


def unavailable(reason: str):
    if IN_CI:
        pytest.fail(f"{reason} — CI must run every test", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_server():
    url = os.environ.get("FEEDBACK_TEST_POSTGRES_URL")
    if url:
        yield url
        return
    server = TemporaryPostgres.start()
    if server is None:
        unavailable("PostgreSQL is not installed (apt-get install postgresql)")
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def database_urls(tmp_path_factory):
    """Created lazily: a SQLite-only run never starts PostgreSQL."""
    return {"sqlite": f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"}


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, database_urls):
    if request.param not in database_urls:
        base = request.getfixturevalue("postgres_server")
        database_urls["postgresql"] = TemporaryPostgres.fresh_database(base, "feedback_test")
    url = database_urls[request.param]
    _migrate_once(url)
    return url


_migrated: set[str] = set()


def _migrate_once(url: str) -> None:
    """The schema comes from the real migrations, once per database; tests then empty the tables."""
    if url in _migrated:
        return
    from flask_migrate import upgrade

    from feedback_app import create_app
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
    _migrated.add(url)


def make_app(database_url: str, **overrides):
    from feedback_app import create_app
    config = {"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True, "WTF_CSRF_ENABLED": False,
              "MAIL_TRANSPORT": "memory", "BASE_URL": "http://survey.test", "SERVER_NAME": None,
              "TRIAGE_CORPUS": str(SMALL_CORPUS)}
    config.update(overrides)
    app = create_app(config)
    app.before_request(_forget_the_previous_request)
    return app


def _forget_the_previous_request() -> None:
    """Tests keep one app context open across requests, so `g` outlives a request, as it never does in
    production: Flask-Login caches the signed-in user there (a second test client would act as the first
    one's user), views memoize per-request reads there. Each request starts with an empty `g`."""
    from flask import g
    for name in list(g):
        g.pop(name)


@pytest.fixture
def app_factory(database_url):
    apps = []

    def factory(**overrides):
        app = make_app(database_url, **overrides)
        apps.append(app)
        return app

    yield factory
    if apps:
        _empty_tables(apps[0])


@pytest.fixture
def sqlite_file_app(tmp_path):
    """An app on a SQLite file of its own, made as `feedback init-db` makes it and written as the app writes
    it (write-ahead log, secure_delete): for tests that read the files or share them between processes."""
    from flask_migrate import upgrade

    from feedback_app.core.extensions import db

    app = make_app(f"sqlite:///{tmp_path / 'feedback.db'}")
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(app_factory):
    app = app_factory()
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


def _empty_tables(app) -> None:
    from feedback_app.core.extensions import db
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
        db.engine.dispose()


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives."""
    from aiosmtpd.controller import Controller

    class Inbox:
        def __init__(self):
            self.messages: list[email.message.EmailMessage] = []
            self.envelopes = []
            self.fail_next = 0
            self.lock = threading.Lock()

        async def handle_DATA(self, server, session, envelope):
            with self.lock:
                if self.fail_next:
                    self.fail_next -= 1
                    return "451 4.3.0 Try again later"
                self.envelopes.append(envelope)
                self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
            return "250 OK"

    inbox = Inbox()
    inbox.host, inbox.port = "127.0.0.1", free_port()
    controller = Controller(inbox, hostname=inbox.host, port=inbox.port)
    controller.start()
    yield inbox
    controller.stop()


@pytest.fixture
def smtp_app(app_factory, smtp_server):
    app = app_factory(MAIL_TRANSPORT="smtp", SMTP_HOST=smtp_server.host, SMTP_PORT=smtp_server.port,
                      SMTP_TLS="none", MAIL_FROM="Acme Feedback <feedback@acme.test>")
    with app.app_context():
        yield app
