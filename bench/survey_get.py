"""Survey page GET throughput beside a hello-world Flask endpoint, in the same run (issue 10: >= 0.8).

    .venv/bin/python bench/survey_get.py [--invitations N] [--workers W] [--duration S] [--rounds R]
        [--db sqlite|postgresql://…@127.0.0.1/…] [--answered]
    .venv/bin/python bench/survey_get.py --profile [--requests N] [--db …]

1. Makes a fresh database as bench/survey_post.py does (its schema through `feedback init-db`, one NPS
   survey, N customers and invitations through the app's own services, the signed tokens in a file).
   With --answered every invitation is answered first (the page then shows the stored answer).
2. Starts the app and bench/hello_app.py (Flask, one endpoint answering "Hello, World!" on the same
   path shape /s/<token>) under gunicorn, the same number of sync workers each, on 127.0.0.1.
3. Drives them in turn with wrk and bench/get_paths.lua: every request opens another invitation's link
   as an email's score button does (`/s/<token>?score=9`), round after round (app, hello, app, …). As
   bench/survey_post.py, it waits for a quiet second before each run and repeats a run during which other
   processes took more than 0.1 core (--retries), then prints requests/s and the ratio app / hello.
   Every answer must be 200.

--profile runs no server: both apps in this process, each request a prepared WSGI environ handed to the
app object (as gunicorn's worker would), timed in alternating chunks, then the app's GET under cProfile:
its top functions by own time, and own time by library or project file.

Results go to bench/results/survey_get-*.json (git-ignored).
"""
from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from survey_post import (
    BENCH,
    FOREIGN_CPU_LIMIT,
    RESULTS,
    ROOT,
    Databases,
    Server,
    app_environment,
    cpu_by_group,
    environment,
    machine_seconds,
    say,
    set_up_app_database,
    wait_for_quiet,
)

LUA = BENCH / "get_paths.lua"
TARGET = 0.8
CLICK = "?score=9"  # the email's score button: the page opens with 9 chosen and saves it by script


def answer_all(databases: Databases, tokens_file: Path) -> None:
    from feedback_app import create_app
    from feedback_app.core.clock import utcnow
    from feedback_app.core.extensions import db
    from surveys.answering.links import read_invitation
    from surveys.answering.services import record_answer
    from surveys.scales.answers import Answer

    app = create_app({"SQLALCHEMY_DATABASE_URI": databases.app_url})
    with app.app_context():
        for token in tokens_file.read_text().split():
            record_answer(read_invitation(token), Answer(7, "Fine, but the export is slow.", True),
                          utcnow(), timedelta(hours=24))
        db.session.remove()
        db.engine.dispose()


def run_wrk(server: Server, label: str, duration: int, threads: int, connections: int, groups: set[int]) -> dict:
    command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s", "--timeout", "10s",
               "-s", str(LUA), server.url, "--", str(server.lines_file), "/s/", CLICK, str(threads)]
    (busy0, _), parts0, wall0 = machine_seconds(), cpu_by_group(groups), time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 120)
    (busy1, _), parts1, wall = machine_seconds(), cpu_by_group(groups), time.monotonic() - wall0
    match = re.search(r"^RESULT (\{.*\})$", done.stdout, re.M)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", done.stdout)
    if done.returncode != 0 or match is None or rate is None:
        raise SystemExit(f"wrk failed on {server.name}:\n{done.stdout}\n{done.stderr}")
    own = sum(parts1.values()) - sum(parts0.values())
    phase = {"server": server.name, "label": label, "requests_per_s": float(rate.group(1)),
             **json.loads(match.group(1)), "cpu_other": round(max(0.0, (busy1 - busy0) - own) / wall, 3),
             "cpu_web": round((parts1.get(server.process.pid, 0) - parts0.get(server.process.pid, 0)) / wall, 3)}
    say(f"  {label:<9} {server.name:<6} {phase['requests_per_s']:>8.1f} req/s  {phase['requests']:>6} requests  "
        f"200: {phase['ok']}, other: {phase['other']}, socket errors: {phase['errors']}  "
        f"cpu web {phase['cpu_web']:.2f}, others {phase['cpu_other']:.2f}")
    return phase


def served(args, databases: Databases, workdir: Path) -> dict:
    secret = "bench-" + secrets.token_urlsafe(24)
    env = app_environment(databases, secret)
    tokens = workdir / "tokens.txt"
    say(f"Setting up {args.invitations} invitations ({databases.kind}) …")
    set_up_app_database(databases, env, args.invitations, tokens)
    if args.answered:
        answer_all(databases, tokens)
    servers = [Server("app", "/s/", tokens, args.invitations), Server("hello", "/s/", tokens, args.invitations)]
    phases: list[dict] = []
    try:
        servers[0].start("feedback_app:create_app()", env, args.workers, workdir, [])
        servers[1].start("hello_app:create_app()", {k: v for k, v in os.environ.items() if not k.startswith("FEEDBACK_")},
                         args.workers, workdir, ["--pythonpath", str(BENCH)])
        groups = {server.process.pid for server in servers}
        if databases.server_pid:
            groups.add(databases.server_pid)
        connections = args.connections or 2 * args.workers
        for server in servers:
            run_wrk(server, "warm-up", args.warmup, args.threads, connections, groups)
        for number in range(1, args.rounds + 1):
            for server in servers:
                for attempt in range(args.retries + 1):
                    wait_for_quiet(groups)
                    phase = run_wrk(server, f"round {number}", args.duration, args.threads, connections, groups)
                    if phase["cpu_other"] <= FOREIGN_CPU_LIMIT or attempt == args.retries:
                        break
                    say(f"    (discarded: other processes used {phase['cpu_other']:.2f} cores; repeating)")
                phases.append(phase)
    finally:
        for server in servers:
            server.stop()
    rate = {name: statistics.mean(p["requests_per_s"] for p in phases if p["server"] == name)
            for name in ("app", "hello")}
    per_round = [a["requests_per_s"] / h["requests_per_s"] for a, h in
                 zip([p for p in phases if p["server"] == "app"], [p for p in phases if p["server"] == "hello"])]
    ratio = rate["app"] / rate["hello"]
    bad = sum(p["other"] + p["errors"] for p in phases)
    say(f"\napp {rate['app']:.1f} req/s, hello {rate['hello']:.1f} req/s: ratio {ratio:.3f} "
        f"(rounds {', '.join(f'{r:.3f}' for r in per_round)}); target >= {TARGET}: {'met' if ratio >= TARGET else 'NOT met'}"
        + (f"; {bad} answers not 200 or failed: NOT VALID" if bad else ""))
    return {"requests_per_s": rate, "ratio": ratio, "round_ratios": per_round, "valid": not bad, "phases": phases}


