"""What bench/webhooks.py and bench/triggers.py (issue 15) share: a fresh, migrated database (a SQLite file in a
temporary folder, or a throw-away PostgreSQL cluster with the test suite's settings) and this worktree's app on it,
in process; the process's resident memory (current and peak, the peak reset between parts); timing figures."""
from __future__ import annotations

import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from memory import RESULTS, environment, say  # noqa: E402

__all__ = ["RESULTS", "say", "fresh_app", "rss_mb", "reset_peak", "peak_mb", "median_p95", "load", "measure_and_write"]


@contextlib.contextmanager
def fresh_app(kind: str, workdir: Path, name: str):
    """(app, url) on a new database of this worktree's schema (`feedback db upgrade`, a subprocess); the
    PostgreSQL cluster is stopped and the SQLite file left to the caller's temporary folder afterwards."""
    server = None
    try:
        if kind == "postgresql":
            from tests.support.postgres import TemporaryPostgres

            server = TemporaryPostgres.start()
            if server is None:
                raise SystemExit("PostgreSQL is not installed")
            url = TemporaryPostgres.fresh_database(server.url, name)
        else:
            url = f"sqlite:///{workdir / (name + '.db')}"
        env = environment(url)
        env["PYTHONPATH"] = str(ROOT)
        done = subprocess.run([sys.executable, "-m", "feedback_app.cli", "db", "upgrade"], env=env, cwd=ROOT,
                              capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            raise SystemExit(f"db upgrade failed:\n{done.stdout}\n{done.stderr}")
        os.environ.update({k: v for k, v in env.items() if k.startswith("FEEDBACK_")})
        from feedback_app import create_app

        app = create_app({"SQLALCHEMY_DATABASE_URI": url})
        yield app, url
    finally:
        if server is not None:
            with contextlib.suppress(Exception):
                from feedback_app.core.extensions import db

                if "app" in locals():
                    with app.app_context():
                        db.session.remove()
                        db.engine.dispose()
            server.stop()


def _status(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def rss_mb() -> float:
    return _status("VmRSS")


def peak_mb() -> float:
    """This process's peak resident memory since the last reset_peak (the kernel's VmHWM)."""
    return _status("VmHWM")


def reset_peak() -> None:
    """The kernel's peak (VmHWM) set back to the current resident size (Linux: clear_refs 5)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def median_p95(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def measure_and_write(name: str, results: dict, databases: list[str] | None, run_on) -> None:
    """`run_on(kind, folder)` on each database asked for (SQLite by default), in one temporary folder; the figures
    added to `results` under each kind and written to bench/results/<name>-<time>.json."""
    results["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    with tempfile.TemporaryDirectory(prefix=f"{name}-bench-") as folder:
        for kind in databases or ["sqlite"]:
            say(f"\n{kind}:")
            results[kind] = run_on(kind, Path(folder))
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{name}-{datetime.now(UTC):%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(results, indent=2))
    say(f"\nwritten to {out}")
