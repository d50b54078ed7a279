"""Emails: named templates rendered in the recipient's language, and the transports that send them.

Every email is a directory templates/email/<name>/ with subject.txt, body.txt and body.html; code
supplies only the context. Transports: SMTP (production), console (no SMTP server configured: the
email is printed and stays visible on the outbox page), memory (tests of code that sends).
"""
from __future__ import annotations

import smtplib
import ssl
import sys
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, make_msgid, parseaddr
from typing import Protocol, TextIO

from flask import render_template
from flask_babel import force_locale

from surveys.kinds import text_direction


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
    # A Message-ID derived from the dedupe key: should a crash ever make us hand the same email to the
    # server twice, mail systems that de-duplicate on Message-ID will show it once.
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(idstring=email.key.replace(":", "."), domain=domain)
    for name, value in email.headers.items():
        message[name] = value
    message.set_content(email.text)
    message.add_alternative(email.html, subtype="html")
    return message


class Transport(Protocol):
    def send(self, message: EmailMessage) -> None: ...


class SMTPTransport:
    def __init__(self, host: str, port: int, user: str | None, password: str | None, tls: str,
                 timeout: float = 20):
        self.host, self.port, self.user, self.password, self.tls = host, port, user, password, tls
        self.timeout = timeout

    def send(self, message: EmailMessage) -> None:
        context = ssl.create_default_context()
        if self.tls == "ssl":
            client = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with client:
            if self.tls == "starttls":
                client.starttls(context=context)
            if self.user:
                client.login(self.user, self.password or "")
            client.send_message(message)


class ConsoleTransport:
    """No SMTP server configured: show the email where the person running the app is looking."""

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream

    def send(self, message: EmailMessage) -> None:
        stream = self.stream or sys.stdout
        text = message.get_body(("plain",)).get_content()
        stream.write(f"\n--- email to {message['To']}: {message['Subject']}\n{text}--- end of email\n")
        stream.flush()


class MemoryTransport:
    def __init__(self):
        self.sent: list[EmailMessage] = []

    def send(self, message: EmailMessage) -> None:
        self.sent.append(message)


def transport_from_config(config: dict) -> Transport:
    if config["MAIL_TRANSPORT"] == "smtp":
        return SMTPTransport(config["SMTP_HOST"], config["SMTP_PORT"], config["SMTP_USER"],
                             config["SMTP_PASSWORD"], config["SMTP_TLS"])
    if config["MAIL_TRANSPORT"] == "memory":
        return config.setdefault("MAIL_MEMORY_TRANSPORT", MemoryTransport())
    return ConsoleTransport()


def sender_address(config: dict, display_name: str | None = None) -> str:
    name, address = parseaddr(config["MAIL_FROM"])
    return formataddr((display_name or name, address))
