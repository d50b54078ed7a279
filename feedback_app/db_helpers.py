"""Small SQL helpers: what differs by database dialect, and what every dialect limits."""
import sqlite3
from typing import Iterator, Sequence, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.dialects import postgresql, sqlite

from .extensions import db

T = TypeVar("T")
IN_LIST_MAX = 10_000  # PostgreSQL takes at most 65,535 parameters a statement; this SQLite build 250,000


def slices(values: Sequence[T], size: int = IN_LIST_MAX) -> Iterator[Sequence[T]]:
    """`values` in pieces small enough for one `IN (…)`: databases cap the parameters of a statement."""
    for start in range(0, len(values), size):
        yield values[start:start + size]


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


def add_to_counters(table, key_columns: Sequence[str], deltas: dict[tuple, int], connection=None) -> None:
    """Add each delta to the count of its key, creating missing rows: one INSERT … ON CONFLICT DO UPDATE
    for all keys, on SQLite and PostgreSQL alike. `table` has the key columns and an integer `count`.

    Counts kept this way are sums over history that a page reads instead of counting every row; the
    conflict clause, not a read-then-write, keeps concurrent writers from losing an increment.
    """
    rows = [{**dict(zip(key_columns, key)), "count": delta} for key, delta in deltas.items() if delta]
    if not rows:
        return
    connection = connection or db.session.connection()
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    statement = insert(table)
    statement = statement.on_conflict_do_update(index_elements=list(key_columns),
                                                set_={"count": table.c.count + statement.excluded["count"]})
    connection.execute(statement, rows)


# How long a statement waits for another connection's write to finish before giving up. A survey POST
# waiting behind an import batch waits milliseconds; this bound only stops a stuck process from
# hanging every request for ever.
SQLITE_BUSY_TIMEOUT_MS = 30_000


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, _record):
    """Per-connection SQLite settings; PostgreSQL needs none of them.

    - foreign_keys: SQLite checks them only when asked. The survey POST inserts the response straight
      from its signed link and relies on the database to refuse an invitation that no longer exists.
    - journal_mode=WAL: readers never block the writer nor the writer the readers, so pages and the
      survey POST go on while an import writes (the rollback journal made them fail with
      "database is locked").
    - busy_timeout: a writer waits its turn instead of failing at once.
    - secure_delete: deleted and overwritten content is zeroed in the file, so an erased customer's
      address and words do not linger in free pages.
    """
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA secure_delete = ON")
        cursor.execute("PRAGMA journal_mode = WAL")  # kept in the file; "memory" for in-memory databases
        cursor.close()


class DriverRead:
    """A SELECT compiled once per engine and run straight on a pooled driver connection, its values
    converted by the selected columns' own types, as SQLAlchemy would.

    For the one read behind every click in an email (surveys.page_shortcut): SQLAlchemy's per-execution
    work (result metadata, context, connection events) cost ~40 µs of the ~70 µs this read took through a
    Connection; what is left is the pool's checkout and the driver. Nothing else should need this.
    """

    def __init__(self, statement):
        self._statement = statement
        self._prepared: dict = {}

    def first(self, engine: Engine, params: dict) -> tuple | None:
        sql, names, converters = self._prepared.get(engine) or self._prepare(engine)
        connection = engine.raw_connection()  # back to the pool on close(), rolled back as engine.connect() does
        try:
            cursor = connection.cursor()
            bound = params if names is None else tuple(params[name] for name in names)
            if engine.dispatch.before_cursor_execute:  # statement counters (tests, benchmarks) see it too;
                # no Connection or execution context exists here, so listeners get None for both
                engine.dispatch.before_cursor_execute(None, cursor, sql, bound, None, False)
            cursor.execute(sql, bound)
            row = cursor.fetchone()
            cursor.close()
        finally:
            connection.close()
        if row is None:
            return None
        return tuple(convert(value) if convert else value for convert, value in zip(converters, row))

    def _prepare(self, engine: Engine) -> tuple:
        dialect = engine.dialect
        compiled = self._statement.compile(dialect=dialect)
        names = list(compiled.positiontup) if compiled.positional else None
        converters = [column.type.dialect_impl(dialect).result_processor(dialect, None)
                      for column in self._statement.selected_columns]
        self._prepared[engine] = prepared = (str(compiled), names, converters)
        return prepared
