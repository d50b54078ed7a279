"""Builds (once) and caches the scale benchmark's databases: the app's schema from its migrations, then
bulk rows from bench/scale_data.py and bench/scale_fixes.py.

The schema, the users' password hash and the classifier model come from the app itself (`feedback
init-db`, i.e. flask_migrate.upgrade, and triage.classification.learning.train on the small test corpus); the rest is
written straight through the driver, bypassing the ORM: executemany on SQLite (journal and syncing
off while the cache file is built, WAL as the app sets it afterwards), COPY on PostgreSQL (then the
sequences moved past the ids written, VACUUM ANALYZE). A database is built under a temporary name and
renamed when complete, so a failed or interrupted build never leaves a cache that looks usable.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Callable, Iterable

from scale_data import ADMIN_PASSWORD, COLUMNS, Sizes, World
from scale_fixes import build_fixes

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
CACHE = BENCH / "results" / "scale"
SMALL_CORPUS = ROOT / "tests" / "support" / "corpus"
DATA_VERSION = 2  # raise when the rows the builder writes change: older caches are then not used
Write = Callable[[str, Iterable[tuple]], int]


def say(message: str = "") -> None:
    print(message, flush=True)


def head_revision() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(ROOT / "feedback_app" / "migrations"))
    return ScriptDirectory.from_config(config).get_current_head()


def cache_name(sizes: Sizes) -> str:
    """Derived from everything that shapes the data and from the schema, so a stale cache is never used.
    Short enough for PostgreSQL (63 bytes, with "_building" added while it is built): the sizes and the
    head revision readable, the rest (fixes, links, seed, builder version, whole head) as a hash."""
    head = head_revision()
    rest = hashlib.sha1(f"{sizes.fixes}:{sizes.linked}:{sizes.seed}:{DATA_VERSION}:{head}".encode()).hexdigest()[:6]
    name = f"scale_r{sizes.responses}_c{sizes.customers}_i{sizes.invitations}_{head[:14]}_{rest}".lower()
    return re.sub(r"[^a-z0-9_]", "_", name)


# ------------------------------------------------------------------ where a database lives

@dataclass
class SQLiteTarget:
    path: Path
    kind: str = "sqlite"

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"

    def _building(self) -> Path:
        return self.path.with_name(self.path.name + ".building")

    def exists(self) -> bool:
        return self.path.exists()

    def create_building(self) -> str:
        self.discard()
        return f"sqlite:///{self._building()}"

    def writer(self) -> "SQLiteWriter":
        return SQLiteWriter(self._building())

    def finish(self) -> None:
        os.replace(self._building(), self.path)

    def discard(self) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self._building()}{suffix}").unlink(missing_ok=True)

    def remove(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def size_bytes(self) -> int:
        return self.path.stat().st_size


@dataclass
class PostgresTarget:
    server_url: str   # postgresql+psycopg://user@host:port/dbname of any database on the server
    name: str
    kind: str = "postgresql"

    def _url(self, name: str) -> str:
        return self.server_url.rsplit("/", 1)[0] + f"/{name}"

    @property
    def url(self) -> str:
        return self._url(self.name)

    def _admin(self, sql: str, *params):
        import psycopg

        plain = self.server_url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(plain, autocommit=True) as connection:
            return connection.execute(sql, params).fetchall() if params else connection.execute(sql)

    def exists(self) -> bool:
        return bool(self._admin("SELECT 1 FROM pg_database WHERE datname = %s", self.name))

    def create_building(self) -> str:
        if len(f"{self.name}_building") > 63:  # PostgreSQL would cut it, and might cut it to the final name
            raise SystemExit(f"database name too long for PostgreSQL: {self.name}")
        self.discard()
        self._admin(f'CREATE DATABASE "{self.name}_building"')
        return self._url(f"{self.name}_building")

    def writer(self) -> "PostgresWriter":
        return PostgresWriter(self._url(f"{self.name}_building"))

    def finish(self) -> None:
        self._admin(f'ALTER DATABASE "{self.name}_building" RENAME TO "{self.name}"')

    def discard(self) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}_building" WITH (FORCE)')

    def remove(self) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def size_bytes(self) -> int:
        return self._admin("SELECT pg_database_size(%s)", self.name)[0][0]


# ------------------------------------------------------------------ writing rows fast

def _column_kinds(table: str) -> tuple[list[int], list[int], list[int]]:
    """Indexes of the datetime, JSON and boolean columns of a table, from the app's own models."""
    from sqlalchemy import JSON, Boolean, DateTime

    from feedback_app.core.extensions import db
    columns = db.metadata.tables[table].columns
    kinds = [type(columns[name].type) for name in COLUMNS[table]]
    return ([i for i, k in enumerate(kinds) if issubclass(k, DateTime)],
            [i for i, k in enumerate(kinds) if issubclass(k, JSON)],
            [i for i, k in enumerate(kinds) if issubclass(k, Boolean)])


