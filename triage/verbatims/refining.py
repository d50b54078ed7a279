"""The encoder's refinement, in the background: verbatims the fast model classified get a second opinion from the
optional multilingual encoder, and their type, confidence and review mark follow the blend of both.

Run by the scheduler (never by the web process: embedding takes ~1/30 s a text). Only records nobody confirmed,
classified by the active fast model, are refined, each once per encoder head (TriageItem.refined_by); a new
classification by the sweep (an edited answer, a new model) marks the record unrefined again. Each batch is read,
embedded outside any write, then written in its own commit, after checking nothing changed meanwhile.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Callable

from sqlalchemy import select

from feedback_app.core.extensions import db
from surveys.models import Response
from triage.classification import encoder, refinement
from triage.classification.learning import active_model
from triage.classification.services import set_refined_review_priority
from triage.models import TriageItem

BATCH = 32
TRAINING_STEP = 64      # corpus lines embedded per step while the head waits for them: ~3 s, so a stop is heard soon
PROGRESS_EVERY = 1_000  # while they wait, the log says how many are left each time a thousand more are done

log = logging.getLogger(__name__)


def refine_pending(now: datetime, review_below: float, stop: Callable[[], bool] = lambda: False,
                   batch: int = BATCH) -> int:
    """Refine what waits, batch after batch, until nothing does or `stop()` says so. Returns how many records
    were refined. Without the extra (or switched off), or before the first fast model, does nothing."""
    if not encoder.available():
        return 0
    model = active_model()
    head = _head_for(model, now, stop) if model else None
    if head is None:
        db.session.rollback()
        return 0
    (version, classifier), (head_id, head_model) = model, head
    refined = 0
    while not stop():
        waiting = _waiting(version, head_id, batch)
        if not waiting:
            break
        refined += _refine(waiting, version, classifier, head_id, head_model, now, review_below)
    db.session.rollback()
    return refined


def _head_for(model, now: datetime, stop: Callable[[], bool]):
    """(id, head) trained beside the active fast model; trained first if need be, once the texts it learns from
    are embedded (a step at a time, so `stop` is heard). None while they are not all embedded yet."""
    current = encoder.active_head()
    if current is not None and current[1] == model[0]:
        return current[0], current[2]
    reported = None
    while left := encoder.embed_training_texts(now, TRAINING_STEP):
        if reported is None or left // PROGRESS_EVERY < reported:  # a first install: minutes, so say how it goes
            log.info("encoder: %d corpus lines and team labels left to embed before it can refine", left)
            reported = left // PROGRESS_EVERY
        if stop():
            return None
    if encoder.train_encoder_head(now) is None:
        return None
    current = encoder.active_head()
    return current[0], current[2]


def _waiting(version: int, head_id: int, batch: int) -> list:
    """(record id, text, answer version) of the next records to refine: never refined first, then the oldest
    heads' (ix_triage_item_refine is read in order)."""
    rows = db.session.execute(
        select(TriageItem.id, Response.comment, TriageItem.response_updated_at)
        .join(Response, Response.id == TriageItem.response_id)
        .where(TriageItem.confirmed.is_(False), TriageItem.model_version == version, TriageItem.refined_by < head_id)
        .order_by(TriageItem.refined_by, TriageItem.id).limit(batch)).all()
    db.session.rollback()  # the read ends here: embedding is slow and holds nothing
    return rows


def _refine(waiting: list, version: int, classifier, head_id: int, head: encoder.Head, now: datetime,
            review_below: float) -> int:
    found = encoder.vectors([text for _, text, _ in waiting], now)
    expected = {item_id: (text, answered) for item_id, text, answered in waiting}
    items = db.session.scalars(select(TriageItem).where(TriageItem.id.in_(expected)).with_for_update()).all()
    refined = 0
    for item in items:
        text, answer_version = expected[item.id]
        if item.confirmed or item.model_version != version or item.response_updated_at != answer_version:
            continue  # confirmed, or classified again meanwhile: the sweep's new classification waits its turn
        fast = classifier.classify(text)
        verdict = refinement.refine(fast.probabilities, head.probabilities(found[encoder.text_key(text)]), review_below)
        if verdict is not None:
            # The fast model's reasons explain its own choice; for another type they would mislead.
            item.reasons = list(fast.reasons) if verdict.type == fast.type else []
            item.type_key, item.confidence, item.needs_review = verdict.type, round(verdict.confidence, 4), \
                verdict.needs_review
            set_refined_review_priority(item, verdict.probabilities)
        item.refined_by = head_id
        refined += 1
    db.session.commit()
    return refined
