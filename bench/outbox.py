"""Outbox delivery throughput, beside a plain smtplib loop to the same SMTP server, in the same run.

    .venv/bin/python bench/outbox.py [--emails N] [--rounds R] [--db sqlite|postgresql|URL …] [--profile]

What it does, all on 127.0.0.1:

1. Starts an SMTP server (aiosmtpd, in a process of its own so it never competes with the sender for the
   GIL) that accepts every message at once and counts them.
2. Per database (a fresh SQLite file; a throw-away PostgreSQL cluster started from the Debian binaries with
   the test suite's settings, or the URL given): the schema from the app's migrations, N customers, one
   NPS survey sent to them through the app's own services, so the outbox holds N real invitation emails.
3. Rounds, the contenders interleaved (their order rotates each round); before each app contender every
   email is made due again (untimed):
     smtplib           the N emails built beforehand as `EmailMessage`s (the app's own build_message), then
                       timed: connect, `send_message` each on one connection, quit. The yardstick.
     smtplib-bytes     the same, but flattened to bytes beforehand and sent with `sendmail`: the least a
                       Python sender can do per email.
     mail-deliver      the real `feedback mail deliver` command, run in this process (Click's runner):
                       claims, sends, records, progress bar.
     scheduler         the scheduler's job function (`feedback_app.scheduler.deliver_mail`).
4. Checks that every app run sent all N (each row `sent` once) and that the server got every message,
   prints the medians, the CPU time per email of this process and of the SMTP server (the figures that
   a busy machine disturbs least), and the ratios (paired per round: app time over smtplib time, inverted, so 1.0
   means as fast), and writes them as JSON to bench/results/ (git-ignored).

With --profile it also profiles one `mail deliver` run per database and prints where its time goes.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import smtplib
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("FEEDBACK_SECRET_KEY", "outbox-benchmark-secret-key-0123456789")

from tests.support.postgres import TemporaryPostgres, free_port  # noqa: E402

RESULTS = BENCH / "results"
SENDER = "Acme Feedback <feedback@acme.example>"
TARGET = 0.9
CONTENDERS = ("smtplib", "smtplib-bytes", "mail-deliver", "scheduler")


# ---------------------------------------------------------------- the SMTP server (its own process)

def serve(port: int) -> None:
    """Accept every message at once; print how many arrived when stdin says 'count'; end at EOF."""
    from aiosmtpd.controller import Controller

    class Counter:
        received = 0

        async def handle_DATA(self, server, session, envelope):
            Counter.received += 1
            return "250 OK"

    controller = Controller(Counter(), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip() == "count":
            print(Counter.received, flush=True)
    controller.stop()


class SMTPServer:
    def __init__(self):
        self.port = free_port()
        self.process = subprocess.Popen([sys.executable, __file__, "--serve", str(self.port)], text=True,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert self.process.stdout.readline().strip() == "ready"

    def cpu_seconds(self) -> float:
        """The server process's CPU time so far (Linux /proc: user + system)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def received(self) -> int:
        self.process.stdin.write("count\n")
        self.process.stdin.flush()
        return int(self.process.stdout.readline())

    def stop(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


# ---------------------------------------------------------------- the database and its emails

def make_app(url: str, server: SMTPServer):
    from flask_migrate import upgrade

    from feedback_app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "MAIL_TRANSPORT": "smtp", "SMTP_HOST": "127.0.0.1",
                      "SMTP_PORT": server.port, "SMTP_TLS": "none", "MAIL_FROM": SENDER,
                      "BASE_URL": "https://feedback.acme.example"})
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
    return app


def queue_invitations(app, count: int) -> None:
    """N real invitation emails, queued by the app's own services as `feedback surveys send` does."""
    from feedback_app.core.clock import utcnow
    from surveys.asking import services
    from surveys.people.importing import CustomerRow, ParsedCSV
    from surveys.people.services import import_customers

    with app.app_context():
        rows = [CustomerRow(i + 2, f"customer{i}@example.com", f"Customer {i}", ("en", "ar", "fa")[i % 3], {})
                for i in range(count)]
        import_customers(ParsedCSV(rows=rows))
        survey = services.create_survey("nps", "Benchmark", "Acme")
        services.send_survey(survey, utcnow(), cooldown_days=30)


