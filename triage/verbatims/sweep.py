"""The sweep: every new or changed answer is counted into the tallies and, if it has text, classified.

Run by the scheduler every few seconds and by `feedback triage sweep`. It takes the answers waiting for it
in batches (surveys.answering.tallies.claim_waiting) until none is left — no fixed amount per run — and commits each
batch whole: the claim, the score tallies, the triage records and, through triage.verbatims.tallies, their counts,
the marks of answers awaiting a call (praise awaits none: triage.loop.praise), and the loop figure's people
(triage.loop.reach).
When nothing waits it costs two index lookups. After a new model is activated, the records an older model
made (and nobody confirmed) are put back in the queue a batch at a time, so a retrain re-classifies
everything without one long transaction that would hold up the survey POST.
"""
from __future__ import annotations

from collections import Counter
from typing import Callable

from sqlalchemy import bindparam, exists, func, literal, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from feedback_app.core.extensions import db
from surveys.answering import tallies as score_tallies
from surveys.models import Response, Survey
from surveys.people.respondents import answer_scale
from surveys.scales.kinds import band
from triage.classification import teaching
from triage.classification.services import classified_data
from triage.language.themes import candidate_groups, choose_groups
from triage.loop import praise, reach
from triage.models import ThemeGroup, TriageItem
from triage.verbatims import review_order
from triage.verbatims import tallies  # noqa: F401  (keeps the triage counts beside every change of a record)
from webhooks.events import RESPONSE_CLASSIFIED, emit_many

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
        marked = {response.id for response, _ in answers if response.awaits_contact}
        score_tallies.count(answers)
        done, items = _triage(answers, classify, model_version)
        classified += done
        _mark_praise(answers, items)
        # Marked before or now: the people they await a call from, as the loop figure keeps them.
        reach.answers_changed(marked | {response.id for response, _ in answers if response.awaits_contact})
        db.session.commit()


def _triage(answers, classify: Classify, model_version: int) -> tuple[int, dict[int, TriageItem]]:
    """Classify what needs it; how many were, and each answer's record by answer id (those with words)."""
    items = {item.response_id: item for item in db.session.scalars(
        select(TriageItem).where(TriageItem.response_id.in_([response.id for response, _ in answers])))}
    classified, regroup, new, fresh_items, retyped = 0, [], [], [], []
    for response, kind in answers:
        item = items.get(response.id)
        if not response.comment:  # no text (an edit may have removed it): nothing to triage
            if item is not None:
                db.session.delete(item)
            continue
        if item is None:
            item = TriageItem(response_id=response.id, response=response)
            new.append(item)
        type_before = item.type_key
        fresh = classify(item, response)
        classified += fresh
        if fresh:
            fresh_items.append(item)
            if item.type_key != type_before:  # a webhook hears of a new or changed type
                retyped.append(classified_data(item, response.comment))
        if fresh or (item.theme_group is None and item.theme_key):  # a new theme, or one from before groups
            regroup.append(item)
        copy_answer(item, response, kind)
        db.session.add(item)
        items[response.id] = item
    _number_new_records(new)
    assign_groups(regroup)
    review_order.prioritise(fresh_items, model_version)
    if retyped:
        emit_many(RESPONSE_CLASSIFIED, retyped, fresh_items[0].classified_at)
    return classified, items


def _mark_praise(answers, items: dict[int, TriageItem]) -> None:
    """The marks the scale gave (surveys.answering.tallies.count), corrected now that the types are known:
    praise awaits no call (triage.loop.policy)."""
    swept = [praise.Marked(response.id, kind, response.score, response.comment, response.may_contact,
                           response.awaits_contact, items[response.id].type_key)
             for response, kind in answers if response.comment and response.id in items]
    changed = set(praise.remark(swept))
    for response, _ in answers:
        if response.id in changed:
            set_committed_value(response, "awaits_contact", not response.awaits_contact)


def _number_new_records(items: list[TriageItem]) -> None:
    """On PostgreSQL, new records take their ids from the sequence up front, in one statement. The ORM then
    inserts them as one prepared statement run for every row (psycopg's pipelined executemany) instead of
    500-row INSERT … RETURNING statements, each parsed afresh by psycopg and planned afresh by the server."""
    if not items or db.session.get_bind().dialect.name != "postgresql":
        return
    sequence = func.nextval(literal(f"{TriageItem.__tablename__}_id_seq"))
    with db.session.no_autoflush:  # the records are to be inserted with these ids, not before
        ids = db.session.scalars(select(sequence).select_from(func.generate_series(1, len(items)))).all()
    for item, item_id in zip(items, ids):
        item.id = item_id


