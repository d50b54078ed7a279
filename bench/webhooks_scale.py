"""Webhooks at scale (issue 15): delivery throughput, what a listener costs the survey POST, pruning the log.

    .venv/bin/python bench/webhooks_scale.py [--events 10000] [--answers 2000] [--prune 200000] [--db sqlite] [--db postgresql]

On a fresh database of each kind (a SQLite file in a temporary folder; PostgreSQL: a throw-away local cluster with
the test suite's settings), in this process, with this worktree's app:

a. Delivery. One endpoint (`survey.closed`, private addresses allowed) pointing at a receiver in its own process
   (http.server, answers 200, checks every signature and counts event ids). `--events` events are queued with
   `webhooks.events.emit`, committed 1,000 at a time (as causes would, each in its transaction), then
   `webhooks.delivery.deliver_due_webhooks(now)` — what `feedback webhooks deliver` and the scheduler run — is
   timed until every one is delivered: events/s, and the process's peak resident memory over the delivery
   (the kernel's VmHWM, reset just before). The receiver must have every event id exactly once.
b. The survey POST with and without a listener. `--answers` survey answers through the whole app (a prepared WSGI
   environ per POST handed to the app object, as bench/profile_post.py does; each a fresh invitation's link),
   in alternating chunks: no endpoint, then an endpoint listening to `response.created` (the answer and its
   event in one transaction instead of one INSERT), eight times: µs per answer each (median of the chunks; wall
   and this process's CPU, which a busy machine disturbs less).
c. Pruning. `--prune` delivered deliveries (and their events) from 31–120 days ago, `--recent` (20,000) delivered
   ones from the last 30 days and 2,000 old ones never delivered (a paused endpoint's): `webhooks.pruning.prune_webhook_log`
   is timed; the old delivered ones and their events must go, the rest stay.

Results are printed and written to bench/results/webhooks-*.json (git-ignored). (Not bench/webhooks.py: the scripts
here run with bench/ first on sys.path, where that name would hide the product's `webhooks` package.)
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from i15_common import fresh_app, measure_and_write, load, peak_mb, reset_peak, rss_mb, say

SECRET = "bench-webhook-secret"
CHUNK = 10_000

# The receiver: its own process, so its work is not this one's. POST: check the signature, count the event id.
# GET: {"posts": n, "ids": distinct ids, "bad": bad signatures}.
RECEIVER = r"""
import hashlib, hmac, json, sys
from http.server import BaseHTTPRequestHandler, HTTPServer
secret = sys.argv[1].encode()
seen, state = set(), {"posts": 0, "bad": 0}
class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        parts = dict(p.split("=", 1) for p in self.headers["Feedback-Signature"].split(","))
        good = hmac.new(secret, parts["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
        state["bad"] += not hmac.compare_digest(good, parts["v1"])
        state["posts"] += 1
        seen.add(json.loads(body)["id"])
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def do_GET(self):
        out = json.dumps({**state, "ids": len(seen)}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)
    def log_message(self, *args):
        pass
server = HTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
"""


class Receiver:
    def __enter__(self) -> Receiver:
        self.process = subprocess.Popen([sys.executable, "-c", RECEIVER, SECRET], stdout=subprocess.PIPE, text=True)
        self.port = int(self.process.stdout.readline())
        self.url = f"http://127.0.0.1:{self.port}/hook"
        return self

    def counts(self) -> dict:
        import urllib.request

        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=10) as answer:
            return json.loads(answer.read())

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


# ---------------------------------------------------------------- a. delivery

class counted_statements:
    """SQL statements the app's engine sends meanwhile, by their first word (COMMIT counted too)."""

    def __enter__(self) -> counted_statements:
        from sqlalchemy import event

        from feedback_app.core.extensions import db

        self.engine, self.kinds, self.total = db.engine, {}, 0
        event.listen(self.engine, "before_cursor_execute", self._statement)
        event.listen(self.engine, "commit", self._commit)
        return self

    def _statement(self, connection, cursor, statement, *args) -> None:
        kind = statement.lstrip().split(None, 1)[0].upper()
        self.kinds[kind] = self.kinds.get(kind, 0) + 1
        self.total += 1

    def _commit(self, connection) -> None:
        self.kinds["COMMIT"] = self.kinds.get("COMMIT", 0) + 1

    def __exit__(self, *exc) -> None:
        from sqlalchemy import event

        event.remove(self.engine, "before_cursor_execute", self._statement)
        event.remove(self.engine, "commit", self._commit)


def delivery(events: int) -> dict:
    from feedback_app.core.extensions import db
    from webhooks.delivery import deliver_due_webhooks
    from webhooks.events import SURVEY_CLOSED, emit
    from webhooks.services import NewEndpoint, add_endpoint

    with Receiver() as receiver:
        endpoint = add_endpoint(NewEndpoint(receiver.url, SECRET, (SURVEY_CLOSED,), allow_private=True), utcnow())
        started = time.perf_counter()
        for n in range(events):
            emit(SURVEY_CLOSED, {"survey_id": n + 1, "name": f"Survey {n + 1}", "kind": "csat",
                                 "closed_at": utcnow().isoformat(timespec="seconds") + "Z"}, utcnow())
            if (n + 1) % 1000 == 0 or n + 1 == events:
                db.session.commit()
        queued = time.perf_counter() - started
        before = rss_mb()
        reset_peak()
        with counted_statements() as statements:
            started, cpu, delivered, runs = time.perf_counter(), time.process_time(), 0, 0
            while delivered < events and runs < 50:
                report = deliver_due_webhooks(utcnow(), clock=utcnow)
                delivered, runs = delivered + report.delivered, runs + 1
                if report.failed or report.paused:
                    raise SystemExit(f"a delivery failed: {report}")
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        peak = peak_mb()
        got = receiver.counts()
    if delivered != events or got["ids"] != events or got["posts"] != events or got["bad"]:
        raise SystemExit(f"delivered {delivered} of {events}; the receiver saw {got}")
    result = {"events": events, "endpoint_id": endpoint.id, "queue_seconds": round(queued, 2),
              "queued_per_s": round(events / queued), "deliver_seconds": round(seconds, 2),
              "delivered_per_s": round(events / seconds), "deliver_calls": runs, "cpu_seconds": round(cpu, 2),
              "statements": statements.total, "statements_by_kind": statements.kinds,
              "rss_before_mb": round(before, 1), "peak_mb": round(peak, 1), "receiver": got}
    say(f"  a. {events:,} events queued in {queued:.1f} s ({events / queued:,.0f}/s); delivered in {seconds:.1f} s "
        f"({events / seconds:,.0f} events/s, {runs} call(s), cpu {cpu:.1f} s, {statements.total / events:.1f} "
        f"statements a delivery: {statements.kinds}); RSS {before:.1f} MB before, peak {peak:.1f} MB; "
        f"receiver: {got}")
    return result


# ---------------------------------------------------------------- b. the survey POST

def post_cost(app, answers: int, chunks: int = 8, warm: int = 100) -> dict:
    from profile_post import drive, environs
    from sqlalchemy import func, insert, select

    from feedback_app.core.extensions import db
    from surveys.answering.links import invitation_token, signed_invitation
    from surveys.asking.services import create_survey, send_survey
    from surveys.models import Customer, Invitation
    from webhooks.events import RESPONSE_CREATED
    from webhooks.models import WebhookEvent
    from webhooks.services import NewEndpoint, add_endpoint, remove_endpoint

    total = warm * 2 + answers * 2
    now = utcnow()
    # Set up in an app context of its own, closed before the POSTs: a request inside an open app context of the same
    # app shares its session, and each answer's commit would then expire every invitation loaded here.
    with app.app_context():
        survey = create_survey("nps", "Bench NPS (webhooks)", "the product")
        db.session.execute(insert(Customer), [{"email": f"answer{n}@webhooks.example", "name": f"Customer {n}",
                                               "locale": "en", "attributes": {}, "created_at": now,
                                               "updated_at": now} for n in range(total)])
        db.session.commit()
        send_survey(survey, now, cooldown_days=0)
        invitations = db.session.scalars(select(Invitation).where(Invitation.survey_id == survey.id)
                                         .order_by(Invitation.id)).all()
        tokens = [invitation_token(signed_invitation(invitation)) for invitation in invitations]
        db.session.remove()
    if len(tokens) != total:
        raise SystemExit(f"{len(tokens)} invitations, not {total}")
    requests = iter(environs("/s/", tokens))
    endpoint_url = "http://127.0.0.1:9/unused"  # nothing is delivered in this part: the POST only queues

    def listener(on: bool):
        for endpoint in list(_endpoints_listening(RESPONSE_CREATED)):
            remove_endpoint(endpoint)
        if on:
            add_endpoint(NewEndpoint(endpoint_url, SECRET, (RESPONSE_CREATED,), allow_private=True), utcnow())

    size = answers // chunks
    per = {"without": [], "with": []}
    cpu = {"without": [], "with": []}
    for on in (False, True):  # a warm-up of each
        with app.app_context():
            listener(on)
        drive(app, [next(requests) for _ in range(warm)])
    for _ in range(chunks):
        for name, on in (("without", False), ("with", True)):
            with app.app_context():
                listener(on)
                events_before = db.session.scalar(select(func.count()).select_from(WebhookEvent))
                db.session.remove()
            batch = [next(requests) for _ in range(size)]
            started = time.process_time()
            per[name].append(drive(app, batch))
            cpu[name].append((time.process_time() - started) / size)
            with app.app_context():
                events = db.session.scalar(select(func.count()).select_from(WebhookEvent)) - events_before
                db.session.remove()
            if events != (size if on else 0):
                raise SystemExit(f"{events} response.created events for {size} answers {name} a listener")
    mean = {name: statistics.median(values) for name, values in per.items()}
    mean_cpu = {name: statistics.median(values) for name, values in cpu.items()}
    say(f"  b. survey POST, {size * chunks:,} answers each in {chunks} alternating chunks (median of the chunks): "
        f"without a listener {mean['without'] * 1e6:,.0f} µs (cpu {mean_cpu['without'] * 1e6:,.0f}), with one "
        f"listening to response.created {mean['with'] * 1e6:,.0f} µs (cpu {mean_cpu['with'] * 1e6:,.0f}) "
        f"({mean['with'] / mean['without']:.2f}×); chunks without {[round(v * 1e6) for v in per['without']]}, "
        f"with {[round(v * 1e6) for v in per['with']]}")
    return {"answers": size * chunks, "chunks": chunks, "us_without": round(mean["without"] * 1e6),
            "us_with": round(mean["with"] * 1e6), "cpu_us_without": round(mean_cpu["without"] * 1e6),
            "cpu_us_with": round(mean_cpu["with"] * 1e6),
            "chunks_us": {k: [round(v * 1e6) for v in vs] for k, vs in per.items()},
            "chunks_cpu_us": {k: [round(v * 1e6) for v in vs] for k, vs in cpu.items()}}


def _endpoints_listening(event_type: str):
    from webhooks.services import endpoints

    return [endpoint.id for endpoint in endpoints() if event_type in endpoint.events]


# ---------------------------------------------------------------- c. pruning

def pruning(url: str, old: int, recent: int = 20_000, stuck: int = 2_000) -> dict:
    """`recent` delivered deliveries of the last 30 days stay, as `stuck` undelivered old ones do."""
    from sqlalchemy import func, insert, select

    from feedback_app.core.extensions import db
    from webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
    from webhooks.pruning import prune_webhook_log

    now = utcnow()
    rng = random.Random(15)
    live = WebhookEndpoint(url="https://hooks.example.com/in", secret=SECRET, events=["response.created"],
                           allow_private=False, created_at=now - timedelta(days=200))
    paused = WebhookEndpoint(url="https://down.example.com/in", secret=SECRET, events=["response.created"],
                             allow_private=False, created_at=now - timedelta(days=200),
                             paused_at=now - timedelta(days=100), failing_since=now - timedelta(days=101))
    db.session.add_all([live, paused])
    db.session.commit()
    before_deliveries = db.session.scalar(select(func.count()).select_from(WebhookDelivery))
    before_events = db.session.scalar(select(func.count()).select_from(WebhookEvent))
    # Oldest first, as the log grows: the old delivered ones, the never delivered ones, then the last 30 days.
    plan = ([("old", now - timedelta(days=rng.uniform(31, 120))) for _ in range(old)]
            + [("stuck", now - timedelta(days=rng.uniform(31, 120))) for _ in range(stuck)]
            + [("recent", now - timedelta(days=rng.uniform(0, 29.9))) for _ in range(recent)])
    plan[:old] = sorted(plan[:old], key=lambda item: item[1])
    started = time.perf_counter()
    for first in range(0, len(plan), CHUNK):
        events, deliveries = [], []
        for n, (what, at) in enumerate(plan[first:first + CHUNK], start=first):
            event_id = f"evt_bench{n:019d}"
            events.append({"id": event_id, "type": "response.created", "created_at": at, "data": {
                "response_id": n + 1, "survey_id": 1, "score": n % 11, "kind": "nps", "locale": "en",
                "comment": "Setup was quick and support answered within the hour.",
                "answered_at": at.isoformat(timespec="seconds") + "Z"}})
            deliveries.append({"event_id": event_id, "endpoint_id": paused.id if what == "stuck" else live.id,
                               "attempts": 1 if what != "stuck" else 30, "next_attempt_at": at,
                               "last_status": 200 if what != "stuck" else None,
                               "delivered_at": None if what == "stuck" else at + timedelta(seconds=2),
                               "created_at": at})
        db.session.execute(insert(WebhookEvent), events)
        db.session.execute(insert(WebhookDelivery), deliveries)
        db.session.commit()
    filled = time.perf_counter() - started
    if url.startswith("postgresql"):
        db.session.execute(db.text("ANALYZE webhook_event"))
        db.session.execute(db.text("ANALYZE webhook_delivery"))
        db.session.commit()
    plans = batch_plans(url, utcnow() - timedelta(days=30))
    started = time.perf_counter()
    with timed_statements() as spent:
        removed = prune_webhook_log(utcnow())
    seconds = time.perf_counter() - started
    left = (db.session.scalar(select(func.count()).select_from(WebhookDelivery)) - before_deliveries,
            db.session.scalar(select(func.count()).select_from(WebhookEvent)) - before_events)
    db.session.commit()
    if removed != (old, old) or left != (recent + stuck, recent + stuck):
        raise SystemExit(f"pruned {removed}, left {left}: expected ({old}, {old}) and {recent + stuck} each")
    say(f"  c. {old:,} old delivered deliveries and their events (+ {recent:,} recent, {stuck:,} undelivered "
        f"kept) filled in {filled:.1f} s; prune_webhook_log removed {removed[0]:,} deliveries and {removed[1]:,} "
        f"events in {seconds:.1f} s ({old / seconds:,.0f} deliveries/s)")
    for what, plan in plans.items():
        say(f"     first batch's read of {what}: {' | '.join(plan)}")
    for statement, (calls, spent_s) in spent.by_statement.items():
        say(f"     {calls:4d}× {spent_s:6.2f} s  {statement}")
    return {"old": old, "recent": recent, "undelivered": stuck, "removed": list(removed),
            "seconds": round(seconds, 2), "fill_seconds": round(filled, 1), "plans": plans,
            "statements": {k: [n, round(t, 2)] for k, (n, t) in spent.by_statement.items()}}


class timed_statements:
    """Time spent in each statement text meanwhile (the first 70 characters; IN lists and parameters aside)."""

    def __enter__(self) -> timed_statements:
        from sqlalchemy import event

        from feedback_app.core.extensions import db

        self.engine, self.by_statement, self.started = db.engine, {}, 0.0
        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)
        return self

    def _before(self, *args) -> None:
        self.started = time.perf_counter()

    def _after(self, connection, cursor, statement, *args) -> None:
        key = " ".join(statement.split())[:70]
        calls, spent = self.by_statement.get(key, (0, 0.0))
        self.by_statement[key] = (calls + 1, spent + time.perf_counter() - self.started)

    def __exit__(self, *exc) -> None:
        from sqlalchemy import event

        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)


