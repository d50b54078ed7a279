"""One fix's long lists, a page at a time: its linked verbatims, the impact breakdown per person, who
was told, its beta testers and advisers, and the ids the API lists. Keyset pagination: each page starts after the
last row of the one before (a cursor), on an order an index serves, so a page costs the same on the
first page of a small fix and deep in the biggest one. Read only."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from sqlalchemy import and_, case, func, or_, select

from feedback_app.core.extensions import db
from feedback_app.mail.outbox import OutboxEmail
from surveys.models import Customer, Invitation, Response, Survey
from surveys.people.respondents import answer_scale, parse_respondent_key, respondent_customer_id
from triage.fixes import grid
from triage.fixes.tables import FixRespondent
from triage.loop import beta
from triage.models import BetaTester, Fix, FixAdviser, FixLink, FixNews, TriageItem

PAGE = 50         # rows of a list on the fix page
API_PAGE = 100    # rows of a list in the API's answer for one fix
MAX_API_PAGE = 500


@dataclass(frozen=True)
class Page:
    rows: list
    next: str | None   # the cursor of the next page; None on the last one


def _page(rows: list, limit: int, cursor_of: Callable[[Any], str]) -> Page:
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, cursor_of(rows[-1]) if more else None)


def _split(cursor: str | None, parse: Callable[[str, str], tuple]) -> tuple | None:
    """A cursor "<a>_<b>" read by `parse`; None (the first page) for anything else: a cursor is only
    ever one this module wrote, and a mangled one shows the list from the start."""
    if not cursor or "_" not in cursor or len(cursor) > 100:
        return None
    try:
        return parse(*cursor.split("_", 1))
    except (ValueError, OverflowError):
        return None


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _whole(text: str) -> int:
    if not text.isdigit() or len(text) > 18:
        raise ValueError(text)
    return int(text)


# ---------------------------------------------------------------- linked verbatims, newest first

@dataclass(frozen=True)
class LinkedVerbatim:
    response: Response
    kind: str | None
    type_key: str | None
    language: str
    who: str
    customer_id: int | None = None  # None: nobody can be traced (erased, or feedback without an address)


def linked(fix: Fix, after: str | None = None, limit: int = PAGE) -> Page:
    """The fix's verbatims with their score, scale, type, language and person (ix_fix_link_fix_answered)."""
    customer_id = respondent_customer_id()
    query = (select(Response, answer_scale(), TriageItem.type_key, TriageItem.language,
                    Customer.name, Customer.email, FixLink.answered_at, Customer.id)
             .select_from(FixLink).join(Response, Response.id == FixLink.response_id)
             .outerjoin(TriageItem, TriageItem.response_id == Response.id)
             .outerjoin(Invitation, Invitation.id == Response.invitation_id)
             .outerjoin(Survey, Survey.id == Response.survey_id)
             .outerjoin(Customer, Customer.id == customer_id)
             .where(FixLink.fix_id == fix.id))
    start = _split(after, lambda moment, rid: (_moment(moment), _whole(rid)))
    if start:
        query = query.where(or_(FixLink.answered_at < start[0],
                                and_(FixLink.answered_at == start[0], FixLink.response_id < start[1])))
    rows = db.session.execute(query.order_by(FixLink.answered_at.desc(), FixLink.response_id.desc())
                              .limit(limit + 1)).all()
    page = _page(rows, limit, lambda row: f"{row[6].isoformat()}_{row[0].id}")
    return Page([LinkedVerbatim(response, kind, type_key, language or response.locale, name or email or "", customer_id)
                 for response, kind, type_key, language, name, email, _, customer_id in page.rows], page.next)


def response_ids(fix: Fix, after: str | None = None, limit: int = API_PAGE) -> Page:
    """The ids of the linked verbatims in ascending order (the primary key of fix_link)."""
    start = _split(after and f"id_{after}", lambda _, rid: (_whole(rid),))
    query = select(FixLink.response_id).where(FixLink.fix_id == fix.id)
    if start:
        query = query.where(FixLink.response_id > start[0])
    rows = list(db.session.scalars(query.order_by(FixLink.response_id).limit(limit + 1)))
    return _page(rows, limit, str)


# ---------------------------------------------------------------- the impact breakdown, heaviest first

@dataclass(frozen=True)
class Person:
    contribution: grid.Contribution
    name: str          # what the team sees: the customer's name or address, or the answer's number
    customer_id: int | None = None  # whose page to link to; None: an answer nobody can be traced to


def _weight_order(reference: float | None):
    """grid.strength + grid.value_exponent in SQL: log2 of each person's weight, up to a term all share
    (their order by weight, at any moment)."""
    if not reference or reference <= 0:
        return FixRespondent.strength
    centre, (low, high) = math.log2(reference), grid.LOG2_VALUE_RANGE
    return FixRespondent.strength + case(
        (FixRespondent.log_value.is_(None), 0.0), (FixRespondent.log_value <= centre + 2 * low, low),
        (FixRespondent.log_value >= centre + 2 * high, high), else_=0.5 * (FixRespondent.log_value - centre))