def profiled(args, databases: Databases, workdir: Path) -> dict:
    import hello_app
    from profile_post import by_place, call
    from werkzeug.test import EnvironBuilder

    secret = "bench-profile-secret-0123456789"
    env = app_environment(databases, secret)
    tokens = workdir / "tokens.txt"
    say(f"Setting up {args.requests} invitations ({databases.kind}) …")
    set_up_app_database(databases, env, args.requests, tokens)
    if args.answered:
        answer_all(databases, tokens)
    from feedback_app import create_app

    apps = {"app": create_app({"SQLALCHEMY_DATABASE_URI": databases.app_url}), "hello": hello_app.create_app()}
    environs = []
    for token in tokens.read_text().split():
        builder = EnvironBuilder(path=f"/s/{token}", query_string=CLICK[1:], base_url="http://127.0.0.1:8000")
        environs.append(builder.get_environ())
        builder.close()

    def drive(app, batch) -> float:
        t0 = time.perf_counter()
        for environ in batch:
            if call(app, dict(environ)) != 200:
                raise SystemExit("a GET did not answer 200: the set-up is wrong")
        return (time.perf_counter() - t0) / len(batch)

    for app in apps.values():
        drive(app, environs[:200])
    chunks, per = 4, {"app": [], "hello": []}
    size = len(environs) // chunks
    for chunk in range(chunks):
        for name, app in apps.items():
            per[name].append(drive(app, environs[chunk * size:(chunk + 1) * size]))
    mean = {name: statistics.mean(values) for name, values in per.items()}
    say(f"\nOne GET in-process ({databases.kind}, {size * chunks} each): app {mean['app'] * 1e6:.0f} µs, "
        f"hello {mean['hello'] * 1e6:.0f} µs")
    profiler = cProfile.Profile()
    profiler.enable()
    for environ in environs:
        call(apps["app"], dict(environ))
    profiler.disable()
    stats = pstats.Stats(profiler)
    own = by_place(stats)
    total = sum(own.values())
    say(f"\nUnder cProfile ({len(environs)} GETs): own time per request by where the code lives, µs")
    for place, seconds in sorted(own.items(), key=lambda item: -item[1]):
        if seconds / total >= 0.01:
            say(f"  {place[:60]:<62}{seconds / len(environs) * 1e6:8.0f} {seconds / total:7.1%}")
    stream = io.StringIO()
    stats.stream = stream
    stats.sort_stats("tottime").print_stats(args.top)
    say("\n".join(line for line in stream.getvalue().splitlines() if line.strip()))
    stream = io.StringIO()
    stats.stream = stream
    stats.sort_stats("cumulative").print_stats(args.top)
    say("\n".join(line for line in stream.getvalue().splitlines() if line.strip()))
    return {"microseconds": {name: value * 1e6 for name, value in mean.items()}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", action="store_true", help="in-process timing and cProfile, no server")
    parser.add_argument("--invitations", type=int, default=20000, help="links opened in turn")
    parser.add_argument("--requests", type=int, default=4000, help="--profile: GETs per app")
    parser.add_argument("--answered", action="store_true", help="answer every invitation first")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--db", default="sqlite")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--retries", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--connections", type=int, default=0, help="default: 2 per worker")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--tmpdir", default="/dev/shm" if os.path.isdir("/dev/shm") else None)
    args = parser.parse_args(argv)
    if not args.profile and shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install -y wrk)")
    started = datetime.now(UTC)
    load = os.getloadavg()
    say(f"Survey page GET: load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    workdir = Path(tempfile.mkdtemp(prefix="feedback-get-", dir=args.tmpdir))
    databases = None
    try:
        databases = Databases.make(args.db, workdir)
        result = (profiled if args.profile else served)(args, databases, workdir)
    finally:
        if databases is not None:
            databases.drop()
        shutil.rmtree(workdir, ignore_errors=True)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"survey_get-{'profile-' if args.profile else ''}{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    out.write_text(json.dumps({"started": started.isoformat(timespec="seconds"), "load_average": load,
                               "settings": vars(args), "environment": environment(), **result}, indent=2) + "\n")
    say(f"JSON: {out.relative_to(ROOT)}")
    return 0 if result.get("valid", True) else 1


if __name__ == "__main__":
    sys.exit(main())
