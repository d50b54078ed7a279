"""Scale benchmark (issue 10): every team page and API list at 10k / 100k / 1M answers, SQLite and PostgreSQL.

    .venv/bin/python bench/scale.py [--responses 10000,100000,1000000] [--customers 200000]
        [--invitations 1200000] [--db sqlite|postgresql|postgresql://…] [--rebuild] [--write-docs]

Smoke run, end to end on both databases in under a minute (45 s on a quiet machine with the databases
cached, ~55 s building them; without --repeat 1 it takes ~70 s, ~30 s per database):

    .venv/bin/python bench/scale.py --responses 2000 --customers 5000 --invitations 10000 --repeat 1

1. Builds each database once (bench/scale_build.py): the app's schema from its migrations, its first
   model trained on the small test corpus, then bulk rows — customers (en/ar/fa, plan and mrr), six
   surveys, invitations over a year with their sent emails, the answers (scores leaning high, 60 %
   with comments written from bench/scale_comments.py), a triage record per comment (themes by the
   real triage.language.themes, 15 % needing review, a few thousand confirmed, with training examples), 200
   fixes linked to up to 50,000 answers with the news they sent. Cached under bench/results/scale/
   (SQLite files; PostgreSQL databases in a local cluster kept there), named by the sizes and the
   schema's head revision; --rebuild builds again. PostgreSQL: --db postgresql starts that local
   cluster (the test suite's settings), --db URL uses a server of yours (databases created there).
2. Times every page (bench/scale_pages.py): gunicorn with 2 sync workers (--preload), signed in as
   the admin over HTTP (the login form's CSRF token), an API token for the API lists; per page one
   warm-up request, then 5 timed (--repeat), the median wall clock, body size and status. A page
   past --timeout (60 s) is "timeout" and the server is restarted; a 500 is reported as such.
   Then each page once more in-process to count its SQL statements (bench/scale_count.py).
3. Prints a table per database (pages × sizes: median ms, KB, statements), writes the record as JSON
   to bench/results/scale-*.json, and with --write-docs the section of docs/benchmarks.md (from the
   newest record of each database, so the databases may be run separately; --docs-only rewrites it
   without running).
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from contextlib import nullcontext
from datetime import timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

import scale_report as report  # noqa: E402
from scale_build import CACHE, PostgresTarget, SQLiteTarget, build, cache_name, say  # noqa: E402
from scale_data import Sizes  # noqa: E402
from scale_pages import PAGES, count_statements, page_arguments, sign_in, time_page  # noqa: E402
from scale_servers import SECRET_KEY, Gunicorn, end_other_sessions, local_postgres, running  # noqa: E402

METHOD = """\
**Requirement (issue 10).** Every team page and API list answers in under 200 ms (median) with 1,000,000
answers, on SQLite and on PostgreSQL, and grows at most 2× from 10k to 1M. The tables are the code as it is
now; the first run, on the code before any change for it, is kept below them. Times of 200 ms and more
are in bold.

**How.** `bench/scale.py` builds databases of the app's own schema (its migrations) with 200,000
customers (en/ar/fa, `plan` and `mrr` attributes), six surveys (NPS, CSAT, CES), 1,200,000 invitations
over a year with their sent emails in the outbox, and 10k / 100k / 1M answers (scores leaning high,
60 % with a comment in the customer's language, written from ~250 templates), a triage record for
every comment (types, confidence, themes by `triage.language.themes` itself, 15 % needing review, a few
thousand confirmed, with their training examples), one model trained on the small test corpus,
200 fixes (statuses, costs, three impact overrides) linked to up to 50,000 answers — a few with
thousands of verbatims, a long tail with a handful — and the news emails of the shipped and
announced ones. Rows are written in bulk (executemany on SQLite, COPY on PostgreSQL, then VACUUM
ANALYZE there; SQLite gets no ANALYZE, as the app never runs one). The app runs under gunicorn (2
sync workers, `--preload`) on 127.0.0.1; the benchmark signs in as the admin through the login form
(and uses an admin API token for the API), requests each page once to warm up, then 5 times, and
reports the median wall-clock time to the last byte, the body size, and the SQL statements the page
ran (counted in a second, in-process pass with Flask's test client and a `before_cursor_execute`
listener). A page that takes more than 60 s is reported as a time-out, not waited for. PostgreSQL is
a local 15 cluster with the test suite's settings (`fsync=off`, `synchronous_commit=off`, otherwise
defaults: 128 MB shared buffers). The machine has 2 cores and is shared: the load averages during each
size's run are given under its table.

Columns per size: median ms, response KB, SQL statements. "timeout": no answer within 60 s (the
statement count is then not taken either); "—" where nothing was measured. A slow page gets fewer
than 5 timed requests once they add up to 60 s (at least one): "(n=2)" beside its time.

**Rerun.**

```
.venv/bin/python bench/scale.py --responses 2000 --customers 5000 --invitations 10000 --repeat 1  # smoke, < 1 min
.venv/bin/python bench/scale.py --db sqlite --write-docs          # the SQLite table (10k, 100k, 1M)
.venv/bin/python bench/scale.py --db postgresql --write-docs      # the PostgreSQL table
.venv/bin/python bench/scale.py --docs-only                       # this section from the newest records
```