class SQLiteWriter:
    """executemany in chunks; values stored as SQLAlchemy stores them (ISO text times, JSON text, 0/1)."""

    def __init__(self, path: Path):
        self.connection = sqlite3.connect(path, isolation_level=None)
        for pragma in ("journal_mode = OFF", "synchronous = OFF", "foreign_keys = OFF", "cache_size = -1000000",
                       "temp_store = MEMORY"):
            self.connection.execute(f"PRAGMA {pragma}")

    def write(self, table: str, rows: Iterable[tuple], chunk: int = 50_000) -> int:
        times, jsons, bools = _column_kinds(table)
        columns = COLUMNS[table]
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"

        def stored(row: tuple) -> tuple:
            row = list(row)
            for i in times:
                if row[i] is not None:
                    row[i] = row[i].isoformat(" ", "microseconds")
            for i in jsons:
                row[i] = json.dumps(row[i])
            for i in bools:
                row[i] = int(row[i])
            return row

        written, batch = 0, []
        self.connection.execute("BEGIN")
        for row in rows:
            batch.append(stored(row))
            if len(batch) >= chunk:
                self.connection.executemany(sql, batch)
                written, batch = written + len(batch), []
        self.connection.executemany(sql, batch)
        self.connection.execute("COMMIT")
        return written + len(batch)

    def close(self) -> None:
        # The app's own setting (feedback_app/core/sql.py), kept in the file: WAL.
        self.connection.execute("PRAGMA journal_mode = WAL")
        self.connection.close()


class PostgresWriter:
    """COPY … FROM STDIN per table (text format: JSON goes as its text)."""

    def __init__(self, url: str):
        import psycopg

        self.connection = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))

    def write(self, table: str, rows: Iterable[tuple]) -> int:
        _, jsons, _ = _column_kinds(table)
        written = 0
        with self.connection.cursor() as cursor:
            with cursor.copy(f"COPY {table} ({', '.join(COLUMNS[table])}) FROM STDIN") as copy:
                for row in rows:
                    if jsons:
                        row = list(row)
                        for i in jsons:
                            row[i] = json.dumps(row[i])
                    copy.write_row(row)
                    written += 1
        self.connection.commit()
        return written

    def close(self) -> None:
        with self.connection.cursor() as cursor:
            for table, columns in COLUMNS.items():  # the app's next INSERTs must not reuse our ids
                if "id" in columns:
                    cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                   f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)")
        self.connection.commit()
        self.connection.autocommit = True
        started = time.monotonic()
        self.connection.execute("VACUUM ANALYZE")
        say(f"  VACUUM ANALYZE: {time.monotonic() - started:.1f} s")
        self.connection.close()


# ------------------------------------------------------------------ the build

def build(target, sizes: Sizes) -> dict:
    """Build the database of these sizes at `target` unless it is cached. Returns what the build did."""
    sidecar = CACHE / f"{cache_name(sizes)}.{target.kind}.json"
    if target.exists():
        info = json.loads(sidecar.read_text()) if sidecar.exists() else {}
        return {**info, "cached": True}
    sizes.check()
    say(f"Building {target.kind} database {cache_name(sizes)} …")
    started = time.monotonic()
    try:
        info = _build(target, sizes)
        target.finish()
    except BaseException:
        target.discard()
        raise
    info.update(seconds=round(time.monotonic() - started, 1), bytes=target.size_bytes(), cached=False)
    say(f"Built in {info['seconds']:.0f} s, {info['bytes'] / 2**20:,.0f} MiB")
    sidecar.write_text(json.dumps(info, indent=2))
    return info


