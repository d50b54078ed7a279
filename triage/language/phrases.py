"""The readable name of a theme: the key phrase of a verbatim, cut from the customer's own text.

PURE: standard library and triage.language (text, stopwords). "The PDF export is slow since the update"
is named "PDF export is slow": the text is cut into clauses (at punctuation and at words that start a new
clause, such as "since", "because", "که", "لأن"); within a clause every run of one to five words that starts
and ends with a telling word is a candidate (small words such as "is", "of", "را" may sit inside it); the
candidate whose telling words are rarest across the corpus (their idf, summed), with a preference for
three or four words, wins. The customer's spelling, casing and spacing are kept; a phrase never ends in
punctuation. No part-of-speech tagger is needed, so nothing is downloaded and every language reads alike.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

from triage.language.stopwords import CLAUSE_BREAKS, COORDINATORS, GLUE_WORDS, NEGATIONS, PARTICLES, STOPWORDS
from triage.language.text import normalise, stem, tokens

MAX_WORDS = 5
MAX_WORD_LENGTH = 30  # longer: a URL fragment or a keyboard mash, which no phrase runs through
# A phrase of three or four words reads best; one word says too little, five start to ramble.
LENGTH_WEIGHT = {1: 0.6, 2: 0.85, 3: 1.0, 4: 1.0, 5: 0.8}
CLAUSE_END_BONUS = 1.1

# A word: letters and digits, joined by an apostrophe, a hyphen or the Persian ZWNJ ("can't", "sign-in",
# "فایل‌ها"). Between two words of one phrase only spaces, "&" and "/" may stand ("open/read"); a dash
# between spaces ("AmericanAir - answer the phones") ends a clause like a comma.
_WORD = re.compile(r"[^\W_]+(?:[\u200c\u200d'’\-][^\W_]+)*", re.UNICODE)
_JOINING_GAP = re.compile(r"[\s\u200c\u200d&/]*")
_ARABIC_AND = "و"
# Links, email addresses and @handles name nothing.
_ADDRESS = re.compile(r"\S+://\S*|www\.\S+|\S+@\S+\.\S+|(?<!\S)@\w+")

WORD, GLUE, NEGATION, PARTICLE, COORDINATOR, BREAK = "word", "glue", "negation", "particle", "coordinator", "break"


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    kind: str
    stems: tuple[str, ...]  # the telling word's stems (two for "sign-in" style words), empty for the others
    opens_clause: bool = False


def key_phrase(text: str, language: str, idf: Callable[[str], float]) -> str | None:
    """The text's key phrase, or None when it has no telling word. `idf(stem)`: how rare a stem is. Of equal
    phrases the first one wins."""
    spans = [span for clause in _clauses(text, language) for span in _ranked_spans(clause, idf)]
    if not spans:
        return None
    _, first, last = max(spans, key=lambda span: span[0])
    return text[first.start:last.end]


def _ranked_spans(clause: list[_Token], idf: Callable[[str], float]):
    """Every phrase of the clause as (rank, its first word, its last word)."""
    for first in range(len(clause)):
        if not _may_start(clause, first):
            continue
        seen, rarity = set(), 0.0  # a stem counts once: "slow, slow, slow" is no better than "slow"
        for last in range(first, min(first + MAX_WORDS, len(clause))):
            for stemmed in set(clause[last].stems) - seen:
                seen.add(stemmed)
                rarity += idf(stemmed)
            if rarity and _may_end(clause, first, last):
                yield _rank(rarity, last - first + 1, ends_clause=last == len(clause) - 1), clause[first], clause[last]


def _rank(rarity: float, words: int, ends_clause: bool) -> tuple[float, int]:
    """A phrase that ends where its clause ends reads whole ("crashing on my Samsung phone"); of two equal
    phrases the longer one holds a negation or a particle ("can't log in")."""
    return round(rarity * LENGTH_WEIGHT[words] * (CLAUSE_END_BONUS if ends_clause else 1.0), 9), words


def _may_start(clause: list[_Token], first: int) -> bool:
    """A telling word or a negation before one ("no dark mode"), never right after a negation: "لا يعمل"
    is never named "يعمل" (works)."""
    return clause[first].kind in (WORD, NEGATION) and not (first and clause[first - 1].kind == NEGATION)


def _may_end(clause: list[_Token], first: int, last: int) -> bool:
    """A telling word, or "in", "up"… right after one ("log in")."""
    kind = clause[last].kind
    return kind == WORD or (kind == PARTICLE and last > first and clause[last - 1].kind == WORD)


def _clauses(text: str, language: str) -> list[list[_Token]]:
    """Runs of words that may belong to one phrase: split at punctuation and at clause-starting words."""
    words = list(_words(text, language))
    clauses: list[list[_Token]] = [[]]
    for index, token in enumerate(words):
        kind = token.kind
        if kind == COORDINATOR:
            kind = GLUE if _joins_two_words(text, words, index) else BREAK
        if kind == BREAK or token.opens_clause or (index and not _joined(text, words[index - 1], token)):
            clauses.append([])
        if kind != BREAK:
            clauses[-1].append(token if kind == token.kind else _Token(token.start, token.end, kind, token.stems))
    return [clause for clause in clauses if clause]


def _joins_two_words(text: str, words: list[_Token], index: int) -> bool:
    """"and" joins two telling words into one name ("shipping and returns", "کیفیت غذا و سرعت ارسال") when
    the second one ends the clause or goes on with another telling word; before a small word it starts a
    new clause ("rude and the driver…", "دیر رسید و پیک هم بد اخلاق بود")."""
    if not 0 < index < len(words) - 1 or words[index - 1].kind != WORD or words[index + 1].kind != WORD:
        return False
    after = words[index + 2] if index + 2 < len(words) else None
    return (_joined(text, words[index - 1], words[index]) and _joined(text, words[index], words[index + 1])
            and (after is None or not _joined(text, words[index + 1], after) or after.kind == WORD))


def _joined(text: str, before: _Token, after: _Token) -> bool:
    """Nothing but spaces, "&" or "/" between two words: no punctuation ends the clause."""
    return bool(_JOINING_GAP.fullmatch(text, before.end, after.start))


def _words(text: str, language: str):
    # Blanked out with a full stop each, so that offsets hold and no phrase runs across one.
    text = _ADDRESS.sub(lambda address: "." * len(address.group()), text)
    for match in _WORD.finditer(text):
        surface, start = match.group(), match.start()
        opens_clause = _and_written_on(surface, language)
        if opens_clause:  # the phrase starts after the "and": "والمندوب" → "المندوب"
            surface, start = surface[1:], start + 1
        yield _Token(start, match.end(), *_kind(surface, language), opens_clause=opens_clause)


def _and_written_on(surface: str, language: str) -> bool:
    """Arabic writes "and" onto the next word; "and the …" or "and not …" starts a new clause ("والمندوب لا
    يرد", "ولم يتواصل"), while "ممتازة وسريعة" stays one phrase."""
    if language != "ar" or not surface.startswith(_ARABIC_AND) or len(surface) < 3:
        return False
    words = _word_lists(language)
    rest = normalise(surface[1:], language)
    return rest.startswith("ال") or rest in words.function_words or rest in words.negations or rest in words.breaks


@dataclass(frozen=True)
class _WordLists:
    language: str
    function_words: frozenset
    breaks: frozenset
    coordinators: frozenset
    negations: frozenset
    particles: frozenset


@lru_cache(maxsize=8)
def _word_lists(language: str) -> _WordLists:
    """The language's lists (with English's: customers mix them), in the spelling normalise() gives."""
    def folded(lists: dict, *extra: dict) -> frozenset:
        words = lists.get(language, set()) | lists["en"]
        for more in extra:
            words |= more.get(language, set())
        return frozenset(words | {normalise(word, language) for word in words})
    return _WordLists(language, folded(STOPWORDS, GLUE_WORDS), folded(CLAUSE_BREAKS), folded(COORDINATORS),
                      folded(NEGATIONS), folded(PARTICLES))


@lru_cache(maxsize=100_000)  # customers use the same few thousand words: each is weighed once per process
def _kind(surface: str, language: str) -> tuple[str, tuple]:
    words = _word_lists(language)
    folded = normalise(surface, language).replace("’", "'")
    if len(surface) > MAX_WORD_LENGTH or folded in words.breaks:
        return BREAK, ()
    if folded in words.coordinators:
        return COORDINATOR, ()
    if folded in words.negations:
        return NEGATION, ()
    if folded in words.particles:
        return PARTICLE, ()
    stems = tuple(stem(part, words.language) for part in tokens(folded)
                  if part not in words.function_words and _telling_length(part, surface))
    compound = folded.replace("-", "")
    if not stems and compound != folded and len(compound) >= 3 and compound not in words.function_words:
        stems = (stem(compound, words.language),)  # "Wi-Fi": two short halves, one telling word
    return (WORD, stems) if stems else (GLUE, ())


def _telling_length(part: str, surface: str) -> bool:
    """Three letters or more; shorter only as an acronym or a model name ("UI", "4G"); never a bare number."""
    if part.isdigit():
        return False
    return len(part) >= 3 or (len(surface) > 1 and surface.isupper()) or any(ch.isdigit() for ch in part)
