"""The score tallies (ScoreTally): how many answers gave each score, per survey or channel, scale and week,
kept up to date by the sweep so results pages and the dashboard read counts instead of every answer.

An answer waits for the sweep (`Response.pending`) when it arrives and again when it is edited. The sweep
claims a batch of waiting answers (row locks with SKIP LOCKED on PostgreSQL, a conditional UPDATE on SQLite,
so several sweepers share the work and none counts an answer twice), moves each from what the tallies held for it
(`tallied`, `tallied_score`) to what it is now, and commits that with the claim: a crash leaves the answers
waiting, never counted half. Also noted then: whether the answer awaits a call (unhappy, wrote why, may be
contacted), for the follow-ups and the loop figures.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterable

from sqlalchemy import bindparam, func, select, true, update
from sqlalchemy.orm.attributes import set_committed_value

from feedback_app.core.extensions import db
from feedback_app.core.sql import add_to_counters
from surveys.models import Response, ScoreTally, Survey
from surveys.people.respondents import answer_scale
from surveys.scales.kinds import awaits_a_call
from surveys.scales.scoring import week_start

KEYS = ("survey_id", "channel", "kind", "week", "score")
# "= true", not "IS true": the form both databases match against the partial index's condition.
WAITING = Response.pending == true()
SKIPPED = -1  # a skipped scale, in a key that may not be NULL
NO_SURVEY = 0  # feedback from another channel
NO_KIND = ""  # feedback from another channel without a score: counted, so the tallies also say how many answers


def claim_waiting(limit: int) -> list[int]:
    """Take up to `limit` answers waiting for the sweep, oldest first, inside the caller's transaction; `count`
    marks them as no longer waiting."""
    waiting = select(Response.id).where(WAITING).order_by(Response.id).limit(limit)
    if db.session.get_bind().dialect.name == "postgresql":
        # Row locks, SKIP LOCKED: several sweepers each take their own rows. No write yet: the answer is
        # written once, by `count`, as every version of a row PostgreSQL writes enters all its indexes
        # (pending is in partial indexes' conditions, so the update is never HOT).
        return list(db.session.scalars(waiting.with_for_update(skip_locked=True)))
    # SQLite: the UPDATE takes the database's write lock at once, so a second sweeper waits and then
    # finds these answers claimed.
    claimed = db.session.execute(update(Response).where(Response.id.in_(waiting.scalar_subquery()))
                                 .values(pending=False).returning(Response.id)
                                 .execution_options(synchronize_session=False))
    return sorted(claimed.scalars())


def claimed_answers(ids: list[int]) -> list[tuple[Response, str | None]]:
    """The claimed answers with their scale (a survey's kind, or a channel's own)."""
    rows = db.session.execute(select(Response, answer_scale()).outerjoin(Survey, Survey.id == Response.survey_id)
                              .where(Response.id.in_(ids)).order_by(Response.id)).all()
    return [(response, kind) for response, kind in rows]


def count(answers: list[tuple[Response, str | None]]) -> None:
    """Move each answer's contribution in the tallies to its current score (inside the caller's transaction)."""
    deltas: Counter = Counter()
    marks = []
    for response, kind in answers:
        key = _key(response.survey_id, response.channel, kind, response.answered_at)
        if response.tallied:
            deltas[(*key, _stored(response.tallied_score))] -= 1
        deltas[(*key, _stored(response.score))] += 1
        marks.append({"row_id": response.id, "new_score": response.score,
                      "new_awaits": awaits_a_call(kind, response.score, bool(response.comment.strip()),
                                                  response.may_contact)})
    add_to_counters(ScoreTally.__table__, KEYS, deltas)
    _mark_counted(marks)
    for (response, _), mark in zip(answers, marks):  # what the rows now hold, without another write at flush
        for name, value in (("pending", False), ("tallied", True), ("tallied_score", mark["new_score"]),
                            ("awaits_contact", mark["new_awaits"])):
            set_committed_value(response, name, value)


def _mark_counted(marks: list[dict]) -> None:
    """One executemany, every row the same statement. Through the ORM's flush, answers whose flags changed
    differently (a score or none, marked or not) went out as ~2,600 small statements per 10,000 answers."""
    if not marks:
        return
    table = Response.__table__
    db.session.execute(table.update().where(table.c.id == bindparam("row_id"))
                       .values(pending=False, tallied=True, tallied_score=bindparam("new_score"),
                               awaits_contact=bindparam("new_awaits")), marks)


def _key(survey_id: int | None, channel: str, kind: str | None, answered_at: datetime) -> tuple:
    """An answer's tally row but its score (the keys are never NULL)."""
    return survey_id or NO_SURVEY, channel, kind or NO_KIND, week_start(answered_at)


def _stored(score: int | None) -> int:
    return SKIPPED if score is None else score


def tally_of(rows: Iterable[tuple[int, int]]) -> Counter:
    """(score as stored, count) rows → a scoring.Tally (None for skipped)."""
    tally: Counter = Counter()
    for score, n in rows:
        tally[None if score == SKIPPED else score] += n
    return tally


