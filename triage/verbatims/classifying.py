"""Classifying the verbatims the team reads: every answer waiting swept and classified (the scheduler's job),
one verbatim classified at once (channel feedback), a verbatim corrected before the sweep reached it.

The classifier and the team's labels are triage.classification's; this module applies them to the triage
records the sweep keeps. Each public function that changes data owns its one commit (classify_response: the
caller's)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from feedback_app.core.extensions import db
from feedback_app.core.refusals import N_
from surveys.models import Response
from surveys.people.respondents import scale_of_answer
from triage.classification.custom_types import TriageError, type_keys
from triage.classification.learning import ensure_model
from triage.classification.services import apply_model, label
from triage.models import TriageItem
from triage.verbatims import review_order, sweep


def classify_pending(now: datetime, review_below: float, limit: int = sweep.BATCH) -> int:
    """Sweep every answer waiting: count it, classify its text if it has none, changed since, or an older
    model made it (confirmed records keep the person's type). Returns how many verbatims were classified.

    Run by the scheduler every few seconds, so nothing stays unclassified and the survey POST does
    no classification work.
    """
    version, classifier = ensure_model(now)  # trained (on a new installation) before any claim holds a lock

    def classify(item: TriageItem, response: Response) -> bool:
        if item.id is not None and item.response_updated_at == response.updated_at and (
                item.model_version == version or item.confirmed):
            return False
        apply_model(item, response, classifier, version, now, review_below)
        return True

    return sweep.sweep(version, classify, limit)


def classify_response(response: Response, now: datetime, review_below: float) -> TriageItem | None:
    """Classify one verbatim now, inside the caller's transaction (no commit): channel feedback
    answers with its type at once. An answer without text gets no triage record, as in the sweep."""
    if not response.comment:
        return None
    version, classifier = ensure_model(now)
    item = db.session.scalar(select(TriageItem).where(TriageItem.response_id == response.id)) \
        if response.id is not None else None
    item = item or TriageItem(response=response)
    apply_model(item, response, classifier, version, now, review_below)
    review_order.prioritise([item], version)
    sweep.copy_answer(item, response, scale_of_answer(response))
    return item


def correct_response(response: Response, type_key: str, user_id: int | None, now: datetime,
                     review_below: float) -> TriageItem:
    """A correction of a verbatim the sweep may not have reached yet: classified first, in the same
    commit, so the correction and its training example never wait for the scheduler."""
    if type_key not in type_keys():
        raise TriageError(N_("unknown type '%(key)s' (known: %(known)s)"), key=type_key, known=", ".join(type_keys()))
    if not response.comment:
        raise TriageError(N_("this answer has no text, so there is no type to correct and nothing to learn from"))
    item = db.session.scalar(select(TriageItem).where(TriageItem.response_id == response.id)) \
        or classify_response(response, now, review_below)
    label(item, type_key, "correction", user_id, now)
    db.session.commit()
    return item
