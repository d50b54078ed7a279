"""The servers of the scale benchmark: a local PostgreSQL cluster that keeps its data (the cache) between
runs, and the app under gunicorn as production runs it. Both are stopped by their context managers,
whatever happens."""
from __future__ import annotations

import os
import pwd
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.postgres import _bindir, free_port  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SECRET_KEY = "scale-benchmark-secret-key-0123456789"
# The throw-away clusters of the test suite run with these settings (tests/support/postgres.py).
PG_OPTIONS = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"


@contextmanager
def local_postgres(data_root: Path):
    """A PostgreSQL cluster whose data stays in `data_root` (the cached databases); started for the run,
    stopped after it. Yields a server URL."""
    bindir = _bindir()
    if bindir is None:
        raise SystemExit("PostgreSQL is not installed (apt-get install postgresql), or pass --db sqlite")
    as_user: list[str] = []
    data_root.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        user = pwd.getpwnam("postgres")
        os.chown(data_root, user.pw_uid, user.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    data = data_root / "data"
    if not (data / "PG_VERSION").exists():
        subprocess.run([*as_user, f"{bindir}/initdb", "-D", str(data), "-A", "trust", "-U", "postgres",
                        "-E", "UTF8", "--no-sync"], check=True, capture_output=True)
    port = free_port()
    options = f"-p {port} -k {data_root} -c listen_addresses=127.0.0.1 {PG_OPTIONS}"
    subprocess.run([*as_user, f"{bindir}/pg_ctl", "-D", str(data), "-w", "-l", str(data_root / "log"),
                    "-o", options, "start"], check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_user, f"{bindir}/pg_ctl", "-D", str(data), "-m", "fast", "-w", "stop"],
                       capture_output=True)


def end_other_sessions(database_url: str) -> None:
    """A page abandoned at its time-out may leave its query running in PostgreSQL: end it."""
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    plain = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as connection:
        connection.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))


def app_environment(database_url: str, base_url: str = "http://127.0.0.1") -> dict[str, str]:
    return {**os.environ, "FEEDBACK_DATABASE_URL": database_url, "FEEDBACK_SECRET_KEY": SECRET_KEY,
            "FEEDBACK_BASE_URL": base_url}


class Gunicorn:
    """The app under gunicorn: 2 sync workers, --preload, its own process group (stopped as a group)."""

    def __init__(self, database_url: str, log: Path, workers: int = 2):
        self.database_url, self.log, self.workers = database_url, log, workers
        self.process: subprocess.Popen | None = None
        self.port = 0

    @property
    def address(self) -> tuple[str, int]:
        return ("127.0.0.1", self.port)

    def start(self) -> None:
        self.port = free_port()
        # gunicorn's own worker time-out above the benchmark's: a slow page is the benchmark's to judge.
        command = [sys.executable, "-m", "gunicorn", "--workers", str(self.workers), "--worker-class", "sync",
                   "--preload", "--timeout", "900", "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning",
                   *_no_control_socket(), "feedback_app:create_app()"]
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(command, env=app_environment(self.database_url,
                                                                         f"http://127.0.0.1:{self.port}"),
                                            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited at start-up; see {self.log}")
            try:
                with socket.create_connection(self.address, timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start listening within 120 s")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        try:  # workers busy with an abandoned page do not stop on SIGTERM: the whole group goes
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=10)

    def restart(self) -> None:
        """After a time-out: the worker is still busy with the abandoned page and would slow the next ones."""
        self.stop()
        if self.database_url.startswith("postgresql"):
            end_other_sessions(self.database_url)
        self.start()


_flag: list[str] | None = None


def _no_control_socket() -> list[str]:
    """gunicorn >= 24 opens a control socket in ~/.gunicorn by default; the benchmark needs none."""
    global _flag
    if _flag is None:
        help_text = subprocess.run([sys.executable, "-m", "gunicorn", "--help"], capture_output=True,
                                   text=True).stdout
        _flag = ["--no-control-socket"] if "--no-control-socket" in help_text else []
    return _flag


@contextmanager
def running(server: Gunicorn):
    try:  # started inside: an interruption while it starts stops it too
        server.start()
        yield server
    finally:
        server.stop()
