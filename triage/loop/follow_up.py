"""Use cases of following up with unhappy respondents: the list, "contacted", the daily digest.
Who waits and when they fall due is decided by the pure triage.loop.policy; this module gathers and stores.

An unhappy respondent is listed from the moment the sweep sees their answer (or before: the backlog below),
not only once they are overdue; the digest names the overdue ones. The list is read a page at a time, oldest
first — which is soonest due first, the overdue at the top — by keyset on (answered_at, id): a page reads one range of the
partial index ix_response_follow_up (the open cases the sweep marked) and the sweep's backlog (ix_response_pending,
seconds' worth of answers), however many answers and open cases there are. How many wait is counted up to
COUNT_UP_TO and said as "more than" past it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, true, tuple_

from feedback_app.accounts.models import User
from feedback_app.core.extensions import db
from feedback_app.core.paging import capped_count, position_token, read_position
from feedback_app.mail.outbox import enqueue_email
from surveys.answering.tallies import WAITING
from surveys.models import Customer, Invitation, Response, Survey
from surveys.people.respondents import answer_scale, respondent_customer_id
from triage.loop import policy, reach

PAGE_SIZE = 50  # the daily digest names the first page's cases, so each of its links lands on that page
COUNT_UP_TO = 1000
LIST_NAME = "follow-ups"  # in the list's cursors, so another list's cursor is refused
# Open cases: those the sweep marked as awaiting a call (the terms of the partial index ix_response_follow_up;
# "= true", the form both databases match against it) and the sweep's backlog (WAITING), nobody contacted yet.
MARKED = Response.awaits_contact == true()
NOT_CONTACTED = Response.contacted_at.is_(None)

Case = tuple[Response, str | None, str | None, int | None]  # an answer, its scale, its customer's email and id


@dataclass(frozen=True)
class Position:
    """Where a page starts or ends: one answer's place in the list's order."""
    answered_at: datetime
    id: int

    def token(self) -> str:
        return position_token(LIST_NAME, moment=self.answered_at, row=self.id)

    @classmethod
    def parse(cls, token: str | None) -> Position | None:
        """None for no token; ValueError for one that is not this list's."""
        if not token:
            return None
        (name,), moment, row = read_position(token, leading=1)
        if name != LIST_NAME:
            raise ValueError("not a page of this list")
        return cls(moment, row)

    @classmethod
    def of(cls, case: Case) -> Position:
        return cls(case[0].answered_at, case[0].id)


@dataclass(frozen=True)
class FollowUpPage:
    waiting: list[Case]         # who, among this page's open cases, waits for a call
    next: Position | None       # the page after starts after this case
    previous: Position | None   # the page before ends before this case


def follow_ups(after: Position | None = None, before: Position | None = None, size: int = PAGE_SIZE,
               up_to: int = COUNT_UP_TO) -> tuple[FollowUpPage, int]:
    """A page of the open cases — unhappy, opted-in commenters nobody has contacted yet, however recent —
    oldest (so soonest due) first: the `size` cases after `after` (or before `before`), of which those still
    open are shown, and how many wait, counted no further than up_to + 1 (read as "more than up_to"). The count
    reads the marked cases from ix_response_follow_up alone (index-only, at most up_to + 1 entries past the
    backlog's) and judges the backlog's; a marked case edited since is in both, and counted by its judgement
    only."""
    backlog = _backlog()
    still_open = [case for case in backlog if _open(case)]
    in_both = sum(1 for response, *_ in backlog if response.awaits_contact)
    marked = db.session.scalar(select(capped_count(select(Response.id).where(MARKED, NOT_CONTACTED),
                                                   up_to + in_both)))
    page = _page(_marked(after, before, size + 1), still_open, after, before, size)
    return page, min(marked - in_both + len(still_open), up_to + 1)


def overdue(now: datetime, within: timedelta, limit: int = PAGE_SIZE) -> list[Case]:
    """Who has waited longest (the daily digest): of the list's first page of `limit` open cases, those past
    their due time (policy.needs_follow_up). The overdue come first in the list, so none is left out for a
    more recent case."""
    return [case for case in follow_ups(size=limit)[0].waiting if _overdue(case, now, within)]


def due_times(cases: list[Case], now: datetime, within: timedelta) -> dict[int, policy.Due]:
    """When each case falls due, by answer id (the page's "due in …" / "overdue by …")."""
    return {response.id: policy.due(response.answered_at, now, within) for response, *_ in cases}


