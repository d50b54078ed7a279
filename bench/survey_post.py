"""Survey POST throughput, beside two bare Flask endpoints doing one validated INSERT, in the same run.

    .venv/bin/python bench/survey_post.py [--requests N] [--workers W] [--duration S] [--db sqlite|URL]
        [--app-database FILE|NAME]

With --app-database the app answers into a copy of a large database (bench/scale.py's 1M-answer one, say)
instead of a fresh one, with the benchmark's own survey, customers and invitations added to it: the
ratio must not depend on the data size (issue 10). SQLite: the file is copied into the temporary folder;
PostgreSQL: a database of that name on the --db server is used as it is (give it a copy).

What it does, all on 127.0.0.1 and bounded in time:

1. Makes fresh databases (SQLite files in a temporary folder, or with --db postgresql://…@127.0.0.1/…
   three fresh databases on that local server, dropped afterwards): for the app its schema through
   its migrations (`feedback init-db`), one NPS survey, N customers and N invitations (through the
   app's own services, so the outbox emails are queued as in real use), and the signed tokens
   (`links.invitation_token(id, kind)`) written to a file. Each bare variant gets a table of the same
   shape as `response` in a database of its own:
     bare-sqla    bench/bare_sqla_app.py: Flask + Flask-SQLAlchemy (the app's engine defaults), one
                  Core INSERT through db.session, commit: the bare endpoint of the app's own stack;
     bare-driver  bench/bare_app.py: Flask + the raw DB-API driver (sqlite3 / psycopg).
2. Starts the app and both bare apps under gunicorn (same worker count, sync workers), each on a
   free port of 127.0.0.1, and checks one real POST on each (303, one row).
3. Warms each up, then drives them one at a time with wrk and bench/post_tokens.lua for a fixed
   duration, interleaved in rounds (app, bare-sqla, bare-driver, app, …); every request answers a
   fresh invitation (a real INSERT, never an update). It measures the CPU that processes outside the
   benchmark use during each run (/proc): before a run it waits for a quiet second, and a run during
   which others took more than 0.1 core is discarded and repeated (--retries), so the figures are
   the benchmark's alone.
4. Stops the servers, counts the rows in every database, prints requests/s and the ratios
   app / bare-sqla (the target) and app / bare-driver, and writes everything as JSON to
   bench/results/ (git-ignored). Exits 1 if the run is not valid (a non-2xx/3xx response, a status
   other than 303, tokens running out, missing or updated rows).

The target (docs/benchmarks.md): the app's survey POST at >= 0.9 of the bare Flask-SQLAlchemy endpoint.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
LUA = BENCH / "post_tokens.lua"
BIN = Path(sys.executable).parent
TARGET = 0.9
HEADLINE = "bare-sqla"  # the target's yardstick: the bare endpoint of the app's own stack
BARES = {  # name: gunicorn app spec (module in bench/)
    "bare-sqla": "bare_sqla_app:create_app()",
    "bare-driver": "bare_app:create_app()",
}
IMPORT_SLICE = 50_000  # customers per import_customers call in the set-up
FOREIGN_CPU_LIMIT = 0.10  # cores used by other processes during a measured run before it is flagged
LOOPBACK = ("127.0.0.1", "localhost", "::1", "")

sys.path.insert(0, str(ROOT))  # run from anywhere: the project is also installed editable
sys.path.insert(0, str(BENCH))


def say(message: str = "") -> None:
    print(message, flush=True)


# ------------------------------------------------------------------ databases

@dataclass
class Databases:
    kind: str          # "sqlite" or "postgresql"
    app_url: str       # for the app (SQLAlchemy URL)
    bare_urls: dict[str, str]  # per bare variant: sqlite:///… or postgresql://… (each app adapts it)
    server_url: str | None = None
    created: list[str] = field(default_factory=list)
    server_pid: int | None = None  # the local PostgreSQL postmaster: its CPU is the benchmark's too

    survey_id: int = 1  # the benchmark's survey: rows are counted for it alone (an --app-database has others)

    @classmethod
    def make(cls, db: str, workdir: Path, app_database: str | None = None) -> Databases:
        """Fresh databases; with `app_database` the app uses that one instead (SQLite: a copy of that file is
        made in workdir; PostgreSQL: that database on the same server, used as it is — pass a copy)."""
        databases = cls._make(db, workdir)
        if app_database and databases.kind == "sqlite":
            say(f"  copying {app_database} for the app …")
            shutil.copyfile(app_database, workdir / "app.db")
        elif app_database:
            databases.app_url = databases.app_url.rsplit("/", 1)[0] + f"/{app_database}"
        return databases

    @classmethod
    def _make(cls, db: str, workdir: Path) -> Databases:
        if db == "sqlite":
            return cls("sqlite", f"sqlite:///{workdir / 'app.db'}",
                       {name: f"sqlite:///{workdir / (name + '.db')}" for name in BARES})
        parts = urlsplit(db)
        if parts.scheme not in ("postgresql", "postgres", "postgresql+psycopg"):
            raise SystemExit(f"--db must be 'sqlite' or a postgresql:// URL, not {db!r}")
        host = unquote(parts.hostname or "")
        if host not in LOOPBACK and not host.startswith("/"):
            raise SystemExit(f"--db: this benchmark only talks to 127.0.0.1 (or a local socket), not {host!r}")
        import psycopg

        plain = "postgresql://" + db.split("://", 1)[1]
        names = [f"feedback_bench_{os.getpid()}_{name.replace('-', '_')}" for name in ("app", *BARES)]
        databases = cls("postgresql", "", {}, server_url=plain)
        with psycopg.connect(plain, autocommit=True) as connection:
            backend = connection.execute("SELECT pg_backend_pid()").fetchone()[0]
            try:
                with open(f"/proc/{backend}/stat") as stat:
                    databases.server_pid = int(stat.read().rsplit(")", 1)[1].split()[1])
            except OSError:  # not visible from here (another container, say)
                say("  note: the PostgreSQL server's processes are not visible here: their CPU will count as "
                    "other processes' load")
            for name in names:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
                connection.execute(f'CREATE DATABASE "{name}"')
                databases.created.append(name)
        base = plain.split("?", 1)[0].rsplit("/", 1)[0]
        query = ("?" + plain.split("?", 1)[1]) if "?" in plain else ""
        databases.app_url = base.replace("postgresql://", "postgresql+psycopg://", 1) + f"/{names[0]}{query}"
        databases.bare_urls = {name: f"{base}/{db_name}{query}" for name, db_name in zip(BARES, names[1:])}
        return databases

    def drop(self) -> None:
        if not self.created:
            return
        import psycopg

        with psycopg.connect(self.server_url, autocommit=True) as connection:
            for name in self.created:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.created.clear()


def count_rows(url: str, survey_id: int = 1) -> dict:
    """Rows of one survey in a `response` table (the bare tables have only survey 1), and how many were
    changed after being written (must be none)."""
    import bare_app

    connection = bare_app.connect(url.replace("postgresql+psycopg://", "postgresql://", 1))
    try:
        rows, updated = connection.execute(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN updated_at <> answered_at THEN 1 ELSE 0 END), 0)"
            f" FROM response WHERE survey_id = {int(survey_id)}").fetchone()
        return {"rows": int(rows), "updated_after_insert": int(updated)}
    finally:
        connection.close()


# ------------------------------------------------------------------ fixtures

def app_environment(databases: Databases, secret: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FEEDBACK_")}
    env.update(FEEDBACK_DATABASE_URL=databases.app_url, FEEDBACK_SECRET_KEY=secret,
               FEEDBACK_BASE_URL="http://127.0.0.1:5000")
    return env


def set_up_app_database(databases: Databases, env: dict[str, str], count: int, tokens_file: Path) -> None:
    init = subprocess.run([str(BIN / "feedback"), "init-db"], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    if init.returncode != 0:
        raise SystemExit(f"feedback init-db failed:\n{init.stdout}\n{init.stderr}")

    os.environ.update({k: v for k, v in env.items() if k.startswith("FEEDBACK_")})
    from sqlalchemy import func, insert, literal, select

    from feedback_app import create_app
    from feedback_app.core.clock import utcnow
    from feedback_app.core.extensions import db
    from surveys.answering.links import invitation_token, signed_invitation
    from surveys.asking import services
    from surveys.models import Customer, Invitation
    from surveys.people.importing import CustomerRow, ParsedCSV
    from surveys.people.services import import_customers

    app = create_app({"SQLALCHEMY_DATABASE_URI": databases.app_url})
    with app.app_context():
        survey = services.create_survey("nps", "Benchmark NPS", "the product")
        rows = [CustomerRow(line=i + 2, email=f"customer{i}@bench.example", name=f"Customer {i}", locale="en",
                            attributes={"plan": "pro"}) for i in range(count)]
        # In slices: import_customers looks all the e-mails up in one IN (…), and PostgreSQL takes at
        # most 65,535 parameters in a statement (a larger import fails there; see docs/benchmarks.md).
        created = sum(import_customers(ParsedCSV(rows=rows[i:i + IMPORT_SLICE])).created
                      for i in range(0, count, IMPORT_SLICE))
        databases.survey_id = survey.id
        if db.session.scalar(select(func.count(Customer.id))) == count:  # a fresh database
            queued = services.send_survey(survey, utcnow(), cooldown_days=0)
        else:  # an --app-database with customers of its own: invite only the benchmark's (the POST reads no email)
            queued = db.session.execute(insert(Invitation).from_select(
                ["survey_id", "customer_id", "sent_at", "locale"],
                select(literal(survey.id), Customer.id, literal(utcnow()), literal("en"))
                .where(Customer.email.like("customer%@bench.example")))).rowcount
            db.session.commit()
        if created != count or queued != count:
            raise SystemExit(f"set-up made {created} customers and {queued} invitations, not {count}")
        invitations = db.session.scalars(db.select(Invitation).where(Invitation.survey_id == survey.id)
                                         .order_by(Invitation.id)).all()
        # The token carries what the POST needs (surveys/answering/links.py), as in the emails (survey_url).
        tokens_file.write_text("".join(invitation_token(signed_invitation(invitation)) + "\n"
                                       for invitation in invitations))
        db.session.remove()
        db.engine.dispose()


def set_up_bare_database(url: str, count: int, ids_file: Path) -> None:
    """Both bare variants get the same table, made with bench/bare_app.py's DDL."""
    import bare_app

    bare_app.create_schema(url)
    ids_file.write_text("".join(f"{i}\n" for i in range(1, count + 1)))


