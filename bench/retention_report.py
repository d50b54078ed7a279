"""The retention refresh and report over many customers (issue 14): time and peak memory of `feedback retention
refresh` (every stage decided, 12 months + 2 quarters of figures stored) and `feedback retention report` (one
quarter) on a database filled by bulk inserts.

    .venv/bin/python bench/retention_report.py [--customers 100000] [--per-customer 10] [--answers 0.3]
                                               [--db sqlite] [--db postgresql]

Each customer gets a customer_since in the last four years, a plan and an mrr, and about `--per-customer`
activities over the last year (logins, purchases and renewals with amounts, a cancel for one in fifty), in a rhythm
of their own (daily to monthly) that stops at a random point for a third of them (so some go silent). The rows are
inserted with multi-row INSERTs straight into the tables (the import's own speed is bench/activity_import.py's).
A share of the customers (`--answers`, 0.3) answered an NPS survey in the last year (a tenth of the unhappy ones
contacted), a fifth of those also wrote by email (a CSAT score), and 60 % of the answers are classified into a type
(a third praise): the loop comparison, the fit matrix's costs and the stage rule's moods read real rows.
Each command is a subprocess of this worktree's code; its peak resident memory is the kernel's count for that
process. A second refresh shows the cost when (almost) nobody moves. Results: bench/results/retention-*.json.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from memory import RESULTS, Postgres, Run, count, environment, measured, say  # noqa: E402

NOW = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
CHUNK = 10_000


def feedback(*args: str) -> list[str]:
    """This worktree's `feedback` (the installed script may point at another checkout)."""
    return [sys.executable, "-m", "feedback_app.cli", *args]


def customers_of(n: int, rng: random.Random) -> dict:
    since = NOW - timedelta(days=rng.randrange(20, 1500), seconds=rng.randrange(86400))
    return {"id": n + 1, "email": f"customer{n}@retention.example", "locale": "en",
            "attributes": {"plan": rng.choice(("free", "team", "business")), "mrr": str(rng.randrange(0, 900))},
            "created_at": since, "updated_at": since, "customer_since": since}


def activities_of(customer_id: int, per_customer: int, rng: random.Random):
    """About per_customer activities in the customer's own rhythm over the last year; a third stop early."""
    gap = rng.choice((1, 3, 7, 7, 14, 30))
    stops = rng.randrange(0, 200) if rng.random() < 1 / 3 else 0
    count_ = max(1, int(rng.gauss(per_customer, per_customer / 4)))
    for i in range(count_):
        at = NOW - timedelta(days=stops + i * gap, seconds=rng.randrange(86400))
        if at < NOW - timedelta(days=365):
            break
        kind = rng.choices(("login", "purchase", "renewal"), (0.6, 0.3, 0.1))[0]
        amount = round(rng.uniform(5, 500), 2) if kind != "login" else None
        yield {"customer_id": customer_id, "occurred_at": at, "kind": kind, "amount": amount,
               "dedupe_key": hashlib.blake2b(f"{customer_id}:{i}".encode(), digest_size=16).hexdigest()}
    if rng.random() < 0.02:
        yield {"customer_id": customer_id, "occurred_at": NOW - timedelta(days=stops, seconds=1), "kind": "cancel",
               "amount": None, "dedupe_key": hashlib.blake2b(f"{customer_id}:cancel".encode(),
                                                             digest_size=16).hexdigest()}


TYPES = ("functionality", "reliability", "service", "pricing", "praise", "praise")  # a third praise


