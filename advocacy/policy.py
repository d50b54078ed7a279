"""Who is asked for a review or a referral, what a link may be, how an outcome moves, and the figures.

PURE: standard library only (and the pure scales of surveys.scales.kinds). The database query that finds
candidates (advocacy.asking) narrows by the same rules; `chosen` is the decision itself, applied to what it read.

Who is asked: a promoter — an NPS answer of 9 or 10, the "happy" band of surveys.scales.kinds — who said in that
answer that we may contact them, has an address and has not unsubscribed, was never asked before (once per
customer, ever, whatever was asked for and whatever the link was then), and answered within the last
RECENT_DAYS days (switching asking on never emails someone who was a promoter years ago) but at least
SETTLE_FOR ago (not within the minute of the thank-you page: an answer can still be edited then, and an ask
right after the answer feels automatic). Only NPS counts: "would you recommend us" is the one question whose top
answer is a promise to advocate; a satisfied CSAT or an easy CES is about one moment, not about us.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable
from urllib.parse import urlsplit

from surveys.scales.kinds import band_range

REVIEW, REFERRAL = "review", "referral"
KINDS = (REVIEW, REFERRAL)
PROMOTER_SCALE = "nps"
PROMOTER_SCORES = band_range(PROMOTER_SCALE, "happy")  # (9, 10)
RECENT_DAYS = 14
SETTLE_FOR = timedelta(hours=1)
URL_MAX = 2000

WENT, DECLINED = "went", "declined"
OUTCOMES = (WENT, DECLINED)


def answered_between(now: datetime) -> tuple[datetime, datetime]:
    """The oldest and newest answer time that may lead to an ask now (both included)."""
    return now - timedelta(days=RECENT_DAYS), now - SETTLE_FOR


@dataclass(frozen=True)
class Candidate:
    """One answer as the query read it: whose, on which scale, what score, and whether they may be contacted."""
    response_id: int
    customer_id: int
    email: str | None
    scale: str | None
    score: int | None
    may_contact: bool
    answered_at: datetime
    unsubscribed: bool = False
    asked_before: bool = False


def is_promoter(scale: str | None, score: int | None) -> bool:
    low, high = PROMOTER_SCORES
    return scale == PROMOTER_SCALE and score is not None and low <= score <= high


def may_ask(candidate: Candidate, now: datetime) -> bool:
    oldest, newest = answered_between(now)
    return (is_promoter(candidate.scale, candidate.score) and candidate.may_contact and bool(candidate.email)
            and not candidate.unsubscribed and not candidate.asked_before
            and oldest <= candidate.answered_at <= newest)


def chosen(candidates: Iterable[Candidate], now: datetime) -> list[Candidate]:
    """At most one ask per customer: their newest answer that may lead to one, in customer order."""
    newest: dict[int, Candidate] = {}
    for candidate in candidates:
        if may_ask(candidate, now):
            kept = newest.get(candidate.customer_id)
            if kept is None or (candidate.answered_at, candidate.response_id) > (kept.answered_at, kept.response_id):
                newest[candidate.customer_id] = candidate
    return [newest[customer_id] for customer_id in sorted(newest)]


# ---------------------------------------------------------------- the team's setting

def link_problem(url: str | None) -> str | None:
    """Why this cannot be the link promoters are sent to (a key: missing, too_long, scheme, host), or None.
    Only http(s) with a host: the customer's browser follows it from our page, so javascript:, data: or a
    relative address must never get there."""
    url = (url or "").strip()
    if not url:
        return "missing"
    if len(url) > URL_MAX:
        return "too_long"
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return "scheme"
    try:
        parts = urlsplit(url)
    except ValueError:
        return "host"
    if parts.scheme.lower() not in ("http", "https"):
        return "scheme"
    if not parts.hostname or link_origin(url) is None:
        return "host"
    return None


HOST = re.compile(r"[a-z0-9]([a-z0-9.-]*[a-z0-9])?|\[[0-9a-f:.]+\]")


def link_origin(url: str) -> str | None:
    """scheme://host[:port] of a link, its host in ASCII (IDNA): what the ask page's policy must allow its form to
    lead to (a browser enforces form-action on the redirect too). None when the host is not a plain name or IP
    address — nothing else may reach a header."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
        host = host.encode("idna").decode("ascii") if not host.isascii() else host
        port = parts.port
    except (ValueError, UnicodeError):
        return None
    if ":" in host:
        host = f"[{host}]"
    if not HOST.fullmatch(host):
        return None
    return f"{parts.scheme.lower()}://{host}" + (f":{port}" if port is not None else "")


# ---------------------------------------------------------------- outcomes

def next_outcome(current: str | None, clicked: str) -> str | None:
    """The outcome after a click. The first answer stands, except that someone who said "no thanks" and then went
    after all did go: went is what happened, and nothing turns a went back into a decline."""
    if current is None or (current == DECLINED and clicked == WENT):
        return clicked
    return current


@dataclass(frozen=True)
class Figures:
    """Asks and what came of them. no_answer: asked, no click on either button (yet)."""
    asked: int
    went: int
    declined: int

    @property
    def no_answer(self) -> int:
        return self.asked - self.went - self.declined

    @property
    def rate(self) -> float | None:
        """The share of asked customers who went to the link, in percent; None before anyone was asked."""
        return 100 * self.went / self.asked if self.asked else None
