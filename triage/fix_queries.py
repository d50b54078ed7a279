"""Read-only lookups for the fix pages and the triage list's "link to a fix" forms.
Nothing here writes: the use cases that change fixes are in triage.fixes."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from sqlalchemy import func, select

from feedback_app.accounts.models import User
from feedback_app.extensions import db
from surveys.models import Customer, Invitation, Response, Survey

from . import fixes, followups, services
from .fixes import Linked
from . import listing
from .models import Fix, FixLink, TriageItem



def fixes_to_link() -> list[Fix]:
    """The fixes a triager may add evidence to from the list: those still to do, newest first."""
    return list(db.session.scalars(select(Fix).where(Fix.status.in_(followups.TO_DO)).order_by(Fix.id.desc())))


def theme_response_ids(filters: services.Filters, theme_key: str) -> list[int]:
    """Every verbatim of a theme group under the list's other filters: what the group's link opens."""
    return listing.group_response_ids(filters, theme_key)


@dataclass(frozen=True)
class LinkedVerbatim:
    response: Response
    kind: str | None
    type_key: str | None
    language: str
    who: str


def linked_verbatims(fix: Fix) -> list[LinkedVerbatim]:
    """The fix's verbatims with their score, scale, type and language, newest first."""
    customer_id = func.coalesce(Response.customer_id, Invitation.customer_id)
    rows = db.session.execute(
        select(Response, func.coalesce(Response.kind, Survey.kind), TriageItem.type_key, TriageItem.language,
               Customer.name, Customer.email)
        .join(FixLink, FixLink.response_id == Response.id)
        .outerjoin(TriageItem, TriageItem.response_id == Response.id)
        .outerjoin(Invitation, Invitation.id == Response.invitation_id)
        .outerjoin(Survey, Survey.id == Response.survey_id)
        .outerjoin(Customer, Customer.id == customer_id)
        .where(FixLink.fix_id == fix.id).order_by(Response.answered_at.desc(), Response.id.desc()))
    return [LinkedVerbatim(response, kind, type_key, language or response.locale, name or email or "")
            for response, kind, type_key, language, name, email in rows]


def respondent_names(linked: list[Linked]) -> dict[str, str]:
    """The impact breakdown names respondents by a stable key; show people their name or address."""
    names = {}
    for entry in linked:
        key = f"customer:{entry.customer.id}" if entry.customer else f"response:{entry.response_id}"
        names[key] = (entry.customer.name or entry.customer.email) if entry.customer else f"#{entry.response_id}"
    return names


def user_email(user_id: int | None) -> str | None:
    return db.session.scalar(select(User.email).where(User.id == user_id)) if user_id else None


def fix_count() -> int:
    """How many fixes exist at all: tells "no fixes yet" from "none match these filters"."""
    return db.session.scalar(select(func.count(Fix.id)))


@dataclass(frozen=True)
class FixPage:
    """What the fix page shows besides the fix itself."""
    placed: fixes.Placed
    names: dict[str, str]            # respondent key of the impact breakdown → name or address
    linked: list[LinkedVerbatim]
    suggested: list[TriageItem]
    told: list                       # outbox emails of the loop, oldest first
    beta_testers: list
    override_by: str | None


def fix_page(fix: Fix, now: datetime, settings: fixes.Settings) -> FixPage:
    record = fixes.fix_record(fix, now, settings)  # what the API tells of a fix, too
    evidence = fixes.linked_verbatims([fix.id])[fix.id]
    return FixPage(record.placed, respondent_names(evidence), linked_verbatims(fix), fixes.suggestions(fix),
                   record.told, record.beta_testers, user_email(fix.override_by))