def make_all_due(app) -> None:
    from sqlalchemy import update

    from feedback_app.core.clock import utcnow
    from feedback_app.core.extensions import db
    from feedback_app.mail.outbox import PENDING, OutboxEmail

    with app.app_context():
        db.session.execute(update(OutboxEmail).values(status=PENDING, attempts=0, sent_at=None, claimed_at=None,
                                                      claimed_by=None, last_error=None, next_attempt_at=utcnow()))
        db.session.commit()


def sent_rows(app) -> tuple[int, int]:
    """(rows sent exactly once, all rows)."""
    from sqlalchemy import func, select

    from feedback_app.core.extensions import db
    from feedback_app.mail.outbox import SENT, OutboxEmail

    with app.app_context():
        once = db.session.scalar(select(func.count()).where(OutboxEmail.status == SENT, OutboxEmail.attempts == 1))
        return once, db.session.scalar(select(func.count()).select_from(OutboxEmail))


def prebuilt_messages(app):
    """The same emails as the outbox holds, built before the clock starts (the yardstick's advantage)."""
    import email.policy

    from sqlalchemy import select

    from feedback_app.core.extensions import db
    from feedback_app.mail.outbox import OutboxEmail
    from feedback_app.mail.render import build_message

    with app.app_context():
        emails = db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)).all()
        messages = [build_message(e.outgoing(), SENDER) for e in emails]
    return messages, [(m["To"], m.as_bytes(policy=email.policy.SMTP)) for m in messages]


# ---------------------------------------------------------------- the contenders

def smtplib_loop(server: SMTPServer, messages) -> float:
    start = time.perf_counter()
    client = smtplib.SMTP("127.0.0.1", server.port)
    for message in messages:
        client.send_message(message)
    client.quit()
    return time.perf_counter() - start


def smtplib_bytes_loop(server: SMTPServer, flattened) -> float:
    start = time.perf_counter()
    client = smtplib.SMTP("127.0.0.1", server.port)
    for recipient, data in flattened:
        client.sendmail("feedback@acme.example", [recipient], data)
    client.quit()
    return time.perf_counter() - start


def mail_deliver(app) -> float:
    from feedback_app.mail.cli import mail_deliver as command

    runner = app.test_cli_runner()
    start = time.perf_counter()
    result = runner.invoke(command)
    elapsed = time.perf_counter() - start
    if result.exit_code != 0 or " sent, 0 to retry later, 0 failed." not in result.output:
        raise SystemExit(f"feedback mail deliver failed: {result.output}\n{result.exception!r}")
    return elapsed


def scheduler_job(app) -> float:
    from feedback_app import scheduler

    with app.app_context():
        start = time.perf_counter()
        report = scheduler.deliver_mail()
        elapsed = time.perf_counter() - start
    if report.retrying or report.failed or report.stopped_early:
        raise SystemExit(f"the scheduler's delivery did not send everything: {report}")
    return elapsed


def run_database(label: str, url: str, server: SMTPServer, emails: int, rounds: int, profile: bool) -> dict:
    app = make_app(url, server)
    queue_invitations(app, emails)
    messages, flattened = prebuilt_messages(app)
    received_before = server.received()
    times: dict[str, list[float]] = {name: [] for name in CONTENDERS}
    cpu: dict[str, list[tuple[float, float]]] = {name: [] for name in CONTENDERS}  # (ours, the SMTP server's)
    for round_number in range(rounds):
        order = CONTENDERS[round_number % len(CONTENDERS):] + CONTENDERS[:round_number % len(CONTENDERS)]
        for name in order:
            if name not in ("smtplib", "smtplib-bytes"):
                make_all_due(app)
            ours, theirs = time.process_time(), server.cpu_seconds()
            if name == "smtplib":
                times[name].append(smtplib_loop(server, messages))
            elif name == "smtplib-bytes":
                times[name].append(smtplib_bytes_loop(server, flattened))
            else:
                times[name].append(mail_deliver(app) if name == "mail-deliver" else scheduler_job(app))
            cpu[name].append((time.process_time() - ours, server.cpu_seconds() - theirs))
            if name not in ("smtplib", "smtplib-bytes"):
                once, total = sent_rows(app)
                if (once, total) != (emails, emails):
                    raise SystemExit(f"{name}: {once} of {total} emails sent exactly once, expected {emails}")
        print(f"  {label} round {round_number + 1}: " + ", ".join(f"{n} {times[n][-1]:.2f} s" for n in order),
              flush=True)
    expected = received_before + rounds * len(CONTENDERS) * emails
    if server.received() != expected:
        raise SystemExit(f"the SMTP server got {server.received() - received_before}, expected {expected}")
    result = summarise(label, emails, times)
    result["cpu_ms_per_email"] = {name: [round(1000 * statistics.median(c[i] for c in values) / emails, 3)
                                         for i in (0, 1)] for name, values in cpu.items()}
    if profile:
        result["profile"] = profile_deliver(app)
    return result


