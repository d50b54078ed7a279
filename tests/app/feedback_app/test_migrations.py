from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from feedback_app.core.extensions import db


def test_migrations_build_exactly_the_schema_the_models_describe(app):
    # The test database was built by running the migrations; nothing may differ from the models.
    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert diff == []


def test_an_upgrade_keeps_the_rows_of_a_database_in_use(tmp_path):
    """Batch migrations rebuild tables on SQLite; rows other tables point at must survive it."""
    import sqlite3

    from flask_migrate import upgrade

    from tests.conftest import make_app

    url = f"sqlite:///{tmp_path / 'in-use.db'}"
    app = make_app(url)
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory, revision="739963a64e85")  # 0002, triage
    path = tmp_path / "in-use.db"
    with sqlite3.connect(path) as connection:  # an answer a triager labelled, at the older schema
        connection.executescript(
            "INSERT INTO customer (id, email, locale, attributes, created_at, updated_at)"
            " VALUES (1, 'ana@example.com', 'en', '{}', '2026-11-01', '2026-11-01');"
            "INSERT INTO survey (id, kind, name, wording, created_at) VALUES (1, 'nps', 'Q4', '{}', '2026-11-01');"
            "INSERT INTO invitation (id, survey_id, customer_id, sent_at, locale) VALUES (1, 1, 1, '2026-11-01', 'en');"
            "INSERT INTO response (id, invitation_id, survey_id, score, comment, may_contact, locale, answered_at,"
            " updated_at) VALUES (1, 1, 1, 3, 'too slow', 0, 'en', '2026-11-02', '2026-11-02');"
            "INSERT INTO training_example (id, text, label, language, source, response_id, created_at)"
            " VALUES (1, 'too slow', 'reliability', 'en', 'correction', 1, '2026-11-03');")
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        db.engine.dispose()
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT id, comment, invitation_id FROM response").fetchall() == [(1, "too slow", 1)]
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        assert connection.execute("PRAGMA foreign_keys").fetchone() == (0,)  # a new connection: SQLite's default


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_the_upgrade_to_0010_fills_the_loop_figure_as_its_rebuild_does(database, tmp_path, request):
    """The migration computes the figure's people in SQL; the app recomputes them in Python (loop_reach):
    the same weeks, the same people, the same reach — around a week's first moment too."""
    from flask_migrate import upgrade

    from tests.conftest import make_app
    from tests.support.postgres import TemporaryPostgres
    from triage.loop import reach as loop_reach
    from triage.loop.metrics import Reach

    url = (f"sqlite:///{tmp_path / 'loop.db'}" if database == "sqlite" else
           TemporaryPostgres.fresh_database(request.getfixturevalue("postgres_server"), "feedback_loop_upgrade"))
    app = make_app(url)
    with app.app_context():
        directory = app.extensions["migrate"].directory
        upgrade(directory=directory, revision="0009_delivered")
        _loop_rows_at_0009()
        db.session.commit()
        db.session.remove()
        upgrade(directory=directory)
        filled = loop_reach.snapshot()
        assert filled["loop_person"] == {
            "customer:1": Reach(date(2026, 11, 2), date(2026, 10, 26)),  # reached on Sunday, before the week
            "customer:2": Reach(date(2026, 11, 9), date(2026, 11, 9)),   # told of the fix their answer supports
            "customer:3": Reach(date(2026, 11, 9), None),                # the news failed
            "response:5": Reach(date(2026, 11, 9), None)}                # nobody to trace it to
        loop_reach.rebuild()
        assert loop_reach.snapshot() == filled
        db.session.remove()
        db.engine.dispose()