def people(fix: Fix, reference: float | None, now: datetime, half_life_days: float, after: str | None = None,
           limit: int = PAGE) -> Page:
    """Each person behind the fix with their factors, the heaviest first (fix_respondent's rows of this fix)."""
    order = _weight_order(reference)
    query = (select(FixRespondent.respondent, FixRespondent.response_id, FixRespondent.unhappiness,
                    FixRespondent.answered_at, FixRespondent.strength, FixRespondent.value, order,
                    FixRespondent.customer_id)
             .where(FixRespondent.fix_id == fix.id))
    start = _split(after, lambda key, who: (float(key), who))
    if start and math.isfinite(start[0]):
        query = query.where(or_(order < start[0], and_(order == start[0], FixRespondent.respondent > start[1])))
    rows = db.session.execute(query.order_by(order.desc(), FixRespondent.respondent).limit(limit + 1)).all()
    page = _page(rows, limit, lambda row: f"{row[6]!r}_{row[0]}")
    # The page's customers afterwards, by id: joined before the sort, PostgreSQL hashed every customer
    # to name the few thousand people of a large fix.
    names = {customer_id: name or email or "" for customer_id, name, email in db.session.execute(
        select(Customer.id, Customer.name, Customer.email)
        .where(Customer.id.in_({row[7] for row in page.rows if row[7]})))} if page.rows else {}
    return Page([Person(grid.contribution(grid.Strongest(*row[:6]), reference, now, half_life_days),
                        names.get(row[7], "") if parse_respondent_key(row[0])[0] else f"#{row[1]}",
                        row[7] if row[7] in names else None)
                 for row in page.rows], page.next)


# ---------------------------------------------------------------- who was told, beta testers

def told(fix: Fix, after: str | None = None, limit: int = PAGE) -> Page:
    """The emails that carried news of this fix, oldest first (fix_news, by the outbox's id)."""
    start = _split(after and f"id_{after}", lambda _, email_id: (_whole(email_id),))
    query = select(OutboxEmail).join(FixNews, FixNews.email_id == OutboxEmail.id).where(FixNews.fix_id == fix.id)
    if start:
        query = query.where(FixNews.email_id > start[0])
    rows = list(db.session.scalars(query.order_by(FixNews.email_id).limit(limit + 1)))
    return _page(rows, limit, lambda email: str(email.id))


def told_count(fix: Fix) -> int:
    return db.session.scalar(select(func.count()).select_from(FixNews).where(FixNews.fix_id == fix.id))


def beta_testers(fix: Fix, after: str | None = None, limit: int = PAGE) -> Page:
    """Who asked to try it early, first asked first, with their customer record."""
    return _signed_up(BetaTester, fix, after, limit)


def beta_tester_count(fix: Fix) -> int:
    return _signed_up_count(BetaTester, fix)


def advisers(fix: Fix, after: str | None = None, limit: int = PAGE) -> Page:
    """Who offered to advise the team on it ("Would you advise us?"), first offered first, with their record."""
    return _signed_up(FixAdviser, fix, after, limit)


def adviser_count(fix: Fix) -> int:
    return _signed_up_count(FixAdviser, fix)


def _signed_up(model: type[BetaTester] | type[FixAdviser], fix: Fix, after: str | None, limit: int) -> Page:
    """The rows of one of the customer's answers to a fix's news (beta testers, advisers) as (row, customer),
    on (created_at, customer_id): each page starts after the one before's last row."""
    query = (select(model, Customer).join(Customer, Customer.id == model.customer_id).where(model.fix_id == fix.id))
    start = _split(after, lambda moment, cid: (_moment(moment), _whole(cid)))
    if start:
        query = query.where(or_(model.created_at > start[0],
                                and_(model.created_at == start[0], model.customer_id > start[1])))
    rows = db.session.execute(query.order_by(model.created_at, model.customer_id).limit(limit + 1)).all()
    page = _page(rows, limit, lambda row: f"{row[0].created_at.isoformat()}_{row[0].customer_id}")
    return Page([tuple(row) for row in page.rows], page.next)


def _signed_up_count(model: type[BetaTester] | type[FixAdviser], fix: Fix) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(model.fix_id == fix.id))


def told_beta_ready(fix: Fix, page: Page) -> dict[int, str]:
    """The beta testers of a page the "ready to try" email was queued for, and its delivery status (customer
    id → outbox status; one query for the page)."""
    return beta.ready_deliveries(fix.id, [customer.id for _, customer in page.rows]) if page.rows else {}