# ------------------------------------------------------------------ servers

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    name: str
    prefix: str         # path before a token or id
    lines_file: Path
    lines: int
    port: int = 0
    process: subprocess.Popen | None = None
    log: Path | None = None
    cursor: int = 1     # next unused line; line 0 is the pre-flight check's

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, spec: str, env: dict[str, str], workers: int, workdir: Path, extra: list[str]) -> None:
        self.port = free_port()
        self.log = workdir / f"{self.name}-gunicorn.log"
        command = [str(BIN / "gunicorn"), "--workers", str(workers), "--worker-class", "sync",
                   "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning", "--timeout", "60",
                   *control_socket_off(), *extra, spec]
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name}: gunicorn exited at start-up; its log:\n{self.log.read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"{self.name}: gunicorn did not listen on 127.0.0.1:{self.port} within 60 s")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # the master stops its workers
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # its own session: only what it started
            self.process.wait(timeout=10)

    def preflight(self) -> None:
        """One real POST with line 0: it must answer 303 to a thank-you page."""
        path = self.prefix + self.lines_file.open().readline().strip()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("POST", path, body="score=9&comment=Pre-flight&may_contact=1",
                               headers={"Content-Type": "application/x-www-form-urlencoded"})
            response = connection.getresponse()
            response.read()
        finally:
            connection.close()
        location = response.getheader("Location", "")
        if response.status != 303 or not location.rstrip("/").endswith("/thanks"):
            raise SystemExit(f"{self.name}: pre-flight POST {path} answered {response.status} {location!r}, "
                             f"not 303 to a thank-you page; server log:\n{self.log.read_text()[-3000:]}")


