"""The bare-driver comparison endpoint for bench/survey_post.py (bench/bare_sqla_app.py is the other).

A minimal Flask app with one POST endpoint that reads the same three form fields as the survey
POST, validates them the same way (score a whole number in the NPS range, comment at most 5,000
characters, may_contact a checkbox), INSERTs one row into a table of the same shape as `response`
in the same kind of database, and answers 303. Nothing else: no token, no lookup, no session, no
extension, no ORM — the database driver (sqlite3 or psycopg) is used directly, one connection per
worker process, one transaction per request.

It deliberately imports nothing from the project, so that a slower survey POST can never slow the
yardstick down with it.

Run by the benchmark as `gunicorn --pythonpath bench 'bare_app:create_app()'` with
BARE_DATABASE_URL=sqlite:////path/bare.db or postgresql://user@127.0.0.1:5432/db.
"""
from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime

from flask import Flask, redirect, request

MAX_COMMENT = 5000
LOW, HIGH = 0, 10  # NPS
SURVEY_ID = 1

# The columns, types, keys and index of the app's `response` table (migration 0001), without the
# foreign keys: the bare app has no invitations or surveys for them to point at.
SCHEMA = {
    "sqlite": [
        """CREATE TABLE response (
            id INTEGER NOT NULL PRIMARY KEY,
            invitation_id INTEGER NOT NULL,
            survey_id INTEGER NOT NULL,
            score INTEGER,
            comment TEXT NOT NULL,
            may_contact BOOLEAN NOT NULL,
            consent_at DATETIME,
            locale VARCHAR(8) NOT NULL,
            answered_at DATETIME NOT NULL,
            updated_at DATETIME NOT NULL,
            CONSTRAINT uq_response_invitation_id UNIQUE (invitation_id))""",
        "CREATE INDEX ix_response_survey_id ON response (survey_id)",
    ],
    "postgresql": [
        """CREATE TABLE response (
            id SERIAL NOT NULL PRIMARY KEY,
            invitation_id INTEGER NOT NULL,
            survey_id INTEGER NOT NULL,
            score INTEGER,
            comment TEXT NOT NULL,
            may_contact BOOLEAN NOT NULL,
            consent_at TIMESTAMP WITHOUT TIME ZONE,
            locale VARCHAR(8) NOT NULL,
            answered_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
            updated_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
            CONSTRAINT uq_response_invitation_id UNIQUE (invitation_id))""",
        "CREATE INDEX ix_response_survey_id ON response (survey_id)",
    ],
}

INSERT = ("INSERT INTO response (invitation_id, survey_id, score, comment, may_contact, consent_at, locale,"
          " answered_at, updated_at) VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p})")


def dialect(url: str) -> str:
    if url.startswith("sqlite:///"):
        return "sqlite"
    if url.split("://", 1)[0] in ("postgresql", "postgres", "postgresql+psycopg"):
        return "postgresql"
    raise ValueError(f"BARE_DATABASE_URL must be sqlite:///PATH or postgresql://…, not {url!r}")


def connect(url: str):
    """A DB-API connection with the driver's defaults (the same defaults the app's engine gets)."""
    if dialect(url) == "sqlite":
        return sqlite3.connect(url[len("sqlite:///"):], timeout=5.0)
    import psycopg

    return psycopg.connect("postgresql://" + url.split("://", 1)[1])


def create_schema(url: str) -> None:
    connection = connect(url)
    try:
        for statement in SCHEMA[dialect(url)]:
            connection.execute(statement)
        connection.commit()
        if dialect(url) == "sqlite":
            # The app's own journal (feedback_app.core.sql sets it on every connection); it stays in the
            # file, so both bare endpoints commit as the app does. With SQLite's default rollback journal
            # a commit costs more, and the app looked faster than the raw driver on some runs.
            connection.execute("PRAGMA journal_mode = WAL")
    finally:
        connection.close()


def _score(raw: str) -> tuple[int | None, bool]:
    """(score, valid): blank is no score; otherwise ASCII digits within the scale."""
    raw = raw.strip()
    if raw == "":
        return None, True
    if not raw.isascii() or not raw.isdigit() or not LOW <= int(raw) <= HIGH:
        return None, False
    return int(raw), True


def validated(form) -> tuple[int | None, str, bool] | None:
    """(score, comment, may_contact), or None: the survey POST's rules, shared by both bare variants."""
    score, valid = _score(form.get("score", ""))
    comment = form.get("comment", "").replace("\r\n", "\n")
    if not valid or len(comment) > MAX_COMMENT or (score is None and not comment.strip()):
        return None
    return score, comment, form.get("may_contact") in ("1", "on", "true", "yes")


def create_app() -> Flask:
    url = os.environ["BARE_DATABASE_URL"]
    sqlite = dialect(url) == "sqlite"
    insert = INSERT.format(p="?" if sqlite else "%s")
    # SQLite has no date type: store the text SQLAlchemy stores for a DateTime there.
    stamp = (lambda moment: moment.isoformat(" ", "microseconds")) if sqlite else (lambda moment: moment)
    app = Flask(__name__)
    state = {"connection": None}  # opened on first use, inside the worker process

    def connection():
        if state["connection"] is None:
            state["connection"] = connect(url)
        return state["connection"]

    @app.post("/a/<int:answer_id>")
    def answer(answer_id: int):
        answer = validated(request.form)
        if answer is None:
            return "invalid answer\n", 422
        score, comment, may_contact = answer
        now = stamp(datetime.now(UTC).replace(tzinfo=None))
        db = connection()
        try:
            db.execute(insert, (answer_id, SURVEY_ID, score, comment, may_contact,
                                now if may_contact else None, "en", now, now))
            db.commit()
        except Exception:
            db.rollback()
            raise
        return redirect(f"/a/{answer_id}/thanks", 303)

    return app
