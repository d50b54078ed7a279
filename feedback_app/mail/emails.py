"""Emails: named templates rendered in the recipient's language, and the transports that send them.

Every email is a directory templates/email/<name>/ with subject.txt, body.txt and body.html; code
supplies only the context. Transports: SMTP (production), console (no SMTP server configured: the
email is printed and stays visible on the outbox page), memory (tests of code that sends).
"""
from __future__ import annotations

import email
import email.policy
import hashlib
import re
import smtplib
import socket
import ssl
import sys
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formataddr, parseaddr
from functools import lru_cache
from typing import Protocol, TextIO

from flask import render_template
from flask_babel import force_locale

from feedback_app.mail import delivery_policy, mime
from feedback_app.core.languages import text_direction


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def render_email(name: str, context: dict, locale: str) -> RenderedEmail:
    context = {**context, "locale": locale, "direction": text_direction(locale)}
    with force_locale(locale):
        subject = render_template(f"email/{name}/subject.txt", **context)
        text = render_template(f"email/{name}/body.txt", **context)
        html = render_template(f"email/{name}/body.html", **context)
    return RenderedEmail(" ".join(subject.split()), text.strip() + "\n", html)


@dataclass(frozen=True)
class OutgoingEmail:
    """What a transport needs: the stored outbox row, detached from the database."""
    key: str
    recipient: str
    subject: str
    text: str
    html: str
    headers: dict = field(default_factory=dict)


def build_message(email: OutgoingEmail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.recipient
    message["Subject"] = email.subject
    message["Message-ID"] = message_id(email.key, sender)
    for name, value in email.headers.items():
        message[name] = value
    message.set_content(email.text)
    message.add_alternative(email.html, subtype="html")
    return message


@dataclass(frozen=True)
class WireMessage:
    """An email as SMTP carries it: the envelope and the message's bytes (CRLF line ends)."""
    sender: str      # MAIL FROM
    recipient: str   # RCPT TO
    data: bytes
    smtputf8: bool = False  # an address is not ASCII: only a server offering SMTPUTF8 can take it

    def parsed(self) -> EmailMessage:
        return email.message_from_bytes(self.data, policy=email.policy.default)


def wire_message(outgoing: OutgoingEmail, sender: str) -> WireMessage:
    """What the outbox hands a transport: written directly (mime.py) in the usual case, by the email
    package when an address needs SMTPUTF8."""
    name, address = _sender_parts(sender)
    from_header = mime.sender_header(name, address)
    data = None if from_header is None else mime.wire_bytes(
        from_header, outgoing.recipient, outgoing.subject, message_id(outgoing.key, sender), outgoing.headers,
        outgoing.text, outgoing.html)
    if data is not None:
        return WireMessage(address, outgoing.recipient, data)
    message = build_message(outgoing, sender)
    return WireMessage(address, outgoing.recipient, message.as_bytes(policy=email.policy.SMTPUTF8), True)


@lru_cache(maxsize=16)
def _sender_parts(sender: str) -> tuple[str, str]:
    return parseaddr(sender)


_LITERAL = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
_DOMAIN = re.compile(r"[a-z0-9-]+(\.[a-z0-9-]+)*")
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_-]+(:[A-Za-z0-9_-]+)*")  # only characters kept as they are, single inner colons


def message_id(key: str, sender: str) -> str:
    """The email's Message-ID, from its dedupe key and the sender's domain only.

    The same outbox row gets the same Message-ID on every attempt and in every process, so should a resend
    ever reach someone twice (an answer lost after the data went), mail systems fold the copies into one.
    The key is written as an RFC 5322 dot-atom that can be read back: `:` becomes `.` (between other
    characters), letters, digits, `-` and `_` stay, anything else becomes `=XX` per UTF-8 byte — so two
    keys never share an id. An over-long (or empty) key is replaced by 128 bits of its SHA-256 (`#` marks that form).
    """
    if _PLAIN_KEY.fullmatch(key):  # the usual key ("survey-invitation:7"): the same result, without the loop
        left = key.replace(":", ".")
    else:
        left = "".join(_id_char(key, i) for i in range(len(key)))
    if not left or len(left) > 200:
        left = "#" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    return f"<{left}@{_sender_domain(sender)}>"


def _id_char(key: str, i: int) -> str:
    char = key[i]
    if char in _LITERAL:
        return char
    if char == ":" and 0 < i < len(key) - 1 and key[i - 1] != ":" and key[i + 1] != ":":
        return "."  # a dot-atom allows single dots between characters only
    return "".join(f"={byte:02X}" for byte in char.encode("utf-8"))


@lru_cache(maxsize=16)
def _sender_domain(sender: str) -> str:
    domain = parseaddr(sender)[1].rpartition("@")[2].strip().lower()
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        return "localhost"
    return domain if _DOMAIN.fullmatch(domain) else "localhost"


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
