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
FINDINGS = "### What the figures say"  # written by people: kept as it is when the section is written again
BEFORE = "### Before the changes"  # the first tables of this benchmark, on the code before issue 10: kept too
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

def file_name(database: str, started: str) -> str:
    return f"scale-{started.replace('-', '').replace(':', '')}Z-{database}.json"


def save(record: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / record["file"]
    path.write_text(json.dumps(record, indent=2, default=str, ensure_ascii=False))
    return path


def latest_records(shape: dict) -> dict[str, dict]:
    """Per database, the newest measurement of each size among the runs of this shape (customers,
    invitations, fixes, links, seed): the sizes may be run separately (1M on its own, say) and still
    share a table, and a smoke run never enters it."""
    found: dict[str, dict] = {}
    for path in sorted(RESULTS.glob("scale-*.json"), reverse=True):  # newest first
        record = json.loads(path.read_text())
        if record.get("shape") != shape:
            continue  # another shape (a smoke run, other customers or invitations): not the same table
        merged = found.setdefault(record["database"], {**record, "sizes": {}})
        for size, run in record["sizes"].items():
            if size not in merged["sizes"]:
                merged["sizes"][size] = {**run, "file": path.name, "commit": record["commit"],
                                         "repeat": record["repeat"]}
    for merged in found.values():
        merged["sizes"] = dict(sorted(merged["sizes"].items(), key=lambda item: int(item[0])))
    return found


# ------------------------------------------------------------------ tables

def _cell(result: dict | None, count, repeat: int) -> tuple[str, str, str]:
    if result is None:
        return ("—", "—", "—")
    status = result["status"]
    counted = str(count) if isinstance(count, int) else (count or "—")
    if status == 200:
        ms = result["median_ms"]
        shown = f"{ms:,.0f}" if ms >= 10 else f"{ms:.1f}"
        shown = f"**{shown}**" if ms >= 200 else shown
        if len(result["times_ms"]) < repeat:
            shown += f" (n={len(result['times_ms'])})"
        return (shown, f"{result['bytes'] / 1024:,.1f}", counted)
    return (f"**{status}**", "—", counted if status != "timeout" else "—")


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
            cells += _cell(run["pages"].get(label), run["statements"].get(label), run.get("repeat", record["repeat"]))
        lines.append(f"| `{label}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def summary(record: dict) -> str:
    """Under a table: when, where, what load, and how each database was built."""
    lines = [f"{DB_NAMES.get(record['database'], record['database'])}: {record['repeat']} timed requests per "
             f"page after 1 warm-up (median), time-out {record['timeout']:.0f} s. Per size:"]
    for size, run in record["sizes"].items():
        build, ids = run["build"], run["arguments"]
        made = (f"built in {build['seconds']:,.0f} s" if "seconds" in build else "built earlier") + (
            f", {build['bytes'] / 2**20:,.0f} MiB" if "bytes" in build else "")
        rows = build.get("rows", {})
        lines.append(f"- {short(int(size))}: measured {run['started'].replace('T', ' ')} UTC at commit "
                     f"{run.get('commit', record['commit'])} (`{run.get('file', record.get('file'))}`), load "
                     f"{run['load_before']} before, {run['load_after']} after; database {made}: "
                     f"{rows.get('triage_item', 0):,} triage records, {rows.get('fix_link', 0):,} fix links, "
                     f"{rows.get('outbox_email', 0):,} emails; largest fix {ids['largest_fix_links']:,} verbatims, "
                     f"small fix {ids['small_fix_links']}; " + (f"middle page {ids['middle_page']:,}." if "middle_page" in ids
                                                    else "middle pages read by cursor."))
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
    first, findings, before = _first_measurement(old), _subsection(old, FINDINGS), _subsection(old, BEFORE)
    parts = [TITLE, "", method.strip(), ""]
    for kind in ("sqlite", "postgresql"):
        if kind in records:
            parts += [f"### {DB_NAMES[kind]}", "", table(records[kind]), "", summary(records[kind]), ""]
    parts += [findings.strip(), ""] if findings else []
    parts += [before.strip(), ""] if before else []
    parts += [first.strip(), ""]
    section = "\n".join(parts) + "\n"
    text = text.rstrip("\n") + "\n\n" + section if start < 0 else text[:start] + section + text[start:]
    DOCS.write_text(text, encoding="utf-8")


def _subsection(section: str, title: str) -> str:
    """A `###` part of the section, up to the next heading: "" when it has none."""
    at = section.find(title)
    if at < 0:
        return ""
    following = re.search(r"\n##+ ", section[at + len(title):])
    return section[at:at + len(title) + following.start()] if following else section[at:]


def _first_measurement(old_section: str) -> str:
    """The reviewer's figures are kept as they are whenever the section is written again."""
    kept = _subsection(old_section, FIRST)
    if not kept:
        return (f"{FIRST}\n\nThe reviewer's table from issue 10 (a database of the app's own schema with 200,000 "
                "customers, 1,200,000 invitations and 10k / 100k / 1M responses with comments and triage "
                "records, 200 fixes linked to 50,000 responses; gunicorn, logged in as admin, median of 5, "
                "quiet machine, SQLite) belongs here, copied as reported.\n")
    return kept


def now_utc() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
