"""A survey's follow-up step on the thank-you page: a link or a second question, its texts per language.

PURE: standard library only (and the pure language facts of feedback_app.core.languages).

The team writes the step's text (a link's label, or the question) in the languages it wants; the thank-you
page shows the step only in a language it has a text for, so a customer never reads a sentence in another
language than the page's. Stored on the survey as JSON (`Survey.thanks_step`, written by `as_json`).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from feedback_app.core.languages import LOCALES

LINK, QUESTION = "link", "question"
STEP_KINDS = (LINK, QUESTION)
MAX_URL = 500
MAX_TEXT = {LINK: 100, QUESTION: 300}  # a button's label; a question of a sentence or two
MAX_ANSWER = 2000                      # the second answer: a few lines, not a second survey


class StepRefused(ValueError):
    """A step that cannot be kept. `reason`: no_text | bad_url | url_too_long | text_too_long | unknown_kind |
    unknown_language; `locale` and `limit` say which text and how long it may be."""

    def __init__(self, reason: str, message: str, locale: str | None = None, limit: int | None = None):
        super().__init__(message)
        self.reason, self.locale, self.limit = reason, locale, limit


@dataclass(frozen=True)
class ThanksStep:
    kind: str                                        # LINK or QUESTION
    texts: dict[str, str] = field(default_factory=dict)  # locale → the link's label or the question
    url: str | None = None                           # LINK only

    def as_json(self) -> dict:
        data = {"kind": self.kind, "texts": dict(self.texts)}
        return {**data, "url": self.url} if self.kind == LINK else data

    @classmethod
    def from_json(cls, data) -> ThanksStep | None:
        """The stored step, or None when there is none (or the value is not one: never shown half)."""
        if not isinstance(data, dict) or data.get("kind") not in STEP_KINDS or not isinstance(data.get("texts"), dict):
            return None
        texts = {locale: text for locale, text in data["texts"].items()
                 if locale in LOCALES and isinstance(text, str) and text}
        url = data.get("url") if data["kind"] == LINK else None
        if data["kind"] == LINK and not isinstance(url, str):
            return None
        return cls(data["kind"], texts, url)


@dataclass(frozen=True)
class ShownStep:
    """What one thank-you page shows: the step's kind, its text in the page's language and the link's address."""
    kind: str
    text: str
    url: str | None = None


def one_line(text: str) -> str:
    """A label or a question is one line: runs of spaces and line breaks become one space."""
    return " ".join((text or "").split())


def checked_url(raw: str) -> str:
    """An absolute http(s) address with a host, without spaces, a user name or a password (which would make
    `https://you.example@elsewhere.example` look like the team's site). Raises StepRefused."""
    url = (raw or "").strip()
    if len(url) > MAX_URL:
        raise StepRefused("url_too_long", f"the address is longer than {MAX_URL} characters", limit=MAX_URL)
    refused = StepRefused("bad_url", f"{url[:80]!r} is not a full http:// or https:// address "
                                     "(such as https://example.com/review)")
    if not url or any(ch.isspace() or ord(ch) < 32 or ch == "\\" for ch in url):
        raise refused
    try:
        parts = urlsplit(url)
        host = parts.hostname
        _ = parts.port  # raises ValueError for a port that is not a number
    except ValueError:
        raise refused from None
    if parts.scheme.lower() not in ("http", "https") or not host or "@" in parts.netloc:
        raise refused
    return url


def checked_step(kind: str, texts: Mapping[str, str], url: str | None = None) -> ThanksStep:
    """The step the team gave, checked: a known kind, a text in at least one supported language (each one line,
    not too long), and for a link its address. Raises StepRefused; nothing is half-kept."""
    if kind not in STEP_KINDS:
        raise StepRefused("unknown_kind", f"unknown kind {kind!r} (use one of: {', '.join(STEP_KINDS)})")
    kept = {}
    for locale, text in texts.items():
        if locale not in LOCALES:
            raise StepRefused("unknown_language", f"unknown language {locale!r} (use one of: {', '.join(LOCALES)})",
                              locale=locale)
        if line := one_line(text):
            if len(line) > MAX_TEXT[kind]:
                raise StepRefused("text_too_long", f"the {locale} text is {len(line)} characters; at most "
                                                   f"{MAX_TEXT[kind]}", locale=locale, limit=MAX_TEXT[kind])
            kept[locale] = line
    if not kept:
        raise StepRefused("no_text", "give the step's text in at least one language")
    return ThanksStep(kind, {locale: kept[locale] for locale in LOCALES if locale in kept},
                      checked_url(url or "") if kind == LINK else None)


def shown_in(step: ThanksStep | None, locale: str) -> ShownStep | None:
    """The step as a page in `locale` shows it, or None: no step, or none written in that language."""
    if step is None or not step.texts.get(locale):
        return None
    return ShownStep(step.kind, step.texts[locale], step.url)


@dataclass(frozen=True)
class AnswerRefused:
    reason: str        # empty | too_long
    over_by: int = 0   # too_long: characters over MAX_ANSWER


def read_second_answer(raw: str) -> str | AnswerRefused:
    """The second answer as typed (browsers' CRLF as LF, outer spaces trimmed), or why it is refused."""
    text = (raw or "").replace("\r\n", "\n").strip()
    if not text:
        return AnswerRefused("empty")
    if len(text) > MAX_ANSWER:
        return AnswerRefused("too_long", len(text) - MAX_ANSWER)
    return text
