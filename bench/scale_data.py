"""The rows of the scale benchmark's database, made up deterministically from a seed, table by table.

No database here: each function yields plain tuples in the column order of COLUMNS, and the builder
(bench/scale_build.py) writes them with the fastest path each database has. Time runs over the year
before `now`: invitations go out in waves (one survey per wave, every customer once per wave, so the
30-day cool-down holds), answers arrive minutes to days after their invitation, scores lean high.
"""
from __future__ import annotations

import random
from array import array
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable, Iterator

from scale_comments import TYPES, choose_type, write_comment

COLUMNS = {
    "user_account": ("id", "email", "password_hash", "role", "active", "created_at", "session_version"),
    "customer": ("id", "email", "name", "locale", "attributes", "unsubscribed_at", "created_at", "updated_at"),
    "survey": ("id", "kind", "name", "wording", "closed_at", "created_at"),
    "invitation": ("id", "survey_id", "customer_id", "sent_at", "locale"),
    "response": ("id", "invitation_id", "survey_id", "channel", "customer_id", "kind", "external_id", "score",
                 "comment", "may_contact", "consent_at", "locale", "answered_at", "updated_at", "contacted_at",
                 "contacted_by"),
    "triage_item": ("id", "response_id", "type_key", "confidence", "theme", "theme_key", "language", "reasons",
                    "model_version", "needs_review", "confirmed", "confirmed_by", "confirmed_at", "classified_at",
                    "response_updated_at", "review_priority", "group_rank", "review_density"),
    "training_example": ("id", "text", "label", "language", "source", "response_id", "created_at"),
    "fix": ("id", "title", "description", "type_key", "status", "cost", "theme_key", "impact_override",
            "override_reason", "override_by", "override_at", "public_titles", "release_notes", "created_at", "updated_at",
            "planned_at", "shipped_at"),
    "fix_link": ("fix_id", "response_id", "linked_at", "linked_by", "answered_at"),
    "beta_tester": ("fix_id", "customer_id", "created_at"),
    "outbox_email": ("id", "dedupe_key", "template", "recipient", "locale", "subject", "body_text", "body_html",
                     "headers", "status", "attempts", "next_attempt_at", "claimed_at", "claimed_by", "last_error",
                     "created_at", "sent_at"),
}

ADMIN_EMAIL = "admin@bench.example"
ADMIN_PASSWORD = "bench-admin-password"
TRIAGERS = (2, 3)  # user ids of the triagers: they confirm, link and contact
SURVEYS = (("nps", "Relationship NPS", "Acme Cloud"), ("csat", "Support satisfaction", "Acme support"),
           ("ces", "Checkout effort", "Acme Shop"), ("nps", "Mobile app NPS", "the Acme app"),
           ("csat", "Delivery satisfaction", "Acme delivery"), ("ces", "Onboarding effort", "Acme Cloud"))
SCALES = {"nps": range(0, 11), "csat": range(1, 6), "ces": range(1, 8)}
# Scores lean high, as real answers do (weights over each scale, low to high).
SCORE_WEIGHTS = {"nps": (3, 1, 2, 2, 3, 5, 7, 11, 17, 22, 27), "csat": (6, 7, 12, 33, 42),
                 "ces": (4, 4, 7, 11, 20, 29, 25)}
UNHAPPY_AT_MOST = {"nps": 6, "csat": 2, "ces": 3}
HAPPY_FROM = {"nps": 9, "csat": 4, "ces": 5}
LOCALE_WEIGHTS = (("en", 60), ("ar", 25), ("fa", 15))
PLANS = (("free", 0, 0), ("basic", 19, 49), ("pro", 99, 499), ("enterprise", 1500, 9000))
FIRST_NAMES = {"en": ("Alex", "Sam", "Jordan", "Taylor", "Morgan", "Chris", "Jamie", "Robin", "Casey", "Drew"),
               "ar": ("أحمد", "فاطمة", "محمد", "مريم", "علي", "نور", "خالد", "سارة", "يوسف", "ليلى"),
               "fa": ("علی", "زهرا", "رضا", "مریم", "حسین", "سارا", "امیر", "نگار", "مهدی", "شیرین")}