_control_socket_flag: list[str] | None = None


def control_socket_off() -> list[str]:
    """gunicorn >= 24 opens a control socket in ~/.gunicorn by default; the benchmark needs none."""
    global _control_socket_flag
    if _control_socket_flag is None:
        help_text = subprocess.run([str(BIN / "gunicorn"), "--help"], capture_output=True, text=True).stdout
        _control_socket_flag = ["--no-control-socket"] if "--no-control-socket" in help_text else []
    return _control_socket_flag


# ------------------------------------------------------------------ load

@dataclass
class Phase:
    server: str
    label: str
    duration: int
    requests_per_s: float
    requests: int
    see_other: int
    other_status: int
    non_2xx_3xx: int
    socket_errors: dict
    latency_avg: str
    exhausted: bool
    lines: tuple[int, int]
    command: str
    cpu_benchmark: float = 0.0  # cores used by the benchmark's processes (gunicorn, wrk, this script)
    cpu_other: float = 0.0      # cores used by everything else on the machine meanwhile
    cpu_steal: float = 0.0      # cores the hypervisor gave to other guests meanwhile (not preventable)
    cpu_web: float = 0.0        # of cpu_benchmark: the driven server's gunicorn master and workers
    cpu_database: float = 0.0   # of cpu_benchmark: the local PostgreSQL server's processes
    cpu_load: float = 0.0       # of cpu_benchmark: wrk and this script
    discarded: bool = False     # had company (other load): repeated, not counted

    @property
    def valid(self) -> bool:
        return not self.exhausted and self.non_2xx_3xx == 0 and self.other_status == 0

    @property
    def quiet(self) -> bool:
        return self.cpu_other <= FOREIGN_CPU_LIMIT


