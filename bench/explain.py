"""Every statement of every team page and API list at 1M answers, through the database's own planner.

    .venv/bin/python bench/explain.py [--db sqlite|postgresql] [--responses 1000000] [--verbose]

Uses the scale benchmark's cached database of that size (bench/scale.py builds it). Signs in as its admin
with Flask's test client, requests each page of bench/scale_pages.PAGES once, records the statements it
sent with their parameters, and asks the planner about each (SQLite: EXPLAIN QUERY PLAN; PostgreSQL:
EXPLAIN, estimates only). A statement is flagged when it reads a whole large table or index:

- SQLite: a `SCAN` step of a table with more than 10,000 rows (a step that searches an index is fine);
- PostgreSQL: a `Seq Scan`, or an index scan with no condition, over more than 10,000 estimated rows.

Prints one line per page — statements, flagged ones and what they scan — and, with --verbose, each plan.
Small tables (users, surveys, fixes, tallies) are read whole on purpose and are not flagged.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from scale_build import CACHE, cache_name  # noqa: E402
from scale_data import ADMIN_EMAIL, ADMIN_PASSWORD, Sizes  # noqa: E402
from scale_pages import PAGES, page_arguments  # noqa: E402
from scale_servers import local_postgres  # noqa: E402

LARGE = 10_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    name = cache_name(Sizes(args.responses, 200_000, 1_200_000))
    if args.db == "sqlite":
        path = CACHE / f"{name}.sqlite"
        if not path.exists():
            raise SystemExit(f"{path} is not built: run bench/scale.py --db sqlite --build-only first")
        report(f"sqlite:///{path}", args.verbose)
    else:
        with local_postgres(CACHE / "postgresql") as server:
            report(f"{server.rsplit('/', 1)[0]}/{name}", args.verbose)


def report(url: str, verbose: bool) -> None:
    from sqlalchemy import event

    from feedback_app import create_app
    from feedback_app.accounts.tokens import create_token
    from feedback_app.core.clock import utcnow
    from feedback_app.core.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False})
    ids = page_arguments(url)
    seen: list[tuple[str, object]] = []
    with app.app_context():
        token = create_token("explain", "admin", utcnow()).plain
        event.listen(db.engine, "before_cursor_execute",
                     lambda _c, _cur, statement, parameters, _ctx, many: seen.append((statement, parameters))
                     if not many else None)
        sizes, partial = _table_sizes(db), _partial_indexes(db)
    client = app.test_client()
    if client.post("/login", data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}).status_code != 302:
        raise SystemExit("could not sign in as the benchmark's admin")
    flagged_pages = 0
    for page in PAGES:
        path = page.path.format(**ids)
        client.get(path, headers={"Authorization": f"Bearer {token}"} if page.api else {})  # warm
        seen.clear()
        status = client.get(path, headers={"Authorization": f"Bearer {token}"} if page.api else {}).status_code
        with app.app_context():
            plans = [(statement, _plan(db, statement, parameters)) for statement, parameters in list(seen)
                     if statement.lstrip().upper().startswith(("SELECT", "WITH"))]
        flagged = [(statement, scans) for statement, plan in plans
                   if (scans := _whole_reads(plan, sizes, " LIMIT " in statement.upper(), partial))]
        flagged_pages += bool(flagged)
        what = "; ".join(sorted({scan for _, scans in flagged for scan in scans})) or "—"
        print(f"{page.label:45s} {status}  {len(seen):3d} statements, {len(flagged)} reading a large table whole: {what}")
        for statement, _ in flagged:
            print("    " + " ".join(statement.split())[:150])
        for statement, plan in plans if verbose else []:
            print("    " + " ".join(statement.split())[:160])
            print("      " + plan.replace("\n", "\n      "))
    print(f"\n{flagged_pages} of {len(PAGES)} pages read a table of more than {LARGE:,} rows whole")


def _partial_indexes(db) -> set[str]:
    """SQLite: indexes with a WHERE clause hold only the rows they name (the sweep's waiting answers, say):
    reading one whole is reading those few rows."""
    from sqlalchemy import text

    if db.engine.dialect.name != "sqlite":
        return set()
    return set(db.session.execute(text("SELECT name FROM sqlite_master WHERE type = 'index' AND sql LIKE '% WHERE %'"))
               .scalars())


def _table_sizes(db) -> dict[str, int]:
    from sqlalchemy import inspect, text

    names = inspect(db.engine).get_table_names()
    return {name: db.session.execute(text(f'SELECT count(*) FROM "{name}"')).scalar() for name in names}


def _plan(db, statement: str, parameters) -> str:
    connection = db.engine.raw_connection()
    try:
        cursor = connection.cursor()
        if db.engine.dialect.name == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
            return "\n".join(row[-1] for row in cursor.fetchall())
        cursor.execute("EXPLAIN (FORMAT JSON) " + statement, parameters)
        return json.dumps(cursor.fetchone()[0])
    finally:
        connection.close()


def _whole_reads(plan: str, sizes: dict[str, int], limited: bool, partial: set[str]) -> list[str]:
    """What the plan reads whole. An index walked in order under a LIMIT (a list's first page) stops early:
    not flagged."""
    if plan.startswith("["):  # PostgreSQL, JSON
        return sorted(_pg_whole_reads(json.loads(plan)[0]["Plan"], False))
    reads = []
    for line in plan.splitlines():
        match = re.match(r"\s*SCAN (\w+)(?: AS \w+)?(.*)$", line)
        if not match or sizes.get(match.group(1), 0) <= LARGE:
            continue
        how = match.group(2).strip()
        if (limited and "INDEX" in how) or any(how.endswith(f"INDEX {name}") for name in partial):
            continue
        reads.append(f"{match.group(1)} ({sizes[match.group(1)]:,} rows{', ' + how if how else ''})")
    return reads


def _pg_whole_reads(node: dict, limited: bool) -> set[str]:
    reads = set()
    kind, rows = node.get("Node Type", ""), node.get("Plan Rows", 0)
    limited = limited or kind == "Limit"
    if kind == "Seq Scan" and rows > LARGE:
        reads.add(f"{node.get('Relation Name')} (Seq Scan, ~{rows:,.0f} rows)")
    if kind in ("Index Scan", "Index Only Scan") and "Index Cond" not in node and rows > LARGE and not limited:
        reads.add(f"{node.get('Relation Name')} (whole {node.get('Index Name')}, ~{rows:,.0f} rows)")
    for child in node.get("Plans", []):
        reads |= _pg_whole_reads(child, limited)
    return reads


if __name__ == "__main__":
    main()
