"""The scale benchmark's output: one table per database (pages × sizes), its JSON records in
bench/results/, and its section of docs/benchmarks.md."""
from __future__ import annotations

import json
import os
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
DOCS = ROOT / "docs" / "benchmarks.md"
TITLE = "## Scale: team pages at 10k / 100k / 1M answers"
FIRST = "### First measurement, as reported in issue 10"
DB_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL 15"}


def machine() -> dict:
    cpu = "?"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {"cores": os.cpu_count(), "cpu": cpu, "memory_gib": round(memory / 2**30, 1)}


def load() -> str:
    """The load averages (1, 5, 15 min): the machine is shared, so every figure carries the load it had."""
    return " ".join(open("/proc/loadavg").read().split()[:3])


def commit() -> str:
    found = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                           capture_output=True, text=True).stdout.strip()
    return found.stdout.strip() + (" (with uncommitted changes)" if dirty else "")


def short(count: int) -> str:
    return f"{count // 1_000_000}M" if count % 1_000_000 == 0 else (
        f"{count // 1000}k" if count % 1000 == 0 else f"{count:,}")


# ------------------------------------------------------------------ JSON records

def save(record: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = record["started"].replace("-", "").replace(":", "")
    path = RESULTS / f"scale-{stamp}Z-{record['database']}.json"
    path.write_text(json.dumps(record, indent=2, default=str, ensure_ascii=False))
    return path


def latest_records() -> dict[str, dict]:
    """The newest record of each database, e.g. to write the docs from runs made separately."""
    found: dict[str, dict] = {}
    for path in sorted(RESULTS.glob("scale-*.json")):
        record = json.loads(path.read_text())
        record["file"] = path.name
        found[record["database"]] = record
    return found


# ------------------------------------------------------------------ tables

def _cell(result: dict | None, count) -> tuple[str, str, str]:
    if result is None:
        return ("", "", "")
    status = result["status"]
    if status == 200:
        ms = result["median_ms"]
        shown = f"{ms:,.0f}" if ms >= 10 else f"{ms:.1f}"
        return (f"**{shown}**" if ms >= 200 else shown, f"{result['bytes'] / 1024:,.1f}", str(count if count is not None else ""))
    return (f"**{status}**", "", str(count if count not in (None, "timeout") else "—"))


def table(record: dict) -> str:
    sizes = list(record["sizes"])
    head = "| page | " + " | ".join(f"{short(int(s))} ms | KB | SQL" for s in sizes) + " |"
    rule = "|---|" + "---:|---:|---:|" * len(sizes)
    labels = list(dict.fromkeys(label for s in sizes for label in record["sizes"][s]["pages"]))
    lines = [head, rule]
    for label in labels:
        cells = []
        for s in sizes:
            run = record["sizes"][s]
            cells += _cell(run["pages"].get(label), run["statements"].get(label))
        lines.append(f"| `{label}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def summary(record: dict) -> str:
    """Under a table: when, where, what load, and how each database was built."""
    lines = [f"{DB_NAMES.get(record['database'], record['database'])}, run `{record['file']}`: "
             f"{record['started'][:16].replace('T', ' ')} UTC, commit {record['commit']}, "
             f"{record['repeat']} timed requests per page after 1 warm-up (median), time-out {record['timeout']:.0f} s."]
    for size, run in record["sizes"].items():
        build, ids = run["build"], run["arguments"]
        made = (f"built in {build['seconds']:,.0f} s" if "seconds" in build else "built earlier") + (
            f", {build['bytes'] / 2**20:,.0f} MiB" if "bytes" in build else "")
        rows = build.get("rows", {})
        lines.append(f"- {short(int(size))}: {made}; {rows.get('triage_item', 0):,} triage records, "
                     f"{rows.get('fix_link', 0):,} fix links, {rows.get('outbox_email', 0):,} emails; largest fix "
                     f"{ids['largest_fix_links']:,} verbatims, small fix {ids['small_fix_links']}; "
                     f"middle page {ids['middle_page']:,}; load before/after {run['load_before']} / {run['load_after']}.")
    return "\n".join(lines)


# ------------------------------------------------------------------ docs/benchmarks.md

def write_docs(records: dict[str, dict], method: str) -> None:
    text = DOCS.read_text(encoding="utf-8")
    start = text.find(TITLE)
    old = ""
    if start >= 0:
        end = text.find("\n## ", start + len(TITLE))
        end = len(text) if end < 0 else end + 1
        old, text = text[start:end], text[:start] + text[end:]
    first = _first_measurement(old)
    parts = [TITLE, "", method.strip(), ""]
    for kind in ("sqlite", "postgresql"):
        if kind in records:
            parts += [f"### {DB_NAMES[kind]}, today's code", "", table(records[kind]), "", summary(records[kind]), ""]
    parts += [first.strip(), ""]
    section = "\n".join(parts) + "\n"
    text = text.rstrip("\n") + "\n\n" + section if start < 0 else text[:start] + section + text[start:]
    DOCS.write_text(text, encoding="utf-8")


def _first_measurement(old_section: str) -> str:
    """The reviewer's figures are kept as they are whenever the section is written again."""
    at = old_section.find(FIRST)
    if at < 0:
        return (f"{FIRST}\n\nThe reviewer's table from issue 10 (a database of the app's own schema with 200,000 "
                "customers, 1,200,000 invitations and 10k / 100k / 1M responses with comments and triage "
                "records, 200 fixes linked to 50,000 responses; gunicorn, logged in as admin, median of 5, "
                "quiet machine, SQLite) belongs here, copied as reported.\n")
    following = re.search(r"\n##+ ", old_section[at + len(FIRST):])
    return old_section[at:at + len(FIRST) + following.start()] if following else old_section[at:]


def now_utc() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
