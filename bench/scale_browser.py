"""The team's pages at scale, used in a real browser: what a triager waits for at 1M answers (issue 10).

    .venv/bin/python bench/scale_browser.py [--db sqlite|postgresql] [--responses 1000000] [--write-docs]

Takes the database bench/scale.py built and cached (run that first, `--build-only` is enough), serves it
as scale.py does (gunicorn, 2 sync workers) and drives Debian's Chromium through Playwright as a triager
would: sign in, open the dashboard, the triage list, filter it by type, page through it and back, open
the theme groups and their next page, the fixes' grid and queue, the largest fix and the next page of its
verbatims. Each step is a click or a typed address, timed from the action to the page's load event, with
the browser's own navigation timing (time to the first byte, the HTML's size). Every page is also loaded
at 390 px wide to check it needs no sideways scroll.

Prints a table; --write-docs puts it in docs/benchmarks.md ("In a browser at 1M answers"). Results go to
bench/results/scale_browser-*.json (git-ignored).
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from contextlib import nullcontext
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import scale_report as report  # noqa: E402
from scale_build import CACHE, PostgresTarget, SQLiteTarget, cache_name, say  # noqa: E402
from scale_data import ADMIN_EMAIL, ADMIN_PASSWORD, Sizes  # noqa: E402
from scale_pages import page_arguments  # noqa: E402
from scale_servers import Gunicorn, local_postgres, running  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
DOCS = BENCH.parent / "docs" / "benchmarks.md"
HEADING = "### In a browser at 1M answers"
NAVIGATION = """() => { const n = performance.getEntriesByType("navigation")[0];
  return {ttfb: n.responseStart - n.startTime, loaded: n.loadEventEnd - n.startTime, bytes: n.transferSize,
          wide: document.documentElement.scrollWidth}; }"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="postgresql", choices=["sqlite", "postgresql"])
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    sizes = Sizes(args.responses, 200_000, 1_200_000)
    server = local_postgres(CACHE / "postgresql") if args.db == "postgresql" else nullcontext(None)
    with server as server_url:
        name = cache_name(sizes)
        target = SQLiteTarget(CACHE / f"{name}.sqlite") if args.db == "sqlite" else PostgresTarget(server_url, name)
        if not target.exists():
            raise SystemExit(f"no cached database {name}: run bench/scale.py --db {args.db} --build-only first")
        arguments = page_arguments(target.url)
        with running(Gunicorn(target.url, CACHE / "gunicorn.log")) as app:
            steps = walk(f"http://{app.address[0]}:{app.address[1]}", arguments)
    record = {"database": args.db, "responses": args.responses, "commit": report.commit(),
              "started": report.now_utc().isoformat(timespec="seconds"), "load": report.load(), "steps": steps}
    path = BENCH / "results" / f"scale_browser-{record['started'].replace(':', '')}-{args.db}.json"
    path.write_text(json.dumps(record, indent=2))
    table = render(record)
    say(table)
    if args.write_docs:
        write_docs(record, table)
    return 0 if all(step["ok"] for step in steps) else 1


