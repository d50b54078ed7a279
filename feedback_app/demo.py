"""Demo data for trying the app: customers in three languages, three surveys, six weeks of answers.

Everything here is invented for the demo. Invitations go through the real send use case; their
emails are then marked delivered without being sent, so the demo never mails anyone.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select, update

from feedback_app.accounts.models import User
from feedback_app.accounts.services import create_user
from feedback_app.core.extensions import db
from feedback_app.mail.outbox import SENT, OutboxEmail
from surveys.answering.links import signed_invitation
from surveys.answering.services import record_answer
from surveys.asking import services
from surveys.models import Response, Survey
from surveys.people.importing import CustomerRow, ParsedCSV
from surveys.people.services import import_customers
from surveys.scales.answers import Answer

DEMO_ADMIN = ("admin@example.com", "demo-password")

NAMES = {
    "en": ["Olivia Hart", "Noah Bennett", "Amelia Shaw", "Liam Turner", "Grace Patel", "Ethan Brooks",
           "Chloe Ward", "Lucas Reid", "Maya Collins", "Owen Price", "Isla Murphy", "Leo Grant",
           "Zoe Fisher", "Jack Hughes", "Ruby Foster", "Adam Cole"],
    "ar": ["سارة العتيبي", "محمد القحطاني", "ليلى حداد", "عمر الشمري", "نور الهاشمي", "يوسف السيد",
           "ريم الزهراني", "خالد منصور", "هدى عبد الله", "طارق النجار", "مريم الدوسري", "أحمد فاروق"],
    "fa": ["مریم احمدی", "علی رضایی", "نگار کریمی", "رضا محمدی", "سارا حسینی", "امیر جعفری",
           "پریسا نوری", "حسین کاظمی", "الهام موسوی", "بهرام صادقی", "شیوا رحیمی", "کیان تهرانی"],
}

# (score band, text): low = unhappy, mid = lukewarm, high = happy.
COMMENTS = {
    "en": {
        "low": ["The CSV export has been broken since the last update, every file comes out empty.",
                "Support took four days to answer a simple billing question.",
                "Too expensive for a team of three, the new plan doubled our bill.",
                "The dashboard takes forever to load in the morning, sometimes a full minute.",
                "I can never find where the settings for notifications are hidden."],
        "mid": ["Does the job, but I really miss a dark mode for late shifts.",
                "Fine overall. Please add an integration with our calendar.",
                "Good product, though the mobile app logs me out every day."],
        "high": ["Setup took ten minutes and the team loved it from day one.",
                 "Support answered in minutes and fixed my import problem.",
                 "Clean, fast and does exactly what we need."],
    },
    "ar": {
        "low": ["التطبيق يعلق كل ما أفتح التقارير، صار بطيء جدا بعد التحديث",
                "خدمة العملاء ما ترد على الإيميل من أسبوع",
                "السعر غالي مقارنة بالمميزات، والاشتراك السنوي ارتفع فجأة",
                "زر الدفع ما يشتغل في الجوال، جربت أكثر من مرة"],
        "mid": ["التطبيق جيد لكن نتمنى إضافة تصدير التقارير بصيغة PDF",
                "كويس بس الواجهة العربية فيها نصوص مقلوبة"],
        "high": ["خدمة ممتازة وفريق الدعم متعاون جداً، شكراً لكم",
                 "سهل الاستخدام ووفر علينا وقت كثير"],
    },
    "fa": {
        "low": ["از آپدیت آخر برنامه مدام هنگ می‌کند و اطلاعات ذخیره نمی‌شود",
                "پشتیبانی سه روز است جواب تیکت را نداده",
                "قیمت اشتراک نسبت به امکاناتش خیلی گران است",
                "کد تخفیف اعمال نمی‌شود و مبلغ کامل کسر شد"],
        "mid": ["برنامه خوبی است ولی کاش امکان خروجی اکسل داشت",
                "در کل راضی‌ام ولی پیدا کردن گزارش‌ها سخت است"],
        "high": ["خیلی راحت و سریع است، ممنون از تیم خوبتان",
                 "پشتیبانی عالی بود و مشکلم همان روز حل شد"],
    },
}

SURVEYS = [
    ("nps", "Product NPS — autumn", {"product": "Acme Board"}),
    ("csat", "Support CSAT", {"product": "Acme Board", "subject": "the help you got from our support team"}),
    ("ces", "Checkout effort", {"product": "Acme Board", "task": "upgrade my plan"}),
]


def load_demo(now: datetime) -> str:
    if db.session.scalar(select(Survey.id).limit(1)) is not None:
        return "The database already has surveys; demo data was not loaded."
    rng = random.Random(20261123)
    if db.session.scalar(select(User.id).where(User.email == DEMO_ADMIN[0])) is None:
        create_user(*DEMO_ADMIN, role="admin")
    import_customers(_customers())
    for number, (kind, name, names) in enumerate(SURVEYS):
        survey = services.create_survey(kind, name, **names)
        sent_at = now - timedelta(days=43 - number)
        services.send_survey(survey, sent_at, cooldown_days=0)
        _answer(survey, rng, sent_at, now)
    _fixes(now)
    db.session.execute(update(OutboxEmail).values(status=SENT, sent_at=OutboxEmail.created_at))
    db.session.commit()
    email, password = DEMO_ADMIN
    return f"Demo data loaded. Sign in at http://127.0.0.1:5000 as {email} with password {password}."


def _customers() -> ParsedCSV:
    rows, line = [], 1
    plans = ["free", "team", "business"]
    for locale, names in NAMES.items():
        for index, name in enumerate(names):
            line += 1
            email = f"{locale}.customer{index + 1}@example.com"
            plan = plans[index % 3]
            mrr = {"free": "0", "team": "49", "business": "299"}[plan]
            rows.append(CustomerRow(line, email, name, locale, {"plan": plan, "mrr": mrr}))
    return ParsedCSV(rows=rows)


def _answer(survey: Survey, rng: random.Random, sent_at: datetime, now: datetime) -> None:
    from surveys.scales.kinds import KINDS

    kind = KINDS[survey.kind]
    for invitation in survey.invitations:
        if rng.random() < 0.25:
            continue  # some never answer
        score = _score(kind, rng)
        band = "low" if score <= kind.low + (kind.high - kind.low) * 0.6 else (
            "mid" if score < kind.high - 1 else "high")
        comments = COMMENTS[invitation.customer.locale][band]
        comment = rng.choice(comments) if rng.random() < 0.7 else ""
        answered = sent_at + timedelta(days=rng.uniform(0, (now - sent_at).days - 1), hours=rng.uniform(0, 12))
        record_answer(signed_invitation(invitation), Answer(score, comment, rng.random() < 0.6), answered,
                      timedelta(hours=24))


def _score(kind, rng: random.Random) -> int:
    # Skewed towards the top of the scale, as real answers are, with a tail of unhappy customers.
    points = list(kind.scale)
    weights = [1 + 12 * ((p - kind.low) / (kind.high - kind.low)) ** 3 for p in points]
    return rng.choices(points, weights)[0]


# (title, cost, type, words that pick its verbatims from the demo comments, what happens to it).
FIXES = [
    ("Exports: CSV files come out empty, and PDF/Excel are missing", 2, "functionality",
     ["CSV export", "بصيغة PDF", "خروجی اکسل"], "shipped"),
    ("Reports freeze and the dashboard is slow in the morning", 4, "reliability",
     ["dashboard takes forever", "يعلق كل ما أفتح التقارير", "مدام هنگ"], "planned"),
    ("Answer support tickets within a day", 3, "service",
     ["Support took four days", "خدمة العملاء ما ترد", "پشتیبانی سه روز"], "open"),
    ("Right-to-left text in the Arabic interface", 1, "usability", ["نصوص مقلوبة"], "override"),
    ("Pay button does nothing on phones", 1, "functionality", ["زر الدفع"], "open"),
    ("A plan for small teams", 5, "pricing", ["Too expensive", "قیمت اشتراک", "السعر غالي"], "open"),
    ("Dark mode", 2, "feature_request", ["dark mode"], "open"),
    ("Notification settings are hard to find", 1, "usability", ["notifications are hidden"], "open"),
]
RELEASE_NOTE = "Exports work again: CSV files contain all your rows, and reports can be saved as PDF or Excel."
OVERRIDE = (60.0, "Every Arabic-speaking customer sees the reversed text; few of them write to tell us.")


def _fixes(now: datetime) -> None:
    """Demo fixes on the grid, through the real use cases: one planned and one shipped (their
    respondents told), one whose impact the team overrode."""
    from triage.fixes import services as fixes
    from triage.fixes.services import FixChange

    admin_id = db.session.scalar(select(User.id).where(User.email == DEMO_ADMIN[0]))
    comments = db.session.execute(select(Response.id, Response.comment).where(Response.comment != "")).all()
    for title, cost, type_key, words, step in FIXES:
        ids = [response_id for response_id, comment in comments if any(word in comment for word in words)]
        fix = fixes.create_fix(FixChange(title=title, cost=cost, type_key=type_key), now, admin_id, response_ids=ids)
        if step == "override":
            fixes.update_fix(fix, now, FixChange(impact_override=OVERRIDE[0], reason=OVERRIDE[1]), admin_id)
        if step == "shipped":
            fixes.update_fix(fix, now, FixChange(release_note=RELEASE_NOTE), admin_id)
        if step in ("planned", "shipped"):
            fixes.change_status(fix, step, now, tell_planned=True)