TICK = os.sysconf("SC_CLK_TCK")


def machine_seconds() -> tuple[float, float]:
    """CPU seconds since boot, all cores: (user + nice + system, steal)."""
    with open("/proc/stat") as stat:
        fields = [int(v) for v in stat.readline().split()[1:]]
    return (fields[0] + fields[1] + fields[2]) / TICK, fields[7] / TICK  # guest time is inside user


def busy_seconds() -> float:
    return machine_seconds()[0]


def own_seconds(groups: set[int]) -> float:
    """CPU seconds of the benchmark's processes: this script and its waited-for children (wrk), and every
    process that is one of `groups` (gunicorn masters, the local PostgreSQL postmaster), in its process
    group (the gunicorn workers) or its child (the PostgreSQL backends)."""
    return sum(cpu_by_group(groups).values())


def cpu_by_group(groups: set[int]) -> dict[int | str, float]:
    """own_seconds split by where it went: per group leader (a gunicorn master with its workers, the
    PostgreSQL postmaster with its backends), and "load" (this script and wrk)."""
    ticks: dict[int | str, float] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, parent, group = int(entry.name), int(fields[1]), int(fields[2])
        owner = next((g for g in (pid, group, parent) if g in groups), "load" if pid == os.getpid() else None)
        if owner is not None:
            ticks[owner] = ticks.get(owner, 0) + int(fields[11]) + int(fields[12])  # utime, stime
    children = os.times()
    seconds = {owner: count / TICK for owner, count in ticks.items()}
    seconds["load"] = seconds.get("load", 0.0) + children.children_user + children.children_system
    return seconds


def wait_for_quiet(groups: set[int], timeout: float = 180.0) -> float:
    """Wait (up to timeout) until other processes use at most FOREIGN_CPU_LIMIT cores over a second."""
    deadline = time.monotonic() + timeout
    while True:
        busy0, own0 = busy_seconds(), own_seconds(groups)
        time.sleep(1.0)
        other = max(0.0, (busy_seconds() - busy0) - (own_seconds(groups) - own0))
        if other <= FOREIGN_CPU_LIMIT or time.monotonic() > deadline:
            return other


