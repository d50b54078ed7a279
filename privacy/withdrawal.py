"""Classifier models that may hold an erased customer's words are withdrawn.

A model is stored as JSON whose feature names are the words, word pairs and letter groups of the texts
it was trained on; a triager's confirmation or correction made the customer's text a training example.
Every model created since their earliest answer that became one is therefore withdrawn: its JSON is
emptied (the row stays, with its evaluation, so the model history keeps its numbers) and it is no longer
active. Conservative on purpose — a fifth of team labels is held out and never trained on, but
telling which texts a past model really saw is exactly the kind of guess an erasure must not make.

With no active model the next classification trains one first (triage.classification.learning.ensure_model): the
scheduler's sweep does so within seconds, `feedback customers erase` at once.
"""
from __future__ import annotations

from sqlalchemy import delete, func, select

from feedback_app.core.extensions import db
from surveys.models import Response
from triage.models import EncoderHead, ModelVersion, TrainingExample

WITHDRAWN = "withdrawn: it learnt from text erased on request"


def withdraw_models(response_ids: list[int]) -> tuple[int, bool]:
    """Before their training examples are deleted. Returns (models withdrawn, whether the active one was)."""
    if not response_ids:
        return 0, False
    # The earlier of the answer's date and the label's: an answer's text cannot be in a model older than it.
    answered, labelled = db.session.execute(
        select(func.min(Response.answered_at), func.min(TrainingExample.created_at))
        .join(Response, Response.id == TrainingExample.response_id)
        .where(TrainingExample.response_id.in_(response_ids))).one()
    if labelled is None:
        return 0, False
    since = min(answered, labelled)
    tainted = db.session.scalars(select(ModelVersion).where(ModelVersion.created_at >= since,
                                                            ModelVersion.model != "")).all()
    # The optional encoder's heads learned from the same labels (triage.classification.encoder): gone with them.
    db.session.execute(delete(EncoderHead).where(EncoderHead.created_at >= since))
    was_active = any(model.active for model in tainted)
    for model in tainted:
        model.model, model.active = "", False
        model.note = f"{WITHDRAWN} ({model.note})"[:300] if model.note else WITHDRAWN
    return len(tainted), was_active
