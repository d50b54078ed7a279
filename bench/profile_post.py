"""Where the survey POST spends its time: the app beside the bare endpoints, in one process, no HTTP.

    .venv/bin/python bench/profile_post.py [--requests N] [--db sqlite|postgresql://…@127.0.0.1/…]

Same fixtures as bench/survey_post.py (a fresh database, one NPS survey, fresh invitations, the same
form body), but each request is a prepared WSGI environ handed straight to the app object, as
gunicorn's worker would, so neither the network nor a load generator nor other processes' timing
are in the figures. Prints:

1. the mean time of one POST, app and both bare variants (bare-sqla: bench/bare_sqla_app.py, Flask-
   SQLAlchemy; bare-driver: bench/bare_app.py, the raw driver), measured without a profiler in
   alternating chunks;
2. the app's POST step by step (file:function), timed with light wrappers, as a share of the whole
   request, so the owner sees what to make leaner;
3. the same under cProfile: own time by library or project file, for the app and for bare-sqla side
   by side (µs per request, inflated by the profiler), and the app's top functions.
"""
from __future__ import annotations

import argparse
import cProfile
import functools
import importlib
import io
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from survey_post import BARES, BENCH, Databases, app_environment, say, set_up_app_database, set_up_bare_database

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


def app_steps():
    """The survey POST's steps: (endpoint, view label, patches, what the rest of the view is)."""
    from sqlalchemy.orm import Session

    import surveys.answering.services as services
    import surveys.answering.views as views
    from feedback_app.core.sql import DriverStatement

    # (owner, attribute, label): two spaces, a step of the view; four, a step inside the one above it.
    # Steps the current code no longer has are skipped, and only steps that ran are shown.
    patches = [
        (views, "read_invitation", "  surveys/answering/links.py:read_invitation (token check, itsdangerous)"),
        (views, "read_answer", "  surveys/scales/answers.py:read_answer (request.form is parsed before it)"),
        (services, "record_answer", "  surveys/answering/services.py:record_answer, of which:"),
        (DriverStatement, "write", "    feedback_app/core/sql.py:DriverStatement.write (INSERT, commit)"),
        (Session, "execute", "    sqlalchemy Session.execute"),
        (Session, "commit", "    sqlalchemy Session.commit"),
        (views, "redirect", "  flask redirect (303 response)"),
        (views, "url_for", "  flask url_for"),
        (views, "use_locale", "  feedback_app/core/i18n.py:use_locale"),
    ]
    return ("public.submit_answer", "view surveys/answering/views.py:submit_answer, of which:", patches,
            "request.form parsing, utcnow, edit_window, …")


def bare_sqla_steps():
    import bare_sqla_app
    from sqlalchemy.orm import Session

    patches = [
        (Session, "execute", "  sqlalchemy Session.execute (INSERT)"),
        (Session, "commit", "  sqlalchemy Session.commit"),
        (bare_sqla_app, "redirect", "  flask redirect (303 response)"),
    ]
    return ("answer", "view bench/bare_sqla_app.py:answer, of which:", patches,
            "request.form parsing, validation, datetime.now, …")


def step_times(app, batch: list[dict], steps) -> dict[str, float]:
    """Mean seconds per request spent in each step of a POST (inclusive), and in all of it."""
    endpoint, view_label, patches, rest_of_view = steps
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

    import flask.ctx

    patches = [(owner, name, label) for owner, name, label in patches if hasattr(owner, name)]
    # Parts of Flask's own handling, outside the view and the hooks (shown under that line).
    outside = [
        (type(app.session_interface), "open_session", "  of which: open the session (no cookie was sent)"),
        (type(app.session_interface), "save_session", "  of which: save the session"),
        (flask.ctx.RequestContext, "match_request", "  of which: URL routing (RequestContext.match_request)"),
    ]
    patches = patches + outside
    saved = [(owner, name, getattr(owner, name)) for owner, name, _ in patches]
    hooks = {"before_request": app.before_request_funcs, "after_request": app.after_request_funcs}
    saved_hooks = {kind: {key: list(funcs) for key, funcs in table.items()} for kind, table in hooks.items()}
    saved_teardown = list(app.teardown_appcontext_funcs)
    view = app.view_functions[endpoint]
    try:
        for owner, name, label in patches:
            setattr(owner, name, timed(label, getattr(owner, name)))
        for kind, table in hooks.items():
            for funcs in table.values():
                funcs[:] = [timed(f"{kind}: {where(f)}", f) for f in funcs]
        app.teardown_appcontext_funcs[:] = [timed(f"teardown: {where(f)}", f) for f in app.teardown_appcontext_funcs]
        app.view_functions[endpoint] = timed(view_label, view)
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
        app.view_functions[endpoint] = view
    per = {label: seconds / len(batch) for label, seconds in totals.items()}
    ordered = {label: per[label] for label in per if label.startswith("before_request")}
    if view_label in per:
        ordered[view_label] = per[view_label]
        labels = [label for _, _, label in patches if not label.startswith("  of which:")]
        for index, label in enumerate(labels):
            if label.startswith("    ") or label not in per:
                continue
            ordered[label] = per[label]
            inner = []
            for sub in labels[index + 1:]:
                if not sub.startswith("    "):
                    break
                if sub in per:
                    inner.append(sub)
            for sub in inner:
                ordered[sub] = per[sub]
            if inner:
                ordered[f"    the rest of {label.strip().split(' ')[0].split(':')[-1].rstrip(',')}"] = (
                    per[label] - sum(per[l] for l in inner))
        direct = [per[l] for l in labels if l in per and not l.startswith("    ")]
        rest = per[view_label] - sum(direct)
        ordered[f"  the rest of the view ({rest_of_view})"] = rest
    ordered.update({label: per[label] for label in per if label.startswith(("after_request", "teardown"))})
    accounted = sum(v for k, v in ordered.items() if not k.startswith(" "))
    ordered["Flask/Werkzeug request handling outside the view and hooks"] = whole / len(batch) - accounted
    ordered.update({label: per[label] for _, _, label in outside if label in per})
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


