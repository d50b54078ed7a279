"""What a fix's beta link may be, and who the "ready to try" email goes to.

PURE: standard library only. The team types the link; customers click it from an email, so it is an absolute
http(s) address and nothing else (no javascript:, data: or mailto:, no spaces or control characters).
"""
from __future__ import annotations

from urllib.parse import urlsplit

BETA_URL_MAX = 2000
BETA_READY = "fix-beta-ready"  # the event of the "ready to try" email (its outbox key: loop_email_key)


class BetaUrlError(ValueError):
    """A beta link that cannot be stored; the message says why, for people."""


def check_beta_url(text: str | None) -> str:
    """The link as stored (trimmed), or a BetaUrlError saying what is wrong with it."""
    url = (text or "").strip() if isinstance(text, str) or text is None else None
    if url is None:
        raise BetaUrlError("The beta link must be text.")
    if not url:
        raise BetaUrlError("Give the beta link, e.g. https://beta.example.com/.")
    if len(url) > BETA_URL_MAX:
        raise BetaUrlError(f"The beta link has at most {BETA_URL_MAX} characters ({len(url)} given).")
    if any(character.isspace() or ord(character) < 32 or ord(character) == 127 for character in url):
        raise BetaUrlError("The beta link cannot contain spaces or control characters.")
    try:
        parts = urlsplit(url)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        parts, port_ok = None, False
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname or not port_ok:
        raise BetaUrlError("The beta link must be an http:// or https:// address with a host, e.g. "
                           "https://beta.example.com/.")
    return url


def may_hear(unsubscribed: bool, stopped_news: bool, has_address: bool) -> bool:
    """A beta tester asked for this email by clicking "try it early"; it still never reaches someone who asked
    us to stop writing (a survey unsubscribe or "stop emails about changes you asked for")."""
    return has_address and not unsubscribed and not stopped_news
