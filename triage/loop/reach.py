"""The dashboard's "unhappy respondents contacted", kept so a page reads at most two rows per week of its
period, however many answers the period holds.

The figure is per person (triage.loop.metrics): among the people with an answer awaiting a call in the period,
the share reached through one of them — marked contacted, or delivered news of a fix it supports. Since a
period ends now, each person is kept as two weeks, those of their latest answer awaiting a call and of their
latest reached one (loop_person, metrics.Reach), and each week as how many people's latest weeks fall in it
(loop_tally).

A person's row is recomputed from their answers the sweep marked as awaiting a call, in the transaction of
any change it depends on: the sweep marking or unmarking an answer (triage.verbatims.sweep), "contacted"
(triage.loop.follow_up), a link made or removed (triage.fixes.services), news of a fix delivered (the outbox's
SENT_LISTENERS, below), an erasure (privacy.services: the row goes). Bulk statements that change those
facts past these functions must call them. The page adds the answers the sweep has yet to mark, judged as it
will; `feedback rebuild tallies` recomputes everything from the answers.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Iterable

from sqlalchemy import String, cast, delete, exists, func, insert, literal, or_, select, text, true

from feedback_app.core.extensions import db
from feedback_app.core.sql import add_to_counters, slices
from feedback_app.mail.outbox import SENT, SENT_LISTENERS, OutboxEmail
from surveys.answering.tallies import WAITING
from surveys.models import Invitation, Response, Survey
from surveys.people.respondents import (
    answer_scale,
    customer_key,
    respondent_customer_id,
    respondent_key,
    split_respondent_keys,
)
from surveys.scales.kinds import awaits_a_call
from triage.loop import metrics
from triage.loop.policy import LOOP_EVENTS
from triage.models import FixLink, LoopPerson, LoopTally

# PostgreSQL advisory lock of the figure's writers (any number no other code uses: ASCII "loop").
LOCK_KEY = 0x6C6F6F70
TALLY_KEYS = ("week", "latest")


# ---------------------------------------------------------------- what changed

def answers_changed(response_ids: Iterable[int]) -> None:
    """These answers were marked or unmarked, contacted, linked or unlinked (in the caller's transaction)."""
    ids = sorted(set(response_ids))
    people = set()
    for some in slices(ids):
        people.update(respondent_key(customer_id, row_id) for row_id, customer_id in db.session.execute(
            select(Response.id, _customer()).where(Response.id.in_(some))))
    people_changed(people)


def news_delivered(keys: list[str]) -> None:
    """The outbox just delivered these emails (feedback_app.mail.outbox.SENT_LISTENERS): news of a fix reaches
    the customer through every answer of theirs that supports it."""
    people_changed({customer_key(customer) for customer in map(metrics.customer_of, keys) if customer})


SENT_LISTENERS.append(news_delivered)


def people_changed(people: set[str]) -> None:
    """Recompute these people's rows from their answers, and move the weekly counts with them."""
    if not people:
        return
    db.session.flush()  # every change of the caller is in SQL, and its locks taken, before ours
    _lock()
    _store(_kept(people), metrics.latest_reach(_awaiting(people)))


def _lock() -> None:
    """Writers take turns, each reading people's rows and moving the counts by what it read: on PostgreSQL an
    advisory lock until the transaction ends; SQLite has one writer at a time, and every caller has written
    before it gets here. Taken last, after every other lock of the transaction: no deadlock through it."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})


# ---------------------------------------------------------------- the rows

def _customer():
    """A channel answer names its customer, a survey answer's is its invitation's: a lookup per row, as a
    join would have PostgreSQL hash all invitations (1.2M) to find a few thousand."""
    invited = (select(Invitation.customer_id).where(Invitation.id == Response.invitation_id)
               .correlate(Response).scalar_subquery())  # the answer of the outermost query, at any depth
    return respondent_customer_id(invited)


def _reached(customer):
    """Marked contacted, or its customer was delivered news of a fix the answer supports: per answer, an index
    probe of its links (most have none) and of the outbox by key (policy.loop_email_key)."""
    keys = [literal(f"{event}:") + cast(FixLink.fix_id, String) + literal(":") + cast(customer, String)
            for event in LOOP_EVENTS.values()]
    delivered = exists().where(OutboxEmail.dedupe_key.in_(keys), OutboxEmail.status == SENT) \
        .correlate_except(OutboxEmail)  # the answer two levels up, not a new FROM
    return or_(Response.contacted_at.is_not(None),
               exists().where(FixLink.response_id == Response.id, delivered).correlate_except(FixLink))


def _awaiting(people: set[str], as_swept: bool = False) -> list[tuple[str, datetime, bool]]:
    """(person, answered_at, reached) of these people's answers awaiting a call: as the sweep marked them, or,
    `as_swept`, with those it has yet to see judged as it will (the kept rows only ever hold its marks)."""
    # "IS true", not "= true": a person's answers are found by their customer, and PostgreSQL would otherwise
    # AND that with the partial indexes' every answer awaiting a call (or waiting for the sweep).
    marked, waiting = Response.awaits_contact.is_(True), Response.pending.is_(True)
    rows = []
    for customer, condition, by_invitation in _whose(people):
        columns = [Response.id, customer, Response.answered_at, _reached(customer)]
        if as_swept:
            columns += [Response.pending, Response.awaits_contact, answer_scale(),
                        Response.score, Response.comment, Response.may_contact]
        query = select(*columns).where(or_(marked, waiting) if as_swept else marked, condition)
        if by_invitation:
            query = query.join(Invitation, Invitation.id == Response.invitation_id)
        if as_swept:
            query = query.outerjoin(Survey, Survey.id == Response.survey_id)
        rows.extend(db.session.execute(query))
    return [(person, row[2], bool(row[3])) for row in rows
            if (person := respondent_key(row[1], row[0])) in people and (not as_swept or _awaits(*row[4:]))]


def _whose(people: set[str]):
    """(the answer's customer, which answers, whether found through invitations) for each way a person's
    answers are found by an index: a channel answer by its customer, a survey answer by its customer's
    invitations, an answer nobody can be traced to by its own id."""
    customers, alone = map(sorted, split_respondent_keys(people))
    for some in slices(customers):
        yield Response.customer_id, Response.customer_id.in_(some), False
        yield Invitation.customer_id, Invitation.customer_id.in_(some), True
    for some in slices(alone):
        yield _customer(), Response.id.in_(some), False


def _awaits(pending: bool, marked: bool, kind: str | None, score: int | None, comment: str, may_contact: bool) -> bool:
    return awaits_a_call(kind, score, bool(comment.strip()), may_contact) if pending else marked


def _kept(people: set[str]) -> dict[str, metrics.Reach]:
    found = {}
    for some in slices(sorted(people)):
        found.update((person, metrics.Reach(awaiting, reached)) for person, awaiting, reached in db.session.execute(
            select(LoopPerson.person, LoopPerson.awaiting_week, LoopPerson.reached_week)
            .where(LoopPerson.person.in_(some))))
    return found


def _store(before: dict[str, metrics.Reach], after: dict[str, metrics.Reach]) -> None:
    """Replace the rows of the people that changed, and move the counts from what they were to what they are."""
    changed = sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))
    for some in slices(changed):
        db.session.execute(delete(LoopPerson).where(LoopPerson.person.in_(some)))
    rows = [{"person": p, "awaiting_week": after[p].awaiting_week, "reached_week": after[p].reached_week}
            for p in changed if p in after]
    for some in slices(rows, 5000):
        db.session.execute(insert(LoopPerson), list(some))
    add_to_counters(LoopTally.__table__, TALLY_KEYS, metrics.reach_deltas(before, after))


# ---------------------------------------------------------------- the page

def share(first_week: date) -> metrics.Share:
    """The figure for the period from first_week on: the kept counts of its weeks, and the people of the
    answers the sweep has yet to see (seconds' worth, read through the partial index on `pending`) as they
    will be once it has."""
    counted = dict(db.session.execute(select(LoopTally.latest, func.sum(LoopTally.count))
                                      .where(LoopTally.week >= first_week).group_by(LoopTally.latest)).all())
    waiting = {respondent_key(customer_id, row_id)
               for row_id, customer_id in db.session.execute(select(Response.id, _customer()).where(WAITING))}
    corrections = []
    if waiting:
        kept, current = _kept(waiting), metrics.latest_reach(_awaiting(waiting, as_swept=True))
        corrections = [(kept.get(person), current.get(person)) for person in waiting]
    return metrics.kept_share(counted, first_week, corrections)


# ---------------------------------------------------------------- from scratch

def rebuild() -> int:
    """Every person's row and the weekly counts from the answers marked as awaiting a call (`feedback rebuild
    tallies`, after the marks), inside the caller's transaction. Returns how many people were counted."""
    db.session.execute(delete(LoopPerson))
    db.session.execute(delete(LoopTally))
    customer = _customer()
    rows = db.session.execute(select(Response.id, customer, Response.answered_at, _reached(customer))
                              .where(Response.awaits_contact == true()))
    people = metrics.latest_reach((respondent_key(customer_id, row_id), answered_at, bool(reached))
                                  for row_id, customer_id, answered_at, reached in rows)
    _store({}, people)
    return len(people)


def snapshot() -> dict[str, dict]:
    """Every person's row and every non-zero count, for comparing kept and recomputed figures."""
    return {"loop_person": dict(_kept_all()),
            "loop_tally": {(week, latest): n for week, latest, n in db.session.execute(
                select(LoopTally.week, LoopTally.latest, LoopTally.count).where(LoopTally.count != 0))}}


def _kept_all():
    for person, awaiting, reached in db.session.execute(
            select(LoopPerson.person, LoopPerson.awaiting_week, LoopPerson.reached_week)):
        yield person, metrics.Reach(awaiting, reached)
