"""Which language each customer's news about a fix is written in, whether it may go out, and what it quotes.

PURE: standard library and feedback_app.core.languages. The services hand in the recipients' languages and
the fix's customer-facing texts; this module decides. A customer reads the whole email in one language:
their own when the fix has its texts in it, else the fallback language the team allowed, never a mix. With
no fallback, news that would reach someone whose language lacks its texts is refused whole (`Plan.gaps`).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from feedback_app.core.languages import ENGLISH_NAMES, LOCALES

TITLE, NOTE = "title", "release note"
# What each event's email shows the customer besides its translated wording.
NEEDED = {"fix-planned": (TITLE,), "fix-shipped": (TITLE, NOTE), "fix-beta-ready": (TITLE,)}
PUBLIC_TITLE_MAX = 200
NOTE_MAX = 10_000
QUOTE_MAX = 160  # characters of a customer's own words quoted back to them


class TextError(ValueError):
    """Customer-facing texts that cannot be stored; the message says why, for people."""


@dataclass(frozen=True)
class Texts:
    """A fix's customer-facing title and release note, {locale: text} each."""
    titles: Mapping[str, str] = field(default_factory=dict)
    notes: Mapping[str, str] = field(default_factory=dict)

    def lacking(self, locale: str, event: str) -> tuple[str, ...]:
        """What `event`'s email in `locale` would need and the fix does not have (empty: it can be written)."""
        have = {TITLE: self.titles.get(locale, ""), NOTE: self.notes.get(locale, "")}
        return tuple(what for what in NEEDED[event] if not have[what].strip())


@dataclass(frozen=True)
class Gap:
    """A language some recipients read, in which the fix lacks what the email needs."""
    locale: str
    recipients: int
    lacking: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    """The outcome: each recipient's email language, or the gaps that refuse the news."""
    locales: Mapping[int, str]          # customer id → the language of their whole email; empty when refused
    gaps: tuple[Gap, ...] = ()
    fallback_lacking: tuple[str, ...] = ()  # what the chosen fallback language itself lacks, when it was needed

    @property
    def refused(self) -> bool:
        return bool(self.gaps)


def speakers(readers: Mapping[int, str]) -> dict[str, int]:
    """How many recipients read each language, in the product's order of languages."""
    counts = Counter(readers.values())
    return {locale: counts[locale] for locale in sorted(counts, key=_order)}


def plan_news(event: str, readers: Mapping[int, str], texts: Texts, fallback: str | None = None) -> Plan:
    """Each reader's (customer id → locale) email language for `event`, or the languages that stop it.

    A reader whose language has the texts reads it; the others read the fallback when the team allowed
    one and it has the texts itself; otherwise the news is refused for everyone (nothing half-sent)."""
    fallback_lacking = texts.lacking(fallback, event) if fallback else NEEDED[event]
    usable_fallback = fallback if fallback and not fallback_lacking else None
    gaps = tuple(Gap(locale, count, texts.lacking(locale, event)) for locale, count in speakers(readers).items()
                 if texts.lacking(locale, event) and usable_fallback is None)
    if gaps:
        return Plan({}, gaps, fallback_lacking if fallback else ())
    return Plan({customer: locale if not texts.lacking(locale, event) else usable_fallback
                 for customer, locale in readers.items()})


def refusal(plan: Plan, fallback: str | None) -> str:
    """The team's message for a refused plan: which languages, how many recipients each, what is missing."""
    parts = [f"{ENGLISH_NAMES.get(gap.locale, gap.locale)} ({gap.recipients} "
             f"{'recipient' if gap.recipients == 1 else 'recipients'}: no {' and no '.join(gap.lacking)})"
             for gap in plan.gaps]
    message = ("Not sent, nothing changed: the customer-facing texts are missing in " + ", ".join(parts) + ". "
               "Write them in each language, or allow a fallback language for those recipients.")
    if fallback and plan.fallback_lacking:
        message += (f" The fallback, {ENGLISH_NAMES.get(fallback, fallback)}, has no "
                    f"{' and no '.join(plan.fallback_lacking)} itself.")
    return message


def clean_texts(texts: Mapping[str, str] | None, limit: int, what: str) -> dict[str, str]:
    """Per-language texts as stored: known locales only, each trimmed and within `limit`; empty ones dropped."""
    if texts is None:
        return {}
    if not isinstance(texts, Mapping):
        raise TextError(f"The {what} is given per language, e.g. {{\"en\": \"…\", \"ar\": \"…\"}}.")
    unknown = sorted(str(locale) for locale in texts if locale not in LOCALES)
    if unknown:
        raise TextError(f"Unknown language {', '.join(map(repr, unknown))} for the {what}; "
                        f"one of: {', '.join(LOCALES)}.")
    cleaned = {}
    for locale in sorted(texts, key=_order):
        text = texts[locale]
        if text is not None and not isinstance(text, str):
            raise TextError(f"The {what} in {ENGLISH_NAMES[locale]} must be text.")
        text = (text or "").strip()
        if len(text) > limit:
            raise TextError(f"The {what} in {ENGLISH_NAMES[locale]} has at most {limit} characters "
                            f"({len(text)} given).")
        if text:
            cleaned[locale] = text
    return cleaned


def merged(current: Mapping[str, str], changes: Mapping[str, str | None], limit: int, what: str) -> dict[str, str]:
    """`current` with the languages `changes` names replaced (an empty or None text removes that language)."""
    checked = clean_texts(changes, limit, what)
    combined = {**{locale: text for locale, text in current.items() if locale not in changes}, **checked}
    return {locale: combined[locale] for locale in sorted(combined, key=_order)}


def check_fallback(locale: str | None) -> str | None:
    if locale in (None, ""):
        return None
    if locale not in LOCALES:
        raise TextError(f"Unknown fallback language {locale!r}; one of: {', '.join(LOCALES)}.")
    return locale


def quoted(comments: Iterable[str], limit: int = QUOTE_MAX) -> str:
    """What "You told us: …" quotes: the latest of a customer's own comments (oldest first in `comments`),
    cut at a word boundary to at most `limit` characters with an ellipsis. "" when they wrote nothing."""
    latest = ""
    for comment in comments:
        if comment and comment.strip():
            latest = " ".join(comment.split())
    if len(latest) <= limit:
        return latest
    cut = latest[:limit - 1]
    if " " in cut[limit // 2:]:
        cut = cut[:cut.rindex(" ")]
    return cut.rstrip(" ,.;:،؛") + "…"


def _order(locale: str) -> tuple[int, str]:
    return (LOCALES.index(locale) if locale in LOCALES else len(LOCALES), locale)
