"""The use case behind the scheduler's ask-promoters job and `feedback advocacy ask`: every promoter the policy
chooses (advocacy.policy) gets one AdvocacyAsk row and one email through the outbox, in the same commit.

Answers of the last RECENT_DAYS days are read newest first, BATCH at a time by keyset on (answered_at, id) —
the order of ix_response_answered — as plain rows with their customer, narrowed in SQL by the policy's own rules
and decided by it. Per batch: one look at the suppression list, one INSERT … ON CONFLICT (customer_id) DO NOTHING
RETURNING for the asks, one INSERT of the emails (keys `advocacy:<customer id>`), one commit. A customer is asked
once, ever: the unique customer_id decides under concurrency (two schedulers, the command beside the job), and
the outbox key makes a second email impossible even then. Nothing is read or sent while asking is off.
"""
from __future__ import annotations

from datetime import datetime
from typing import Callable

from sqlalchemy import and_, exists, or_, select

from advocacy.links import ask_url
from advocacy.models import AdvocacyAsk
from advocacy.policy import PROMOTER_SCALE, PROMOTER_SCORES, Candidate, answered_between, chosen
from advocacy.setting import Ask, current_ask
from feedback_app.core.extensions import db
from feedback_app.core.languages import best_locale
from feedback_app.core.sql import insert_rows_ignoring_conflicts
from feedback_app.mail.outbox import enqueue_emails
from feedback_app.mail.suppression import suppressed
from surveys.models import Customer, Invitation, Response, Survey
from surveys.people.links import unsubscribe_url
from surveys.people.respondents import answer_scale, respondent_customer_id

BATCH = 1000
TEMPLATE = "advocacy_ask"


def email_key(customer_id: int) -> str:
    return f"advocacy:{customer_id}"


def _promoter_answers(now: datetime):
    """Answers that may lead to an ask, newest first: the policy's rules as SQL (advocacy.policy.may_ask)."""
    oldest, newest = answered_between(now)
    customer_id = respondent_customer_id()
    return (select(Response.id, customer_id.label("customer_id"), Customer.email, answer_scale().label("scale"),
                   Response.score, Response.may_contact, Response.answered_at, Customer.name, Customer.locale)
            .select_from(Response)
            .outerjoin(Invitation, Invitation.id == Response.invitation_id)
            .outerjoin(Survey, Survey.id == Response.survey_id)
            .join(Customer, Customer.id == customer_id)
            .where(Response.answered_at.between(oldest, newest), Response.may_contact.is_(True),
                   Response.score.between(*PROMOTER_SCORES), answer_scale() == PROMOTER_SCALE,
                   Customer.unsubscribed_at.is_(None),
                   ~exists().where(AdvocacyAsk.customer_id == Customer.id))
            .order_by(Response.answered_at.desc(), Response.id.desc())
            .limit(BATCH))


def ask_promoters(now: datetime, progress: Callable[[int], None] = lambda asked: None) -> int:
    """Ask every promoter due an ask now; returns how many were asked (0 while asking is off). `progress` hears
    each batch's count. Stopped half-way, it is finished by running it again."""
    ask = current_ask()
    if not ask.is_on:
        return 0
    query, asked, after = _promoter_answers(now), 0, None
    while True:
        page = query if after is None else query.where(or_(
            Response.answered_at < after[0], and_(Response.answered_at == after[0], Response.id < after[1])))
        rows = db.session.execute(page).all()
        if not rows:
            return asked
        after = (rows[-1].answered_at, rows[-1].id)
        batch = _ask_batch(ask, rows, now)
        db.session.commit()
        asked += batch
        progress(batch)


def _ask_batch(ask: Ask, rows: list, now: datetime) -> int:
    candidates = chosen((Candidate(r.id, r.customer_id, r.email, r.scale, r.score, r.may_contact, r.answered_at)
                         for r in rows), now)
    blocked = suppressed([c.email for c in candidates])
    candidates = [c for c in candidates if c.email not in blocked]
    made = _insert_asks([{"customer_id": c.customer_id, "response_id": c.response_id, "kind": ask.kind,
                          "asked_at": now} for c in candidates])
    by_customer = {r.customer_id: r for r in rows}
    enqueue_emails([_email(ask, by_customer[customer_id], ask_id) for ask_id, customer_id in made], now)
    return len(made)


def _insert_asks(rows: list[dict]) -> list[tuple[int, int]]:
    """(ask id, customer id) of the asks this call made: a customer asked meanwhile (another process) is skipped
    (the unique customer_id)."""
    return sorted(insert_rows_ignoring_conflicts(AdvocacyAsk, rows, returning=("id", "customer_id")))


def _email(ask: Ask, customer, ask_id: int) -> tuple[str, str, str, str, dict, dict]:
    """One customer's email, wholly in their language, its wording by what the team asks for."""
    unsubscribe = unsubscribe_url(customer.customer_id)
    context = {"name": customer.name, "kind": ask.kind, "ask_url": ask_url(ask_id), "unsubscribe_url": unsubscribe}
    headers = {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    return (email_key(customer.customer_id), TEMPLATE, customer.email, best_locale(customer.locale), context,
            headers)
