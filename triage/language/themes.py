"""Short themes for verbatims ("PDF export is slow", "support never answers") and the key that groups them.

PURE: standard library and triage.language (text, stopwords, phrases). A theme has two parts. Its key is
the two to four most telling stems of the text, strongest first; "telling" is measured by how rare a
stem is across the training corpus (its idf), so "the", "app" or "really" never count while "invoice" or
"export" do; the key groups similar verbatims. Its label is what a triager reads: the text's key phrase
(triage.language.phrases), cut from the customer's own words in their language.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Callable

from triage.language.phrases import key_phrase
from triage.language.stopwords import STOPWORDS
from triage.language.text import normalise, stem

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
MAX_WORDS = 4
MAX_WORD_LENGTH = 30  # a "word" longer than this is a URL fragment or a keyboard mash, not a theme


@dataclass(frozen=True)
class Theme:
    label: str            # what a triager reads: a phrase of the customer's text, as they wrote it
    key: tuple[str, ...]  # what groups similar verbatims: the strongest stems, strongest first


def extract_theme(text: str, language: str, idf: Callable[[str], float]) -> Theme | None:
    candidates = _content_words(text, language)
    if not candidates:
        return None
    counts = Counter(stemmed for _, _, stemmed in candidates)
    strength = {stemmed: idf(stemmed) * (1 + 0.3 * (count - 1)) for stemmed, count in counts.items()}
    chosen = sorted(strength, key=lambda s: (-strength[s], s))[:MAX_WORDS]
    return Theme(key_phrase(text, language, idf) or _telling_words(candidates, chosen), tuple(chosen))


def _telling_words(candidates: list[tuple[int, str, str]], chosen: list[str]) -> str:
    """The chosen stems' words in the customer's order: the label when no phrase can be cut (a text whose
    telling words are all two letters long, say)."""
    seen, words = set(), []
    for _, surface, stemmed in candidates:
        if stemmed in chosen and stemmed not in seen:
            seen.add(stemmed)
            words.append(surface)
    return " ".join(words)


def _content_words(text: str, language: str) -> list[tuple[int, str, str]]:
    stop = STOPWORDS.get(language, set()) | STOPWORDS["en"]
    words = []
    for match in _WORD.finditer(unicodedata.normalize("NFKC", text)):
        surface = match.group().lower().strip("'’")
        folded = normalise(surface, language)
        if len(folded) < 3 or len(folded) > MAX_WORD_LENGTH or surface in stop or folded in stop:
            continue
        words.append((match.start(), surface, stem(folded, language)))
    return words


def candidate_groups(key: tuple[str, ...] | None) -> list[str]:
    """The groups a verbatim could join: each pair of its strongest stems ("export pdf", alphabetical
    within the pair), strongest pairs first; its one stem when it has only one."""
    if not key:
        return []
    if len(key) == 1:
        return [key[0]]
    return [" ".join(sorted((a, b))) for i, a in enumerate(key) for b in key[i + 1:]]


def choose_groups(candidates: list[list[str]], sizes: dict[str, int]) -> list[str | None]:
    """Each verbatim joins the group, among its candidates, with the most members: those it has already
    (`sizes`) plus the other verbatims classified with it that could join it too; ties go to its strongest
    pair. Decided when a verbatim is classified and then kept, so groups grow as answers arrive and are
    never recomputed over all answers. "The PDF export is slow", "pdf export slow again" and "exporting a
    PDF takes ages" all share (export, pdf) and land together although their strongest pairs differ."""
    shared: Counter = Counter(pair for pairs in candidates for pair in set(pairs))
    return [max(pairs, key=lambda pair: (sizes.get(pair, 0) + shared[pair], -pairs.index(pair))) if pairs else None
            for pairs in candidates]


@dataclass(frozen=True)
class Group:
    pair: tuple[str, str] | tuple[str]  # the stems every member shares
    members: tuple[int, ...]            # indexes into the list given to group_themes


def group_themes(keys: list[tuple[str, ...]]) -> list[Group]:
    """Group verbatims that share two of their strongest stems, largest groups first.

    Greedy: take the pair of stems shared by the most not-yet-grouped verbatims, make those a group,
    repeat. "The PDF export is slow", "pdf export slow again" and "exporting a PDF takes ages" share
    (export, pdf) and end up together although their full themes differ.
    """
    remaining = set(range(len(keys)))
    groups = []
    while remaining:
        pairs: Counter = Counter()
        for index in remaining:
            stems = sorted(set(keys[index]))
            pairs.update((a, b) for i, a in enumerate(stems) for b in stems[i + 1:])
        if not pairs or pairs.most_common(1)[0][1] < 2:
            break
        (pair, _), = pairs.most_common(1)
        members = tuple(sorted(i for i in remaining if set(pair) <= set(keys[i])))
        groups.append(Group(pair, members))
        remaining -= set(members)
    groups += [Group(keys[i][:1], (i,)) for i in sorted(remaining) if keys[i]]
    return sorted(groups, key=lambda g: (-len(g.members), g.pair))


# ---------------------------------------------------------------- the team's name for a group

NAME_MAX = 120


@dataclass(frozen=True)
class NameProblem:
    """Why a name for a theme group is refused: a key the caller translates (blank, control, too_long)."""
    key: str


def clean_name(text: str) -> str | None | NameProblem:
    """A triager's name for a theme group as shown (trimmed, inner runs of spaces made one); None for an
    empty text, which gives the group back its automatic label; or why it cannot be a name. Spaces alone
    are refused rather than read as "empty": they are more likely a slip than a wish to undo the name."""
    if text == "":
        return None
    name = " ".join(text.split())
    if not name:
        return NameProblem("blank")
    if any(ord(char) < 32 or 0x7F <= ord(char) < 0xA0 for char in name):
        return NameProblem("control")
    if len(name) > NAME_MAX:
        return NameProblem("too_long")
    return name
