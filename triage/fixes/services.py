"""Use cases that change a fix: create it, link and unlink its evidence, edit what the team owns about it
(one FixChange), move its status and tell the respondents, open its beta and tell its testers. Each public
function is one use case and owns its one commit. The reads beside them are triage.fixes.queries and
triage.fixes.queue; the decisions (impact, quadrant, rank, who is told) are made by the pure
triage.fixes.grid and triage.loop.policy; this module gathers the facts and stores the outcome.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Mapping

from sqlalchemy import select

from feedback_app.core.extensions import db
from feedback_app.core.refusals import N_, Refusal
from feedback_app.core.sql import insert_ignoring_conflicts
from surveys.models import Response
from triage.classification.custom_types import type_keys
from triage.classification.types import NOT_PROBLEM_KEYS, is_problem
from triage.fixes import evidence, evidence_watch, grid  # noqa: F401 (evidence_watch listens)
from triage.fixes.audience import Audience, audience
from triage.fixes.queue import Linked
from triage.loop import beta, news, policy, reach
from triage.loop.beta_rules import BetaUrlError, check_beta_url
from triage.loop.advise import advise_url
from triage.loop.early_access import early_access_url
from triage.loop.stop_news import stop_news_url
from triage.loop.told import queue_news
from triage.models import Fix, FixLink, TriageItem
from webhooks.events import FIX_STATUS_CHANGED, emit

TITLE_MAX = 200
TEXT_MAX = 10_000


class FixError(Refusal):
    """A request about a fix that cannot be carried out; the message says why, for people."""


class NewsRefused(FixError):
    """The news would reach a recipient in a language without its texts: the message (English, for the API and
    the command line) and the plan, from which a page says it in the reader's language."""

    def __init__(self, plan: news.Plan, fallback: str | None):
        super().__init__(news.refusal(plan, fallback))
        self.plan = plan


class PraiseRefused(FixError):
    """Verbatims that are praise were to be linked: the message (English, for the API) and which they are, from
    which a page says it in the reader's language."""

    def __init__(self, response_ids: list[int]):
        super().__init__(N_("Praise cannot be added to a fix: there is nothing to fix in it. Verbatims that are "
                            "praise: %(numbers)s. Nothing was linked; correct a verbatim's type first if it is about "
                            "a problem."),
                         numbers=", ".join(f"#{number}" for number in response_ids))  # ids, not a count: "#3"
        self.response_ids = response_ids


@dataclass(frozen=True)
class FixChange:
    """What the team owns about a fix, as one value: None (False) leaves a field as it is. Creating a fix
    needs a title and a cost; a status has its own use case (change_status, or edit_fix's `status`)."""
    title: str | None = None             # the team's own; customers read public_titles
    description: str | None = None
    cost: int | None = None
    type_key: str | None = None          # "" clears the type
    release_note: str | None = None      # the English release note (as release_notes={"en": …})
    public_titles: Mapping[str, str | None] | None = None  # {locale: text}: the languages named; "" removes one
    release_notes: Mapping[str, str | None] | None = None  # likewise
    news_fallback: str | None = None     # a locale whose news readers without texts get; "" allows none
    impact_override: float | None = None
    reason: str | None = None            # why the evidence is overruled: needed with impact_override
    clear_override: bool = False         # impact comes from the evidence again (wins over impact_override)


# ---------------------------------------------------------------- creating and linking

def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise FixError(N_("A fix needs a title."))
    if len(title) > TITLE_MAX:
        raise FixError(N_("A title has at most %(count)d characters."), count=TITLE_MAX)
    return title


def _check_cost(cost) -> int:
    if isinstance(cost, bool) or not isinstance(cost, int) or cost not in grid.COSTS:
        raise FixError(N_("Cost is a whole number from 1 (trivial) to 5 (very large)."))
    return cost


def _check_type(type_key: str | None) -> str | None:
    problems = [key for key in type_keys() if is_problem(key)]
    if type_key and type_key not in problems:
        if type_key in type_keys():
            raise FixError(N_("A fix is about a problem; %(key)s is not a problem type. One of: %(known)s."),
                           key=repr(type_key), known=", ".join(problems))
        raise FixError(N_("Unknown type %(key)s; one of: %(known)s."), key=repr(type_key), known=", ".join(problems))
    return type_key or None


# One whole sentence per field, so that each reads right in every language.
_TOO_LONG = {"description": N_("The description has at most %(count)d characters."),
             "reason": N_("The reason has at most %(count)d characters.")}


def _check_text(text: str | None, what: str) -> str:
    text = text or ""
    if len(text) > TEXT_MAX:
        raise FixError(_TOO_LONG[what], count=TEXT_MAX)
    return text


def create_fix(change: FixChange, now: datetime, user_id: int | None = None, *, response_ids: Iterable[int] = (),
               theme_key: str | None = None) -> Fix:
    """A new open fix with the change's fields (a title and a cost at least) and the verbatims that support it."""
    fix = Fix(title=_clean_title(change.title), cost=_check_cost(change.cost), description="", status="open",
              theme_key=theme_key, public_titles={}, release_notes={}, created_at=now, updated_at=now)
    _edit(fix, now, change, user_id)  # the other fields, checked as any edit checks them
    db.session.add(fix)
    db.session.flush()
    _link(fix, list(response_ids), now, user_id)
    db.session.commit()
    return fix