def answers_of(customer_id: int, rng: random.Random, share: float, next_id: int) -> tuple[list, list, list]:
    """(invitation, response, triage item) rows of one customer: with probability `share` an NPS answer to the
    survey (a tenth of the unhappy ones contacted), and one in five of those also a CSAT message by email; each
    answer with a comment classified into a type. Response ids start at `next_id`."""
    if rng.random() >= share:
        return [], [], []
    invitations, responses, items = [], [], []
    sent = NOW - timedelta(days=rng.randrange(1, 360), seconds=rng.randrange(86400))
    invitations.append({"id": customer_id, "survey_id": 1, "customer_id": customer_id, "sent_at": sent,
                        "locale": "en"})
    score = rng.choices(range(11), (3, 1, 1, 2, 2, 4, 5, 9, 14, 12, 10))[0]
    answered = sent + timedelta(hours=rng.randrange(1, 72))
    contacted = answered + timedelta(hours=rng.randrange(1, 120)) if score <= 6 and rng.random() < 0.1 else None
    responses.append(_response(next_id, answered, score, invitation_id=customer_id, survey_id=1,
                               contacted_at=contacted, awaits_contact=score <= 6))
    if rng.random() < 0.2:
        at = NOW - timedelta(days=rng.randrange(1, 360))
        responses.append(_response(next_id + 1, at, rng.randrange(1, 6), channel="email", customer_id=customer_id,
                                   kind="csat", external_id=f"mail-{customer_id}"))
    for response in responses:
        if rng.random() < 0.6:
            items.append({"id": response["id"], "response_id": response["id"], "type_key": rng.choice(TYPES),
                          "confidence": 0.9, "language": "en", "reasons": [], "needs_review": False,
                          "confirmed": False, "classified_at": response["answered_at"],
                          "response_updated_at": response["answered_at"]})
    return invitations, responses, items


def _response(id_: int, at: datetime, score: int, **values) -> dict:
    return {"id": id_, "invitation_id": None, "survey_id": None, "channel": "survey", "customer_id": None,
            "kind": None, "external_id": None, "contacted_at": None, "awaits_contact": False, **values,
            "score": score, "comment": "a comment", "may_contact": True, "locale": "en", "answered_at": at,
            "updated_at": at, "pending": False, "tallied": True}


def fill(url: str, customers: int, per_customer: int, answer_share: float = 0.3) -> tuple[int, int, float]:
    """Bulk insert the customers, their activity and survey answers; (activity rows, answers, seconds)."""
    from sqlalchemy import (JSON, Boolean, Column, DateTime, Float, Integer, MetaData, Numeric, String, Table, Text,
                            create_engine)

    meta = MetaData()
    customer = Table("customer", meta, Column("id", Integer, primary_key=True), Column("email", String),
                     Column("locale", String), Column("attributes", JSON), Column("created_at", DateTime),
                     Column("updated_at", DateTime), Column("customer_since", DateTime))
    activity = Table("activity", meta, Column("id", Integer, primary_key=True), Column("customer_id", Integer),
                     Column("occurred_at", DateTime), Column("kind", String), Column("amount", Numeric),
                     Column("dedupe_key", String))
    survey = Table("survey", meta, Column("id", Integer, primary_key=True), Column("kind", String),
                   Column("name", String), Column("wording", JSON), Column("created_at", DateTime))
    invitation = Table("invitation", meta, Column("id", Integer, primary_key=True), Column("survey_id", Integer),
                       Column("customer_id", Integer), Column("sent_at", DateTime), Column("locale", String))
    response = Table("response", meta, *(Column(name, Integer) for name in (
        "id", "invitation_id", "survey_id", "customer_id", "score")), *(Column(name, String) for name in (
            "channel", "kind", "external_id", "locale")), Column("comment", Text),
        *(Column(name, DateTime) for name in ("contacted_at", "answered_at", "updated_at")),
        *(Column(name, Boolean) for name in ("awaits_contact", "may_contact", "pending", "tallied")))
    item = Table("triage_item", meta, Column("id", Integer, primary_key=True), Column("response_id", Integer),
                 Column("type_key", String), Column("confidence", Float), Column("language", String),
                 Column("reasons", JSON), Column("needs_review", Boolean), Column("confirmed", Boolean),
                 Column("classified_at", DateTime), Column("response_updated_at", DateTime))
    # Answers draw from their own generator: the customers and activity are the same whatever --answers says.
    rng, answer_rng, rows, answers, started = random.Random(14), random.Random(41), 0, 0, time.monotonic()
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(survey.insert(), [{"id": 1, "kind": "nps", "name": "Bench NPS", "wording": {},
                                              "created_at": NOW - timedelta(days=400)}])
        for first in range(0, customers, CHUNK):
            batch = [customers_of(n, rng) for n in range(first, min(first + CHUNK, customers))]
            connection.execute(customer.insert(), batch)
            acts = [a for c in batch for a in activities_of(c["id"], per_customer, rng)]
            connection.execute(activity.insert(), acts)
            rows += len(acts)
            invited, answered, classified = [], [], []
            for c in batch:
                more = answers_of(c["id"], answer_rng, answer_share, answers + len(answered) + 1)
                for into, found in zip((invited, answered, classified), more):
                    into.extend(found)
            for table, values in ((invitation, invited), (response, answered), (item, classified)):
                if values:
                    connection.execute(table.insert(), values)
            answers += len(answered)
    if url.startswith("postgresql"):
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE")
    engine.dispose()
    return rows, answers, time.monotonic() - started


