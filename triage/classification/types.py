"""The built-in feedback types: stable keys and what each means, in every supported language.

PURE data. Teams add their own types in the database; these seven are always there. Six are problems; the
seventh, `praise`, is an outcome with nothing to fix ("Setup took ten minutes and the team loved it"): it is
classified and corrected like any type, but it never backs a fix, never counts in the per-type problem charts
and never waits for a follow-up. Whether a type is a problem is asked through `is_problem`, never by its key.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable


@dataclass(frozen=True)
class FeedbackType:
    key: str
    name: dict[str, str]
    description: dict[str, str]
    builtin: bool = True
    problem: bool = True  # False: nothing to fix (praise); kept out of fixes, problem charts and follow-ups


BUILTIN_TYPES = (
    FeedbackType("functionality",
                 {"en": "Functionality", "ar": "خلل وظيفي", "fa": "خطای عملکرد"},
                 {"en": "Something does not work as it should: a bug, an error, a feature that broke.",
                  "ar": "شيء لا يعمل كما ينبغي: خطأ برمجي أو رسالة خطأ أو ميزة توقفت عن العمل.",
                  "fa": "چیزی آن‌طور که باید کار نمی‌کند: باگ، پیام خطا یا قابلیتی که از کار افتاده است."}),
    FeedbackType("feature_request",
                 {"en": "Feature request", "ar": "طلب ميزة", "fa": "درخواست قابلیت"},
                 {"en": "Asks for something new or different.",
                  "ar": "يطلب شيئًا جديدًا أو مختلفًا.",
                  "fa": "چیزی تازه یا متفاوت درخواست می‌کند."}),
    FeedbackType("usability",
                 {"en": "Usability", "ar": "سهولة الاستخدام", "fa": "کاربرپذیری"},
                 {"en": "Works, but is hard to use, confusing or hard to find.",
                  "ar": "يعمل لكنه صعب الاستخدام أو مربك أو يصعب العثور على ما يلزم.",
                  "fa": "کار می‌کند ولی استفاده از آن سخت یا گیج‌کننده است یا پیدا کردن چیزها دشوار است."}),
    FeedbackType("reliability",
                 {"en": "Reliability", "ar": "الاعتمادية والأداء", "fa": "پایداری و سرعت"},
                 {"en": "Slow, unstable, down, heavy on the device, or losing data.",
                  "ar": "بطء أو عدم استقرار أو توقف الخدمة أو استهلاك الجهاز أو فقدان البيانات.",
                  "fa": "کندی، ناپایداری، قطعی، مصرف زیاد منابع دستگاه یا از دست رفتن داده."}),
    FeedbackType("service",
                 {"en": "Service", "ar": "الخدمة", "fa": "خدمات"},
                 {"en": "Support, staff, delivery and response times.",
                  "ar": "الدعم والموظفون والتوصيل وسرعة الاستجابة.",
                  "fa": "پشتیبانی، کارکنان، ارسال و زمان پاسخ‌گویی."}),
    FeedbackType("pricing",
                 {"en": "Pricing", "ar": "الأسعار والفوترة", "fa": "قیمت و صورتحساب"},
                 {"en": "Price, billing, charges, refunds, value for money.",
                  "ar": "السعر والفواتير والرسوم والاسترداد والقيمة مقابل المال.",
                  "fa": "قیمت، صورتحساب، هزینه‌ها، بازپرداخت و ارزش خرید."}),
    FeedbackType("praise",
                 {"en": "Praise", "ar": "إشادة", "fa": "تعریف و تمجید"},
                 {"en": "Nothing to fix: the customer says what they like or love.",
                  "ar": "لا شيء يحتاج إلى إصلاح: يذكر العميل ما أعجبه أو ما يحبه.",
                  "fa": "چیزی برای رفع کردن نیست: مشتری می‌گوید چه چیزی را دوست دارد یا پسندیده است."},
                 problem=False),
)
BUILTIN_KEYS = tuple(t.key for t in BUILTIN_TYPES)
# The outcomes with nothing to fix. A team's own types are problems (they are made to sort work).
NOT_PROBLEM_KEYS = frozenset(t.key for t in BUILTIN_TYPES if not t.problem)
PRAISE = "praise"  # the one outcome the dashboard shows apart, as what customers love


def is_problem(type_key: str | None) -> bool:
    """Whether a verbatim of this type (None: not classified yet) may be about something to fix. Unknown keys
    are a team's own types, which are problems."""
    return type_key not in NOT_PROBLEM_KEYS


def problem_types(types: Iterable[FeedbackType]) -> list[FeedbackType]:
    """The given types (FeedbackType) that are problems, in their order: what fixes and problem charts offer."""
    return [t for t in types if t.problem]
