"""Long work in flat memory, and a lean web worker (issue 10): peak memory and time of the real commands.

    .venv/bin/python bench/memory.py import-send [--rows 200000] [--db sqlite] [--db postgresql]
    .venv/bin/python bench/memory.py export --sqlite FILE [--pg-data DIR --pg-name NAME]
    .venv/bin/python bench/memory.py worker --sqlite FILE [--pg-data DIR --pg-name NAME]

Every figure is a real `feedback …` command (or a real gunicorn worker) run as a subprocess; its peak
resident memory is the kernel's own count for that process (`os.wait4`'s rusage, as `/usr/bin/time -v`
reports it), its time the wall clock.

- import-send: writes a CSV of N customers (en/ar/fa, plan and mrr), then on a fresh database (SQLite
  file; PostgreSQL: a throw-away local cluster, the test suite's settings) runs `feedback init-db`,
  `feedback customers import FILE` (all new), the same import again (all updates), `feedback surveys
  create` and `feedback surveys send ID`, and checks the rows (N customers, N invitations, N emails).
- export: `feedback triage export --output FILE` of every verbatim, on a COPY of a scale database
  (bench/scale.py's cache: the SQLite file is copied to a temporary folder; `--pg-data` a cluster's data
  directory is copied and started on a free port), upgraded with `feedback init-db` first. Counts the
  rows written.
- worker: gunicorn, one sync worker, `--preload` (as README runs it), on a copy as above: the worker's
  resident memory (VmRSS; and PSS, which shares the pages forked from the master fairly) after start-up,
  after the survey page `GET /s/<token>`, after a team page (`/customers`, signed in as the scale
  admin), and after `POST /api/v1/feedback` (classified in the request, so the model is loaded).

Results are printed and written as JSON to bench/results/memory-*.json (git-ignored). The target:
< 300 MB peak for import, send and export; <= 200 MB resident for the worker with the model.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

SECRET = "memory-benchmark-secret-key-0123456789"
NAMES = {"en": ("Ana", "Ben", "Chloe", "Dev"), "ar": ("سارة", "علي", "مريم"), "fa": ("رضا", "مینا", "آرش")}


def say(message: str = "") -> None:
    print(message, flush=True)


@dataclass
class Run:
    what: str
    seconds: float
    peak_mb: float
    returncode: int
    last_line: str
    # The command's own CPU (user + system; not a database server's): on a shared machine, what it cost whatever
    # else was running, where the wall time waits for the other processes too.
    cpu_seconds: float = 0.0

    def show(self) -> None:
        say(f"  {self.what:<44} {self.seconds:8.1f} s  cpu {self.cpu_seconds:7.1f} s  peak {self.peak_mb:7.1f} MB  "
            f"exit {self.returncode}  {self.last_line[:80]}")


def measured(what: str, command: list[str], env: dict, workdir: Path) -> Run:
    """Run a command; its wall time and its own peak resident memory (the kernel's ru_maxrss)."""
    out, err = workdir / "stdout.txt", workdir / "stderr.txt"
    with open(out, "wb") as stdout, open(err, "wb") as stderr:
        started = time.monotonic()
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=stdout, stderr=stderr)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    lines = (out.read_text(errors="replace") or err.read_text(errors="replace")).strip().splitlines()
    run = Run(what, round(seconds, 1), round(usage.ru_maxrss / 1024, 1), process.returncode,
              lines[-1] if lines else "", round(usage.ru_utime + usage.ru_stime, 1))
    run.show()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{err.read_text(errors='replace')[-3000:]}")
    label = {"import": "Importing customers", "send": "Queuing invitations", "export": "Exporting verbatims"}
    if what.split()[0] in label and label[what.split()[0]] not in err.read_text(errors="replace"):
        say("    (no progress bar on stderr)")  # off a terminal, click writes the label only
    return run


def environment(database_url: str, base_url: str = "http://127.0.0.1:5000") -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FEEDBACK_")}
    env.update(FEEDBACK_DATABASE_URL=database_url, FEEDBACK_SECRET_KEY=SECRET, FEEDBACK_BASE_URL=base_url)
    return env


def feedback(*args: str) -> list[str]:
    return [str(BIN / "feedback"), *args]