def _page(marked: list[Case], backlog: list[Case], after: Position | None, before: Position | None,
          size: int) -> FollowUpPage:
    """The page's cases: the first `size` of the marked ones read from its edge and of the due backlog in range."""
    backwards = before is not None
    backlog = [case for case in backlog
               if (after is None or _place(case) > (after.answered_at, after.id))
               and (before is None or _place(case) < (before.answered_at, before.id))]
    both = {case[0].id: case for case in [*marked, *backlog]}  # an edited answer may be in both: once
    cases = sorted(both.values(), key=_place, reverse=backwards)
    more, cases = len(cases) > size, cases[:size]
    if backwards:
        cases.reverse()
    waiting = [case for case in cases if _open(case)]
    if not cases:
        return FollowUpPage(waiting, None, None)
    if backwards:
        return FollowUpPage(waiting, Position.of(cases[-1]), Position.of(cases[0]) if more else None)
    return FollowUpPage(waiting, Position.of(cases[-1]) if more else None,
                        Position.of(cases[0]) if after is not None else None)


def _place(case: Case) -> tuple[datetime, int]:
    return case[0].answered_at, case[0].id


def _cases():
    """An answer with its scale and its customer's email and id (a channel's answer names its customer, a survey
    answer's is its invitation's)."""
    customer_id = respondent_customer_id()
    return (select(Response, answer_scale(), Customer.email, Customer.id)
            .outerjoin(Survey, Survey.id == Response.survey_id)
            .outerjoin(Invitation, Invitation.id == Response.invitation_id)
            .outerjoin(Customer, Customer.id == customer_id))


def _marked(after: Position | None, before: Position | None, limit: int) -> list[Case]:
    """Up to `limit` cases the sweep marked, in the list's order from a page's edge (backwards, towards the
    oldest, for the page before `before`). The range is read from ix_response_follow_up alone, index-only, and
    the rows then by id: asked for whole rows, PostgreSQL may walk ix_response_awaits_contact instead, which
    also holds every case contacted since — thousands, before the oldest open one."""
    place = tuple_(Response.answered_at, Response.id)
    ids = select(Response.id).where(MARKED, NOT_CONTACTED)
    if before is not None:
        ids = ids.where(place < tuple_(before.answered_at, before.id)) \
            .order_by(Response.answered_at.desc(), Response.id.desc())
    else:
        if after is not None:
            ids = ids.where(place > tuple_(after.answered_at, after.id))
        ids = ids.order_by(Response.answered_at, Response.id)
    return [tuple(row) for row in db.session.execute(_cases().where(Response.id.in_(ids.limit(limit))))]


def _backlog() -> list[Case]:
    """Every open case the sweep has still to see (seconds' worth of answers). Read whole, in no order and with
    no time in SQL: either would have SQLite walk the answers by time instead of the few waiting."""
    return [tuple(row) for row in db.session.execute(_cases().where(WAITING, NOT_CONTACTED))]


def _answer(case: Case) -> policy.Answer:
    response, kind, *_ = case
    return policy.Answer(response.id, kind, response.score, bool(response.comment.strip()), response.may_contact,
                         response.answered_at, response.contacted_at)


def _open(case: Case) -> bool:
    return policy.awaits_follow_up(_answer(case))


def _overdue(case: Case, now: datetime, within: timedelta) -> bool:
    return policy.needs_follow_up(_answer(case), now, within)


def mark_contacted(response: Response, user_id: int, now: datetime) -> None:
    if response.contacted_at is None:
        response.contacted_at, response.contacted_by = now, user_id
        reach.answers_changed([response.id])
    db.session.commit()


def queue_digests(now: datetime, within: timedelta, app_url: str) -> int:
    """One digest a day to every active triager and admin, when anyone is waiting for a reply."""
    waiting = overdue(now, within)
    if not waiting:
        return 0
    answers = [{"score": r.score, "kind": kind, "comment": r.comment, "answered_at": r.answered_at,
                "customer_email": email, "url": f"{app_url}/triage/follow-ups#response-{r.id}"} for r, kind, email, _ in waiting]
    users = db.session.scalars(select(User).where(User.active.is_(True), User.role.in_(("admin", "triager")))
                               .order_by(User.id))
    queued = sum(enqueue_email(policy.digest_key(now, user.id), "follow_up_digest", user.email, "en",
                               {"user": user, "answers": answers, "list_url": f"{app_url}/triage/follow-ups"}, now)
                 for user in users)
    db.session.commit()
    return queued
