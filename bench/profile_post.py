"""Where the survey POST spends its time: the app beside the bare endpoint, in one process, no HTTP.

    .venv/bin/python bench/profile_post.py [--requests N] [--db sqlite|postgresql://…@127.0.0.1/…]

Same fixtures as bench/survey_post.py (a fresh database, one NPS survey, fresh invitations, the same
form body), but each request is a prepared WSGI environ handed straight to the app object, as
gunicorn's worker would, so neither the network nor a load generator nor other processes' timing
are in the figures. Prints:

1. the mean time of one POST, app and bare, measured without a profiler in alternating chunks;
2. the app's POST step by step (file:function), timed with light wrappers, as a share of the whole
   request, so the owner sees what to make leaner;
3. the same under cProfile: own time by library or project file, and the top functions.
"""
from __future__ import annotations

import argparse
import cProfile
import functools
import io
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from survey_post import BENCH, Databases, app_environment, say, set_up_app_database, set_up_bare_database

BODY = (b"score=9&comment=Setup+was+quick+and+support+answered+within+the+hour.+The+export+could+be+faster."
        b"&may_contact=1")

def environs(prefix: str, lines: list[str]) -> list[dict]:
    from werkzeug.test import EnvironBuilder

    built = []
    for line in lines:
        builder = EnvironBuilder(path=prefix + line, method="POST", data=BODY,
                                 content_type="application/x-www-form-urlencoded",
                                 base_url="http://127.0.0.1:8000")
        built.append(builder.get_environ())
        builder.close()
    return built


def call(app, environ: dict) -> int:
    status = []
    result = app(environ, lambda s, h, exc_info=None: status.append(s))
    try:
        for _ in result:
            pass
    finally:
        if hasattr(result, "close"):
            result.close()
    return int(status[0].split()[0])


def drive(app, batch: list[dict]) -> float:
    t0 = time.perf_counter()
    for environ in batch:
        code = call(app, environ)
        if code != 303:
            raise SystemExit(f"a POST answered {code}, not 303: the set-up is wrong")
    return (time.perf_counter() - t0) / len(batch)


