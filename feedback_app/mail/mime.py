"""An outbox email's bytes as they go to the SMTP server, written directly rather than by the email package.

PURE: standard library only.

Why: building an `EmailMessage` (its content manager chooses encodings in pure Python) and flattening it cost
about 3 ms a message, more than a whole SMTP conversation with a server on the same machine; this writes
the same kind of message in about 0.05 ms. It covers exactly what the outbox sends — ASCII addresses, a
subject, a few extra headers, a plain-text and an HTML body — as multipart/alternative in UTF-8, both
parts quoted-printable. Anything else (an address with non-ASCII characters, which needs SMTPUTF8; an odd
header name) is left to the email package: `wire_bytes` returns None and mail.py builds it the old way.
Tests parse what this writes with the email package and compare it with the original, for any text.
"""
from __future__ import annotations

import binascii
import re
from functools import lru_cache

CRLF = "\r\n"
SOFT_LIMIT = 78    # RFC 5322 §2.1.1: a line SHOULD be at most 78 characters…
HARD_LIMIT = 998   # …and MUST be at most 998
# '=' in quoted-printable is always followed by two hex digits or a line break, so "=_" never occurs in
# an encoded body: a boundary that starts with it cannot collide with any line of the parts.
BOUNDARY = "=_feedback-alternative"
# An encoded word's text: 42 bytes of UTF-8 become 56 characters of base64, 68 with "=?utf-8?b?…?=", so
# "Subject: " and one word fit in 78 (RFC 2047 §2: at most 75 characters a word).
WORD_BYTES = 42
_FIELD_NAME = re.compile(r"[!-9;-~]+")  # RFC 5322 §3.6.8: printable ASCII except ':'
_ADDRESS = re.compile(r"[!-~]+@[!-~]+")  # ASCII, no spaces: what SMTP carries without SMTPUTF8
_PLAIN = re.compile(r"[ -~]*")           # printable ASCII and spaces


def wire_bytes(sender_header: str, recipient: str, subject: str, message_id: str, headers: dict,
               text: str, html: str) -> bytes | None:
    """The whole message with CRLF line ends, ready for SMTP's DATA; None when it needs the email package."""
    if not _ADDRESS.fullmatch(recipient) or not all(_FIELD_NAME.fullmatch(name) for name in headers):
        return None
    lines = [sender_header, f"To: {recipient}", header("Subject", subject),
             header("Message-ID", message_id)]
    lines += [header(name, str(value)) for name, value in headers.items()]
    lines += ["MIME-Version: 1.0", f'Content-Type: multipart/alternative; boundary="{BOUNDARY}"', ""]
    return "\r\n".join(lines).encode("ascii") + _part("plain", text) + _part("html", html) + _CLOSE


_CLOSE = f"{CRLF}--{BOUNDARY}--{CRLF}".encode("ascii")


def _part(subtype: str, text: str) -> bytes:
    """One body part, from its boundary line on. ASCII text goes quoted-printable (it stays readable and
    hardly grows); other text base64, which for Arabic or Persian is both smaller and quicker to write."""
    encoding, body = ("quoted-printable", quoted_printable(text)) if text.isascii() else ("base64", base64_lines(text))
    head = f'{CRLF}--{BOUNDARY}{CRLF}Content-Type: text/{subtype}; charset="utf-8"{CRLF}' \
           f"Content-Transfer-Encoding: {encoding}{CRLF}{CRLF}"
    return head.encode("ascii") + body


@lru_cache(maxsize=16)
def sender_header(name: str, address: str) -> str | None:
    """The From field (its whole line) for a display name and an address; kept, as it is the same for a
    whole run. None when the address is not plain ASCII."""
    if not _ADDRESS.fullmatch(address):
        return None
    if not name:
        return f"From: {address}"
    if _PLAIN.fullmatch(name) and "=?" not in name:
        quoted = name.replace("\\", "\\\\").replace('"', '\\"')
        phrase = name if re.fullmatch(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]+", name) else f'"{quoted}"'
    else:
        phrase = " ".join(encoded_words(name))
    return _fold("From", phrase.split(" ") + [f"<{address}>"])


def header(name: str, value: str) -> str:
    """One header field, folded: plain text between spaces where it can be, else RFC 2047 encoded words."""
    if _PLAIN.fullmatch(value) and "=?" not in value:
        folded = _fold(name, value.split(" "))
        if all(len(line) <= HARD_LIMIT for line in folded.split(CRLF)):
            return folded
    return _fold(name, encoded_words(value))


def encoded_words(text: str) -> list[str]:
    """`text` as base64 encoded words of whole characters: a word never ends inside a character's UTF-8
    bytes (a continuation byte is 0b10xxxxxx), so each decodes on its own (RFC 2047 §5)."""
    data = text.encode("utf-8", "replace")
    words, start = [], 0
    while start < len(data) or not words:
        end = min(start + WORD_BYTES, len(data))
        while end < len(data) and data[end] & 0xC0 == 0x80:
            end -= 1
        words.append(_word(data[start:end]))
        start = end
    return words


def _word(data: bytes) -> str:
    return f"=?utf-8?b?{binascii.b2a_base64(data, newline=False).decode('ascii')}?="


def _fold(name: str, words: list[str]) -> str:
    """`name: words…` with a line break (CRLF then a space) instead of a space wherever a line would pass 78.

    Never right after the colon: some readers keep the space a break there leaves before the value."""
    lines, line = [], f"{name}:"
    for word in words:
        if word and len(line) + 1 + len(word) > SOFT_LIMIT and line.strip() and line != f"{name}:":
            lines.append(line)
            line = ""
        line += " " + word
    return CRLF.join([*lines, line])


def base64_lines(text: str) -> bytes:
    """UTF-8 in base64 lines of 76 characters (57 bytes each, RFC 2045 §6.8), CRLF between them."""
    data = _lines(text).encode("utf-8", "replace")
    return b"\r\n".join(binascii.b2a_base64(data[start:start + 57], newline=False)
                         for start in range(0, len(data), 57))


def _lines(text: str) -> str:
    """Every line ending of the text as CRLF, the canonical form of text in MIME (RFC 2046 §4.1.1)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")


def quoted_printable(text: str) -> bytes:
    """UTF-8, quoted-printable (RFC 2045 §6.7) with CRLF line breaks; every line ending of the text is one."""
    data = text.replace("\r\n", "\n").replace("\r", "\n").encode("utf-8", "replace")
    return binascii.b2a_qp(data, istext=True).replace(b"\n", b"\r\n")