def run_wrk(server: Server, label: str, duration: int, threads: int, connections: int,
            groups: set[int], database_pid: int | None = None) -> Phase:
    start, stop = server.cursor, server.lines
    command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s", "--timeout", "10s",
               "-s", str(LUA), server.url, "--", str(server.lines_file), server.prefix, str(start), str(stop),
               str(threads)]
    (busy0, steal0), parts0, wall0 = machine_seconds(), cpu_by_group(groups), time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 120)
    (busy1, steal1), parts1, wall = machine_seconds(), cpu_by_group(groups), time.monotonic() - wall0
    own0, own1 = sum(parts0.values()), sum(parts1.values())
    used_by = {owner: (parts1.get(owner, 0.0) - parts0.get(owner, 0.0)) / wall for owner in parts1}
    out = done.stdout
    match = re.search(r"^RESULT (\{.*\})$", out, re.M)
    if done.returncode != 0 or match is None:
        raise SystemExit(f"wrk failed on {server.name} ({done.returncode}):\n{out}\n{done.stderr}")
    result = json.loads(match.group(1))
    used = max(t["used"] for t in result["threads"])
    server.cursor = start + threads * used  # every line a request may have taken is spent
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    latency = re.search(r"Latency\s+(\S+)", out)
    return Phase(
        server=server.name, label=label, duration=duration,
        requests_per_s=float(rate.group(1)) if rate else 0.0,
        requests=result["requests"],
        see_other=sum(t["see_other"] for t in result["threads"]),
        other_status=sum(t["other"] for t in result["threads"]),
        non_2xx_3xx=int(non2xx.group(1)) if non2xx else 0,
        socket_errors=dict(zip(("connect", "read", "write", "timeout"), map(int, sockets.groups())))
        if sockets else {"connect": 0, "read": 0, "write": 0, "timeout": 0},
        latency_avg=latency.group(1) if latency else "?",
        exhausted=any(t["exhausted"] for t in result["threads"]),
        lines=(start, server.cursor),
        command=" ".join(command),
        cpu_benchmark=round((own1 - own0) / wall, 3),
        cpu_other=round(max(0.0, (busy1 - busy0) - (own1 - own0)) / wall, 3),
        cpu_steal=round((steal1 - steal0) / wall, 3),
        cpu_web=round(used_by.get(server.process.pid, 0.0), 3),
        cpu_database=round(used_by.get(database_pid, 0.0), 3),
        cpu_load=round(used_by.get("load", 0.0), 3),
    )


def show(phase: Phase) -> None:
    errors = sum(phase.socket_errors.values())
    flags = []
    if phase.non_2xx_3xx:
        flags.append(f"{phase.non_2xx_3xx} non-2xx/3xx")
    if phase.other_status:
        flags.append(f"{phase.other_status} not 303")
    if phase.exhausted:
        flags.append("RAN OUT OF TOKENS")
    if errors:
        flags.append(f"socket errors {phase.socket_errors}")
    if not phase.quiet:
        flags.append(f"OTHER LOAD {phase.cpu_other:.2f} cores")
    if phase.cpu_steal >= 0.05:
        flags.append(f"steal {phase.cpu_steal:.2f} cores")
    say(f"  {phase.label:<9} {phase.server:<11} {phase.requests_per_s:>8.1f} req/s  {phase.requests:>6} requests"
        f"  latency avg {phase.latency_avg:>8}  cpu {phase.cpu_benchmark:.2f}+{phase.cpu_other:.2f} "
        f"(web {phase.cpu_web:.2f}, db {phase.cpu_database:.2f}, wrk {phase.cpu_load:.2f})  "
        f"{', '.join(flags) or 'all 303'}")


# ------------------------------------------------------------------ report