def _loop_rows_at_0009():
    """Answers awaiting a call and what reached them, written as rows of the schema before 0010."""
    from sqlalchemy import insert

    from feedback_app.mail.outbox import OutboxEmail
    from surveys.models import Customer, Invitation, Response, Survey
    from triage.models import FixLink

    at = datetime(2026, 11, 1)
    rows = {
        Customer: [{"id": n, "email": f"c{n}@example.com", "locale": "en", "attributes": {}, "created_at": at,
                    "updated_at": at} for n in (1, 2, 3)],
        Survey: [{"id": 1, "kind": "nps", "name": "Q4", "wording": {}, "created_at": at},
                 {"id": 2, "kind": "csat", "name": "Support", "wording": {}, "created_at": at}],
        Invitation: [{"id": n, "survey_id": survey, "customer_id": customer, "sent_at": at, "locale": "en"}
                     for n, survey, customer in ((1, 1, 1), (2, 1, 2), (3, 1, 3), (4, 2, 1))],
        Response: [_answer(1, 1, 1, 2, datetime(2026, 11, 2) - timedelta(microseconds=1), contacted_at=at),
                   _answer(2, 4, 2, 1, datetime(2026, 11, 2)),
                   _answer(3, 2, 1, 0, datetime(2026, 11, 10)),
                   _answer(4, 3, 1, 3, datetime(2026, 11, 11, 8)),
                   _answer(5, None, None, 1, datetime(2026, 11, 12), channel="chat", kind="csat"),
                   _answer(6, None, None, 9, datetime(2026, 11, 12), channel="chat", kind="nps", customer_id=2,
                           awaits_contact=False)],
        _FIX_AT_0009: [{"id": 1, "title": "Faster", "description": "", "status": "shipped", "cost": 2, "release_note": "Done",
               "created_at": at, "updated_at": at, "shipped_at": at}],
        FixLink: [{"fix_id": 1, "response_id": n, "linked_at": at, "answered_at": at} for n in (3, 4)],
        OutboxEmail: [{"dedupe_key": f"fix-shipped:1:{customer}", "template": "fix_shipped", "locale": "en",
                       "recipient": f"c{customer}@example.com", "subject": "", "body_text": "", "body_html": "",
                       "headers": {}, "status": status, "attempts": 1, "next_attempt_at": at, "created_at": at}
                      for customer, status in ((2, "sent"), (3, "failed"))],
    }
    for model, values in rows.items():
        db.session.execute(insert(getattr(model, "__table__", model)), values)


# The fix table as it was before 0012 (the model has per-language texts since).
_FIX_AT_0009 = sa.table("fix", *(sa.column(name) for name in (
    "id", "title", "description", "status", "cost", "release_note", "created_at", "updated_at", "shipped_at")))


def _answer(row_id, invitation_id, survey_id, score, answered_at, contacted_at=None, **other):
    return {"id": row_id, "invitation_id": invitation_id, "survey_id": survey_id, "score": score,
            "comment": "not good", "may_contact": True, "locale": "en", "answered_at": answered_at,
            "updated_at": answered_at, "contacted_at": contacted_at, "pending": False, "tallied": True,
            "awaits_contact": True, "channel": "survey", "kind": None, "customer_id": None, **other}


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_the_upgrade_to_0012_makes_the_old_title_and_note_english_and_the_downgrade_keeps_the_note(
        database, tmp_path, request):
    from flask_migrate import downgrade, upgrade

    from tests.conftest import make_app
    from tests.support.postgres import TemporaryPostgres
    from triage.models import Fix

    url = (f"sqlite:///{tmp_path / 'news.db'}" if database == "sqlite" else
           TemporaryPostgres.fresh_database(request.getfixturevalue("postgres_server"), "feedback_news_upgrade"))
    app = make_app(url)
    at = datetime(2026, 11, 1)
    with app.app_context():
        directory = app.extensions["migrate"].directory
        upgrade(directory=directory, revision="0011_outbox_status_id")
        db.session.execute(sa.insert(_FIX_AT_0009), [
            {"id": 1, "title": "Faster exports", "description": "", "status": "shipped", "cost": 2,
             "release_note": "  Exports finish.  ", "created_at": at, "updated_at": at, "shipped_at": at},
            {"id": 2, "title": "Dark mode", "description": "", "status": "open", "cost": 1, "release_note": "",
             "created_at": at, "updated_at": at, "shipped_at": None}])
        db.session.commit()
        db.session.remove()
        upgrade(directory=directory)
        rows = db.session.execute(sa.select(Fix.id, Fix.public_titles, Fix.release_notes, Fix.news_fallback)
                                  .order_by(Fix.id)).all()
        assert [tuple(row) for row in rows] == [(1, {"en": "Faster exports"}, {"en": "Exports finish."}, None),
                                                (2, {"en": "Dark mode"}, {}, None)]
        db.session.remove()
        downgrade(directory=directory, revision="0011_outbox_status_id")
        notes = db.session.execute(sa.text("SELECT id, release_note FROM fix ORDER BY id")).all()
        assert [tuple(row) for row in notes] == [(1, "Exports finish."), (2, "")]
        db.session.remove()
        db.engine.dispose()