def batch_plans(url: str, cutoff: datetime) -> dict:
    """The plans of the pruning's two batch reads (as webhooks.pruning writes them) on the filled tables."""
    from sqlalchemy import exists, select

    from feedback_app.core.extensions import db
    from webhooks.models import WebhookDelivery, WebhookEvent
    from webhooks.pruning import BATCH

    first = db.session.scalars(select(WebhookDelivery.event_id).where(WebhookDelivery.delivered_at < cutoff)
                               .order_by(WebhookDelivery.id).limit(BATCH)).all()
    reads = {"deliveries": select(WebhookDelivery.id, WebhookDelivery.event_id)
             .where(WebhookDelivery.delivered_at < cutoff).order_by(WebhookDelivery.id),
             # The events of the batch's deliveries that no delivery needs any more (the DELETE's condition).
             "events": select(WebhookEvent.id).where(WebhookEvent.id.in_(set(first)),
                                                     ~exists().where(WebhookDelivery.event_id == WebhookEvent.id))}
    prefix = "EXPLAIN QUERY PLAN " if url.startswith("sqlite") else "EXPLAIN "
    plans = {}
    for what, read in reads.items():
        compiled = read.limit(BATCH).compile(db.engine, compile_kwargs={"literal_binds": True})
        rows = db.session.execute(db.text(prefix + str(compiled))).all()
        plans[what] = [" ".join(str(row[-1]).split()) for row in rows]
    db.session.rollback()
    return plans


def run_on(kind: str, workdir: Path, args) -> dict:
    with fresh_app(kind, workdir, "webhooks_bench") as (app, url):
        result = {"load_before": load()}
        with app.app_context():
            result["delivery"] = delivery(args.events)
        result["post"] = post_cost(app, args.answers)  # no app context around the requests, as in a server
        with app.app_context():
            result["pruning"] = pruning(url, args.prune, args.recent)
        result["load_after"] = load()
    say(f"  load average {result['load_before']} before, {result['load_after']} after")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--answers", type=int, default=2_000, help="survey POSTs timed per variant")
    parser.add_argument("--prune", type=int, default=200_000, help="old delivered deliveries to prune")
    parser.add_argument("--recent", type=int, default=20_000, help="delivered deliveries of the last 30 days (kept)")
    parser.add_argument("--db", action="append", choices=("sqlite", "postgresql"))
    args = parser.parse_args()
    settings = {"events": args.events, "answers": args.answers, "prune": args.prune, "recent": args.recent}
    measure_and_write("webhooks", settings, args.db, lambda kind, folder: run_on(kind, folder, args))


if __name__ == "__main__":
    main()
