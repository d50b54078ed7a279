"""The sweep: every new or changed answer is counted into the tallies and, if it has text, classified.

Run by the scheduler every few seconds and by `feedback triage sweep`. It takes the answers waiting for it
in batches (surveys.tallies.claim_waiting) until none is left — no fixed amount per run — and commits each
batch whole: the claim, the score tallies, the triage records and, through triage.tallies, their counts.
When nothing waits it costs two index lookups. After a new model is activated, the records an older model
made (and nobody confirmed) are put back in the queue a batch at a time, so a retrain re-classifies
everything without one long transaction that would hold up the survey POST.
"""
from __future__ import annotations

from typing import Callable

from sqlalchemy import bindparam, func, select, update

from feedback_app.extensions import db
from surveys import tallies as score_tallies
from surveys.kinds import band
from surveys.models import Response, Survey

from . import tallies  # noqa: F401  (keeps the triage counts beside every change of a record)
from .models import TriageItem
from .themes import group_key

BATCH = 500


Classify = Callable[[TriageItem, Response], bool]


def sweep(model_version: int, classify: Classify, batch: int = BATCH) -> int:
    """Sweep until nothing waits; returns how many verbatims were classified.

    `classify(item, response)` classifies one record if it needs it and says whether it did. The caller
    loads (or, on a new installation, trains) the active model before any claim holds a lock.
    """
    classified = 0
    while True:
        claimed = score_tallies.claim_waiting(batch)
        if not claimed:
            if _requeue_outdated(model_version, batch):
                db.session.commit()
                continue
            db.session.rollback()
            return classified
        answers = score_tallies.claimed_answers(claimed)
        score_tallies.count(answers)
        classified += _triage(answers, classify)
        db.session.commit()


def _triage(answers, classify: Classify) -> int:
    items = {item.response_id: item for item in db.session.scalars(
        select(TriageItem).where(TriageItem.response_id.in_([response.id for response, _ in answers])))}
    classified = 0
    for response, kind in answers:
        item = items.get(response.id)
        if not response.comment:  # no text (an edit may have removed it): nothing to triage
            if item is not None:
                db.session.delete(item)
            continue
        item = item or TriageItem(response_id=response.id, response=response)
        classified += classify(item, response)
        copy_answer(item, response, kind)
        db.session.add(item)
    return classified


def copy_answer(item: TriageItem, response: Response, kind: str | None) -> None:
    """What the triage list filters and sorts on, copied from the answer; and the record's theme group."""
    item.answered_at, item.survey_id, item.band = response.answered_at, response.survey_id, band(kind, response.score)
    item.theme_group = group_key(tuple(item.theme_key.split())) if item.theme_key else None


def _requeue_outdated(version: int, batch: int) -> int:
    """Put back in the queue a batch of answers whose record an older model made and nobody confirmed."""
    outdated = (select(TriageItem.response_id)
                .where(TriageItem.confirmed.is_(False), TriageItem.model_version != version)
                .order_by(TriageItem.model_version, TriageItem.id).limit(batch))
    return db.session.execute(update(Response).where(Response.id.in_(outdated.scalar_subquery()),
                                                     Response.pending.is_(False))
                              .values(pending=True).execution_options(synchronize_session=False)).rowcount


def refresh_copies(progress=lambda n: None, chunk: int = 10_000) -> int:
    """Copy again what every record holds of its answer (`feedback rebuild tallies`, and after an upgrade).

    Plain statements, not the ORM: the counts are rebuilt from the records right after, so the hook that
    moves them with each change has nothing to do here.
    """
    table, done, after = TriageItem.__table__, 0, 0
    copies = (update(table).where(table.c.id == bindparam("item_id"))
              .values(answered_at=bindparam("answered_at"), survey_id=bindparam("survey_id"),
                      band=bindparam("band"), theme_group=bindparam("theme_group")))
    while rows := db.session.execute(
            select(TriageItem.id, TriageItem.theme_key, Response.answered_at, Response.survey_id, Response.score,
                   func.coalesce(Response.kind, Survey.kind))
            .join(Response, Response.id == TriageItem.response_id).outerjoin(Survey, Survey.id == Response.survey_id)
            .where(TriageItem.id > after).order_by(TriageItem.id).limit(chunk)).all():
        db.session.connection().execute(copies, [
            {"item_id": item_id, "answered_at": answered_at, "survey_id": survey_id, "band": band(kind, score),
             "theme_group": group_key(tuple(theme_key.split())) if theme_key else None}
            for item_id, theme_key, answered_at, survey_id, score, kind in rows])
        done, after = done + len(rows), rows[-1][0]
        progress(len(rows))
    return done
