"""The app served as production serves it: gunicorn in its own process, over TLS or behind a proxy."""
from __future__ import annotations

import os
import socket
import ssl
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from tests.support.postgres import free_port

SECRET_KEY = "test-secret-key-0123456789"


@contextmanager
def gunicorn(database_url: str, *, config: dict | None = None, tls: tuple[Path, Path] | None = None,
             env: dict | None = None, base_url: str | None = None):
    """Yields the server's base URL once the app is loaded (--preload: loaded before the port opens)."""
    port = free_port()
    scheme = "https" if tls else "http"
    base = base_url or f"{scheme}://127.0.0.1:{port}"
    command = [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}",
               "--log-level", "warning", "--preload", f"feedback_app:create_app({config or {}!r})"]
    if tls:
        command += ["--certfile", str(tls[0]), "--keyfile", str(tls[1])]
    process = subprocess.Popen(command, env={**os.environ, "FEEDBACK_DATABASE_URL": database_url,
                                             "FEEDBACK_SECRET_KEY": SECRET_KEY, "FEEDBACK_BASE_URL": base,
                                             **(env or {})},
                               cwd=Path(__file__).resolve().parents[2])
    try:
        _wait_until_listening(port, process, tls is not None)
        yield f"{scheme}://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=20)


def _wait_until_listening(port: int, process: subprocess.Popen, tls: bool, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                if tls:  # the handshake proves a worker is up, not only the listening socket
                    context = ssl.create_default_context()
                    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
                    context.wrap_socket(sock).close()
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start listening")


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 that no browser trusts, as on a fresh server."""
    import trustme

    authority = trustme.CA()
    certificate = authority.issue_cert("127.0.0.1", "localhost")
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    certificate.cert_chain_pems[0].write_to_path(str(cert_file))
    certificate.private_key_pem.write_to_path(str(key_file))
    return cert_file, key_file
