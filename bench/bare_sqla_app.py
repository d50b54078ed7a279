"""The Flask-SQLAlchemy comparison endpoint for bench/survey_post.py: "one validated insert", the
idiomatic way on the app's own stack.

A minimal Flask app with Flask-SQLAlchemy, configured as the app configures its engine: no engine
options on SQLite, `pool_pre_ping=True` on PostgreSQL (feedback_app/__init__.py:create_app). One POST
endpoint reads the same three form fields as the survey POST and validates them the same way (the
rules of bench/bare_app.py: score a whole number in the NPS range, comment at most 5,000 characters,
may_contact a checkbox), executes ONE Core INSERT into a table of the same shape as `response`
through `db.session`, commits, and answers 303. No token, no lookup, no other extension, no ORM
model: a Core `Table` on the extension's metadata, the statement built once at import and executed
with a dict of parameters, the usual Flask-SQLAlchemy request cycle around it (scoped session,
`db.session.commit()`, the extension's teardown removing the session).

It imports nothing from the project (only bench/bare_app.py, for the validation rules and the DDL,
so both bare variants validate and store exactly alike).

Run by the benchmark as `gunicorn --pythonpath bench 'bare_sqla_app:create_app()'` with
BARE_DATABASE_URL=sqlite:////path/bare.db or postgresql+psycopg://user@127.0.0.1:5432/db.
"""
from __future__ import annotations

import os
from datetime import UTC, datetime

from bare_app import SURVEY_ID, validated
from flask import Flask, redirect, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Boolean, Column, DateTime, Integer, String, Table, Text, insert

db = SQLAlchemy()

# The columns the INSERT writes, typed as the app's Response model types them (so SQLAlchemy binds
# the datetimes and the boolean exactly as it does for the app). The table itself is created with
# bench/bare_app.py's DDL: the same shape as the app's `response`, without foreign keys.
response = Table(
    "response", db.metadata,
    Column("id", Integer, primary_key=True),
    Column("invitation_id", Integer, nullable=False, unique=True),
    Column("survey_id", Integer, nullable=False, index=True),
    Column("score", Integer),
    Column("comment", Text, nullable=False),
    Column("may_contact", Boolean, nullable=False),
    Column("consent_at", DateTime),
    Column("locale", String(8), nullable=False),
    Column("answered_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)
INSERT = insert(response)


def sqlalchemy_url(url: str) -> str:
    """The SQLAlchemy URL: psycopg 3 for PostgreSQL, as the app uses."""
    scheme, rest = url.split("://", 1)
    return f"postgresql+psycopg://{rest}" if scheme in ("postgresql", "postgres") else url


def create_app() -> Flask:
    url = sqlalchemy_url(os.environ["BARE_DATABASE_URL"])
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    if url.startswith("postgresql"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True}  # as the app
    db.init_app(app)

    @app.post("/a/<int:answer_id>")
    def answer(answer_id: int):
        answer = validated(request.form)
        if answer is None:
            return "invalid answer\n", 422
        score, comment, may_contact = answer
        now = datetime.now(UTC).replace(tzinfo=None)
        db.session.execute(INSERT, {
            "invitation_id": answer_id, "survey_id": SURVEY_ID, "score": score, "comment": comment,
            "may_contact": may_contact, "consent_at": now if may_contact else None, "locale": "en",
            "answered_at": now, "updated_at": now})
        db.session.commit()
        return redirect(f"/a/{answer_id}/thanks", 303)

    return app
