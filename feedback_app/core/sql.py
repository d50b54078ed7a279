"""Small SQL helpers: what differs by database dialect, and what every dialect limits."""
import sqlite3
from contextlib import contextmanager
from typing import Iterator, Sequence, TypeVar

from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from feedback_app.core.extensions import db

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
    Returns whether the row was inserted. (RETURNING, not rowcount: SQLAlchemy promises rowcount for UPDATE
    and DELETE only. DriverStatement, below the ORM, reads the driver's own rowcount instead.)
    """
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (insert(model).values(**values).on_conflict_do_nothing(index_elements=conflict_columns)
                 .returning(*model.__table__.primary_key.columns))
    return db.session.execute(statement).first() is not None


def insert_rows_ignoring_conflicts(model, rows: list[dict], returning: Sequence[str] = ()) -> list[tuple]:
    """Many rows at once, each skipped when it collides with a unique key — a row stored before, or an earlier
    row of the same call — on SQLite and PostgreSQL alike: `INSERT … ON CONFLICT DO NOTHING RETURNING` compiled
    once and sent as multi-row INSERTs (SQLAlchemy's "insertmanyvalues", within each database's parameter cap).

    No conflict target: a table with several unique keys (an external id, a digest of the row) skips a row that
    collides with any of them. Returns the primary keys of the rows inserted (or the `returning` columns), in no
    particular order.
    """
    if not rows:
        return []
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = model.__table__
    columns = [table.c[name] for name in returning] or list(table.primary_key.columns)
    statement = insert(table).on_conflict_do_nothing().returning(*columns)
    return [tuple(row) for row in db.session.execute(statement, rows)]


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


class DriverStatement:
    """A statement compiled once per engine and run straight on a pooled driver connection, its values
    converted by the columns' own types both ways, as SQLAlchemy would.

    For the two statements behind every click in an email: the survey page's read and the survey POST's
    INSERT (surveys.answering.services). SQLAlchemy's per-execution work (execution context, result metadata,
    connection events) and the session's bookkeeping cost more than the statement itself there: the read
    took ~70 µs through a Connection and ~30 µs this way (docs/benchmarks.md). Nothing else should need it.
    """

    def __init__(self, statement):
        """`statement`, or a function of the dialect's name that builds it (an INSERT … ON CONFLICT)."""
        self._build = statement if callable(statement) else lambda _dialect: statement
        self._prepared: dict = {}

    def first(self, engine: Engine, params: dict) -> tuple | None:
        """The first row of a SELECT, or None."""
        converters = self._prepare(engine)[4]
        with _driver_cursor(engine) as (_, cursor):
            self._execute(engine, cursor, params)
            row = cursor.fetchone()
        if row is None:
            return None
        return tuple(convert(value) if convert else value for convert, value in zip(converters, row))

    def write(self, engine: Engine, params: dict) -> int:
        """Run an INSERT/UPDATE/DELETE in a transaction of its own and commit it: the rows it changed.
        The driver's errors (e.g. its IntegrityError) reach the caller, the transaction rolled back."""
        with _driver_cursor(engine) as (connection, cursor):
            self._execute(engine, cursor, params)
            changed = cursor.rowcount
            connection.commit()
        return changed

    def _execute(self, engine: Engine, cursor, params: dict) -> None:
        sql, positional, binds, defaults, _ = self._prepare(engine)
        values = {**defaults, **params}
        converted = ((name, convert(values[name]) if convert else values[name]) for name, convert in binds)
        bound = tuple(value for _, value in converted) if positional else dict(converted)
        if engine.dispatch.before_cursor_execute:  # statement counters (tests, benchmarks) see it too; no
            # Connection or execution context exists here, so listeners get None for both
            engine.dispatch.before_cursor_execute(None, cursor, sql, bound, None, False)
        cursor.execute(sql, bound)

    def _prepare(self, engine: Engine) -> tuple:
        prepared = self._prepared.get(engine)
        if prepared is None:
            dialect = engine.dialect
            statement = self._build(dialect.name)
            compiled = statement.compile(dialect=dialect)
            names = compiled.positiontup if compiled.positional else list(compiled.binds)  # ? or %(name)s
            binds = [(name, compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect))
                     for name in names]
            # Columns an INSERT fills from the model's scalar defaults (pending=True, …), as SQLAlchemy would.
            defaults = {column.key: column.default.arg for column in getattr(compiled, "insert_prefetch", ())
                        if column.default is not None and column.default.is_scalar}
            converters = [column.type.dialect_impl(dialect).result_processor(dialect, None)
                          for column in getattr(statement, "selected_columns", ())]
            self._prepared[engine] = prepared = (str(compiled), compiled.positional, binds, defaults, converters)
        return prepared


@contextmanager
def _driver_cursor(engine: Engine):
    connection = engine.raw_connection()  # back to the pool on close(), rolled back as engine.connect() does
    try:
        cursor = connection.cursor()
        try:
            yield connection, cursor
        finally:
            cursor.close()
    finally:
        connection.close()
