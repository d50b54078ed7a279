"""A throw-away PostgreSQL cluster for the test run, from the binaries Debian's package installs."""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass


def _bindir() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return os.path.dirname(found[-1])
    initdb = shutil.which("initdb")
    return os.path.dirname(initdb) if initdb else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class TemporaryPostgres:
    url: str
    data_dir: str
    bindir: str
    as_user: list[str]

    @classmethod
    def start(cls) -> TemporaryPostgres | None:
        bindir = _bindir()
        if bindir is None:
            return None
        root = tempfile.mkdtemp(prefix="feedback-pg-")
        as_user: list[str] = []
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            user = pwd.getpwnam("postgres")
            os.chown(root, user.pw_uid, user.pw_gid)
            as_user = ["runuser", "-u", "postgres", "--"]
        data = os.path.join(root, "data")
        subprocess.run([*as_user, f"{bindir}/initdb", "-D", data, "-A", "trust", "-U", "postgres",
                        "-E", "UTF8", "--no-sync"], check=True, capture_output=True)
        port = free_port()
        options = (f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off")
        subprocess.run([*as_user, f"{bindir}/pg_ctl", "-D", data, "-w", "-l", os.path.join(root, "log"),
                        "-o", options, "start"], check=True, capture_output=True)
        return cls(f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", data, bindir, as_user)

    def stop(self) -> None:
        subprocess.run([*self.as_user, f"{self.bindir}/pg_ctl", "-D", self.data_dir, "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(os.path.dirname(self.data_dir), ignore_errors=True)

    @staticmethod
    def fresh_database(server_url: str, name: str) -> str:
        import psycopg

        plain = server_url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(plain, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')
        return server_url.rsplit("/", 1)[0] + f"/{name}"
