"""Praise awaits no follow-up: keeps each answer's "awaits a call" mark (Response.awaits_contact) as
triage.loop.policy.awaits_a_call decides once its verbatim's type is known.

The sweep marks an answer by its scale (surveys.answering.tallies.count) and, having classified it, corrects
the mark here (`remark`). A type changed outside the sweep — a triager's correction or confirmation, the API's
— is seen by the listeners below: when a record crosses between praise and the problems, its answer is marked
again in the same flush, and the loop figure's people follow before the commit (triage.loop.reach). Answers still waiting for
the sweep are left to it. `feedback rebuild tallies` marks every answer by its scale, then `rebuild` takes the
mark off praise.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, event, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from feedback_app.core.extensions import db
from surveys.models import Response, Survey
from surveys.people.respondents import answer_scale
from triage.classification.problems import crossed_the_praise_line
from triage.classification.types import NOT_PROBLEM_KEYS
from triage.loop import policy, reach
from triage.models import TriageItem

PENDING = "triage.loop.praise"  # Session.info keys: answers whose verbatim crossed the line in this flush,
REMARKED = "triage.loop.praise.remarked"  # and those whose mark changed since, for the loop figure


@dataclass(frozen=True)
class Marked:
    """An answer as its mark is decided: its scale, what it says, and its verbatim's type."""
    response_id: int
    kind: str | None
    score: int | None
    comment: str
    may_contact: bool
    awaits_contact: bool  # the mark it holds
    type_key: str | None


def remark(answers: list[Marked]) -> list[int]:
    """Store each answer's mark as the policy decides (in the caller's transaction); the ids whose mark changed."""
    changed = [{"row_id": a.response_id, "awaits": awaits} for a in answers
               if (awaits := policy.awaits_a_call(a.kind, a.score, bool(a.comment.strip()), a.may_contact,
                                                  a.type_key)) != a.awaits_contact]
    if changed:
        table = Response.__table__
        db.session.execute(table.update().where(table.c.id == bindparam("row_id"))
                           .values(awaits_contact=bindparam("awaits")), changed)
    return [row["row_id"] for row in changed]


def rebuild() -> int:
    """Take the mark off every answer whose verbatim is praise (after the marks were recounted by scale alone)."""
    praise = select(TriageItem.response_id).where(TriageItem.type_key.in_(sorted(NOT_PROBLEM_KEYS)))
    return db.session.execute(update(Response).where(Response.awaits_contact.is_(True), Response.id.in_(praise))
                              .values(awaits_contact=False).execution_options(synchronize_session=False)).rowcount


@event.listens_for(Session, "before_flush")
def _note_crossings(session: Session, _context, _instances) -> None:
    crossed = {item.response_id for item in session.dirty if isinstance(item, TriageItem) and crossed_the_praise_line(item)}
    if crossed:
        session.info.setdefault(PENDING, set()).update(crossed)


@event.listens_for(Session, "after_flush")
def _mark_again(session: Session, _context) -> None:
    response_ids = session.info.pop(PENDING, None)
    if not response_ids:
        return
    rows = db.session.execute(
        select(Response.id, answer_scale(), Response.score, Response.comment, Response.may_contact,
               Response.awaits_contact, TriageItem.type_key)
        .outerjoin(Survey, Survey.id == Response.survey_id).join(TriageItem, TriageItem.response_id == Response.id)
        .where(Response.id.in_(sorted(response_ids)), Response.pending.is_(False)))
    changed = remark([Marked(*row) for row in rows])
    for response_id in changed:  # an answer already loaded reads its new mark, not the one it held
        loaded = session.identity_map.get(identity_key(Response, response_id))
        if loaded is not None:
            session.expire(loaded, ["awaits_contact"])
    session.info.setdefault(REMARKED, set()).update(changed)


@event.listens_for(Session, "before_commit")
def _tell_reach(session: Session) -> None:
    """The loop figure's people follow the marks, before the commit (reach flushes, which a flush's own
    listener may not)."""
    session.flush()
    remarked = session.info.pop(REMARKED, None)
    if remarked:
        reach.answers_changed(sorted(remarked))
