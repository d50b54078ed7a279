"""One webhook POST over HTTP(S), to an address already checked (webhooks.addresses): the connection goes to
that address, not to whatever the name resolves to a moment later, while the Host header and TLS still name the
host. Redirects are not followed (a redirect could lead anywhere): only a 2xx answer counts as delivered."""
from __future__ import annotations

import http.client
import socket
import ssl
from dataclasses import dataclass

from webhooks.addresses import Target

TIMEOUT = 10.0  # seconds for connecting and for the answer: a slow receiver must not hold the queue
USER_AGENT = "feedback-webhooks/1"


@dataclass(frozen=True)
class Answer:
    status: int | None  # the HTTP status, None when there was no answer
    error: str | None   # why it is not a success, None for a 2xx

    @property
    def delivered(self) -> bool:
        return self.error is None


def post(target: Target, body: bytes, headers: dict[str, str], timeout: float = TIMEOUT) -> Answer:
    connection = _connection(target, timeout)
    try:
        connection.request("POST", target.path, body=body, headers={
            "Content-Type": "application/json", "User-Agent": USER_AGENT, **headers})
        response = connection.getresponse()
        response.read(64 * 1024)  # a little of the answer, so the connection ends cleanly; none of it is kept
    except (OSError, http.client.HTTPException) as error:
        return Answer(None, f"{type(error).__name__}: {error}"[:500])
    finally:
        connection.close()
    if 200 <= response.status < 300:
        return Answer(response.status, None)
    return Answer(response.status, f"HTTP {response.status} {response.reason}"[:500])


def _connection(target: Target, timeout: float) -> http.client.HTTPConnection:
    address = target.addresses[0]

    def connect_to_checked_address(where, timeout_=timeout, source=None):
        return socket.create_connection((address, where[1]), timeout_, source)

    if target.scheme == "https":
        connection = http.client.HTTPSConnection(target.host, target.port, timeout=timeout,
                                                 context=ssl.create_default_context())
    else:
        connection = http.client.HTTPConnection(target.host, target.port, timeout=timeout)
    connection._create_connection = connect_to_checked_address  # the one hook http.client offers for this
    return connection