LAST_NAMES = {"en": ("Smith", "Lee", "Garcia", "Brown", "Khan", "Nguyen", "Müller", "Rossi", "Silva", "Cohen"),
              "ar": ("العلي", "حسن", "الحربي", "منصور", "سالم", "الشمري", "عبدالله", "يوسف"),
              "fa": ("محمدی", "حسینی", "رضایی", "کریمی", "احمدی", "موسوی", "جعفری", "صادقی")}
COMMENT_SHARE = 0.6
NEEDS_REVIEW_SHARE = 0.15
NO_TYPE_SHARE = 0.02         # nothing to go on ("??", emoji): no type, needs review
MAY_CONTACT_SHARE = 0.4      # of commenters
CONTACTED_SHARE = 0.4        # of unhappy commenters who may be contacted
CONFIRMED_ITEMS = 4000       # "a few thousand" confirmed by the team (at most 5 % of the items)
IMPORTED_LABELS = 500        # labels imported from the team's history (no verbatim behind them)
FAILED_EMAIL_SHARE = 0.005


@dataclass(frozen=True)
class Sizes:
    responses: int
    customers: int
    invitations: int
    fixes: int = 200
    linked: int = 50_000  # responses linked to fixes in all (fewer when there are not that many comments)
    seed: int = 1

    def check(self) -> None:
        if self.invitations > self.customers * len(SURVEYS):
            raise SystemExit(f"--invitations {self.invitations:,} > customers x surveys "
                             f"({self.customers:,} x {len(SURVEYS)}): one invitation per customer per survey")
        if self.responses > self.invitations:
            raise SystemExit(f"--responses {self.responses:,} > --invitations {self.invitations:,}: "
                             "every answer answers one invitation")


@dataclass
class Facts:
    """What later tables need to know of earlier ones, kept compact (arrays, not objects)."""
    customer_locale: bytearray = field(default_factory=bytearray)          # index = customer id
    commented_by_type: dict[str, array] = field(default_factory=lambda: {t: array("i") for t in TYPES})
    customer_of: array = field(default_factory=lambda: array("i"))         # index = response id
    answered_day: array = field(default_factory=lambda: array("i"))        # days before now, by response id
    may_contact: bytearray = field(default_factory=bytearray)              # by response id
    theme_key_of: dict[int, str] = field(default_factory=dict)             # a sample: response id → theme key
    emails: int = 0                                                        # outbox ids used so far


LOCALES = ("en", "ar", "fa")


