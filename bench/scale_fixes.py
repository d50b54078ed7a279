"""The fixes of the scale benchmark's database: statuses, costs, linked verbatims, the news they sent.

A few big fixes carry thousands of verbatims each and many small ones a handful (a long tail); each fix
is backed by comments of its own type where there are enough. Shipped fixes told their opted-in
respondents (one email per customer, keyed as triage.loop.policy.loop_email_key keys them), and half
of the planned ones did, with a few customers asking to try the fix early.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from scale_comments import SLOTS, TYPES
from scale_data import LOCALES, TRIAGERS, World, _email_of

BIG_SHARES = (0.16, 0.10, 0.06, 0.04)  # of all links, for fixes 1–4
BIG_STATUSES = ("shipped", "in_progress", "planned", "open")
EMPTY_FIXES = 10                       # new fixes nobody linked anything to yet
STATUS_WEIGHTS = (("open", 35), ("planned", 20), ("in_progress", 15), ("shipped", 25), ("wont_do", 5))
TITLES = {"functionality": "Fix crashes in {feature}", "feature_request": "Scheduling and sharing for {feature}",
          "usability": "Simpler navigation to {feature}", "reliability": "Make {feature} fast and stable",
          "service": "Faster first reply from support", "pricing": "Clearer billing and refunds"}
OVERRIDES = {5: (80.0, "Board priority for Q3"), 6: (20.0, "Affects only the legacy plan"),
             7: (55.0, "Blocks two enterprise renewals")}


@dataclass
class FixTables:
    fixes: list[tuple] = field(default_factory=list)
    links: list[tuple] = field(default_factory=list)
    emails: list[tuple] = field(default_factory=list)
    beta_testers: list[tuple] = field(default_factory=list)


# What customers read of a fix, in each language (the team's title stays its own, in English).
RELEASE_NOTES = {"en": "We fixed it: thank you for telling us.", "ar": "أصلحناه: شكرًا لأنك أخبرتنا.",
                 "fa": "درستش کردیم: ممنون که به ما گفتید."}


def _public_title(title: str, fix_id: int) -> dict[str, str]:
    return {"en": f"{title} (#{fix_id})", "ar": f"تحسين رقم {fix_id}", "fa": f"بهبود شماره {fix_id}"}


def link_counts(total: int, fixes: int, rng: random.Random) -> list[int]:
    """How many verbatims each fix gets: a few big ones, a long tail, a few with none."""
    big = [int(total * share) for share in BIG_SHARES][:fixes]
    tail = max(0, fixes - len(big) - EMPTY_FIXES)
    weights = [1 / (rank ** 0.9) for rank in range(1, tail + 1)]
    rest = total - sum(big)
    counts = [max(1, int(rest * w / sum(weights))) for w in weights] if tail else []
    rng.shuffle(counts)
    return big + counts + [0] * (fixes - len(big) - tail)


def build_fixes(world: World) -> FixTables:
    rng = random.Random(world.sizes.seed + 5)
    facts, now = world.facts, world.now
    pools = {t: list(ids) for t, ids in facts.commented_by_type.items()}
    for pool in pools.values():
        rng.shuffle(pool)
    commented = sum(len(pool) for pool in pools.values())
    counts = link_counts(min(world.sizes.linked, commented // 2), world.sizes.fixes, rng)
    theme_keys = list(facts.theme_key_of.values())
    tables = FixTables()
    statuses, weights = zip(*STATUS_WEIGHTS)
    email_id = facts.emails
    for fix_id, wanted in enumerate(counts, start=1):
        type_key = rng.choice(TYPES)
        status = BIG_STATUSES[fix_id - 1] if fix_id <= len(BIG_STATUSES) else rng.choices(statuses, weights)[0]
        created = now - timedelta(days=rng.uniform(40, 330))
        planned = created + timedelta(days=10) if status in ("planned", "in_progress", "shipped") else None
        shipped = min(created + timedelta(days=rng.uniform(20, 120)), now - timedelta(days=1)) \
            if status == "shipped" else None
        response_ids = _take(pools, type_key, wanted)
        pair = rng.choice(theme_keys).split()[:2] if theme_keys and rng.random() < 0.5 else []
        title = TITLES[type_key].format(feature=rng.choice(SLOTS["en"]["feature"]))
        value, reason = OVERRIDES.get(fix_id, (None, None))
        tables.fixes.append((
            fix_id, f"{title} (#{fix_id})", f"What customers report about this, gathered from {wanted} verbatims.",
            type_key, status, rng.randint(1, 5), f" {' '.join(pair)} " if len(pair) == 2 else None,
            value, reason, 1 if value else None, created + timedelta(days=3) if value else None,
            _public_title(title, fix_id), RELEASE_NOTES if status in ("shipped", "planned") else {},
            created, shipped or planned or created, planned, shipped))
        for response_id in response_ids:
            answered = now - timedelta(days=facts.answered_day[response_id], hours=12)
            # answered_at: a day's precision here; the build copies the answer's own time after writing.
            tables.links.append((fix_id, response_id, max(created, answered) + timedelta(hours=1),
                                 rng.choice(TRIAGERS), answered))
        told_at = shipped if status == "shipped" else (planned if planned and rng.random() < 0.5 else None)
        if told_at:
            event = "fix-shipped" if status == "shipped" else "fix-planned"
            email_id = _news(tables, rng, world, fix_id, title, event, told_at, response_ids, email_id)
    facts.emails = email_id
    return tables


def _take(pools: dict[str, list[int]], type_key: str, wanted: int) -> list[int]:
    """Verbatims of the fix's type first, then of any type: each verbatim backs one fix."""
    taken = []
    for pool in [pools[type_key]] + [pools[t] for t in TYPES if t != type_key]:
        while pool and len(taken) < wanted:
            taken.append(pool.pop())
    return sorted(taken)


def _news(tables: FixTables, rng: random.Random, world: World, fix_id: int, title: str, event: str,
          told_at: datetime, response_ids: list[int], email_id: int) -> int:
    facts = world.facts
    told = sorted({facts.customer_of[r] for r in response_ids if facts.may_contact[r]})
    for customer_id in told:
        email_id += 1
        locale = LOCALES[facts.customer_locale[customer_id]]
        subject = f"{'Fixed' if event == 'fix-shipped' else 'Planned'}: {title}"
        tables.emails.append((email_id, f"{event}:{fix_id}:{customer_id}", event.replace("-", "_"),
                              _email_of(customer_id), locale, subject, subject, f"<p>{subject}</p>", {}, "sent", 1,
                              told_at, told_at, None, None, told_at, told_at + timedelta(minutes=1)))
        if event == "fix-planned" and rng.random() < 0.05:
            tables.beta_testers.append((fix_id, customer_id, told_at + timedelta(days=2)))
    return email_id