def summarise(label: str, emails: int, times: dict[str, list[float]]) -> dict:
    median = {name: statistics.median(values) for name, values in times.items()}
    ratios = {}
    for name in ("mail-deliver", "scheduler"):
        for yardstick in ("smtplib", "smtplib-bytes"):
            paired = [base / app for base, app in zip(times[yardstick], times[name])]
            ratios[f"{name} / {yardstick}"] = statistics.median(paired)
    return {"database": label, "emails": emails, "seconds": times, "median_seconds": median,
            "emails_per_second": {name: emails / seconds for name, seconds in median.items()}, "ratios": ratios}


def profile_deliver(app) -> str:
    make_all_due(app)
    profiler = cProfile.Profile()
    profiler.enable()
    mail_deliver(app)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(25)
    return out.getvalue()


# ---------------------------------------------------------------- the run

def database_urls(choices: list[str], workdir: Path):
    """Yields (label, url) and cleans up after each: an SQLite file, a throw-away cluster, or a given URL."""
    for choice in choices:
        if choice == "sqlite":
            yield "sqlite", f"sqlite:///{workdir / 'outbox.db'}"
        elif choice == "postgresql":
            cluster = TemporaryPostgres.start()
            if cluster is None:
                raise SystemExit("PostgreSQL is not installed (apt-get install postgresql), or pass --db sqlite")
            try:
                yield "postgresql", TemporaryPostgres.fresh_database(cluster.url, "outbox_bench")
            finally:
                cluster.stop()
        else:
            yield "postgresql (given)", choice.replace("postgresql://", "postgresql+psycopg://", 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--emails", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--db", action="append", help="sqlite, postgresql (a throw-away local cluster) or a URL; "
                                                      "repeatable (default: both)")
    parser.add_argument("--profile", action="store_true", help="profile one `mail deliver` run per database")
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    server = SMTPServer()
    results = []
    try:
        with tempfile.TemporaryDirectory(prefix="outbox-bench-") as workdir:
            for label, url in database_urls(args.db or ["sqlite", "postgresql"], Path(workdir)):
                results.append(run_database(label, url, server, args.emails, args.rounds, args.profile))
    finally:
        server.stop()
    report(results)


def report(results: list[dict]) -> None:
    print(f"\n{'database':<12} {'contender':<14} {'median s':>9} {'emails/s':>9} {'CPU ms/email: ours':>19} "
          f"{'SMTP server':>12}")
    for result in results:
        for name in CONTENDERS:
            ours, server = result["cpu_ms_per_email"][name]
            print(f"{result['database']:<12} {name:<14} {result['median_seconds'][name]:>9.2f} "
                  f"{result['emails_per_second'][name]:>9.0f} {ours:>19.3f} {server:>12.3f}")
    print("\nratio (median of per-round pairs; 1.0 = as fast as the loop; target >= "
          f"{TARGET} against smtplib)")
    for result in results:
        for name, ratio in result["ratios"].items():
            print(f"{result['database']:<12} {name:<30} {ratio:.2f}")
        if "profile" in result:
            print(f"\nprofile of one `feedback mail deliver` ({result['database']}):\n{result['profile']}")
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"outbox-{stamp}.json"
    path.write_text(json.dumps({"measured_at": stamp, "load": os.getloadavg(), "results": results}, indent=1))
    print(f"\nwritten to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