def link_verbatims(fix: Fix, response_ids: Iterable[int], now: datetime, user_id: int | None = None) -> int:
    """Link verbatims to a fix; linking one twice changes nothing. Returns how many were new."""
    added = _link(fix, list(response_ids), now, user_id)
    fix.updated_at = now
    db.session.commit()
    return added


def _link(fix: Fix, response_ids: list[int], now: datetime, user_id: int | None) -> int:
    if not response_ids:
        return 0
    wanted = set(response_ids)
    dates = dict(db.session.execute(select(Response.id, Response.answered_at).where(Response.id.in_(wanted))).all())
    if wanted - dates.keys():
        db.session.rollback()
        raise FixError(N_("No such verbatim: %(numbers)s."), numbers=", ".join(map(str, sorted(wanted - dates.keys()))))
    _refuse_praise(wanted)
    added = [response_id for response_id in sorted(wanted) if insert_ignoring_conflicts(
        FixLink, {"fix_id": fix.id, "response_id": response_id, "linked_at": now, "linked_by": user_id,
                  "answered_at": dates[response_id]}, ["fix_id", "response_id"])]
    evidence.links_changed(fix.id, added)
    reach.answers_changed(added)  # news of this fix may have reached their customer already
    return len(added)


def _refuse_praise(response_ids: set[int]) -> None:
    """Praise backs no fix: there is nothing to fix in it (triage.classification.types.is_problem)."""
    praise = sorted(db.session.scalars(select(TriageItem.response_id).where(
        TriageItem.response_id.in_(response_ids), TriageItem.type_key.in_(NOT_PROBLEM_KEYS))))
    if praise:
        db.session.rollback()
        raise PraiseRefused(praise)


def unlink_verbatim(fix: Fix, response_id: int, now: datetime) -> None:
    removed = db.session.execute(FixLink.__table__.delete().where(FixLink.fix_id == fix.id,
                                                                  FixLink.response_id == response_id)).rowcount
    if removed:
        evidence.links_changed(fix.id, [response_id])
        reach.answers_changed([response_id])
    fix.updated_at = now
    db.session.commit()


# ---------------------------------------------------------------- cost, impact, status

def update_fix(fix: Fix, now: datetime, change: FixChange, user_id: int | None = None) -> None:
    """Edit what the team owns about a fix, all or nothing (status has its own use case)."""
    try:
        _edit(fix, now, change, user_id)
    except FixError:
        db.session.rollback()  # a field set before the bad one must not be saved by a later commit
        raise
    db.session.commit()


def _edit(fix: Fix, now: datetime, change: FixChange, user_id: int | None) -> None:
    if change.title is not None:
        fix.title = _clean_title(change.title)
    if change.description is not None:
        fix.description = _check_text(change.description, "description")
    if change.cost is not None:
        fix.cost = _check_cost(change.cost)
    if change.type_key is not None:
        fix.type_key = _check_type(change.type_key)
    try:
        _edit_news_texts(fix, change)
    except news.TextError as error:
        raise FixError(str(error)) from None
    if change.clear_override:
        fix.impact_override = fix.override_reason = fix.override_by = fix.override_at = None
    elif change.impact_override is not None:
        _override(fix, change.impact_override, change.reason, user_id, now)
    fix.updated_at = now


def _edit_news_texts(fix: Fix, change: FixChange) -> None:
    """What customers read, per language: each language named is replaced, the others kept (new dicts, so
    the JSON columns are seen as changed)."""
    notes = dict(change.release_notes or {})
    if change.release_note is not None:
        notes.setdefault("en", change.release_note)
    if change.public_titles is not None:
        fix.public_titles = news.merged(fix.public_titles or {}, change.public_titles, news.PUBLIC_TITLE_MAX,
                                        "customer-facing title")
    if notes or change.release_notes is not None:
        fix.release_notes = news.merged(fix.release_notes or {}, notes, news.NOTE_MAX, "release note")
    if change.news_fallback is not None:
        fix.news_fallback = news.check_fallback(change.news_fallback)


def _override(fix: Fix, value, reason: str | None, user_id: int | None, now: datetime) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 100:
        raise FixError(N_("An impact override is a number from 0 to 100."))
    if not reason or not reason.strip():
        raise FixError(N_("Say why the evidence is overruled: an impact override needs a reason."))
    fix.impact_override, fix.override_reason = float(value), _check_text(reason.strip(), "reason")
    fix.override_by, fix.override_at = user_id, now


def change_status(fix: Fix, status: str, now: datetime, tell_planned: bool = False) -> int:
    """Move a fix along its life and tell the respondents, in the same transaction: when it is
    planned (if the team chooses to) and, always, when it ships. Returns the emails queued now."""
    queued = _move(fix, status, now, tell_planned)
    db.session.commit()
    return queued