def walk(base: str, arguments: dict) -> list[dict]:
    """The triager's route twice: first as it comes after a start (each worker compiles its templates, fills its
    caches, opens its connections), then again, as every later visit is."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(30_000)
        page = context.new_page()
        page.goto(base + "/login")
        page.fill("input[name=email]", ADMIN_EMAIL)
        page.fill("input[name=password]", ADMIN_PASSWORD)
        first = [timed(page, base, *step) for step in route(page, base, arguments, signing_in=True)]
        again = [timed(page, base, *step) for step in route(page, base, arguments, signing_in=False)]
        steps = [{**one, "again_ms": later["wall_ms"], "ok": one["ok"] and later["ok"]}
                 for one, later in zip(first, again)]
        phone = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844},
                                    storage_state=context.storage_state())
        narrow = phone.new_page()
        for entry in steps:
            narrow.goto(base + entry["path"])
            entry["wide_at_390"] = narrow.evaluate("document.documentElement.scrollWidth")
            entry["ok"] = entry["ok"] and entry["wide_at_390"] <= 390
        browser.close()
    return steps


def route(page, base: str, arguments: dict, signing_in: bool) -> list[tuple]:
    """(label, action, what the page must then contain) for each step, in order."""
    open_dashboard = (lambda: page.click("button[type=submit]")) if signing_in else (lambda: page.goto(base + "/"))
    return [
        ("sign in → dashboard" if signing_in else "dashboard", open_dashboard, r"<svg"),
        ("triage list", lambda: page.goto(base + "/triage"), r'rel="next"'),
        ("filter: type = functionality", lambda: (page.select_option("form.filters select[name=type]",
                                                                     "functionality"),
                                                  page.click("form.filters button[type=submit]")), r'rel="next"'),
        *[(f"next page ({n})", lambda: page.click("a[rel=next]"), r'rel="prev"') for n in (2, 3, 4)],
        ("previous page", lambda: page.click("a[rel=prev]"), r'rel="next"'),
        ("theme groups", lambda: page.goto(base + "/triage/themes"), r'rel="next"'),
        ("theme groups, next page", lambda: page.click("a[rel=next]"), r'rel="prev"'),
        ("fixes: grid and queue", lambda: page.goto(base + "/fixes"), r"<svg"),
        (f"the largest fix ({arguments['largest_fix_links']:,} verbatims)",
         lambda: page.goto(f"{base}/fixes/{arguments['largest_fix']}"), r'rel="next"'),
        ("its verbatims, next page", lambda: page.click("a[rel=next] >> nth=0"), r"Back to the top"),
        ("follow-ups", lambda: page.goto(base + "/triage/follow-ups"), r"<h1"),
    ]


def timed(page, base: str, label: str, action, expect: str) -> dict:
    started = time.perf_counter()
    action()
    page.wait_for_load_state("load")
    wall = (time.perf_counter() - started) * 1000
    timing = page.evaluate(NAVIGATION)
    ok = re.search(expect, page.content()) is not None
    say(f"  {label:<44} {wall:8.0f} ms  {'ok' if ok else 'NOT AS EXPECTED'}")
    return {"label": label, "path": page.url.removeprefix(base), "wall_ms": round(wall, 1),
            "ttfb_ms": round(timing["ttfb"], 1), "loaded_ms": round(timing["loaded"], 1),
            "kb": round(timing["bytes"] / 1024, 1), "ok": ok}


def render(record: dict) -> str:
    lines = ["| step | first visit ms | first byte ms | loaded ms | again ms | HTML KB | width at 390 px |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for s in record["steps"]:
        mark = "" if s["ok"] else " **(not as expected)**"
        lines.append(f"| {s['label']}{mark} | {s['wall_ms']:,.0f} | {s['ttfb_ms']:,.0f} | {s['loaded_ms']:,.0f} "
                     f"| {s['again_ms']:,.0f} | {s['kb']:,.1f} | {s['wide_at_390']} |")
    return "\n".join(lines)


def write_docs(record: dict, table: str) -> None:
    db = {"sqlite": "SQLite", "postgresql": "PostgreSQL 15"}[record["database"]]
    section = (
        f"{HEADING} ({db})\n\n`bench/scale_browser.py --db {record['database']}` at commit {record['commit']}, "
        f"{record['started']} UTC, load {record['load']}: Debian's Chromium (Playwright) against gunicorn (2 sync "
        f"workers) on the {record['responses']:,}-answer database of the tables above. \"first visit\": from the "
        "click or typed address to the load event, right after the server started (each worker then compiles the "
        "page's templates and fills its caches), with the browser's own timing of it (first byte, loaded); "
        "\"again\": the same step on a second walk, as every later visit is; \"width at 390 px\": the page's "
        "scroll width in a phone-sized window (390 = no sideways scroll).\n\n" + table + "\n")
    text = DOCS.read_text()
    pattern = re.compile(rf"{re.escape(HEADING)} \({re.escape(db)}\)\n.*?(?=\n#|\Z)", re.S)
    text = pattern.sub(lambda _: section.rstrip("\n") + "\n", text) if pattern.search(text) \
        else text.rstrip("\n") + "\n\n" + section
    DOCS.write_text(text)
    say(f"Wrote {DOCS}")


if __name__ == "__main__":
    sys.exit(main())
