"""A real HTTP receiver of webhooks for tests: http.server in a thread, on a port of its own, that checks every
delivery's signature as a team's receiver would, records what it got, and can answer with a chosen status, be
stopped and started again on the same port."""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

from webhooks import signing


@dataclass
class Received:
    body: bytes
    headers: dict
    signature_ok: bool

    @property
    def event(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    secret: str
    port: int = 0
    status: int = 200  # what it answers
    clock: Callable[[], int] = lambda: int(time.time())  # its unix time, against which signatures are checked
    received: list[Received] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                ok = signing.verify(self.headers.get(signing.HEADER, ""), receiver.secret, body, receiver.clock())
                receiver.received.append(Received(body, dict(self.headers), ok))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def ids(self) -> list[str]:
        return [item.event["id"] for item in self.received]