def _fresh_app(database: str, tmp_path, request, name: str):
    """An app on an empty database of its own (a SQLite file, or a fresh PostgreSQL database)."""
    from tests.conftest import make_app
    from tests.support.postgres import TemporaryPostgres

    return make_app(f"sqlite:///{tmp_path / (name + '.db')}" if database == "sqlite" else
                    TemporaryPostgres.fresh_database(request.getfixturevalue("postgres_server"), f"feedback_{name}"))


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_the_upgrade_to_0014_keeps_theme_groups_unnamed_and_the_downgrade_keeps_them(database, tmp_path, request):
    from flask_migrate import downgrade, upgrade

    app = _fresh_app(database, tmp_path, request, "theme_names")
    with app.app_context():
        directory = app.extensions["migrate"].directory
        upgrade(directory=directory, revision="0013_brand")
        db.session.execute(sa.text("INSERT INTO theme_group (key, label, size) VALUES ('export pdf', 'pdf export slow', 3)"))
        db.session.commit()
        db.session.remove()
        upgrade(directory=directory, revision="0014_theme_names")
        rows = db.session.execute(sa.text("SELECT key, label, size, name FROM theme_group")).all()
        assert [tuple(row) for row in rows] == [("export pdf", "pdf export slow", 3, None)]
        db.session.execute(sa.text("UPDATE theme_group SET name = 'Slow PDF export'"))
        db.session.commit()
        db.session.remove()
        downgrade(directory=directory, revision="0013_brand")
        rows = db.session.execute(sa.text("SELECT key, label, size FROM theme_group")).all()
        assert [tuple(row) for row in rows] == [("export pdf", "pdf export slow", 3)]
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_the_upgrade_to_0026_lists_the_ready_emails_sent_before_as_news_of_their_fix(database, tmp_path, request):
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import insert

    from feedback_app.mail.outbox import OutboxEmail
    from surveys.models import Customer
    from triage.models import BetaTester, Fix, FixNews

    app = _fresh_app(database, tmp_path, request, "beta_ready_told")
    with app.app_context():
        directory = app.extensions["migrate"].directory
        upgrade(directory=directory, revision="0025_thanks_step")
        at = datetime(2026, 11, 1)
        db.session.execute(insert(Customer.__table__), [
            {"id": n, "email": f"c{n}@example.com", "locale": "en", "attributes": {}, "created_at": at,
             "updated_at": at} for n in (1, 2, 3)])
        db.session.execute(insert(Fix.__table__), [
            {"id": n, "title": f"Fix {n}", "description": "", "status": "planned", "cost": 2, "created_at": at,
             "updated_at": at} for n in (1, 2)])
        # Testers: 1 and 2 of fix 1, 2 of fix 2. Customer 3 tests nothing (a key alone names no tester).
        db.session.execute(insert(BetaTester.__table__), [
            {"fix_id": fix, "customer_id": customer, "created_at": at} for fix, customer in ((1, 1), (1, 2), (2, 2))])
        db.session.execute(insert(OutboxEmail.__table__), [
            {"id": email_id, "dedupe_key": key, "template": template, "locale": "en", "recipient": "x@example.com",
             "subject": "", "body_text": "", "body_html": "", "headers": {}, "status": "sent", "attempts": 1,
             "next_attempt_at": at, "created_at": at}
            for email_id, key, template in ((10, "fix-planned:1:1", "fix_planned"),
                                            (11, "fix-beta-ready:1:1", "fix_beta_ready"),
                                            (12, "fix-beta-ready:1:2", "fix_beta_ready"),
                                            (13, "fix-beta-ready:2:2", "fix_beta_ready"),
                                            (14, "fix-beta-ready:1:3", "fix_beta_ready"),
                                            (15, "fix-beta-ready:12:1", "fix_beta_ready"))])
        db.session.execute(insert(FixNews.__table__), [{"fix_id": 1, "email_id": 10}])  # the planned news, as kept
        db.session.commit()
        db.session.remove()
        upgrade(directory=directory)
        told = "SELECT fix_id, email_id FROM fix_news ORDER BY fix_id, email_id"
        # 11 and 12: fix 1's testers; 13: fix 2's; never 14 (no tester) nor 15 (fix 12's key, not fix 1's).
        assert [tuple(row) for row in db.session.execute(sa.text(told))] == [(1, 10), (1, 11), (1, 12), (2, 13)]
        db.session.remove()
        downgrade(directory=directory, revision="0025_thanks_step")
        assert [tuple(row) for row in db.session.execute(sa.text(told))] == [(1, 10)]
        db.session.remove()
        db.engine.dispose()
