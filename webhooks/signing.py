"""PURE: the signature of a webhook delivery, and its check as a receiver makes it.

Header: `Feedback-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the secret>`. The time
is inside the signed text, so a captured delivery cannot be replayed later with a new time; receivers refuse a
time too far from their clock (`verify`'s tolerance).
"""
from __future__ import annotations

import hashlib
import hmac

HEADER = "Feedback-Signature"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of "<timestamp>.<body>" keyed with the secret."""
    signed = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def header_value(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def verify(header: str, secret: str, body: bytes, now: int, tolerance: int = 300) -> bool:
    """Whether `header` signs `body` with `secret`, at a time within `tolerance` seconds of `now` (unix seconds).
    Any v1 in the header may match (a sender changing secrets may sign with both)."""
    parts = [part.strip().partition("=") for part in header.split(",")]
    times = [value for key, _, value in parts if key == "t"]
    if len(times) != 1 or not times[0].isdigit():
        return False
    timestamp = int(times[0])
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    return any(hmac.compare_digest(expected, value) for key, _, value in parts if key == "v1")