def write_csv(path: Path, rows: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8", newline="") as file:
        file.write("email,name,locale,plan,mrr\r\n")
        for n in range(rows):
            locale = rng.choice(("en", "en", "ar", "fa"))
            file.write(f"customer{n}@memory.example,{rng.choice(NAMES[locale])} {n},{locale},"
                       f"{rng.choice(('free', 'team', 'business'))},{rng.randrange(0, 900)}\r\n")


def count(url: str, table: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(f"SELECT count(*) FROM {table}")).scalar()
    finally:
        engine.dispose()


# ------------------------------------------------------------------ databases

class Postgres:
    """A throw-away cluster (fresh) or a copy of a cluster's data directory, started on a free port."""

    def __init__(self, workdir: Path, copy_of: Path | None = None):
        from tests.support.postgres import TemporaryPostgres

        self.workdir, self.copy_of, self.server = workdir, copy_of, None
        self._fresh = TemporaryPostgres

    def __enter__(self) -> str:
        if self.copy_of is None:
            self.server = self._fresh.start()
            if self.server is None:
                raise SystemExit("PostgreSQL is not installed")
            return self.server.url
        from scale_servers import local_postgres

        root = self.workdir / "pg"
        say(f"  copying {self.copy_of} to {root} …")
        shutil.copytree(self.copy_of, root / "data", symlinks=True,
                        ignore=shutil.ignore_patterns("postmaster.pid", "postmaster.opts"))
        shutil.chown(root, "postgres", "postgres")
        subprocess.run(["chown", "-R", "postgres:postgres", str(root)], check=True)
        self.server = local_postgres(root)
        return self.server.__enter__()

    def __exit__(self, *exc) -> None:
        if self.copy_of is None:
            self.server.stop()
        else:
            self.server.__exit__(*exc)


def sqlite_copy(source: Path, workdir: Path) -> str:
    copy = workdir / "copy.sqlite"
    say(f"  copying {source} to {copy} …")
    shutil.copyfile(source, copy)
    return f"sqlite:///{copy}"


# ------------------------------------------------------------------ import and send

def import_send(args, workdir: Path) -> dict:
    csv_file = workdir / "customers.csv"
    write_csv(csv_file, args.rows)
    say(f"{args.rows:,} customers in {csv_file} ({csv_file.stat().st_size / 1e6:.1f} MB)")
    results = {}
    for kind in args.db or ["sqlite", "postgresql"]:
        say(f"\n{kind}:")
        runs: list[Run] = []
        with (Postgres(workdir) if kind == "postgresql" else _nothing(f"sqlite:///{workdir / 'fresh.db'}")) as url:
            if kind == "postgresql":
                from tests.support.postgres import TemporaryPostgres
                url = TemporaryPostgres.fresh_database(url, "memory_bench")
            env = environment(url)
            runs.append(measured("init-db", feedback("init-db"), env, workdir))
            runs.append(measured("import (new customers)", feedback("customers", "import", str(csv_file)), env, workdir))
            runs.append(measured("import again (updates)", feedback("customers", "import", str(csv_file)), env,
                                 workdir))
            created = measured("surveys create", feedback("surveys", "create", "--kind", "nps", "--name", "Memory"),
                               env, workdir)
            runs.append(measured("send (invitations + emails)", feedback("surveys", "send", created.last_line), env,
                                 workdir))
            rows = {table: count(url, table) for table in ("customer", "invitation", "outbox_email")}
        say(f"  rows: {rows}")
        if set(rows.values()) != {args.rows}:
            raise SystemExit(f"expected {args.rows} rows in each table, found {rows}")
        results[kind] = {"runs": [asdict(r) for r in runs], "rows": rows}
    return results


class _nothing:
    def __init__(self, value):
        self.value = value

    def __enter__(self):
        return self.value

    def __exit__(self, *exc):
        return None


# ------------------------------------------------------------------ export and worker on a copy

def copies(args, workdir: Path):
    """(kind, context manager yielding a URL) for each database asked for."""
    if args.sqlite:
        yield "sqlite", _nothing(sqlite_copy(Path(args.sqlite), workdir))
    if args.pg_data:
        yield "postgresql", _PostgresCopy(Path(args.pg_data), args.pg_name, workdir)


class _PostgresCopy(Postgres):
    def __init__(self, data: Path, name: str, workdir: Path):
        super().__init__(workdir, copy_of=data)
        self.name = name

    def __enter__(self) -> str:
        return super().__enter__().rsplit("/", 1)[0] + f"/{self.name}"


def export(args, workdir: Path) -> dict:
    results = {}
    for kind, database in copies(args, workdir):
        say(f"\n{kind}:")
        with database as url:
            env = environment(url)
            measured("init-db (upgrade the copy)", feedback("init-db"), env, workdir)
            if args.answered_at_index:
                _answered_at_index(url)
            out = workdir / "export.csv"
            run = measured("export (every verbatim)", feedback("triage", "export", "--output", str(out)), env,
                           workdir)
            with open(out, "rb") as file:
                records = sum(1 for _ in file)  # lines: a verbatim with line breaks counts more than once
            say(f"  {out.stat().st_size / 1e6:.1f} MB written, {records:,} lines")
            results[kind] = {"run": asdict(run), "bytes": out.stat().st_size, "lines": records}
            out.unlink()
    return results


def _answered_at_index(url: str) -> None:
    """The export reads in keyset order on (answered_at, id): with no index led by response.answered_at
    every batch would sort the table. Made on the copy when the schema has none."""
    from sqlalchemy import create_engine, inspect, text

    engine = create_engine(url)
    try:
        if any(index["column_names"][:1] == ["answered_at"] for index in inspect(engine).get_indexes("response")):
            return
        started = time.monotonic()
        with engine.begin() as connection:
            connection.execute(text("CREATE INDEX ix_response_answered_at_bench ON response (answered_at, id)"))
        say(f"  made an index on response (answered_at, id) on the copy in {time.monotonic() - started:.0f} s")
    finally:
        engine.dispose()


def worker(args, workdir: Path) -> dict:
    from scale_data import ADMIN_EMAIL  # noqa: F401  (the scale databases' admin signs in)
    from scale_pages import fetch, sign_in
    from scale_servers import SECRET_KEY, Gunicorn

    results = {}
    for kind, database in copies(args, workdir):
        say(f"\n{kind}:")
        with database as url:
            env = environment(url)
            measured("init-db (upgrade the copy)", feedback("init-db"), env, workdir)
            token = measured("tokens create", feedback("tokens", "create", "memory-bench", "--role", "triager"),
                             {**env, "FEEDBACK_SECRET_KEY": SECRET_KEY}, workdir).last_line
            server = Gunicorn(url, workdir / "gunicorn.log", workers=1)
            server.start()
            try:
                worker_pid = _the_worker(server.process.pid)
                steps = {"started": _memory(worker_pid)}
                status, *_ = fetch(server.address, _survey_path(url, SECRET_KEY), {}, 60)
                steps[f"survey page GET ({status})"] = _memory(worker_pid)
                status, *_ = fetch(server.address, "/customers", sign_in(server.address), 120)
                steps[f"team page /customers ({status})"] = _memory(worker_pid)
                body = json.dumps({"text": "The app crashes every time I open the export, please fix it",
                                   "channel": "memory-bench", "email": "someone@memory.example"})
                status, reply, *_ = fetch(server.address, "/api/v1/feedback", {
                    "Authorization": f"Bearer {token}", "Content-Type": "application/json"}, 120, "POST", body)
                steps[f"API intake, classified ({status})"] = _memory(worker_pid)
            finally:
                server.stop()
            for step, (rss, pss) in steps.items():
                say(f"  after {step:<36} RSS {rss:7.1f} MB   PSS {pss:7.1f} MB")
            results[kind] = {"steps": steps, "classified": reply.decode(errors="replace")[:300]}
    return results


def _the_worker(master: int) -> int:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.2)
    raise SystemExit("gunicorn started no worker")


