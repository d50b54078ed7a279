"""The "ready to try" email: a fix's beta testers told, once each ever, that the beta the team opened is ready.

Who: the fix's beta testers (triage.models.BetaTester) who did not stop our emails (triage.loop.beta_rules) and
were not told before — the outbox's key `fix-beta-ready:<fix>:<customer>` (triage.loop.policy.loop_email_key)
says who was, so opening the beta again, a retry or a tester asking twice never sends it twice. In which
language: the news plan of every fix email (triage.loop.news), which needs the fix's public title in the
reader's language or the team's fallback. Read and queue only: the caller owns the commit.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from sqlalchemy import select

from feedback_app.core.extensions import db
from feedback_app.core.languages import best_locale
from feedback_app.core.sql import slices
from feedback_app.mail.outbox import OutboxEmail
from surveys.models import Customer
from triage.loop import news
from triage.loop.beta_rules import BETA_READY, may_hear
from triage.loop.policy import loop_email_key
from triage.loop.stop_news import stop_news_url
from triage.loop.told import queue_news
from triage.models import BetaTester, Fix, FixNewsStop

TEMPLATE = "fix_beta_ready"


@dataclass(frozen=True)
class Tester:
    customer_id: int
    email: str
    name: str | None
    locale: str


def ready_key(fix_id: int, customer_id: int) -> str:
    return loop_email_key(BETA_READY, fix_id, customer_id)


def untold(fix: Fix, customer_ids: Iterable[int] | None = None) -> list[Tester]:
    """The fix's beta testers (all, or those of `customer_ids`) who may hear and have not had the email."""
    query = (select(Customer.id, Customer.email, Customer.name, Customer.locale,
                    Customer.unsubscribed_at.is_not(None), FixNewsStop.customer_id.is_not(None))
             .join(BetaTester, BetaTester.customer_id == Customer.id)
             .outerjoin(FixNewsStop, FixNewsStop.customer_id == Customer.id)
             .where(BetaTester.fix_id == fix.id).order_by(Customer.id))
    if customer_ids is not None:
        query = query.where(Customer.id.in_(list(customer_ids)))
    testers = [Tester(customer_id, email, name, best_locale(locale))
               for customer_id, email, name, locale, unsubscribed, stopped in db.session.execute(query)
               if may_hear(unsubscribed, stopped, bool(email))]
    told = told_ids(fix.id, [tester.customer_id for tester in testers])
    return [tester for tester in testers if tester.customer_id not in told]


def told_ids(fix_id: int, customer_ids: list[int]) -> set[int]:
    """Which of these testers the "ready to try" email of this fix was queued for (the outbox's unique keys)."""
    return set(ready_deliveries(fix_id, customer_ids))


def ready_deliveries(fix_id: int, customer_ids: list[int]) -> dict[int, str]:
    """customer id → the outbox status (pending, sending, sent, failed) of their "ready to try" email of this
    fix, for those of these testers it was queued for: probes of the outbox's unique key."""
    keys = {ready_key(fix_id, customer_id): customer_id for customer_id in customer_ids}
    found: dict[int, str] = {}
    for chunk in slices(sorted(keys)):
        found.update((keys[key], status) for key, status in db.session.execute(
            select(OutboxEmail.dedupe_key, OutboxEmail.status).where(OutboxEmail.dedupe_key.in_(chunk))))
    return found


def plan(fix: Fix, testers: list[Tester]) -> news.Plan:
    """Each tester's email language, or the languages that refuse the email (nobody is told then)."""
    texts = news.Texts(fix.public_titles or {}, fix.release_notes or {})
    return news.plan_news(BETA_READY, {t.customer_id: t.locale for t in testers}, texts, fix.news_fallback)


def queue_ready(fix: Fix, testers: list[Tester], planned: news.Plan, now: datetime) -> int:
    """Queue the email for each tester in their planned language, with the beta's current link, each one news of
    the fix (FixNews: the fix page's "who was told" lists it). Returns how many were queued (a key queued before
    is skipped by the outbox)."""
    emails = []
    for tester in testers:
        locale, stop = planned.locales[tester.customer_id], stop_news_url(tester.customer_id)
        context = {"customer": {"name": tester.name}, "title": fix.public_titles[locale],
                   "beta_url": fix.beta_url, "unsubscribe_url": stop, "quote": ""}
        headers = {"List-Unsubscribe": f"<{stop}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
        emails.append((ready_key(fix.id, tester.customer_id), TEMPLATE, tester.email, locale, context, headers))
    return queue_news(fix.id, emails, now)


def tell_late_tester(fix: Fix, customer_id: int, now: datetime) -> int:
    """A tester who joins once the beta is open hears at once, in the caller's transaction; nothing when
    their language lacks the fix's title (opening the beta again, with the texts written, reaches them)."""
    if fix.beta_opened_at is None or not fix.beta_url or fix.status not in ("planned", "in_progress"):
        return 0
    testers = untold(fix, [customer_id])
    planned = plan(fix, testers)
    return 0 if planned.refused else queue_ready(fix, testers, planned, now)
