"""Importing activity (issue 14): time and peak memory of `feedback activity import` on a generated file.

    .venv/bin/python bench/activity_import.py [--rows 1000000] [--customers 100000] [--db sqlite] [--db postgresql]
                                              [--shuffled]

Writes a customer CSV (M customers, with customer_since) and an activity CSV of N rows over the last year
(logins, purchases with amounts — half with an order id —, renewals, a few cancels) into a temporary folder;
then, on a fresh database (a SQLite file; PostgreSQL: a throw-away local cluster, the test suite's settings),
migrates it (`feedback db upgrade`), runs `feedback customers import`, `feedback activity import FILE` (all new)
and the same import again (all already there), and checks the rows. Each command is a subprocess of this
worktree's code; its peak resident memory is the kernel's count for that process (os.wait4's rusage), its time
the wall clock. Results are printed and written to bench/results/activity-import-*.json (git-ignored).
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from memory import RESULTS, Postgres, Run, count, environment, measured, say  # noqa: E402

# What a year of activity looks like in the generated file: kind, share of rows, amount range (None: no amount).
KINDS = (("login", 0.62, None), ("purchase", 0.28, (5, 500)), ("renewal", 0.08, (20, 2000)), ("cancel", 0.02, None))
END = datetime(2026, 11, 1)


def feedback(*args: str) -> list[str]:
    """This worktree's `feedback` (the installed script may point at another checkout)."""
    return [sys.executable, "-m", "feedback_app.cli", *args]


def write_customers(path: Path, customers: int, rng: random.Random) -> None:
    with open(path, "w", encoding="utf-8", newline="") as file:
        file.write("email,plan,mrr,customer_since\r\n")
        for n in range(customers):
            since = END - timedelta(days=rng.randrange(30, 1500))
            file.write(f"customer{n}@activity.example,{rng.choice(('free', 'team', 'business'))},"
                       f"{rng.randrange(0, 900)},{since:%Y-%m-%d}\r\n")


def write_activity(path: Path, rows: int, customers: int, rng: random.Random, shuffled: bool) -> None:
    """Each row a random customer at a random second of the last year, in time order (as most exports are) unless
    `shuffled`; offsets on a tenth of the times."""
    kinds, weights = [k for k, _, _ in KINDS], [w for _, w, _ in KINDS]
    amounts = {k: a for k, _, a in KINDS}
    seconds = [rng.randrange(365 * 86400) for _ in range(rows)]  # 8 bytes a row: a million is 8 MB
    if not shuffled:
        seconds.sort(reverse=True)
    with open(path, "w", encoding="utf-8", newline="") as file:
        file.write("email,occurred_at,kind,amount,external_id\r\n")
        for n, ago in enumerate(seconds):
            kind = rng.choices(kinds, weights)[0]
            moment = END - timedelta(seconds=ago)
            when = (moment.replace(tzinfo=UTC).astimezone().isoformat() if n % 10 == 0
                    else moment.strftime("%Y-%m-%dT%H:%M:%S"))
            low_high = amounts[kind]
            amount = f"{rng.uniform(*low_high):.2f}" if low_high else ""
            order = f"order-{n}" if kind == "purchase" and n % 2 else ""
            file.write(f"customer{rng.randrange(customers)}@activity.example,{when},{kind},{amount},{order}\r\n")


def run_on(kind: str, workdir: Path, customers_csv: Path, activity_csv: Path, rows: int) -> dict:
    runs: list[Run] = []
    with (Postgres(workdir) if kind == "postgresql" else _Given(f"sqlite:///{workdir / 'fresh.db'}")) as url:
        if kind == "postgresql":
            from tests.support.postgres import TemporaryPostgres
            url = TemporaryPostgres.fresh_database(url, "activity_bench")
        env = environment(url)
        env["PYTHONPATH"] = str(ROOT)
        measured("db upgrade", feedback("db", "upgrade"), env, workdir)
        runs.append(measured("customers import", feedback("customers", "import", str(customers_csv)), env, workdir))
        first = measured("activity import (new)", feedback("activity", "import", str(activity_csv)), env, workdir)
        again = measured("activity import again", feedback("activity", "import", str(activity_csv)), env, workdir)
        runs += [first, again]
        stored = count(url, "activity")
    say(f"  activity rows: {stored:,} of {rows:,} lines (identical lines without an id are one activity)")
    if not first.last_line.startswith(f"{stored} added") or not again.last_line.startswith("0 added"):
        raise SystemExit(f"unexpected: {first.last_line!r}, then {again.last_line!r}, {stored} rows")
    return {"runs": [asdict(r) for r in runs], "activity_rows": stored}


class _Given:
    def __init__(self, value):
        self.value = value

    def __enter__(self):
        return self.value

    def __exit__(self, *exc):
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--db", action="append", choices=("sqlite", "postgresql"))
    parser.add_argument("--shuffled", action="store_true", help="rows in random order instead of time order")
    args = parser.parse_args()
    rng = random.Random(14)
    results = {"rows": args.rows, "customers": args.customers, "order": "shuffled" if args.shuffled else "time"}
    with tempfile.TemporaryDirectory(prefix="activity-bench-") as folder:
        workdir = Path(folder)
        customers_csv, activity_csv = workdir / "customers.csv", workdir / "activity.csv"
        write_customers(customers_csv, args.customers, rng)
        write_activity(activity_csv, args.rows, args.customers, rng, args.shuffled)
        say(f"{args.customers:,} customers, {args.rows:,} activity rows in {results['order']} order "
            f"({activity_csv.stat().st_size / 1e6:.1f} MB)")
        for kind in args.db or ["sqlite"]:
            say(f"\n{kind}:")
            results[kind] = run_on(kind, workdir, customers_csv, activity_csv, args.rows)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"activity-import-{datetime.now(UTC):%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(results, indent=2))
    say(f"\nwritten to {out}")


if __name__ == "__main__":
    main()
