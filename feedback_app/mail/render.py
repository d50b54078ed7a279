"""Emails as the recipient reads them: named templates rendered in their language, the message built from
the stored outbox row (its bytes on the wire), and its Message-ID.

Every email is a directory templates/email/<name>/ with subject.txt, body.txt and body.html; code
supplies only the context, and this module adds the team's brand to it (rendered when queued, so an email
keeps the brand of its day).
"""
from __future__ import annotations

import email
import email.policy
import hashlib
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import parseaddr
from functools import lru_cache

from flask import render_template
from flask_babel import force_locale

from feedback_app.core.brand import Brand, current_brand
from feedback_app.core.extensions import links
from feedback_app.core.languages import text_direction
from feedback_app.mail import mime


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


DEFAULT_ACCENT = "#1f4e79"  # the app's own blue (app.css --accent), when the team chose no colour


def render_email(name: str, context: dict, locale: str) -> RenderedEmail:
    context = {**brand_context(current_brand()), **context, "locale": locale, "direction": text_direction(locale)}
    with force_locale(locale):
        subject = render_template(f"email/{name}/subject.txt", **context)
        text = render_template(f"email/{name}/body.txt", **context)
        html = render_template(f"email/{name}/body.html", **context)
    return RenderedEmail(" ".join(subject.split()), text.strip() + "\n", html)


def brand_context(brand: Brand) -> dict:
    """What every email's layout shows of the team's brand (feedback_app.core.brand), the same as its pages:
    the name, the logo at an absolute address (mail clients fetch it from the app), the accent colour."""
    logo_url = links.url(f"/brand/logo/{brand.version}") if brand.has_logo else None
    return {"brand": brand, "brand_logo_url": logo_url, "accent": brand.colour or DEFAULT_ACCENT}


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