def _move(fix: Fix, status: str, now: datetime, tell_planned: bool) -> int:
    if status not in policy.STATUSES:
        raise FixError(N_("Unknown status %(status)s; one of: %(known)s."), status=repr(status),
                       known=", ".join(policy.STATUSES))
    if status != fix.status and not policy.can_move(fix.status, status):
        raise FixError(N_("A fix cannot go from %(old)s to %(new)s."), old=fix.status, new=status)
    telling = status == "shipped" or (status == "planned" and tell_planned)
    ready = _ready_news(fix, policy.LOOP_EVENTS[status]) if telling else None  # refused before anything changes
    if status != fix.status:
        emit(FIX_STATUS_CHANGED, {"fix_id": fix.id, "title": fix.title, "from": fix.status, "to": status}, now)
    fix.status, fix.updated_at = status, now
    if status == "planned":
        fix.planned_at = fix.planned_at or now
    if status == "shipped":
        fix.shipped_at = fix.shipped_at or now
    return _tell_respondents(fix, *ready, now) if ready else 0


def edit_fix(fix: Fix, now: datetime, change: FixChange = FixChange(), user_id: int | None = None, *,
             status: str | None = None, tell_planned: bool = False) -> int:
    """Field edits and a status change with its emails, in one transaction: a release note written
    and the fix shipped together, or — on any error — nothing at all. `tell_planned` emails the
    "planned" news (moving to planned now, or for a fix planned already). Returns the emails queued."""
    try:
        _edit(fix, now, change, user_id)
        queued = _move(fix, status, now, tell_planned) if status is not None else 0
        if tell_planned and status != "planned":
            queued += _announce_planned(fix, now)
    except FixError:
        db.session.rollback()
        raise
    db.session.commit()
    return queued


def tell_planned(fix: Fix, now: datetime) -> int:
    """Send the "planned" news for a fix that is already planned (the team decided later)."""
    queued = _announce_planned(fix, now)
    db.session.commit()
    return queued


def _announce_planned(fix: Fix, now: datetime) -> int:
    if fix.status not in ("planned", "in_progress"):
        raise FixError(N_("Only a planned fix can be announced as planned."))
    return _tell_respondents(fix, *_ready_news(fix, policy.LOOP_EVENTS["planned"]), now)


def news_plan(fix: Fix, event: str, linked: list[Linked] | None = None) -> tuple[Audience, news.Plan]:
    """Who would hear `event`'s news now and in which language each, or why it would be refused (read only).
    `linked`: the fix's linked verbatims, if read already (a page that plans two events reads them once)."""
    readers = audience(fix, event, linked)
    return readers, readers.plan(fix, fix.news_fallback)


def _ready_news(fix: Fix, event: str) -> tuple[Audience, news.Plan]:
    """The news's recipients and languages; a FixError naming the languages without texts when any recipient
    would otherwise read a mixed or empty email."""
    readers, plan = news_plan(fix, event)
    if plan.refused:
        raise NewsRefused(plan, fix.news_fallback)
    return readers, plan


def _tell_respondents(fix: Fix, readers: Audience, plan: news.Plan, now: datetime) -> int:
    """Each recipient's email, wholly in the language the plan gives them, quoting their own words."""
    template = readers.event.replace("-", "_")
    quotes = readers.quotes()
    emails = []
    for person in readers.people:
        customer_id, locale = person.customer_id, plan.locales[person.customer_id]
        stop = stop_news_url(customer_id)
        context = {"customer": readers.customers[customer_id], "title": fix.public_titles[locale],
                   "release_note": (fix.release_notes or {}).get(locale, ""), "quote": quotes[customer_id],
                   "unsubscribe_url": stop, "beta_url": early_access_url(fix.id, customer_id),
                   "advise_url": advise_url(fix.id, customer_id)}
        headers = {"List-Unsubscribe": f"<{stop}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
        key = policy.loop_email_key(readers.event, fix.id, customer_id)
        emails.append((key, template, person.email, locale, context, headers))
    return queue_news(fix.id, emails, now)


# ---------------------------------------------------------------- the beta

def open_beta(fix: Fix, url: str, now: datetime) -> int:
    """Open (or move) a planned fix's beta at `url` and queue the "ready to try" email to every beta tester
    who may hear and was not told yet, in the same transaction — each tester once ever (the outbox's key
    fix-beta-ready:<fix>:<customer>), so opening again only changes the link later emails carry. Refused
    whole, with nothing changed, for a bad link, a fix not planned or in progress, or a tester whose language
    lacks the fix's public title (with no fallback). Returns the emails queued now."""
    try:
        url = check_beta_url(url)
    except BetaUrlError as error:
        raise FixError(str(error)) from None
    if fix.status not in ("planned", "in_progress"):
        raise FixError(N_("Only a planned or in-progress fix can open a beta; this one is %(status)s."), status=fix.status)
    testers = beta.untold(fix)
    planned = beta.plan(fix, testers)
    if planned.refused:
        raise NewsRefused(planned, fix.news_fallback)
    fix.beta_url, fix.beta_opened_at, fix.updated_at = url, fix.beta_opened_at or now, now
    queued = beta.queue_ready(fix, testers, planned, now)
    db.session.commit()
    return queued