def step_times(app, batch: list[dict]) -> dict[str, float]:
    """Mean seconds per request spent in each step of the survey POST (inclusive), and in all of it."""
    import surveys.services as services
    import surveys.views as views
    from surveys.links import Links

    totals: dict[str, float] = {}

    def timed(label: str, function):
        @functools.wraps(function)  # keeps __module__ and __name__: Flask-WTF's exemption list uses them
        def wrapper(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                totals[label] = totals.get(label, 0.0) + time.perf_counter() - t0
        return wrapper

    def where(function) -> str:
        code = getattr(function, "__code__", None)
        file = code.co_filename.replace(str(BENCH.parent) + "/", "") if code else "?"
        return f"{file.split('site-packages/')[-1]}:{function.__qualname__}"

    patches = [
        (Links, "invitation_id", "  surveys/links.py:Links.invitation_id (token check, itsdangerous)"),
        (services, "answer_context", "  surveys/services.py:answer_context (SELECT invitation JOIN survey, customer)"),
        (views, "use_locale", "  feedback_app/i18n.py:use_locale"),
        (views, "read_answer", "  surveys/answers.py:read_answer (the form is parsed by then)"),
        (services, "record_answer", "  surveys/services.py:record_answer (INSERT … ON CONFLICT, COMMIT)"),
        (services, "insert_ignoring_conflicts", "    feedback_app/db_helpers.py:insert_ignoring_conflicts"),
        (views, "url_for", "  flask url_for (thank-you URL)"),
        (views, "redirect", "  flask redirect (303 response)"),
    ]
    saved = [(owner, name, getattr(owner, name)) for owner, name, _ in patches]
    hooks = {"before_request": app.before_request_funcs, "after_request": app.after_request_funcs}
    saved_hooks = {kind: {key: list(funcs) for key, funcs in table.items()} for kind, table in hooks.items()}
    saved_teardown = list(app.teardown_appcontext_funcs)
    view = app.view_functions["public.submit_answer"]
    try:
        for owner, name, label in patches:
            setattr(owner, name, timed(label, getattr(owner, name)))
        for kind, table in hooks.items():
            for key, funcs in table.items():
                funcs[:] = [timed(f"{kind}: {where(f)}", f) for f in funcs]
        app.teardown_appcontext_funcs[:] = [timed(f"teardown: {where(f)}", f) for f in app.teardown_appcontext_funcs]
        app.view_functions["public.submit_answer"] = timed("view surveys/views.py:submit_answer, of which:", view)
        t0 = time.perf_counter()
        for environ in batch:
            if call(app, environ) != 303:
                raise SystemExit("a timed POST did not answer 303: the timing wrappers broke the app")
        whole = time.perf_counter() - t0
    finally:
        for owner, name, original in saved:
            setattr(owner, name, original)
        for kind, table in hooks.items():
            for key, funcs in saved_hooks[kind].items():
                table[key][:] = funcs
        app.teardown_appcontext_funcs[:] = saved_teardown
        app.view_functions["public.submit_answer"] = view
    per = {label: seconds / len(batch) for label, seconds in totals.items()}
    view_label = "view surveys/views.py:submit_answer, of which:"
    ordered = {label: per[label] for label in per if label.startswith("before_request")}
    if view_label in per:
        ordered[view_label] = per[view_label]
        for _, _, label in patches:
            if label in per:
                ordered[label] = per[label]
            if label.startswith("  surveys/services.py:record_answer") and label in per:
                insert = next(l for _, _, l in patches if "insert_ignoring_conflicts" in l)
                ordered["    the rest of record_answer (Session.commit, building the values)"] = (
                    per[label] - per.get(insert, 0.0))
        direct = [per[l] for _, _, l in patches if l in per and not l.startswith("    ")]
        ordered["  the rest of the view (request.form parsing, utcnow, edit_window, …)"] = per[view_label] - sum(direct)
    ordered.update({label: per[label] for label in per if label.startswith(("after_request", "teardown"))})
    accounted = sum(v for k, v in ordered.items() if not k.startswith(" "))
    ordered["Flask/Werkzeug request handling outside the view and hooks"] = whole / len(batch) - accounted
    ordered["whole"] = whole / len(batch)
    return ordered


def package(file: str, function: str) -> str:
    """Where a profiled function lives: the project file, a library's name, or the C built-in."""
    root = str(BENCH.parent) + "/"
    if file == "~":
        if "sqlite3" in function or "psycopg" in function:
            return "database driver (C: execute, commit, fetch)"
        return "Python built-ins (isinstance, getattr, dict …)"
    if "site-packages/" in file:
        library = file.split("site-packages/", 1)[1].split("/", 1)[0]
        return library.removesuffix(".py") + (" (library)" if library not in ("psycopg",) else " (driver)")
    if file.startswith(root):
        return "project: " + file[len(root):]
    if "/lib/python3" in file:
        return "Python standard library"
    return file


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=4000, help="POSTs per app in each part")
    parser.add_argument("--db", default="sqlite")
    parser.add_argument("--tmpdir", default="/dev/shm" if os.path.isdir("/dev/shm") else None)
    parser.add_argument("--top", type=int, default=30, help="also print the top N functions by own time")
    args = parser.parse_args()
    n = args.requests
    warm, chunks = 200, 4
    total = warm + 2 * n  # warm-up, timed, profiled
    workdir = Path(tempfile.mkdtemp(prefix="feedback-profile-", dir=args.tmpdir))
    databases = None
    try:
        databases = Databases.make(args.db, workdir)
        secret = "bench-profile-secret-0123456789"
        env = app_environment(databases, secret)
        say(f"Setting up {total} invitations ({databases.kind}) …")
        set_up_app_database(databases, env, total, workdir / "tokens.txt")
        set_up_bare_database(databases, total, workdir / "ids.txt")
        tokens = (workdir / "tokens.txt").read_text().split()
        ids = (workdir / "ids.txt").read_text().split()

        from feedback_app import create_app
        os.environ["BARE_DATABASE_URL"] = databases.bare_url
        import bare_app

        apps = {"app": create_app({"SQLALCHEMY_DATABASE_URI": databases.app_url}), "bare": bare_app.create_app()}
        requests = {"app": environs("/s/", tokens), "bare": environs("/a/", ids)}
        for name, wsgi in apps.items():
            drive(wsgi, requests[name][:warm])

        # 1. Mean time per POST, alternating chunks, no profiler.
        per = {"app": [], "bare": []}
        size = n // chunks
        for chunk in range(chunks):
            for name in ("app", "bare"):
                start = warm + chunk * size
                per[name].append(drive(apps[name], requests[name][start:start + size]))
        mean = {name: statistics.mean(values) for name, values in per.items()}
        say(f"\nOne POST in-process ({databases.kind}, {size * chunks} each, {chunks} alternating chunks):")
        for name in ("app", "bare"):
            say(f"  {name:<5} {mean[name] * 1e6:8.0f} µs  (chunks: {', '.join(f'{v * 1e6:.0f}' for v in per[name])})")
        say(f"  app/bare time: {mean['app'] / mean['bare']:.2f}x  → at best a throughput ratio of "
            f"{mean['bare'] / mean['app']:.2f} where the CPU is the limit")

        # 2. Each step of the app's POST, timed with perf_counter wrappers (no profiler).
        steps = step_times(apps["app"], requests["app"][warm + n:warm + n + n // 2])
        whole = steps.pop("whole")
        say(f"\nThe app's POST step by step ({n // 2} requests, timers only; share of the whole WSGI call):")
        for label, seconds in steps.items():
            say(f"  {label:<74} {seconds * 1e6:7.0f} µs  {seconds / whole:6.1%}")
        say(f"  {'whole WSGI call':<74} {whole * 1e6:7.0f} µs  100.0%")

        # 3. The same under cProfile: own time by package, and the top functions.
        batch = requests["app"][warm + n + n // 2:warm + 2 * n]
        profiler = cProfile.Profile()
        profiler.enable()
        codes = [call(apps["app"], environ) for environ in batch]
        profiler.disable()
        if set(codes) != {303}:
            raise SystemExit(f"profiled POSTs answered {sorted(set(codes))}, not only 303")
        stats = pstats.Stats(profiler)
        own: dict[str, float] = {}
        for (file, _, function), (_, _, tt, _, _) in stats.stats.items():
            own[package(file, function)] = own.get(package(file, function), 0.0) + tt
        total = sum(own.values())
        say(f"\nThe app's POST under cProfile ({len(batch)} requests): own time by where the code lives "
            "(the profiler inflates code made of many small calls, such as SQLAlchemy's):")
        for name, seconds in sorted(own.items(), key=lambda item: -item[1]):
            if seconds / total >= 0.005:
                say(f"  {name:<40} {seconds / total:6.1%}")
        stream = io.StringIO()
        stats.stream = stream
        stats.sort_stats("tottime").print_stats(args.top)
        say(f"\nTop {args.top} functions by own time:")
        say("\n".join(line.replace(str(Path(sys.prefix)), "<venv>").replace(str(BENCH.parent) + "/", "")
                      for line in stream.getvalue().splitlines()
                      if line.strip() and not line.lstrip().startswith(("Ordered", "List reduced"))))
        return 0
    finally:
        if databases is not None:
            databases.drop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.path.insert(0, str(BENCH))
    sys.exit(main())