def rebuild(progress=lambda n: None, chunk: int = 10_000) -> int:
    """Recount every answer from scratch (`feedback rebuild tallies`): the tallies, and what each answer
    says it holds in them, inside the caller's transaction. Returns how many answers were counted.

    Rows, not ORM objects (a million answers in about a minute): the same keys as `count`, each chunk's
    answers marked in one executemany."""
    db.session.execute(ScoreTally.__table__.delete())
    kind = answer_scale()
    counted, after = 0, 0
    while rows := db.session.execute(
            select(Response.id, Response.survey_id, Response.channel, kind, Response.answered_at, Response.score,
                   Response.comment, Response.may_contact)
            .outerjoin(Survey, Survey.id == Response.survey_id)
            .where(Response.id > after).order_by(Response.id).limit(chunk)).all():
        deltas: Counter = Counter()
        marks = []
        for row_id, survey_id, channel, scale, answered_at, score, comment, may_contact in rows:
            deltas[(*_key(survey_id, channel, scale, answered_at), _stored(score))] += 1
            marks.append({"row_id": row_id, "new_score": score,
                          "new_awaits": awaits_a_call(scale, score, bool(comment.strip()), may_contact)})
        add_to_counters(ScoreTally.__table__, KEYS, deltas)
        _mark_counted(marks)
        counted, after = counted + len(rows), rows[-1][0]
        progress(len(rows))
    db.session.expire_all()  # answers loaded before now hold the old flags
    return counted


def snapshot() -> dict[tuple, int]:
    """Every non-zero tally, for comparing kept and recounted figures."""
    table = ScoreTally.__table__
    return {tuple(row[:-1]): row[-1] for row in db.session.execute(
        select(*[table.c[k] for k in KEYS], table.c.count).where(table.c.count != 0))}


# ---------------------------------------------------------------- reading

@dataclass(frozen=True)
class Waiting:
    """An answer the sweep has not reached yet: what the tallies hold for it and what it is now."""
    id: int
    survey_id: int | None
    channel: str
    kind: str | None
    answered_at: datetime
    score: int | None
    tallied: bool
    tallied_score: int | None
    comment: str
    may_contact: bool


def waiting() -> list[Waiting]:
    """The sweep's backlog: seconds' worth of answers, read through the partial index on `pending`."""
    rows = db.session.execute(
        select(Response.id, Response.survey_id, Response.channel, answer_scale(),
               Response.answered_at, Response.score, Response.tallied, Response.tallied_score, Response.comment,
               Response.may_contact)
        .outerjoin(Survey, Survey.id == Response.survey_id).where(WAITING))
    return [Waiting(*row) for row in rows]


def weekly(survey_id: int | None = None, channel: str | None = None,
           first_week: date | None = None) -> dict[tuple[str, date], Counter]:
    """Score tallies per (kind, week): the kept ones, corrected by the answers the sweep has not reached yet,
    so a page shows an answer given a second ago."""
    query = (select(ScoreTally.kind, ScoreTally.week, ScoreTally.score, func.sum(ScoreTally.count))
             .group_by(ScoreTally.kind, ScoreTally.week, ScoreTally.score))
    if survey_id is not None:
        query = query.where(ScoreTally.survey_id == survey_id)
    if channel is not None:
        query = query.where(ScoreTally.channel == channel)
    if first_week is not None:
        query = query.where(ScoreTally.week >= first_week)
    weeks: dict[tuple[str, date], Counter] = defaultdict(Counter)
    for kind, week, score, n in db.session.execute(query):
        weeks[(kind, week)][None if score == SKIPPED else score] += n
    for answer in waiting():
        week = week_start(answer.answered_at)
        if (survey_id is not None and answer.survey_id != survey_id) or (
                channel is not None and answer.channel != channel) or (first_week and week < first_week):
            continue
        kind = answer.kind or NO_KIND
        if answer.tallied:
            weeks[(kind, week)][answer.tallied_score] -= 1
        weeks[(kind, week)][answer.score] += 1
    return {key: +tally for key, tally in weeks.items() if sum(tally.values()) > 0}


def by_source(first_week: date | None = None) -> Counter:
    """Scores per source (the channel: survey, support-email, …) since `first_week`: the kept tallies of answers with
    a score, corrected by the answers the sweep has not reached yet."""
    query = (select(ScoreTally.channel, func.sum(ScoreTally.count))
             .where(ScoreTally.kind != NO_KIND, ScoreTally.score != SKIPPED).group_by(ScoreTally.channel))
    if first_week is not None:
        query = query.where(ScoreTally.week >= first_week)
    sources: Counter = Counter(dict(db.session.execute(query).all()))
    for answer in waiting():
        if answer.kind and (first_week is None or week_start(answer.answered_at) >= first_week):
            sources[answer.channel] += (answer.score is not None) - (answer.tallied and answer.tallied_score is not None)
    return +sources


def by_touchpoint(first_week: date | None = None) -> dict[tuple[str, str], Counter]:
    """Score tallies per (touchpoint, kind) of the surveys tagged with one: the kept tallies joined to their surveys
    in one grouped statement (a few rows per survey and week, never the answers), corrected by the answers the sweep
    has not reached yet."""
    query = (select(Survey.touchpoint, ScoreTally.kind, ScoreTally.score, func.sum(ScoreTally.count))
             .join(Survey, Survey.id == ScoreTally.survey_id).where(Survey.touchpoint.is_not(None))
             .group_by(Survey.touchpoint, ScoreTally.kind, ScoreTally.score))
    if first_week is not None:
        query = query.where(ScoreTally.week >= first_week)
    points: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for touchpoint, kind, score, n in db.session.execute(query):
        points[(touchpoint, kind)][None if score == SKIPPED else score] += n
    backlog = [answer for answer in waiting() if answer.survey_id and (
        first_week is None or week_start(answer.answered_at) >= first_week)]
    touchpoints = dict(db.session.execute(select(Survey.id, Survey.touchpoint).where(
        Survey.id.in_({answer.survey_id for answer in backlog}), Survey.touchpoint.is_not(None))).all()) if backlog else {}
    for answer in backlog:
        if (touchpoint := touchpoints.get(answer.survey_id)) is not None:
            if answer.tallied:
                points[(touchpoint, answer.kind)][answer.tallied_score] -= 1
            points[(touchpoint, answer.kind)][answer.score] += 1
    return {key: +tally for key, tally in points.items() if sum(tally.values()) > 0}
