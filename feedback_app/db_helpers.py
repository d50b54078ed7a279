"""Small SQL helpers that differ by database dialect."""
import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.dialects import postgresql, sqlite

from .extensions import db


def insert_ignoring_conflicts(model, values: dict, conflict_columns: list[str]):
    """INSERT … ON CONFLICT DO NOTHING on SQLite and PostgreSQL alike.

    Used where a unique key is the guarantee (one response per invitation, one email per dedupe key):
    the database, not a check-then-insert in Python, decides under concurrency.
    Returns whether the row was inserted. (RETURNING, not rowcount: drivers differ in what rowcount
    says for a skipped conflict.)
    """
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (insert(model).values(**values).on_conflict_do_nothing(index_elements=conflict_columns)
                 .returning(*model.__table__.primary_key.columns))
    return db.session.execute(statement).first() is not None


@event.listens_for(Engine, "connect")
def _sqlite_enforces_foreign_keys(dbapi_connection, _record):
    """SQLite checks foreign keys only when asked, per connection; PostgreSQL always does.

    The survey POST inserts the response straight from its signed link, and relies on the database
    to refuse a response to an invitation that no longer exists.
    """
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()
