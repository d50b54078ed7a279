"""The transports that hand emails over: SMTP (production), console (no SMTP server configured: the email is
printed and stays visible on the outbox page), memory (tests of code that sends); the one from the config,
and the sender's address.
"""
from __future__ import annotations

import smtplib
import socket
import ssl
import sys
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formataddr, parseaddr
from typing import Protocol, TextIO

from feedback_app.mail import delivery_policy
from feedback_app.mail.render import WireMessage


class Transport(Protocol):
    # The longest one send() can take while still talking to the server: claims are held no longer.
    longest_send: timedelta

    def send(self, message: WireMessage | EmailMessage) -> None: ...

    def close(self) -> None: ...


class _Watchful:
    """Mixed into smtplib's client: notes when the message data starts to leave, and gives the server the
    data timeout (not the command timeout) to answer it.

    smtplib's data() sends the whole payload with one send() right after the server's 354, then reads the
    verdict with getreply(); these three hooks mark exactly that stretch. While `awaiting_verdict` is true
    a failure means "maybe delivered"; before it, "not sent".
    """
    timeout: float
    sock: socket.socket | None
    data_timeout: float = 600
    awaiting_verdict = False
    _in_data = _payload_next = False

    def data(self, msg):
        self._in_data = True
        try:
            return super().data(msg)
        finally:
            self._in_data = self._payload_next = False

    def getreply(self):
        reply = super().getreply()
        if self.awaiting_verdict:
            self.awaiting_verdict = False
            self.sock.settimeout(self.timeout)
        elif self._in_data and reply[0] == 354:
            self._payload_next = True
        return reply

    def send(self, s):
        if not self._payload_next:
            return super().send(s)
        # From the first byte on, a failure may have reached the server: count it as maybe delivered.
        self._payload_next, self.awaiting_verdict = False, True
        super().send(s)
        if self.sock:
            self.sock.settimeout(self.data_timeout)


class _SMTP(_Watchful, smtplib.SMTP):
    pass


class _SMTPS(_Watchful, smtplib.SMTP_SSL):
    pass


class SMTPTransport:
    """One SMTP session (and one TLS context) for a whole delivery run: opened by the first email, reopened
    after a failure, closed by close().

    Timeouts follow what the conversation needs (RFC 5321 §4.5.3.2): `timeout` for connecting and for every
    command's reply, `data_timeout` (the RFC's 10 minutes by default) for the verdict on the message data.
    """

    def __init__(self, host: str, port: int, user: str | None, password: str | None, tls: str,
                 timeout: float = 60, data_timeout: float = 600, ca_file: str | None = None):
        self.host, self.port, self.user, self.password, self.tls = host, port, user, password, tls
        self.timeout, self.data_timeout, self.ca_file = timeout, data_timeout, ca_file
        self.longest_send = delivery_policy.longest_send(timeout, data_timeout)
        self._client: _Watchful | None = None
        self._context: ssl.SSLContext | None = None
        self._carried = 0  # emails sent on the open session

    def send(self, message: WireMessage | EmailMessage) -> None:
        reused = self._carried > 0
        try:
            self._send(message)
        except Exception as error:
            if not (reused and _session_lost(error)):
                raise
            # A kept session can go stale (idle limit, a per-session message limit's 421); nothing of this
            # email's data left, so it goes once more on a fresh session.
            self._send(message)

    def close(self) -> None:
        client, self._client, self._carried = self._client, None, 0
        if client is not None:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                client.close()

    def _send(self, message: WireMessage | EmailMessage) -> None:
        client = self._client or self._open()
        try:
            _hand_over(client, message)
        except Exception as error:
            self._client, self._carried = None, 0
            client.close()
            if client.awaiting_verdict:
                raise delivery_policy.MaybeDelivered(f"{type(error).__name__}: {error}") from error
            raise
        self._carried += 1

    def _open(self) -> _Watchful:
        if self.tls != "none" and self._context is None:
            self._context = ssl.create_default_context(cafile=self.ca_file)  # verifies the server's name and chain
        client = None
        try:
            if self.tls == "ssl":
                client = _SMTPS(self.host, self.port, timeout=self.timeout, context=self._context)
            else:
                client = _SMTP(self.host, self.port, timeout=self.timeout)
            if self.tls == "starttls":
                client.starttls(context=self._context)
            if self.user:
                client.login(self.user, self.password or "")
        except (OSError, smtplib.SMTPException) as error:
            if client is not None:
                client.close()
            raise delivery_policy.ServerUnavailable(
                f"cannot open an SMTP session with {self.host}:{self.port}: {type(error).__name__}: {error}") from error
        client.data_timeout = self.data_timeout
        self._client = client
        return client


def _hand_over(client: smtplib.SMTP, message: WireMessage | EmailMessage) -> None:
    if isinstance(message, EmailMessage):
        client.send_message(message)
        return
    options: tuple[str, ...] = ()
    if message.smtputf8:
        client.ehlo_or_helo_if_needed()
        if not client.has_extn("smtputf8"):  # as smtplib's send_message says it: nothing was sent
            raise smtplib.SMTPNotSupportedError("an address is not ASCII and the server does not offer SMTPUTF8")
        options = ("SMTPUTF8", "BODY=8BITMIME")
    client.sendmail(message.sender, [message.recipient], message.data, mail_options=options)


def _session_lost(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code == 421
    return isinstance(error, (smtplib.SMTPServerDisconnected, ConnectionError))


class ConsoleTransport:
    """No SMTP server configured: show the email where the person running the app is looking."""
    longest_send = timedelta(0)

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream

    def send(self, message: WireMessage | EmailMessage) -> None:
        if isinstance(message, WireMessage):
            message = message.parsed()
        stream = self.stream or sys.stdout
        text = message.get_body(("plain",)).get_content()
        stream.write(f"\n--- email to {message['To']}: {message['Subject']}\n{text}--- end of email\n")
        stream.flush()

    def close(self) -> None:
        pass


class MemoryTransport:
    longest_send = timedelta(0)

    def __init__(self):
        self.sent: list[EmailMessage] = []

    def send(self, message: WireMessage | EmailMessage) -> None:
        """Kept as the email package reads the bytes, so tests see what a mail client would."""
        self.sent.append(message.parsed() if isinstance(message, WireMessage) else message)

    def close(self) -> None:
        pass


def transport_from_config(config: dict) -> Transport:
    if config["MAIL_TRANSPORT"] == "smtp":
        return SMTPTransport(config["SMTP_HOST"], config["SMTP_PORT"], config["SMTP_USER"],
                             config["SMTP_PASSWORD"], config["SMTP_TLS"], config["SMTP_TIMEOUT"],
                             config["SMTP_DATA_TIMEOUT"], config.get("SMTP_CA_FILE"))
    if config["MAIL_TRANSPORT"] == "memory":
        return config.setdefault("MAIL_MEMORY_TRANSPORT", MemoryTransport())
    return ConsoleTransport()


def sender_address(config: dict, display_name: str | None = None) -> str:
    name, address = parseaddr(config["MAIL_FROM"])
    return formataddr((display_name or name, address))
