"""The read side of fixes: lookups for the fix pages, the suggestions and loop history of one fix, the fixes
a verbatim supports, and the triage list's "link to a fix" forms. Nothing here writes: the use cases that
change fixes are beside it in triage.fixes.services; the ranked queue is triage.fixes.queue."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, joinedload

from feedback_app.accounts.models import User
from feedback_app.core.extensions import db
from feedback_app.mail.outbox import OutboxEmail
from triage.classification.problems import about_a_problem
from triage.fixes import evidence
from triage.fixes import lists as fix_lists
from triage.fixes.queue import Placed, Settings, placed
from triage.loop import policy
from triage.models import Fix, FixLink, FixNews, TriageItem
from triage.verbatims import listing

SUGGESTED = 20
SUGGESTION_WINDOW = 20_000  # suggestions come from this many newest classified verbatims: a bounded read


def fixes_to_link() -> list[Fix]:
    """The fixes a triager may add evidence to from the list: those still to do, newest first."""
    return list(db.session.scalars(select(Fix).where(Fix.status.in_(policy.TO_DO)).order_by(Fix.id.desc())))


def theme_response_ids(filters: listing.Filters, theme_key: str) -> list[int]:
    """Every verbatim of a theme group under the list's other filters, but praise (it backs no fix): what the
    group's link to a fix links."""
    grouped = replace(filters, theme=theme_key)
    return sorted(db.session.scalars(select(TriageItem.response_id).where(*listing.conditions(grouped),
                                                                          about_a_problem())))


def suggestions(fix: Fix, limit: int = SUGGESTED) -> list[TriageItem]:
    """Verbatims sharing the fix's theme that are not linked yet and not praise, newest first, with their answers
    (one query). Looked for among the SUGGESTION_WINDOW newest classified verbatims: a page never reads
    every verbatim, and what is new is what a suggestion is for.

    A fix made from a theme group keeps the group's key (its shared stems), while each verbatim's
    key holds its own two to four stems; so "same theme" means "has every stem of the fix's key",
    as the triage list's theme filter reads it.
    """
    stems = (fix.theme_key or "").split()
    if not stems:
        return []
    linked = select(FixLink.response_id).where(FixLink.fix_id == fix.id)
    newest = select(func.max(TriageItem.id)).scalar_subquery()
    query = (select(TriageItem).join(TriageItem.response)
             .options(contains_eager(TriageItem.response), joinedload(TriageItem.group))
             .where(TriageItem.id > newest - SUGGESTION_WINDOW, TriageItem.response_id.not_in(linked),
                    about_a_problem()))
    for stem in stems:
        query = query.where(TriageItem.theme_key.contains(f" {stem} ", autoescape=True))
    return list(db.session.scalars(query.order_by(TriageItem.id.desc()).limit(limit)))


def loop_history(fix: Fix) -> list[OutboxEmail]:
    """Who was told about this fix, when, and whether it was delivered (every email; pages read
    fix_lists.told a page at a time)."""
    return list(db.session.scalars(select(OutboxEmail).join(FixNews, FixNews.email_id == OutboxEmail.id)
                                   .where(FixNews.fix_id == fix.id).order_by(FixNews.email_id)))


def user_email(user_id: int | None) -> str | None:
    return db.session.scalar(select(User.email).where(User.id == user_id)) if user_id else None


def fix_count() -> int:
    """How many fixes exist at all: tells "no fixes yet" from "none match these filters"."""
    return db.session.scalar(select(func.count(Fix.id)))


@dataclass(frozen=True)
class Cursors:
    """Where each of the fix page's lists starts (None: at the top), from the page's query string."""
    linked: str | None = None
    people: str | None = None
    told: str | None = None
    testers: str | None = None
    advisers: str | None = None


@dataclass(frozen=True)
class FixPage:
    """What the fix page shows besides the fix itself: each long list a page at a time."""
    placed: Placed
    people: fix_lists.Page           # the impact breakdown, heaviest first
    linked: fix_lists.Page           # linked verbatims, newest first
    suggested: list[TriageItem]
    told: fix_lists.Page             # outbox emails of the loop, oldest first
    told_count: int
    beta_testers: fix_lists.Page
    beta_tester_count: int
    override_by: str | None
    beta_ready: dict[int, str] = field(default_factory=dict)  # testers of the page told the beta is ready: status
    advisers: fix_lists.Page = fix_lists.Page([], None)
    adviser_count: int = 0


def fix_page(fix: Fix, now: datetime, settings: Settings, at: Cursors = Cursors()) -> FixPage:
    where = placed(fix, now, settings, people=0)
    people = fix_lists.people(fix, evidence.read_basis().reference, now, settings.policy.half_life_days, at.people)
    testers = fix_lists.beta_testers(fix, at.testers)
    return FixPage(where, people, fix_lists.linked(fix, at.linked), suggestions(fix),
                   fix_lists.told(fix, at.told), fix_lists.told_count(fix),
                   testers, fix_lists.beta_tester_count(fix), user_email(fix.override_by),
                   fix_lists.told_beta_ready(fix, testers), fix_lists.advisers(fix, at.advisers),
                   fix_lists.adviser_count(fix))