def _build(target, sizes: Sizes) -> dict:
    now = datetime.now(UTC).replace(tzinfo=None, hour=0, minute=0, second=0, microsecond=0)
    url = target.create_building()
    model_version, classifier, password_hash = _schema_and_model(url, now)
    world = World(sizes, now, model_version, _themes(classifier), _wording)
    writer = target.writer()
    counts: dict[str, int] = {}

    def write(table: str, rows: Iterable[tuple]) -> None:
        step = time.monotonic()
        counts[table] = counts.get(table, 0) + writer.write(table, rows)
        say(f"  {table}: {counts[table]:,} rows ({time.monotonic() - step:.1f} s)")

    try:
        write("user_account", world.users(password_hash))
        write("customer", world.customers())
        write("survey", world.surveys())
        write("invitation", world.invitations())
        write("outbox_email", world.invitation_emails())
        step = time.monotonic()
        for responses, items in world.answers():
            counts["response"] = counts.get("response", 0) + writer.write("response", responses)
            counts["triage_item"] = counts.get("triage_item", 0) + writer.write("triage_item", items)
        say(f"  response: {counts['response']:,}, triage_item: {counts.get('triage_item', 0):,} rows "
            f"({time.monotonic() - step:.1f} s)")
        write("training_example", world.training_examples())
        fixes = build_fixes(world)
        write("fix", fixes.fixes)
        write("fix_link", fixes.links)
        write("beta_tester", fixes.beta_testers)
        write("outbox_email", fixes.emails)
    finally:
        writer.close()
    _kept_figures(url, now)
    return {"built_at": now.isoformat(), "sizes": sizes.__dict__, "rows": counts, "model_version": model_version,
            "admin": "admin@bench.example"}


def _schema_and_model(url: str, now: datetime):
    """The app's migrations, and its first model trained as `feedback triage train` trains it."""
    from flask_migrate import upgrade
    from werkzeug.security import generate_password_hash

    from feedback_app import create_app
    from feedback_app.core.extensions import db
    from triage.classification import learning

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TRIAGE_CORPUS": str(SMALL_CORPUS)})
    with app.app_context():
        step = time.monotonic()
        upgrade(directory=app.extensions["migrate"].directory)
        outcome = learning.train(now, note="scale benchmark: trained on the small test corpus")
        classifier = learning.active_model()[1]
        db.session.remove()
        db.engine.dispose()
    say(f"  schema (migrations) and model {outcome.version}: {time.monotonic() - step:.1f} s")
    return outcome.version, classifier, generate_password_hash(ADMIN_PASSWORD)


def _kept_figures(url: str, now: datetime) -> None:
    """What an upgrade's `feedback rebuild tallies` and `feedback rebuild fixes` do: the rows above were
    written in bulk, past the app, so the figures its pages read are computed from them once."""
    from sqlalchemy import text

    from feedback_app import create_app
    from feedback_app.core.extensions import db
    from surveys.answering import tallies as score_tallies
    from triage.fixes import evidence
    from triage.fixes import queue as fix_queue
    from triage.loop import reach as loop_reach
    from triage.verbatims import sweep
    from triage.verbatims import tallies as triage_tallies

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TRIAGE_CORPUS": str(SMALL_CORPUS)})
    with app.app_context():
        db.session.execute(text("UPDATE fix_link SET answered_at = (SELECT response.answered_at FROM response "
                                "WHERE response.id = fix_link.response_id)"))
        for name, step in (("score tallies", score_tallies.rebuild), ("loop figure", loop_reach.rebuild),
                           ("triage copies", sweep.refresh_copies), ("triage tallies", triage_tallies.rebuild)):
            started = time.monotonic()
            step()
            db.session.commit()
            say(f"  {name}: {time.monotonic() - started:.1f} s")
        started = time.monotonic()
        settings = fix_queue.settings_from(app.config)
        evidence.rebuild(settings.policy.half_life_days, settings.value_attribute, now)
        db.session.commit()
        say(f"  fix evidence: {time.monotonic() - started:.1f} s")
        if db.engine.dialect.name == "postgresql":
            # The figures above rewrote every answer and record: statistics from before them would have the
            # planner expect no answer times at all (autovacuum would analyse in time; a benchmark is quicker).
            started = time.monotonic()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
            say(f"  VACUUM ANALYZE after the figures: {time.monotonic() - started:.1f} s")
        db.session.remove()
        db.engine.dispose()


def _themes(classifier):
    """The real theme extraction (triage.language.themes) with the model's idf, once per distinct text."""
    from triage.classification.services import _MAX_IDF
    from triage.language.themes import extract_theme

    known: dict[tuple[str, str], tuple[str, str] | None] = {}

    def theme_of(text: str, language: str) -> tuple[str, str] | None:
        if (text, language) not in known:
            theme = extract_theme(text, language, lambda s: classifier.idf.get("w:" + s, _MAX_IDF))
            known[text, language] = (theme.label[:200], f" {' '.join(theme.key)} "[:120]) if theme else None
        return known[text, language]

    return theme_of


def _wording(kind: str, product: str) -> dict:
    from surveys.scales.kinds import KINDS, default_wording

    return default_wording(KINDS[kind], product)
