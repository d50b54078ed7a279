"""A real SMTP server (aiosmtpd) for delivery tests: slow on purpose, able to hold one message's reply until
told, counting its sessions, and stoppable and startable again on the same port."""
from __future__ import annotations

import asyncio
import email
import email.policy
import threading
from collections import Counter

from aiosmtpd.controller import Controller

from tests.support.postgres import free_port


class SlowInbox:
    """The aiosmtpd handler. Like most mail servers it keeps a message as soon as its data has arrived,
    then answers; `delay(n)` is how long it takes to answer the n-th message (from 1)."""

    def __init__(self, delay=lambda n: 0.0, hold: int | None = None, refuse=(), per_session: int | None = None):
        self.delay, self.hold = delay, hold
        self.refuse = set(refuse)        # recipients answered 550 (no such user)
        self.per_session = per_session   # messages accepted per session, then 421 (as large providers do)
        self.copies: list[email.message.EmailMessage] = []
        self.sessions = 0
        self.unanswered: list[str] = []  # Message-IDs kept whose answer never reached the client
        self.holding, self.release = threading.Event(), threading.Event()
        self.lock = threading.Lock()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        with self.lock:
            self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        carried = getattr(session, "carried", 0)
        if self.per_session is not None and carried >= self.per_session:
            return "421 4.7.0 Too many messages in this session, open a new one"
        session.carried = carried + 1
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.copies.append(message)
            number = len(self.copies)
        try:
            if number == self.hold:
                self.holding.set()
                while not self.release.is_set():
                    await asyncio.sleep(0.01)
            await asyncio.sleep(self.delay(number))
        except asyncio.CancelledError:  # the client hung up, or the server is being stopped
            self.unanswered.append(message["Message-ID"])
            raise
        return "250 OK"

    def message_ids(self) -> Counter:
        return Counter(m["Message-ID"] for m in self.copies)


class SMTPServer:
    def __init__(self, inbox: SlowInbox):
        self.inbox, self.host, self.port = inbox, "127.0.0.1", free_port()
        self.controller: Controller | None = None

    def start(self) -> SMTPServer:
        self.controller = Controller(self.inbox, hostname=self.host, port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
