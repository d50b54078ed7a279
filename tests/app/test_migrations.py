from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from feedback_app.extensions import db


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