def copy_answer(item: TriageItem, response: Response, kind: str | None) -> None:
    """What the triage list filters and sorts on, copied from the answer."""
    item.answered_at, item.survey_id, item.band = response.answered_at, response.survey_id, band(kind, response.score)


def assign_groups(items: list[TriageItem]) -> None:
    """The theme group of each record just classified (themes.choose_groups): the candidate with the most
    members, counting the groups as they are and these records together."""
    candidates = [candidate_groups(tuple(item.theme_key.split())) if item.theme_key else [] for item in items]
    keys = {key for pairs in candidates for key in pairs}
    # No autoflush: the records would be INSERTed now and UPDATEd with their group at commit, two versions of
    # each row. The groups' sizes do not depend on them yet (a record without its group is in none).
    with db.session.no_autoflush:
        sizes = dict(db.session.execute(select(ThemeGroup.key, ThemeGroup.size)
                                        .where(ThemeGroup.key.in_(keys))).all()) if keys else {}
    groups = choose_groups(candidates, sizes)
    moved = [(item, group) for item, group in zip(items, groups) if group != item.theme_group or item.group_rank is None]
    ranks = teaching.ranks_in_groups([group for _, group in moved], sizes)
    for (item, group), rank in zip(moved, ranks):
        # The review order's diversity (triage.classification.teaching): later members of a group count less.
        item.review_priority = teaching.regrouped(item.review_priority or 0, item.group_rank, rank)
        item.theme_group, item.group_rank = group, rank


def _requeue_outdated(version: int, batch: int) -> int:
    """Put back in the queue a batch of answers whose record an older model made and nobody confirmed."""
    # Two ranges of ix_triage_item_model, not "!= version": when every record is the current model's (the
    # idle case, every 10 s) each range is empty at once, where "!=" walks the whole index.
    other_model = or_(TriageItem.model_version < version, TriageItem.model_version > version)
    outdated = (select(TriageItem.response_id)
                .where(TriageItem.confirmed.is_(False), other_model)
                .order_by(TriageItem.model_version, TriageItem.id).limit(batch))
    return db.session.execute(update(Response).where(Response.id.in_(outdated.scalar_subquery()),
                                                     Response.pending.is_(False))
                              .values(pending=True).execution_options(synchronize_session=False)).rowcount


def requeue_untriaged() -> int:
    """Answers with words and no triage record go back to the sweep (after `feedback rebuild tallies` has
    counted everything and marked nothing as waiting): nothing with text stays unclassified."""
    return db.session.execute(
        update(Response).where(Response.comment != "", ~exists().where(TriageItem.response_id == Response.id))
        .values(pending=True)).rowcount


def refresh_copies(progress=lambda n: None, chunk: int = 10_000) -> int:
    """Copy again what every record holds of its answer (`feedback rebuild tallies`, and after an upgrade),
    and give a theme group to a record that has none (in the order records were made, by the same rule as
    the sweep). A record's group, once chosen, is kept: it is a decision, like its type; what is rebuilt
    are the counts.

    Plain statements, not the ORM: the counts are rebuilt from the records right after, so the hook that
    moves them with each change has nothing to do here.
    """
    table, done, after = TriageItem.__table__, 0, 0
    sizes = Counter(dict(db.session.execute(select(TriageItem.theme_group, func.count()).where(
        TriageItem.theme_group.is_not(None)).group_by(TriageItem.theme_group)).all()))
    copies = (update(table).where(table.c.id == bindparam("item_id"))
              .values(answered_at=bindparam("answered_at"), survey_id=bindparam("survey_id"),
                      band=bindparam("band"), theme_group=bindparam("theme_group")))
    while rows := db.session.execute(
            select(TriageItem.id, TriageItem.theme_key, TriageItem.theme_group, Response.answered_at,
                   Response.survey_id, Response.score, answer_scale())
            .join(Response, Response.id == TriageItem.response_id).outerjoin(Survey, Survey.id == Response.survey_id)
            .where(TriageItem.id > after).order_by(TriageItem.id).limit(chunk)).all():
        groups = _missing_groups(rows, sizes)
        db.session.connection().execute(copies, [
            {"item_id": item_id, "answered_at": answered_at, "survey_id": survey_id, "band": band(kind, score),
             "theme_group": group or groups.get(item_id)}
            for item_id, _, group, answered_at, survey_id, score, kind in rows])
        done, after = done + len(rows), rows[-1][0]
        progress(len(rows))
    return done


def _missing_groups(rows, sizes: Counter) -> dict[int, str | None]:
    lacking = [(row[0], candidate_groups(tuple(row[1].split()))) for row in rows if row[1] and row[2] is None]
    chosen = dict(zip([item_id for item_id, _ in lacking], choose_groups([c for _, c in lacking], sizes)))
    sizes.update(group for group in chosen.values() if group)
    return chosen