def environment() -> dict:
    def version(package: str) -> str | None:
        from importlib.metadata import PackageNotFoundError
        from importlib.metadata import version as v
        try:
            return v(package)
        except PackageNotFoundError:
            return None

    cpu = "?"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.splitlines()
    git = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                           capture_output=True, text=True)
    return {
        "cpu": cpu, "cores": os.cpu_count(), "platform": platform.platform(),
        "python": platform.python_version(), "wrk": wrk[0] if wrk else None,
        "packages": {p: version(p) for p in ("flask", "werkzeug", "sqlalchemy", "flask-sqlalchemy",
                                             "gunicorn", "psycopg")},
        "git_commit": git.stdout.strip() or None,
        "git_modified_files": [line[3:] for line in dirty.stdout.splitlines()],
    }


def run(args, databases: Databases, workdir: Path, secret: str, servers: list[Server], connections: int,
        phases: list[Phase]) -> None:
    """Set up, start the servers and drive them; the caller stops them whatever happens."""
    app, bares = servers[0], servers[1:]
    say(f"Survey POST benchmark: {args.workers} sync gunicorn workers per app, {databases.kind}, "
        f"wrk -t{args.threads} -c{connections}, {args.rounds} x {args.duration} s per app "
        f"({', '.join(s.name for s in servers)}), 127.0.0.1 only")
    say(f"Setting up {args.requests} customers and invitations in a fresh {databases.kind} database …")
    t0 = time.monotonic()
    env = app_environment(databases, secret)
    set_up_app_database(databases, env, args.requests, app.lines_file)
    for bare in bares:
        set_up_bare_database(databases.bare_urls[bare.name], bare.lines, bare.lines_file)
    say(f"  done in {time.monotonic() - t0:.0f} s; tokens in {app.lines_file} (removed at the end unless "
        "--keep)")

    app.start("feedback_app:create_app()", env, args.workers, workdir, [])
    for bare in bares:
        bare_env = {k: v for k, v in os.environ.items() if not k.startswith("FEEDBACK_")}
        bare_env["BARE_DATABASE_URL"] = databases.bare_urls[bare.name]
        bare.start(BARES[bare.name], bare_env, args.workers, workdir, ["--pythonpath", str(BENCH)])
    for server in servers:
        server.preflight()
    say("Servers up: " + ", ".join(f"{s.name} {s.url}" for s in servers) + "; one POST each answered 303")

    groups = {server.process.pid for server in servers}  # each gunicorn runs in a session of its own
    if databases.server_pid:
        groups.add(databases.server_pid)
    for server in servers:
        if args.warmup:
            phase = run_wrk(server, "warm-up", args.warmup, args.threads, connections, groups,
                                databases.server_pid)
            phases.append(phase)
            show(phase)
    # Refuse early rather than run out of tokens mid-run (wrk would then under-report).
    for server in servers:
        warm = next((p for p in phases if p.server == server.name), None)
        rate = warm.requests_per_s if warm else 0.0
        need = int(rate * 1.3 * args.duration * args.rounds) + 100
        if server.lines - server.cursor < need:
            raise SystemExit(f"{server.name} would run out of fresh tokens at ~{rate:.0f} req/s: rerun with "
                             f"--requests {int((server.cursor + need) * args.requests / server.lines) + 1}")
    for number in range(1, args.rounds + 1):
        for server in servers:
            for attempt in range(args.retries + 1):
                fastest = max((p.requests_per_s for p in phases if p.server == server.name), default=0.0)
                if server.lines - server.cursor < 1.3 * fastest * args.duration + 100:
                    raise SystemExit(f"{server.name} is running short of fresh tokens after repeating runs that "
                                     "had company: rerun with a larger --requests, or on a quieter machine")
                wait_for_quiet(groups)
                phase = run_wrk(server, f"round {number}", args.duration, args.threads, connections, groups,
                                databases.server_pid)
                if phase.quiet or attempt == args.retries:
                    break
                phase.discarded = True  # other processes took CPU meanwhile: run it again
                phases.append(phase)
                show(phase)
                say(f"    (discarded: other processes used {phase.cpu_other:.2f} cores; repeating)")
            phases.append(phase)
            show(phase)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--requests", type=int, default=100000,
                        help="invitations (tokens) made; every request uses a fresh one, so this must cover "
                             "warm-up + rounds x duration at the app's rate (the script refuses early and "
                             "names the number it needs)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="gunicorn sync workers per app")
    parser.add_argument("--db", default="sqlite",
                        help="'sqlite' (files in a temporary folder) or a postgresql:// URL of a local server "
                             "on which three throw-away databases are created and dropped")
    parser.add_argument("--duration", type=int, default=15, help="seconds of each measured wrk run")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up per app")
    parser.add_argument("--rounds", type=int, default=2,
                        help="measured rounds, each app then bare-sqla then bare-driver")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--connections", type=int, default=0, help="wrk connections (default: 2 per worker)")
    parser.add_argument("--tmpdir", default="/dev/shm" if os.path.isdir("/dev/shm") else None,
                        help="where the temporary folder (SQLite files, tokens, logs) goes; the default, "
                             "memory-backed, keeps the disk's fsync times out of what is measured")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (databases, logs)")
    parser.add_argument("--app-database",
                        help="the app's database instead of a fresh one, e.g. a scale database (bench/scale.py) to "
                             "show that the ratio does not depend on the data size: SQLite, a file (copied into "
                             "the temporary folder); PostgreSQL, the name of a database on the --db server, used "
                             "as it is (pass a copy). It is upgraded (init-db) and gets the benchmark's survey, "
                             "customers and invitations beside its own")
    parser.add_argument("--retries", type=int, default=3,
                        help="times a measured wrk run is repeated when other processes took more than "
                             f"{FOREIGN_CPU_LIMIT} cores during it (before each run the script also waits, "
                             "up to 3 minutes, for a quiet second)")
    parser.add_argument("--require-quiet", action="store_true",
                        help=f"count the run as not valid if other processes used more than {FOREIGN_CPU_LIMIT} "
                             "cores during a measured wrk run (by default that is only reported)")
    args = parser.parse_args(argv)
    connections = args.connections or 2 * args.workers
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install -y wrk)")
    if args.requests < 100 or args.duration < 1 or args.rounds < 1 or connections < args.threads:
        raise SystemExit("--requests >= 100, --duration >= 1, --rounds >= 1, --connections >= --threads")

    started = datetime.now(UTC)
    measured_environment = environment()  # the commit as it was when the run began
    workdir = Path(tempfile.mkdtemp(prefix="feedback-bench-", dir=args.tmpdir))
    secret = "bench-" + secrets.token_urlsafe(24)
    databases: Databases | None = None
    # Ids cost nothing: the bare apps get plenty, so only the app's tokens can run short.
    servers = [Server("app", "/s/", workdir / "app_tokens.txt", args.requests)]
    servers += [Server(name, "/a/", workdir / f"{name}_ids.txt", args.requests * 5) for name in BARES]
    names = [server.name for server in servers]
    phases: list[Phase] = []
    try:
        databases = Databases.make(args.db, workdir, args.app_database)
        try:
            run(args, databases, workdir, secret, servers, connections, phases)
        finally:
            for server in servers:
                server.stop()
        rows = {"app": count_rows(databases.app_url, databases.survey_id)}
        rows.update({name: count_rows(url) for name, url in databases.bare_urls.items()})
    finally:
        if databases is not None:
            databases.drop()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    measured = [p for p in phases if p.label != "warm-up" and not p.discarded]
    rounds_of = {name: [p for p in measured if p.server == name] for name in names}
    rate = {name: statistics.mean(p.requests_per_s for p in rounds_of[name]) for name in names}
    ratios = {bare: rate["app"] / rate[bare] if rate[bare] else 0.0 for bare in BARES}
    round_ratios = {bare: [a.requests_per_s / b.requests_per_s for a, b in zip(rounds_of["app"], rounds_of[bare])]
                    for bare in BARES}
    ratio = ratios[HEADLINE]
    problems = [f"{p.label} {p.server}: not valid (non-2xx/3xx {p.non_2xx_3xx}, not-303 {p.other_status}, "
                f"ran out of tokens: {p.exhausted})" for p in phases if not p.valid]
    for name in names:
        answered = 1 + sum(p.see_other for p in phases if p.server == name)  # + the pre-flight POST
        in_flight = sum(1 for p in phases if p.server == name) * connections
        got = rows[name]
        got["answered_303"] = answered
        if not answered <= got["rows"] <= answered + in_flight:
            problems.append(f"{name}: {got['rows']} rows for {answered} answers with 303 (up to {in_flight} more "
                            "may be in flight at the end of a run)")
        if got["updated_after_insert"]:
            problems.append(f"{name}: {got['updated_after_insert']} rows were updated, not fresh inserts")
    noisy = [p for p in measured if not p.quiet]
    if noisy and args.require_quiet:
        problems += [f"{p.label} {p.server}: other processes used {p.cpu_other:.2f} cores" for p in noisy]

    say()
    say(f"{'':<12}{'req/s (mean)':>13}  {'rounds':<40}{'rows inserted':>15}{'303s':>8}")
    for name in names:
        per_round = ", ".join(f"{p.requests_per_s:.1f}" for p in rounds_of[name])
        say(f"{name:<12}{rate[name]:>13.1f}  {per_round:<40}{rows[name]['rows']:>15}{rows[name]['answered_303']:>8}")
    for bare in BARES:
        mark = (f"; target >= {TARGET}: {'met' if ratio >= TARGET else 'NOT met'}" if bare == HEADLINE
                else " (for reference)")
        say(f"ratio app/{bare}: {ratios[bare]:.3f} (per round: "
            f"{', '.join(f'{r:.3f}' for r in round_ratios[bare])}){mark}")
    non2xx = {name: sum(p.non_2xx_3xx for p in phases if p.server == name) for name in names}
    errors = {name: sum(sum(p.socket_errors.values()) for p in phases if p.server == name) for name in names}
    say("non-2xx/3xx responses: " + ", ".join(f"{n} {non2xx[n]}" for n in names)
        + "; socket errors: " + ", ".join(f"{n} {errors[n]}" for n in names))
    discarded = sum(p.discarded for p in phases)
    say(f"other processes' CPU during the counted runs: at most {max(p.cpu_other for p in measured):.2f} cores, "
        f"steal at most {max(p.cpu_steal for p in measured):.2f} cores"
        + (f"; {len(noisy)} run(s) above {FOREIGN_CPU_LIMIT}: the figures had company" if noisy else " (quiet)")
        + (f"; {discarded} run(s) with company discarded and repeated" if discarded else ""))

    result = {
        "benchmark": "survey_post", "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "settings": {"requests": args.requests, "workers": args.workers, "worker_class": "sync",
                     "database": databases.kind, "duration_s": args.duration, "warmup_s": args.warmup,
                     "rounds": args.rounds, "wrk_threads": args.threads, "wrk_connections": connections,
                     "app_database": args.app_database,
                     "order": names},
        "environment": measured_environment,
        "requests_per_s": rate, "headline": f"app/{HEADLINE}", "ratio": ratio,
        "ratios": {f"app/{bare}": value for bare, value in ratios.items()},
        "round_ratios": {f"app/{bare}": value for bare, value in round_ratios.items()},
        "target": TARGET, "target_met": ratio >= TARGET, "rows": rows, "valid": not problems,
        "quiet": not noisy, "problems": problems,
        "discarded_runs": sum(p.discarded for p in phases),
        "phases": [{**vars(p), "valid": p.valid, "quiet": p.quiet} for p in phases],
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"survey_post-{started.strftime('%Y%m%dT%H%M%SZ')}-{databases.kind}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    say(f"JSON: {out.relative_to(ROOT)}")
    if problems:
        say("THE RUN IS NOT VALID:\n  " + "\n  ".join(problems))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
