"""One customer on one page: who they are, their attributes, and one timeline of what they were asked, what they
said (survey answers and channel feedback, with the type triage gave each), who reached out to them, what fix
news they were told (a beta being ready too), which fixes they asked to try early or offered advice on and their
one ask for a review or referral (with what they did); beside it the fixes their words support.

Composition over surveys, triage and the outbox (like the dashboard): it only reads. Bounded whatever the
customer's history: each kind of event is read newest first, at most CAP rows (feedback_app.timeline merges
them and says where the timeline stops), and counted no further than COUNT_UP_TO. The page runs the same
statements for a customer with one answer as for one with ten thousand (tests/app/test_query_counts.py).

A customer's rows: a survey answer reaches them through its invitation, channel feedback through its own
customer_id (surveys.people.respondents), fix news through its outbox key (triage.loop.policy.loop_email_key).
An erased customer has no row, hence no page.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import String, case, cast, func, literal, select, union_all

from advocacy.models import AdvocacyAsk
from feedback_app.accounts.models import User
from feedback_app.core.extensions import db
from feedback_app.core.numbers import ID_MAX
from feedback_app.core.paging import capped_count
from feedback_app.mail.outbox import OutboxEmail
from feedback_app.timeline import Event, Stream, Timeline, merge
from retention.figures import PURCHASE_KINDS
from retention.models import Activity, StageChange
from surveys.models import Customer, Invitation, Response, Survey, ThanksAnswer
from surveys.people.respondents import answer_scale
from surveys.scales.kinds import band
from triage.loop.beta_rules import BETA_READY
from triage.loop.policy import LOOP_EVENTS
from triage.models import BetaTester, Fix, FixAdviser, FixLink, FixNewsStop, ThemeGroup, TriageItem
from triage.verbatims.listing import Cursor

CAP = 100           # rows read of each kind of event, and fixes listed
COUNT_UP_TO = 1000  # each kind is counted no further: "more than 1000"

# The kinds of event, in the order that breaks a tie between two at the same moment (the later step first: a stage
# decided by the refresh follows what happened before it).
STAGE, CONTACT, NEWS, EARLY_ACCESS, ADVICE, ADVOCACY, ANSWER, FEEDBACK, INVITATION = (
    "stage", "contact", "news", "early_access", "advice", "advocacy", "answer", "feedback", "invitation")
KINDS = (STAGE, CONTACT, NEWS, EARLY_ACCESS, ADVICE, ADVOCACY, ANSWER, FEEDBACK, INVITATION)
FIXES = "fixes"  # counted with the events, listed apart
# An email's event → what the timeline says: "fix-shipped" → "shipped"; the beta's "ready to try" → "beta_ready".
NEWS_EVENTS = {**{event: status for status, event in LOOP_EVENTS.items()}, BETA_READY: "beta_ready"}


@dataclass(frozen=True)
class Invited:
    survey_id: int
    survey_name: str
    scale: str
    locale: str
    answered: bool
    context: str | None = None  # a triggered invitation's (e.g. the ticket number)


@dataclass(frozen=True)
class SupportedFix:
    id: int
    title: str
    status: str


@dataclass(frozen=True)
class Said:
    """A survey answer or channel feedback, with its triage record (None: not classified yet)."""
    response: Response
    scale: str | None
    survey_name: str | None
    item: TriageItem | None
    theme: str | None              # the group's name the team gave, else the record's own theme
    list_position: str | None      # the triage list's `after` that opens its page with this record
    fixes: list[SupportedFix] = field(default_factory=list)  # the fixes it is evidence for
    second_answer: str | None = None  # their answer to the thank-you page's question, if any

    @property
    def band(self) -> str | None:
        return band(self.scale, self.response.score)


@dataclass(frozen=True)
class Contact:
    response_id: int
    answered_at: datetime
    by: str | None  # the team member's address; None once their account is gone


@dataclass(frozen=True)
class News:
    email_id: int
    fix_id: int
    title: str
    status: str       # the fix's news: planned | shipped
    delivery: str     # the outbox's status
    sent_at: datetime | None


@dataclass(frozen=True)
class EarlyAccess:
    """An offer on a fix: to try it early, or to advise the team (the event's kind says which)."""
    fix_id: int
    title: str


@dataclass(frozen=True)
class Advocated:
    """Their one ask for a review or a referral (advocacy), and what they did with it (None: no answer yet)."""
    kind: str
    outcome: str | None
    outcome_at: datetime | None


@dataclass(frozen=True)
class FixSupported:
    fix: SupportedFix
    verbatims: int        # how many of their verbatims are linked to it
    linked_at: datetime   # the latest link


@dataclass(frozen=True)
class StageMove:
    from_stage: str | None  # None: their first stage
    to_stage: str
    reason: dict            # the rule's key and numbers (retention.refresh.reason_of)


@dataclass(frozen=True)
class ActivitySummary:
    """What they did, from the team's systems (retention.models.Activity): all kinds, and purchases apart
    (retention.figures.PURCHASE_KINDS) with their revenue (None: no purchase had an amount)."""
    count: int = 0
    first_at: datetime | None = None
    last_at: datetime | None = None
    purchases: int = 0
    revenue: float | None = None


@dataclass(frozen=True)
class CustomerPage:
    customer: Customer
    news_stopped_at: datetime | None
    totals: dict[str, int]    # per kind (and FIXES), counted up to COUNT_UP_TO + 1
    timeline: Timeline
    fixes: list[FixSupported]  # the latest linked first, at most CAP
    last_said: Said | None     # their newest answer or feedback
    stage_reason: dict | None = None  # why they are in their stage now (their latest StageChange's reason)
    activity: ActivitySummary = ActivitySummary()

    @property
    def left_out(self) -> dict[str, int]:
        return self.timeline.left_out({kind: self.totals[kind] for kind in KINDS})

    def more_than(self, kind: str) -> bool:
        return self.totals[kind] > COUNT_UP_TO


def build(customer_id: int) -> CustomerPage | None:
    """Everything the page shows; None when no such customer is held (never was, or erased)."""
    customer = db.session.get(Customer, customer_id)
    if customer is None:
        return None
    totals, stopped = _totals(customer_id)
    answers, feedback = _said(customer_id, survey=True), _said(customer_id, survey=False)
    said = _with_fixes([*answers.events, *feedback.events])
    answers, feedback = (Stream(s.kind, [said[e.id] for e in s.events], s.complete) for s in (answers, feedback))
    streams = [_contacts(customer_id), _news(customer_id), _early_access(customer_id), _advice(customer_id),
               _advocacy(customer_id), answers, feedback, _invitations(customer_id)]
    stages = _stage_changes(customer_id)
    streams.insert(0, stages)
    newest = max([*answers.events[:1], *feedback.events[:1]], key=lambda e: (e.at, e.id), default=None)
    latest_move = stages.events[0].item if stages.events else None
    return CustomerPage(customer, stopped, totals, merge(streams), _fixes(customer_id),
                        newest.item if newest else None,
                        latest_move.reason if latest_move and latest_move.to_stage == customer.stage else None,
                        _activity(customer_id))


# ---------------------------------------------------------------- whose rows

def _their_invitations(customer_id: int):
    return select(Invitation.id).where(Invitation.customer_id == customer_id)


def _their_answer_ids(customer_id: int):
    """Their survey answers (through their invitations) and their channel feedback: two index ranges in a union.
    As one OR (privacy.records' form) PostgreSQL would filter every answer there is."""
    return union_all(select(Response.id).where(Response.customer_id == customer_id),
                     select(Response.id).join(Invitation, Invitation.id == Response.invitation_id)
                     .where(Invitation.customer_id == customer_id))


def _their_fix_ids(customer_id: int):
    return select(FixLink.fix_id).where(FixLink.response_id.in_(_their_answer_ids(customer_id)))


def _news_of(customer_id: int, *columns):
    """The outbox rows that carried news of a fix they support or test: for each such fix, its keys (one per
    event, triage.loop.policy.loop_email_key) looked up in the outbox's unique index — never a match over
    every key."""
    def key(event: str):
        return literal(f"{event}:", String) + cast(Fix.id, String) + literal(f":{customer_id}", String)
    fixes = union_all(_their_fix_ids(customer_id),
                      select(BetaTester.fix_id).where(BetaTester.customer_id == customer_id))
    return (select(*columns).select_from(Fix)
            .join(OutboxEmail, OutboxEmail.dedupe_key.in_([key(event) for event in NEWS_EVENTS]))
            .where(Fix.id.in_(fixes)))


def _read(query, kind: str, event_of) -> Stream:
    """Up to CAP rows of a query ordered newest first, as a stream (cut short when a row more was there)."""
    rows = db.session.execute(query.limit(CAP + 1)).all()
    return Stream(kind, [event_of(row) for row in rows[:CAP]], complete=len(rows) <= CAP)


# ---------------------------------------------------------------- counts, in one statement

def _totals(customer_id: int) -> tuple[dict[str, int], datetime | None]:
    queries = {
        INVITATION: _their_invitations(customer_id),
        ANSWER: select(Response.id).join(Invitation, Invitation.id == Response.invitation_id)
        .where(Invitation.customer_id == customer_id),
        FEEDBACK: select(Response.id).where(Response.customer_id == customer_id, Response.channel != "survey"),
        CONTACT: select(Response.id).where(Response.id.in_(_their_answer_ids(customer_id)),
                                           Response.contacted_at.is_not(None)),
        NEWS: _news_of(customer_id, OutboxEmail.id),
        EARLY_ACCESS: select(BetaTester.fix_id).where(BetaTester.customer_id == customer_id),
        ADVICE: select(FixAdviser.fix_id).where(FixAdviser.customer_id == customer_id),
        ADVOCACY: select(AdvocacyAsk.id).where(AdvocacyAsk.customer_id == customer_id),
        FIXES: _their_fix_ids(customer_id).distinct(),
        STAGE: select(StageChange.id).where(StageChange.customer_id == customer_id),
    }
    stopped = select(FixNewsStop.stopped_at).where(FixNewsStop.customer_id == customer_id).scalar_subquery()
    row = db.session.execute(select(*(capped_count(query, COUNT_UP_TO) for query in queries.values()), stopped)).one()
    return dict(zip(queries, row[:-1])), row[-1]


# ---------------------------------------------------------------- the streams

def _invitations(customer_id: int) -> Stream:
    query = (select(Invitation.id, Invitation.sent_at, Invitation.locale, Survey.id, Survey.name, Survey.kind,
                    Response.id, Invitation.context)
             .join(Survey, Survey.id == Invitation.survey_id)
             .outerjoin(Response, Response.invitation_id == Invitation.id)
             .where(Invitation.customer_id == customer_id)
             .order_by(Invitation.sent_at.desc(), Invitation.id.desc()))
    return _read(query, INVITATION, lambda r: Event(r[1], INVITATION, r[0], Invited(r[3], r[4], r[5], r[2],
                                                                                  r[6] is not None, r[7])))


def _said(customer_id: int, survey: bool) -> Stream:
    """Their survey answers (survey=True) or their feedback from other channels, each with its triage record
    and its theme group's name (and the answer to the thank-you page's question) in the same statement."""
    kind = ANSWER if survey else FEEDBACK
    query = (select(Response, answer_scale(), Survey.name, TriageItem, ThemeGroup.name, ThanksAnswer.text)
             .outerjoin(Survey, Survey.id == Response.survey_id)
             .outerjoin(TriageItem, TriageItem.response_id == Response.id)
             .outerjoin(ThemeGroup, ThemeGroup.key == TriageItem.theme_group)
             .outerjoin(ThanksAnswer, ThanksAnswer.response_id == Response.id))
    if survey:
        query = query.join(Invitation, Invitation.id == Response.invitation_id) \
            .where(Invitation.customer_id == customer_id)
    else:
        query = query.where(Response.customer_id == customer_id, Response.channel != "survey")
    query = query.order_by(Response.answered_at.desc(), Response.id.desc())
    return _read(query, kind, lambda r: Event(r[0].answered_at, kind, r[0].id, Said(
        r[0], r[1], r[2], r[3], (r[4] or r[3].theme) if r[3] else None, _list_position(r[3]), second_answer=r[5])))


def _list_position(item: TriageItem | None) -> str | None:
    if item is None or item.answered_at is None or item.id >= ID_MAX:
        return None  # not in the list (yet)
    return Cursor.opening_at(item).token()


def _with_fixes(events: list[Event]) -> dict[int, Event]:
    """The events again, each answer with the fixes it supports (one statement for all of them)."""
    supports: dict[int, list[SupportedFix]] = {}
    if events:
        rows = db.session.execute(select(FixLink.response_id, Fix.id, Fix.title, Fix.status)
                                  .join(Fix, Fix.id == FixLink.fix_id)
                                  .where(FixLink.response_id.in_([event.id for event in events]))
                                  .order_by(Fix.id))
        for response_id, *fix in rows:
            supports.setdefault(response_id, []).append(SupportedFix(*fix))
    return {event.id: replace(event, item=replace(event.item, fixes=supports.get(event.id, [])))
            for event in events}


def _contacts(customer_id: int) -> Stream:
    query = (select(Response.id, Response.contacted_at, Response.answered_at, User.email)
             .outerjoin(User, User.id == Response.contacted_by)
             .where(Response.id.in_(_their_answer_ids(customer_id)), Response.contacted_at.is_not(None))
             .order_by(Response.contacted_at.desc(), Response.id.desc()))
    return _read(query, CONTACT, lambda r: Event(r[1], CONTACT, r[0], Contact(r[0], r[2], r[3])))


def _news(customer_id: int) -> Stream:
    """The fix news queued for them (sent or not): of each fix they support, the outbox rows under its keys."""
    query = (_news_of(customer_id, OutboxEmail.id, OutboxEmail.dedupe_key, OutboxEmail.status,
                      OutboxEmail.created_at, OutboxEmail.sent_at, Fix.id, Fix.title)
             .order_by(OutboxEmail.created_at.desc(), OutboxEmail.id.desc()))
    return _read(query, NEWS, lambda r: Event(r[3], NEWS, r[0], News(
        r[0], r[5], r[6], NEWS_EVENTS.get(r[1].split(":")[0], ""), r[2], r[4])))


def _early_access(customer_id: int) -> Stream:
    return _offers(BetaTester, EARLY_ACCESS, customer_id)


def _advice(customer_id: int) -> Stream:
    return _offers(FixAdviser, ADVICE, customer_id)


def _offers(model: type[BetaTester] | type[FixAdviser], kind: str, customer_id: int) -> Stream:
    """What they offered on fixes from its "planned" email: to try it early, to advise the team."""
    query = (select(model.fix_id, model.created_at, Fix.title).join(Fix, Fix.id == model.fix_id)
             .where(model.customer_id == customer_id)
             .order_by(model.created_at.desc(), model.fix_id.desc()))
    return _read(query, kind, lambda r: Event(r[1], kind, r[0], EarlyAccess(r[0], r[2])))


def _advocacy(customer_id: int) -> Stream:
    """At most one row: a customer is asked once, ever (its unique customer_id)."""
    query = (select(AdvocacyAsk.id, AdvocacyAsk.asked_at, AdvocacyAsk.kind, AdvocacyAsk.outcome,
                    AdvocacyAsk.outcome_at).where(AdvocacyAsk.customer_id == customer_id)
             .order_by(AdvocacyAsk.asked_at.desc(), AdvocacyAsk.id.desc()))
    return _read(query, ADVOCACY, lambda r: Event(r[1], ADVOCACY, r[0], Advocated(r[2], r[3], r[4])))


def _stage_changes(customer_id: int) -> Stream:
    query = (select(StageChange.id, StageChange.changed_at, StageChange.from_stage, StageChange.to_stage,
                    StageChange.reason)
             .where(StageChange.customer_id == customer_id)
             .order_by(StageChange.changed_at.desc(), StageChange.id.desc()))
    return _read(query, STAGE, lambda r: Event(r[1], STAGE, r[0], StageMove(r[2], r[3], r[4] or {})))


def _activity(customer_id: int) -> ActivitySummary:
    """One statement over their rows of the activity index (customer_id, occurred_at): first and last are the
    index's ends; the counts and the revenue read only this customer's rows."""
    purchase = Activity.kind.in_(PURCHASE_KINDS)
    row = db.session.execute(
        select(func.count(), func.min(Activity.occurred_at), func.max(Activity.occurred_at),
               func.count(case((purchase, 1))), func.sum(case((purchase, Activity.amount))))
        .where(Activity.customer_id == customer_id)).one()
    return ActivitySummary(row[0], row[1], row[2], row[3], None if row[4] is None else float(row[4]))


def _fixes(customer_id: int) -> list[FixSupported]:
    """The fixes their verbatims support, the latest linked first."""
    latest = func.max(FixLink.linked_at)
    rows = db.session.execute(
        select(Fix.id, Fix.title, Fix.status, func.count(), latest).join(FixLink, FixLink.fix_id == Fix.id)
        .where(FixLink.response_id.in_(_their_answer_ids(customer_id)))
        .group_by(Fix.id, Fix.title, Fix.status).order_by(latest.desc(), Fix.id.desc()).limit(CAP))
    return [FixSupported(SupportedFix(fix_id, title, status), count, linked_at)
            for fix_id, title, status, count, linked_at in rows]