def by_place(stats: pstats.Stats) -> dict[str, float]:
    own: dict[str, float] = {}
    for (file, _, function), (_, _, tt, _, _) in stats.stats.items():
        own[package(file, function)] = own.get(package(file, function), 0.0) + tt
    return own


def profiled(app, batch: list[dict]) -> pstats.Stats:
    profiler = cProfile.Profile()
    profiler.enable()
    codes = [call(app, environ) for environ in batch]
    profiler.disable()
    if set(codes) != {303}:
        raise SystemExit(f"profiled POSTs answered {sorted(set(codes))}, not only 303")
    return pstats.Stats(profiler)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=4000, help="POSTs per app in each part")
    parser.add_argument("--db", default="sqlite")
    parser.add_argument("--tmpdir", default="/dev/shm" if os.path.isdir("/dev/shm") else None)
    parser.add_argument("--top", type=int, default=30, help="also print the app's top N functions by own time")
    args = parser.parse_args()
    n = args.requests
    warm, chunks = 200, 4
    total = warm + 2 * n  # warm-up, timed, profiled
    names = ("app", *BARES)
    workdir = Path(tempfile.mkdtemp(prefix="feedback-profile-", dir=args.tmpdir))
    databases = None
    try:
        databases = Databases.make(args.db, workdir)
        secret = "bench-profile-secret-0123456789"
        env = app_environment(databases, secret)
        say(f"Setting up {total} invitations ({databases.kind}) …")
        set_up_app_database(databases, env, total, workdir / "tokens.txt")
        lines = {"app": (workdir / "tokens.txt").read_text().split()}
        for name in BARES:
            set_up_bare_database(databases.bare_urls[name], total, workdir / f"{name}.txt")
            lines[name] = (workdir / f"{name}.txt").read_text().split()

        from feedback_app import create_app

        apps = {"app": create_app({"SQLALCHEMY_DATABASE_URI": databases.app_url})}
        for name, spec in BARES.items():
            os.environ["BARE_DATABASE_URL"] = databases.bare_urls[name]  # read by create_app
            module = importlib.import_module(spec.split(":")[0])
            apps[name] = module.create_app()
        requests = {name: environs("/s/" if name == "app" else "/a/", lines[name]) for name in names}
        for name, wsgi in apps.items():
            drive(wsgi, requests[name][:warm])

        # 1. Mean time per POST, alternating chunks, no profiler.
        per = {name: [] for name in names}
        size = n // chunks
        for chunk in range(chunks):
            for name in names:
                start = warm + chunk * size
                per[name].append(drive(apps[name], requests[name][start:start + size]))
        mean = {name: statistics.mean(values) for name, values in per.items()}
        say(f"\nOne POST in-process ({databases.kind}, {size * chunks} each, {chunks} alternating chunks):")
        for name in names:
            say(f"  {name:<12} {mean[name] * 1e6:8.0f} µs  (chunks: {', '.join(f'{v * 1e6:.0f}' for v in per[name])})")
        for name in BARES:
            say(f"  app/{name} time: {mean['app'] / mean[name]:.2f}x  → at best a throughput ratio of "
                f"{mean[name] / mean['app']:.2f} where the CPU is the limit")

        # 2. Each step of the POST, timed with perf_counter wrappers (no profiler): the app, then bare-sqla.
        for name, steps_of in (("app", app_steps), ("bare-sqla", bare_sqla_steps)):
            steps = step_times(apps[name], requests[name][warm + n:warm + n + n // 2], steps_of())
            whole = steps.pop("whole")
            say(f"\n{name}: the POST step by step ({n // 2} requests, timers only; share of the whole WSGI call):")
            for label, seconds in steps.items():
                say(f"  {label:<84} {seconds * 1e6:7.0f} µs  {seconds / whole:6.1%}")
            say(f"  {'whole WSGI call':<84} {whole * 1e6:7.0f} µs  100.0%")

        # 3. The same under cProfile: own time by place, app beside bare-sqla, and the app's top functions.
        count = n // 2
        stats = {name: profiled(apps[name], requests[name][warm + n + n // 2:warm + n + n // 2 + count])
                 for name in ("app", "bare-sqla")}
        own = {name: by_place(stats[name]) for name in stats}
        places = sorted(set(own["app"]) | set(own["bare-sqla"]), key=lambda k: -own["app"].get(k, 0.0))
        app_total = sum(own["app"].values())
        say(f"\nUnder cProfile ({count} requests each): own time per request by where the code lives, "
            "µs (the profiler inflates code made of many small calls, such as SQLAlchemy's):")
        say(f"  {'':<44}{'app':>9}{'share':>8}{'bare-sqla':>11}{'app - bare-sqla':>17}")
        for place in places:
            a, b = own["app"].get(place, 0.0) / count, own["bare-sqla"].get(place, 0.0) / count
            if max(a, b) * count / app_total >= 0.005:
                say(f"  {place[:43]:<44}{a * 1e6:9.0f}{a * count / app_total:8.1%}{b * 1e6:11.0f}{(a - b) * 1e6:17.0f}")
        say(f"  {'all':<44}{app_total / count * 1e6:9.0f}{'':>8}{sum(own['bare-sqla'].values()) / count * 1e6:11.0f}")
        stream = io.StringIO()
        stats["app"].stream = stream
        stats["app"].sort_stats("tottime").print_stats(args.top)
        say(f"\nThe app's top {args.top} functions by own time:")
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