class World:
    """The made-up company: its customers, surveys, invitations, answers, triage, fixes and emails."""

    def __init__(self, sizes: Sizes, now: datetime, model_version: int,
                 theme_of: Callable[[str, str], tuple[str, str] | None], wording: Callable[[str, str], dict]):
        self.sizes, self.now, self.model_version = sizes, now, model_version
        self.theme_of, self.wording = theme_of, wording  # (text, language) → (label, key); (kind, product) → wording
        self.start = now - timedelta(days=365)
        self.waves = -(-sizes.invitations // sizes.customers)
        self.wave_span = timedelta(days=365) / self.waves
        self.facts = Facts()
        self.confirmed: list[tuple[int, str, str, str, datetime]] = []  # for the training examples
        self.rng = random.Random(sizes.seed)
        # The order in which customers are invited within each wave (the same every wave).
        self.order = list(range(1, sizes.customers + 1))
        self.rng.shuffle(self.order)

    # ------------------------------------------------------------------ people and surveys

    def users(self, password_hash: str) -> Iterator[tuple]:
        made = self.start - timedelta(days=30)
        for user_id, email, role in ((1, ADMIN_EMAIL, "admin"), (2, "triager@bench.example", "triager"),
                                     (3, "triager2@bench.example", "triager"), (4, "viewer@bench.example", "viewer")):
            yield (user_id, email, password_hash, role, True, made, 0)

    def customers(self) -> Iterator[tuple]:
        rng = random.Random(self.sizes.seed + 1)
        locales, weights = zip(*LOCALE_WEIGHTS)
        self.facts.customer_locale = bytearray(self.sizes.customers + 1)
        for customer_id in range(1, self.sizes.customers + 1):
            locale = rng.choices(locales, weights)[0]
            self.facts.customer_locale[customer_id] = LOCALES.index(locale)
            plan, low, high = rng.choices(PLANS, (40, 30, 25, 5))[0]
            name = f"{rng.choice(FIRST_NAMES[locale])} {rng.choice(LAST_NAMES[locale])}"
            created = self.start - timedelta(days=rng.uniform(1, 700))
            unsubscribed = self.start + timedelta(days=rng.uniform(0, 365)) if rng.random() < 0.02 else None
            yield (customer_id, f"customer{customer_id}@{('mail', 'corp', 'shop')[customer_id % 3]}.example",
                   name, locale, {"plan": plan, "mrr": str(rng.randint(low, high))}, unsubscribed, created, created)

    def surveys(self) -> Iterator[tuple]:
        for survey_id, (kind, name, product) in enumerate(SURVEYS, start=1):
            yield (survey_id, kind, name, self.wording(kind, product), None, self.start - timedelta(days=2))

    # ------------------------------------------------------------------ invitations and their emails

    def invitation(self, index: int) -> tuple[int, int, int, datetime, str]:
        """Invitation number `index` (0-based): (id, survey id, customer id, sent at, locale)."""
        wave, position = divmod(index, self.sizes.customers)
        customer_id = self.order[position]
        sent = self.start + self.wave_span * wave + self.wave_span * (position / self.sizes.customers)
        return (index + 1, wave % len(SURVEYS) + 1, customer_id, sent,
                LOCALES[self.facts.customer_locale[customer_id]])

    def invitations(self) -> Iterator[tuple]:
        for index in range(self.sizes.invitations):
            yield self.invitation(index)

    def invitation_emails(self) -> Iterator[tuple]:
        rng = random.Random(self.sizes.seed + 2)
        for index in range(self.sizes.invitations):
            invitation_id, survey_id, customer_id, sent, locale = self.invitation(index)
            failed = rng.random() < FAILED_EMAIL_SHARE
            subject = SUBJECTS[locale].format(name=SURVEYS[survey_id - 1][2])
            body = f"{subject}\n\nhttps://feedback.bench.example/s/{invitation_id}"
            yield (invitation_id, f"survey-invitation:{invitation_id}", "survey_invitation",
                   _email_of(customer_id), locale, subject, body, f"<p>{subject}</p>", {},
                   "failed" if failed else "sent", 8 if failed else 1, sent, sent, None,
                   "refused: 550 5.1.1 no such user" if failed else None, sent,
                   None if failed else sent + timedelta(seconds=20))
        self.facts.emails = self.sizes.invitations

    # ------------------------------------------------------------------ answers and their triage records

    def answers(self, chunk: int = 20_000) -> Iterator[tuple[list[tuple], list[tuple]]]:
        """Chunks of (response rows, triage rows); every answer answers its own invitation."""
        rng = random.Random(self.sizes.seed + 3)
        chosen = sorted(rng.sample(range(self.sizes.invitations), self.sizes.responses))
        confirm_share = min(0.05, CONFIRMED_ITEMS / max(1, self.sizes.responses * COMMENT_SHARE))
        self.facts.customer_of = array("i", [0]) * (self.sizes.responses + 1)
        self.facts.answered_day = array("i", [0]) * (self.sizes.responses + 1)
        self.facts.may_contact = bytearray(self.sizes.responses + 1)
        responses, items, item_id = [], [], 0
        for response_id, index in enumerate(chosen, start=1):
            invitation_id, survey_id, customer_id, sent, locale = self.invitation(index)
            kind = SURVEYS[survey_id - 1][0]
            answered = min(sent + timedelta(minutes=rng.expovariate(1 / 600)), self.now - timedelta(minutes=5))
            score = None if rng.random() < 0.03 else rng.choices(SCALES[kind], SCORE_WEIGHTS[kind])[0]
            band = _band(kind, score)
            comment, type_key = "", None
            if rng.random() < COMMENT_SHARE:
                type_key = choose_type(rng, band)
                comment = write_comment(rng, locale, type_key)
            may_contact = bool(comment) and rng.random() < MAY_CONTACT_SHARE
            contacted = (may_contact and band == "unhappy" and rng.random() < CONTACTED_SHARE)
            responses.append((response_id, invitation_id, survey_id, "survey", None, None, None, score, comment,
                              may_contact, answered if may_contact else None, locale, answered, answered,
                              answered + timedelta(hours=rng.uniform(2, 40)) if contacted else None,
                              rng.choice(TRIAGERS) if contacted else None))
            self.facts.customer_of[response_id] = customer_id
            self.facts.answered_day[response_id] = (self.now - answered).days
            self.facts.may_contact[response_id] = may_contact
            if comment:
                item_id += 1
                items.append(self._triage_row(rng, item_id, response_id, comment, type_key, locale, answered,
                                              confirm_share))
            if len(responses) >= chunk:
                yield responses, items
                responses, items = [], []
        if responses:
            yield responses, items

    def _triage_row(self, rng: random.Random, item_id: int, response_id: int, text: str, type_key: str,
                    language: str, answered: datetime, confirm_share: float) -> tuple:
        theme = self.theme_of(text, language)
        if rng.random() < NO_TYPE_SHARE:
            type_key = None
        else:
            self.facts.commented_by_type[type_key].append(response_id)
        if theme and rng.random() < 0.01:
            self.facts.theme_key_of[response_id] = theme[1]
        needs_review = type_key is None or rng.random() < NEEDS_REVIEW_SHARE
        confidence = round(rng.uniform(0.2, 0.5) if needs_review else rng.uniform(0.5, 0.99), 4)
        confirmed = type_key is not None and rng.random() < confirm_share
        classified = answered + timedelta(seconds=10)
        if confirmed:
            self.confirmed.append((response_id, text, type_key, language, classified + timedelta(days=1)))
        reasons = theme[0].split()[:3] if theme and type_key else []
        return (item_id, response_id, type_key, 0.0 if type_key is None else confidence,
                theme[0] if theme else None, theme[1] if theme else None, language, reasons, self.model_version,
                needs_review and not confirmed, confirmed, rng.choice(TRIAGERS) if confirmed else None,
                classified + timedelta(days=1) if confirmed else None, classified, answered,
                *self.review_order(rng, confidence))

    @staticmethod
    def review_order(rng: random.Random, confidence: float) -> tuple:
        """The stored review priority as the sweep writes it (teaching.priority): margin uncertainty (here, from
        the confidence) × density ÷ (1 + rank in the theme group), ranks mostly low as groups are small."""
        rank, density = min(int(rng.expovariate(0.5)), 50), round(rng.uniform(0.05, 0.45), 4)
        return round(10_000 * (1 - confidence) * density / (1 + rank)), rank, density

    def training_examples(self) -> Iterator[tuple]:
        """The team's labels: one per confirmed item, then labels imported from the team's history."""
        rng = random.Random(self.sizes.seed + 4)
        example_id = 0
        for response_id, text, label, language, at in self.confirmed:
            example_id += 1
            yield (example_id, text, label, language, rng.choice(("confirmation", "correction")), response_id, at)
        for _ in range(IMPORTED_LABELS):
            example_id += 1
            language, label = rng.choice(LOCALES), rng.choice(TYPES)
            yield (example_id, write_comment(rng, language, label), label, language, "import", None, self.start)


SUBJECTS = {"en": "A quick question about {name}", "ar": "سؤال سريع عن {name}", "fa": "یک سؤال کوتاه درباره {name}"}


def _email_of(customer_id: int) -> str:
    return f"customer{customer_id}@{('mail', 'corp', 'shop')[customer_id % 3]}.example"


def _band(kind: str, score: int | None) -> str:
    if score is not None and score <= UNHAPPY_AT_MOST[kind]:
        return "unhappy"
    if score is not None and score >= HAPPY_FROM[kind]:
        return "happy"
    return "neutral"
