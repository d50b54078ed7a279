"""Language-aware text handling: detection, normalisation, tokens, stems.

PURE: standard library and nltk only (its stemmers are code, nothing is downloaded at run time; nltk
is imported on the first stem, see _stemmers).
Customers write English, Arabic and Persian, often mixed, with dialect spellings, typos, emoji and
missing spaces; every rule here exists so that two ways of writing the same word meet as one feature.
"""
from __future__ import annotations

import re
import sys
import threading
import unicodedata
from functools import lru_cache

ARABIC_SCRIPT = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")
LATIN = re.compile(r"[A-Za-z]")
# Letters Persian has and Arabic does not (پ چ ژ گ, and the Persian forms of kaf and yeh), and the
# reverse (ة, ى, the Arabic kaf and yeh, hamza seats that Persian rarely writes).
PERSIAN_ONLY = set("پچژگکی")
ARABIC_ONLY = set("ةىكيإأؤ")
PERSIAN_WORDS = {"است", "های", "هست", "نمی", "برای", "خیلی", "این", "اصلا", "ولی", "کنید", "میشه", "نیست",
                 "بود", "شد", "را", "که", "از", "با", "چرا", "کنم", "هم", "بسیار", "هیچ", "دارد", "ندارد"}
ARABIC_WORDS = {"في", "من", "على", "الى", "إلى", "هذا", "هذه", "التي", "الذي", "جدا", "لا", "ما", "لم", "كان",
                "عن", "مع", "بس", "ليش", "مش", "هو", "هي", "انا", "أنا", "كل", "شي", "يا", "او", "أو", "لكن"}

_DIACRITICS = re.compile(r"[\u064B-\u0652\u0670\u0640]")  # harakat, dagger alef, tatweel
_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي",
                              "ی": "ي", "ک": "ك", "ۀ": "ه", "ە": "ه"})
_PERSIAN_FOLD = str.maketrans({"ي": "ی", "ك": "ک", "ى": "ی", "ة": "ه", "ۀ": "ه", "أ": "ا", "إ": "ا", "ٱ": "ا",
                               "ؤ": "و", "ئ": "ی"})
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_ARABIC_WORDS_FOLDED = {word.translate(_ARABIC_FOLD) for word in ARABIC_WORDS}
_ELONGATION = re.compile(r"(.)\1{2,}")  # "soooo", "كتيييير", "خیییلی": three or more become one
_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)?", re.UNICODE)
_ZWNJ = "\u200c"


def detect_language(text: str) -> str:
    """'en', 'ar', 'fa' or 'und' (nothing to go on: emoji, digits, punctuation)."""
    arabic_letters = len(ARABIC_SCRIPT.findall(text))
    latin_letters = len(LATIN.findall(text))
    if arabic_letters == 0 and latin_letters == 0:
        return "und"
    if latin_letters > arabic_letters * 2:
        return "en"
    persian = sum(ch in PERSIAN_ONLY for ch in text)
    arabic = sum(ch in ARABIC_ONLY for ch in text)
    # Common words are matched in each language's own spelling, whatever the keyboard typed.
    persian_words = set(_TOKEN.findall(text.translate(_PERSIAN_FOLD)))
    arabic_words = set(_TOKEN.findall(text.translate(_ARABIC_FOLD)))
    persian += 2 * len(persian_words & PERSIAN_WORDS) + 2 * text.count(_ZWNJ)
    arabic += 2 * len(arabic_words & _ARABIC_WORDS_FOLDED) + 2 * sum(w.startswith("ال") for w in arabic_words)
    # Persian keyboards type ی and ک; Arabic ones type ي and ك. Counting both ways keeps a Persian
    # text typed on an Arabic keyboard Persian (its words still give it away).
    return "fa" if persian > arabic else "ar"


def normalise(text: str, language: str) -> str:
    """One spelling per word: case, digits, Arabic letter variants, diacritics, ZWNJ, elongation."""
    text = unicodedata.normalize("NFKC", text).translate(_DIGITS).lower()
    text = _DIACRITICS.sub("", text)
    if language == "fa":
        # می‌شود / میشود / می شود are one word; the ZWNJ joins the prefix and plural/suffix parts.
        text = text.translate(_PERSIAN_FOLD).replace(_ZWNJ, "")
        text = re.sub(r"(?<!\S)(ن?می) (?=\S)", r"\1", text)
        text = re.sub(r"(?<=\S) (ها|های|هایی|ای|تر|ترین)(?!\S)", r"\1", text)
    elif language == "ar":
        text = text.translate(_ARABIC_FOLD).replace(_ZWNJ, "")
    else:
        text = text.replace("’", "'").replace(_ZWNJ, "")
    return _ELONGATION.sub(r"\1", text)


def tokens(normalised: str) -> list[str]:
    return _TOKEN.findall(normalised)


# ---------------------------------------------------------------- stemming

# Held while importing scikit-learn or nltk (see _stemmers): one thread must not find scikit-learn hidden
# while another imports nltk.
HEAVY_IMPORTS = threading.Lock()
OPTIONAL_FOR_NLTK = ("scipy", "sklearn")


@lru_cache(maxsize=1)
def _stemmers():
    """nltk's English (Snowball) and Arabic (ISRI) stemmers, imported on the first stem.

    Not at start-up: every process (each web worker, each `feedback` command) imports this module,
    and most never stem. And without scipy and scikit-learn: nltk's package imports every optional
    library it finds (scikit-learn for its wrapper classifier, scipy for one association measure),
    which made importing the stemmers cost 130 MB and 1.9 s; the stemmers use neither, so they are
    hidden while nltk loads (it then leaves those features out) — 42 MB and 0.7 s. Training imports
    scikit-learn itself, under the same lock, afterwards.
    """
    with HEAVY_IMPORTS:
        hidden = [name for name in OPTIONAL_FOR_NLTK if name not in sys.modules]
        for name in hidden:
            sys.modules[name] = None  # an import of it raises ImportError, which nltk expects
        try:
            from nltk.stem.isri import ISRIStemmer
            from nltk.stem.snowball import SnowballStemmer
        finally:
            for name in hidden:
                if sys.modules.get(name, False) is None:
                    del sys.modules[name]
    return SnowballStemmer("english"), ISRIStemmer()
# Light Persian stemming: strip inflectional suffixes and verb prefixes, never below three letters.
# (nltk has no Persian stemmer; a light stemmer is the usual sound choice for short, noisy text.)
_FA_SUFFIXES = ("هایی", "هایم", "هایت", "هایش", "هامون", "هاتون", "ترین", "های", "ها", "تر", "ات", "ان", "یم",
                "ید", "ند", "ام", "ات", "اش", "مان", "تان", "شان", "ی", "م", "ش")
_FA_PREFIXES = ("نمی", "می", "ن", "ب")


@lru_cache(maxsize=200_000)
def stem(token: str, language: str) -> str:
    if token.isdigit():
        return "<num>"
    if language == "en" or token.isascii():
        return _stemmers()[0].stem(token)
    if language == "ar":
        return _stemmers()[1].stem(token) if len(token) > 3 else token
    return _persian_stem(token)


def _persian_stem(token: str) -> str:
    for prefix in _FA_PREFIXES[:2]:
        if token.startswith(prefix) and len(token) - len(prefix) >= 3:
            token = token[len(prefix):]
            break
    for suffix in _FA_SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= 3:
            return token[: -len(suffix)]
    return token
