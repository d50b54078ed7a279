"""The three survey kinds: their scales and standard wording in every supported language.

PURE: standard library only (and the pure language facts of feedback_app.core.languages). The wording is
data a team may override per survey; this module holds the standard text that a new survey starts from.
"""
from __future__ import annotations

from dataclasses import dataclass

# The wording is written for each supported language (feedback_app.core.languages.LOCALES); the texts a team
# gives per language fill it (surveys.scales.texts).
from surveys.scales.texts import SurveyTexts, fill_wording

REASON = {
    "en": "What is the main reason for your score?",
    "ar": "ما السبب الرئيسي لتقييمك؟",
    "fa": "دلیل اصلی امتیاز شما چیست؟",
}


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    low: int
    high: int
    question: dict[str, str]   # placeholders: {product}, {subject}, {task} (filled by surveys.scales.texts)
    low_anchor: dict[str, str]
    high_anchor: dict[str, str]

    @property
    def scale(self) -> range:
        return range(self.low, self.high + 1)

    def accepts(self, score: int) -> bool:
        return self.low <= score <= self.high

    def band_of(self, score: int | None) -> str | None:
        """This scale's band of a score (`band` below), for templates that hold a Kind."""
        return band(self.key, score)


NPS = Kind(
    key="nps", label="Net Promoter Score", low=0, high=10,
    question={
        "en": "How likely are you to recommend {product} to a friend or colleague?",
        "ar": "ما مدى احتمال أن ترشّح {product} لصديق أو زميل؟",
        "fa": "چقدر احتمال دارد {product} را به یک دوست یا همکار پیشنهاد کنید؟",
    },
    low_anchor={"en": "Not at all likely", "ar": "غير محتمل إطلاقًا", "fa": "اصلاً احتمال ندارد"},
    high_anchor={"en": "Extremely likely", "ar": "محتمل جدًا", "fa": "خیلی زیاد"},
)
CSAT = Kind(
    key="csat", label="Customer Satisfaction", low=1, high=5,
    question={
        "en": "How satisfied are you with {subject}?",
        "ar": "ما مدى رضاك عن {subject}؟",
        "fa": "چقدر از {subject} راضی هستید؟",
    },
    low_anchor={"en": "Very dissatisfied", "ar": "غير راضٍ إطلاقًا", "fa": "اصلاً راضی نیستم"},
    high_anchor={"en": "Very satisfied", "ar": "راضٍ جدًا", "fa": "کاملاً راضی‌ام"},
)
CES = Kind(
    key="ces", label="Customer Effort Score", low=1, high=7,
    question={
        "en": "{product} made it easy for me to {task}.",
        "ar": "كان من السهل عليّ {task} باستخدام {product}.",
        "fa": "با {product}، {task} برایم آسان بود.",
    },
    low_anchor={"en": "Strongly disagree", "ar": "لا أوافق بشدة", "fa": "کاملاً مخالفم"},
    high_anchor={"en": "Strongly agree", "ar": "أوافق بشدة", "fa": "کاملاً موافقم"},
)

KINDS = {kind.key: kind for kind in (NPS, CSAT, CES)}

# How happy an answer is, per scale: NPS detractors / passives / promoters; CSAT 1–2 / 3 / 4–5; CES ("it was
# easy") 1–3 / 4 / 5–7. The one definition of "unhappy" (follow-ups, impact, the loop figures, the list's filter).
BANDS = {"nps": {"unhappy": (0, 6), "neutral": (7, 8), "happy": (9, 10)},
         "csat": {"unhappy": (1, 2), "neutral": (3, 3), "happy": (4, 5)},
         "ces": {"unhappy": (1, 3), "neutral": (4, 4), "happy": (5, 7)}}
BAND_NAMES = ("unhappy", "neutral", "happy")


def band(kind: str | None, score: int | None) -> str | None:
    """unhappy, neutral or happy; None without a score (or a scale)."""
    if score is None or kind not in BANDS:
        return None
    return next((name for name, (low, high) in BANDS[kind].items() if low <= score <= high), None)


def band_range(kind: str, name: str) -> tuple[int, int]:
    """The lowest and highest score of one band of a kind's scale: what SQL conditions and thresholds
    (surveys.people.respondents.answer_in_band, the scores' promoters and satisfied) are built from."""
    return BANDS[kind][name]


def unhappy_range(kind: str) -> tuple[int, int]:
    """The scores that are unhappy on a kind's scale, as (lowest, highest): the same as is_unhappy."""
    return band_range(kind, "unhappy")


def is_unhappy(kind: str | None, score: int | None) -> bool:
    return band(kind, score) == "unhappy"


def awaits_a_call(kind: str | None, score: int | None, has_comment: bool, may_contact: bool) -> bool:
    """Someone the team should reach: unhappy, wrote why, and said we may contact them. The one definition:
    the sweep marks answers by it, the dashboard and the follow-up list read those marks."""
    return bool(is_unhappy(kind, score) and has_comment and may_contact)


def default_wording(kind: Kind, product: str | dict = "", subject: str | dict = "",
                    task: str | dict = "") -> dict[str, dict[str, str]]:
    """The standard question and reason prompt in each language the texts complete (surveys.scales.texts:
    a str product is a name for every language, a str subject or task is English; empty: the defaults)."""
    return fill_wording(kind.question, REASON, SurveyTexts.given(product, subject, task))