def _memory(pid: int) -> tuple[float, float]:
    time.sleep(0.5)
    status = Path(f"/proc/{pid}/status").read_text()
    rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024
    rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    pss = int(re.search(r"^Pss:\s+(\d+)", rollup, re.M).group(1)) / 1024
    return round(rss, 1), round(pss, 1)


def _survey_path(url: str, secret: str) -> str:
    from sqlalchemy import create_engine, text

    from feedback_app.core.links import LinkSigning
    from surveys.answering.links import SignedInvitation, invitation_token

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            row = connection.execute(text(
                "SELECT i.id, i.survey_id, s.kind, i.locale FROM invitation i JOIN survey s ON s.id = i.survey_id "
                "WHERE s.closed_at IS NULL ORDER BY i.id DESC LIMIT 1")).one()
    finally:
        engine.dispose()
    return "/s/" + invitation_token(SignedInvitation(*row), LinkSigning(secret, ""))


# ------------------------------------------------------------------ main

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=("import-send", "export", "worker"))
    parser.add_argument("--rows", type=int, default=200_000, help="import-send: customers in the CSV")
    parser.add_argument("--db", action="append", choices=("sqlite", "postgresql"),
                        help="import-send: the databases (default both)")
    parser.add_argument("--sqlite", help="export/worker: a scale database file (copied first)")
    parser.add_argument("--pg-data", help="export/worker: a scale cluster's data directory (copied first)")
    parser.add_argument("--pg-name", default="scale_r1000000_c200000_i1200000_0005_hardening_ce51e8",
                        help="export/worker: the database in that cluster")
    parser.add_argument("--answered-at-index", action="store_true",
                        help="export: make an index on response (answered_at, id) on the copy if it has none led "
                             "by answered_at (the keyset export needs one)")
    parser.add_argument("--tmpdir", default=None, help="where the copies and the CSV go")
    args = parser.parse_args(argv)
    if args.mode != "import-send" and not (args.sqlite or args.pg_data):
        parser.error("export and worker need --sqlite FILE and/or --pg-data DIR")
    workdir = Path(tempfile.mkdtemp(prefix="feedback-memory-", dir=args.tmpdir))
    if os.geteuid() == 0:
        shutil.chown(workdir, "postgres", "postgres")  # a PostgreSQL cluster of ours lives under it
    started = datetime.now(UTC)
    load = os.getloadavg()
    say(f"bench/memory.py {args.mode}: load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    try:
        results = {"import-send": import_send, "export": export, "worker": worker}[args.mode](args, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    git = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"memory-{args.mode}-{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    out.write_text(json.dumps({"mode": args.mode, "started": started.isoformat(timespec="seconds"),
                               "load_average": load, "commit": git.stdout.strip(), "args": vars(args),
                               "results": results}, indent=2, ensure_ascii=False) + "\n")
    say(f"JSON: {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
