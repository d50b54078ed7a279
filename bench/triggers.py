"""Triggered invitations at scale (issue 15): `surveys.asking.triggered.trigger_invitation`, the use case of
`POST /api/v1/invitations`, on a database with 100,000 customers and 100,000, then ~1,000,000 invitations.

    .venv/bin/python bench/triggers.py [--customers 100000] [--sizes 100000,1000000] [--sample 300]
                                       [--db sqlite] [--db postgresql]

The database (a SQLite file in a temporary folder; PostgreSQL: a throw-away local cluster with the test suite's
settings) gets, by multi-row INSERTs straight into the tables, the customers and invitations over the last year
spread over surveys of both modes: 40 % to four closed relationship NPS surveys (sent one a quarter, the last 60
days ago; each customer at most once to each), 60 % to three transactional surveys (support CSAT, purchase CSAT,
onboarding CES; a random customer at a random time of the year, rounds counted per customer and survey). Four open
surveys take the triggers: two transactional CSAT (their 7-day cool-down is one, per kind), two relationship NPS
(the 30-day cool-down across relationship surveys).

At each size, for `--sample` customers not triggered before, four triggers each, timed one by one (wall clock, in
process, each with its commit): a transactional CSAT (accepted), a second transactional CSAT at once (refused by
the cool-down: 429), a relationship NPS (accepted: their last relationship invitation is 60+ days old) and a second
relationship NPS (429). Each trigger's outcome is checked. Then the database grows to the next size (more
invitations for the same customers; PostgreSQL: ANALYZE) and the same is measured with other customers. The
statements of one trigger of each mode are captured and their plans shown (SQLite `EXPLAIN QUERY PLAN`,
PostgreSQL `EXPLAIN`), the cool-down's `max(invitation.sent_at)` first. Results: bench/results/triggers-*.json.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from i15_common import fresh_app, measure_and_write, load, median_p95, say  # noqa: E402

NOW = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
CHUNK = 10_000
RELATIONSHIP_SHARE = 0.4
SENDS_AGO = (330, 240, 150, 60)  # days: the four closed relationship surveys, one a quarter


class Data:
    """The generated rows: relationship pairs are numbered (pair i: customer i % C, the (i // C + customer) % 4-th
    closed NPS survey, so no customer gets one survey twice); transactional rounds are counted as they go."""

    def __init__(self, customers: int, surveys: dict):
        self.customers, self.surveys, self.rng = customers, surveys, random.Random(15)
        self.relationship_made, self.rounds, self.made = 0, {}, 0

    def invitations(self, count: int):
        for _ in range(count):
            if self.rng.random() < RELATIONSHIP_SHARE and self.relationship_made < 4 * self.customers:
                i = self.relationship_made
                self.relationship_made += 1
                customer = i % self.customers
                which = (i // self.customers + customer) % 4
                survey = self.surveys["closed_nps"][which]
                sent = NOW - timedelta(days=SENDS_AGO[which], seconds=self.rng.randrange(2 * 86400))
                round_ = 0
            else:
                customer = self.rng.randrange(self.customers)
                survey = self.rng.choice(self.surveys["transactional_history"])
                sent = NOW - timedelta(seconds=self.rng.randrange(8 * 86400, 365 * 86400))
                key = survey * self.customers + customer
                round_ = self.rounds.get(key, 0)
                self.rounds[key] = round_ + 1
            self.made += 1
            yield {"survey_id": survey, "customer_id": customer + 1, "sent_at": sent, "locale": "en",
                   "round": round_}


def make_surveys() -> dict:
    from feedback_app.core.extensions import db
    from surveys.asking.services import create_survey
    from surveys.asking.throttle import TRANSACTIONAL

    def made(kind, name, mode="relationship", closed=False, touchpoint=None):
        survey = create_survey(kind, name, "the product", mode=mode, touchpoint=touchpoint,
                               cooldown_days=7 if mode == TRANSACTIONAL else None)
        if closed:
            survey.closed_at = NOW - timedelta(days=30)
        db.session.commit()
        return survey.id

    return {
        "closed_nps": [made("nps", f"NPS {n}", closed=True) for n in range(4)],
        "transactional_history": [made("csat", "Support CSAT (2025)", TRANSACTIONAL, True, "support"),
                                  made("csat", "Purchase CSAT (2025)", TRANSACTIONAL, True, "purchase"),
                                  made("ces", "Onboarding CES", TRANSACTIONAL, touchpoint="onboarding")],
        "csat": [made("csat", "Support CSAT", TRANSACTIONAL, touchpoint="support"),
                 made("csat", "Purchase CSAT", TRANSACTIONAL, touchpoint="purchase")],
        "nps": [made("nps", "NPS now A"), made("nps", "NPS now B")],
    }


def insert_customers(count: int) -> None:
    from sqlalchemy import insert

    from feedback_app.core.extensions import db
    from surveys.models import Customer

    for first in range(0, count, CHUNK):
        db.session.execute(insert(Customer), [
            {"id": n + 1, "email": f"customer{n}@triggers.example", "name": f"Customer {n}", "locale": "en",
             "attributes": {"plan": "team"}, "created_at": NOW - timedelta(days=400),
             "updated_at": NOW - timedelta(days=400)} for n in range(first, min(first + CHUNK, count))])
        db.session.commit()


def grow(data: Data, count: int, url: str) -> float:
    from sqlalchemy import insert

    from feedback_app.core.extensions import db
    from surveys.models import Invitation

    started, rows = time.monotonic(), data.invitations(count)
    while batch := [row for _, row in zip(range(CHUNK), rows)]:
        db.session.execute(insert(Invitation), batch)
        db.session.commit()
    if url.startswith("postgresql"):
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
    return time.monotonic() - started


def timed_triggers(data: Data, customers: list[int]) -> dict:
    """Four triggers per customer, each timed; {label: [ms, …]}; SystemExit on an unexpected outcome."""
    from feedback_app.core.extensions import db
    from surveys.asking.triggered import Trigger, TriggerRefused, trigger_invitation

    plan = (("transactional, accepted", data.surveys["csat"][0], None),
            ("transactional, refused by the cool-down", data.surveys["csat"][1], 429),
            ("relationship, accepted", data.surveys["nps"][0], None),
            ("relationship, refused by the cool-down", data.surveys["nps"][1], 429))
    times = {label: [] for label, _, _ in plan}
    for customer in customers:
        for label, survey_id, expected in plan:
            trigger = Trigger(survey_id, email=f"customer{customer}@triggers.example",
                              external_id=f"ticket-{survey_id}-{customer}", context=f"ticket {customer}")
            started, outcome = time.perf_counter(), None
            try:
                trigger_invitation(trigger, datetime.now(UTC).replace(tzinfo=None), 30)
            except TriggerRefused as refused:
                outcome = refused.status
            times[label].append((time.perf_counter() - started) * 1000)
            db.session.rollback()
            if outcome != expected:
                raise SystemExit(f"{label}: customer {customer} got {outcome}, not {expected}")
    return times


class Captured:
    """The statements (and parameters) the app's engine sends meanwhile."""

    def __enter__(self) -> Captured:
        from sqlalchemy import event

        from feedback_app.core.extensions import db

        self.engine, self.statements = db.engine, []
        event.listen(self.engine, "before_cursor_execute", self._one)
        return self

    def _one(self, connection, cursor, statement, parameters, context, executemany) -> None:
        self.statements.append((statement, parameters))

    def __exit__(self, *exc) -> None:
        from sqlalchemy import event

        event.remove(self.engine, "before_cursor_execute", self._one)


def plans(data: Data, customer: int) -> list[dict]:
    """The plans of the SELECTs of two accepted triggers (one per mode) of `customer`, cool-down first."""
    from feedback_app.core.extensions import db
    from surveys.asking.triggered import Trigger, trigger_invitation

    explained = []
    for mode, survey_id in (("transactional", data.surveys["csat"][0]), ("relationship", data.surveys["nps"][0])):
        with Captured() as captured:
            trigger_invitation(Trigger(survey_id, email=f"customer{customer}@triggers.example"),
                               datetime.now(UTC).replace(tzinfo=None), 30)
        connection = db.session.connection()
        prefix = "EXPLAIN QUERY PLAN " if connection.dialect.name == "sqlite" else "EXPLAIN "
        for statement, parameters in captured.statements:
            if not statement.lstrip().upper().startswith("SELECT") or "invitation" not in statement:
                continue
            rows = connection.exec_driver_sql(prefix + statement, parameters).all()
            plan = [" ".join(str(part) for part in row[-1:]) for row in rows]
            cooldown = "max(invitation.sent_at)" in statement
            explained.append({"mode": mode, "cooldown": cooldown, "statement": " ".join(statement.split()),
                              "plan": plan})
        db.session.rollback()
    explained.sort(key=lambda item: not item["cooldown"])
    return explained


def run_on(kind: str, workdir: Path, args) -> dict:
    sizes = [int(size) for size in args.sizes.split(",")]
    result = {"load_before": load(), "sizes": {}}
    with fresh_app(kind, workdir, "triggers_bench") as (app, url), app.app_context():
        started = time.monotonic()
        insert_customers(args.customers)
        data = Data(args.customers, make_surveys())
        say(f"  {args.customers:,} customers and 11 surveys in {time.monotonic() - started:.1f} s")
        unused = list(range(args.customers))
        random.Random(51).shuffle(unused)
        for size in sizes:
            seconds = grow(data, size - data.made, url)
            say(f"  {data.made:,} invitations ({data.relationship_made:,} relationship) after "
                f"{seconds:.1f} s of inserts; load {load()}")
            sample, unused = unused[:args.sample], unused[args.sample:]
            times = timed_triggers(data, sample)
            figures = {}
            for label, values in times.items():
                median, p95 = median_p95(values)
                figures[label] = {"n": len(values), "median_ms": round(median, 2), "p95_ms": round(p95, 2)}
                say(f"    {label:<42} median {median:6.2f} ms  p95 {p95:6.2f} ms  (n={len(values)})")
            explained = plans(data, unused.pop())
            for item in explained:
                mark = "cool-down " if item["cooldown"] else ""
                say(f"    {mark}plan ({item['mode']}): {' | '.join(item['plan'])}")
                if item["cooldown"]:
                    say(f"      {item['statement']}")
            result["sizes"][str(data.made)] = {"fill_seconds": round(seconds, 1), "triggers": figures,
                                               "plans": explained, "load": load()}
    result["load_after"] = load()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--sizes", default="100000,1000000", help="invitations at each measurement, growing")
    parser.add_argument("--sample", type=int, default=300, help="customers triggered (4 triggers each) per size")
    parser.add_argument("--db", action="append", choices=("sqlite", "postgresql"))
    args = parser.parse_args()
    settings = {"customers": args.customers, "sizes": args.sizes, "sample": args.sample}
    measure_and_write("triggers", settings, args.db, lambda kind, folder: run_on(kind, folder, args))


if __name__ == "__main__":
    main()