Options: `--responses`, `--customers`, `--invitations`, `--fixes`, `--linked` (sizes), `--rebuild`
(build again although cached), `--build-only`, `--repeat N`, `--timeout S`, `--budget S`, `--db URL` (a PostgreSQL
server of your own: the databases are created there and kept). Builds are cached under
`bench/results/scale/` (git-ignored); remove that folder to reclaim the disk.
"""


def parse(argv: list[str] | None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--responses", default="10000,100000,1000000", help="comma-separated sizes")
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--invitations", type=int, default=1_200_000)
    parser.add_argument("--fixes", type=int, default=200)
    parser.add_argument("--linked", type=int, default=50_000, help="answers linked to fixes, in all")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", action="append", help="sqlite, postgresql (a local cluster) or a PostgreSQL "
                                                      "URL; repeatable (default: sqlite and postgresql)")
    parser.add_argument("--rebuild", action="store_true", help="build again even if cached")
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--repeat", type=int, default=5, help="timed requests per page")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds before a page is a time-out")
    parser.add_argument("--budget", type=float, default=60.0,
                        help="seconds of timed requests per page: a slow page stops earlier than --repeat")
    parser.add_argument("--write-docs", action="store_true", help="update the section in docs/benchmarks.md")
    parser.add_argument("--docs-only", action="store_true", help="only rewrite the docs from the newest records")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    os.environ.setdefault("FEEDBACK_SECRET_KEY", SECRET_KEY)  # for the app the builder and counter create
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so every server is stopped on the way out
    if args.docs_only:
        report.write_docs(report.latest_records(shape(args)), METHOD)
        say(f"Wrote {report.DOCS}")
        return 0
    sizes = [Sizes(int(n), args.customers, args.invitations, args.fixes, args.linked, args.seed)
             for n in args.responses.split(",")]
    for one in sizes:
        one.check()
    CACHE.mkdir(parents=True, exist_ok=True)
    for database in args.db or ["sqlite", "postgresql"]:
        record = run_database(database, sizes, args)
        if record is None:
            continue
        say(f"\n{report.DB_NAMES.get(record['database'])}:\n{report.table(record)}\n\n{report.summary(record)}\n")
    if args.write_docs and not args.build_only:
        report.write_docs(report.latest_records(shape(args)), METHOD)
        say(f"Wrote {report.DOCS}")
    return 0


def shape(args) -> dict:
    return {"customers": args.customers, "invitations": args.invitations, "fixes": args.fixes,
            "linked": args.linked, "seed": args.seed}


def run_database(database: str, sizes: list[Sizes], args) -> dict | None:
    kind = "sqlite" if database == "sqlite" else "postgresql"
    server = local_postgres(CACHE / "postgresql") if database == "postgresql" else nullcontext(database)
    started = report.now_utc().isoformat(timespec="seconds")
    record = {"database": kind, "started": started, "file": report.file_name(kind, started), "commit": report.commit(), "machine": report.machine(),
              "shape": shape(args), "repeat": args.repeat, "timeout": args.timeout, "budget": args.budget, "sizes": {}}
    with server as server_url:
        for one in sizes:
            name = cache_name(one)
            target = SQLiteTarget(CACHE / f"{name}.sqlite") if kind == "sqlite" else PostgresTarget(server_url, name)
            if args.rebuild and target.exists():
                target.remove()
            built = build(target, one)
            if built.get("cached"):
                say(f"Using the cached {kind} database {name}")
            if not args.build_only:
                record["sizes"][str(one.responses)] = {"build": built, "started": report.now_utc().isoformat(
                    timespec="seconds"), **measure(target.url, kind, args)}
                report.save(record)  # after each size: a later failure keeps what was measured
    return None if args.build_only else record


def measure(database_url: str, kind: str, args) -> dict:
    started = time.monotonic()
    arguments = page_arguments(database_url)
    token = api_token(database_url)
    log = CACHE / "gunicorn.log"
    results, load_before = {}, report.load()
    say(f"Timing {len(PAGES)} pages on {kind} (load {load_before}) …")
    with running(Gunicorn(database_url, log)) as server:
        session = sign_in(server.address)
        for page in PAGES:
            path = page.path.format(**arguments)
            headers = {"Authorization": f"Bearer {token}"} if page.api else session
            results[page.label] = result = time_page(server, path, headers, args.repeat, args.timeout, args.budget)
            shown = (f"{result['median_ms']:>9,.1f} ms {result['bytes'] / 1024:>9,.1f} KB"
                     if result["status"] == 200 else f"{result['status']!s:>12}")
            say(f"  {page.label:<40} {shown}")
    load_after = report.load()
    say(f"Timed in {time.monotonic() - started:.0f} s")
    counted = [(p.label, p.path.format(**arguments), p.api) for p in PAGES
               if results[p.label]["status"] != "timeout"]
    say(f"Counting SQL statements of {len(counted)} pages in-process …")
    statements = count_statements(database_url, counted, token, args.timeout, CACHE / "count.log")
    if kind == "postgresql":
        end_other_sessions(database_url)
    say(f"Timed and counted in {time.monotonic() - started:.0f} s")
    return {"arguments": arguments, "pages": results, "statements": statements, "load_before": load_before,
            "load_after": load_after}


def api_token(database_url: str) -> str:
    """An admin token for the API lists, made by the app's own use case (as `feedback tokens create`)."""
    from feedback_app import create_app
    from feedback_app.accounts.tokens import create_token
    from feedback_app.core.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        plain = create_token("scale benchmark", "admin", report.now_utc() - timedelta(minutes=1)).plain
        db.session.remove()
        db.engine.dispose()
    return plain


if __name__ == "__main__":
    sys.exit(main())