def run_on(kind: str, workdir: Path, customers: int, per_customer: int, answer_share: float) -> dict:
    runs: list[Run] = []
    with (Postgres(workdir) if kind == "postgresql" else _Given(f"sqlite:///{workdir / 'retention.db'}")) as url:
        if kind == "postgresql":
            from tests.support.postgres import TemporaryPostgres
            url = TemporaryPostgres.fresh_database(url, "retention_bench")
        env = environment(url)
        env["PYTHONPATH"] = str(ROOT)
        measured("db upgrade", feedback("db", "upgrade"), env, workdir)
        rows, answers, seconds = fill(url, customers, per_customer, answer_share)
        say(f"  filled: {customers:,} customers, {rows:,} activities, {answers:,} answers in {seconds:.1f} s")
        runs.append(measured("retention refresh (first: everyone moves)", feedback("retention", "refresh"), env,
                             workdir))
        runs.append(measured("retention refresh (again)", feedback("retention", "refresh"), env, workdir))
        quarter_end = datetime(NOW.year, 3 * ((NOW.month - 1) // 3) + 1, 1) - timedelta(days=1)
        quarter_start = datetime(quarter_end.year, quarter_end.month - 2, 1)
        runs.append(measured("retention report (last quarter, --json)",
                             feedback("retention", "report", "--from", f"{quarter_start:%Y-%m-%d}", "--to",
                                      f"{quarter_end:%Y-%m-%d}", "--json"), env, workdir))
        figures = json.loads((workdir / "stdout.txt").read_text())
        changes, stored = count(url, "stage_change"), count(url, "retention_figure")
    say(f"  stage changes: {changes:,}; figures stored: {stored}; quarter: S={figures['customers_start']:,} "
        f"E={figures['customers_end']:,} CRR={figures['crr']:.1f} % repeat={figures['repeat_rate']:.1f} %")
    return {"runs": [asdict(r) for r in runs], "activity_rows": rows, "answers": answers,
            "fill_seconds": round(seconds, 1),
            "stage_changes": changes, "quarter": {k: figures[k] for k in (
                "customers_start", "customers_end", "new", "lost", "crr", "churn_rate", "repeat_rate",
                "purchase_frequency")}}


class _Given:
    def __init__(self, value):
        self.value = value

    def __enter__(self):
        return self.value

    def __exit__(self, *exc):
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--per-customer", type=int, default=10)
    parser.add_argument("--answers", type=float, default=0.3, help="share of customers who answered the survey")
    parser.add_argument("--db", action="append", choices=("sqlite", "postgresql"))
    args = parser.parse_args()
    results = {"customers": args.customers, "per_customer": args.per_customer, "answers": args.answers,
               "now": NOW.isoformat()}
    with tempfile.TemporaryDirectory(prefix="retention-bench-") as folder:
        for kind in args.db or ["sqlite"]:
            say(f"\n{kind}:")
            results[kind] = run_on(kind, Path(folder), args.customers, args.per_customer, args.answers)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"retention-{datetime.now(UTC):%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(results, indent=2))
    say(f"\nwritten to {out}")


if __name__ == "__main__":
    main()
