"""The classifier applied to a triage record, texts classified without storing, and the team's confirmations
and corrections, which become training labels. Each public use case owns its one commit; apply_model and
label change the caller's session only (triage.verbatims.classifying commits them)."""
from __future__ import annotations

from datetime import datetime
from typing import Iterable

from sqlalchemy import select

from feedback_app.core.extensions import db
from feedback_app.core.refusals import N_
from surveys.models import Response
from triage.classification import teaching
from triage.classification.blend import BlendedModel
from triage.classification.classifier import analyse
from triage.classification.custom_types import TriageError, type_keys
from triage.language.themes import extract_theme
from triage.models import TrainingExample, TriageItem
from webhooks.events import RESPONSE_CLASSIFIED, emit

_MAX_IDF = 8.0  # a word the corpus never saw is as telling as the rarest word it did


# ---------------------------------------------------------------- classifying

def apply_model(item: TriageItem, response: Response, classifier: BlendedModel, version: int, now: datetime,
           review_below: float) -> None:
    """Classify this version of the answer into its triage record (and add it to the session)."""
    text = response.comment
    analysis = analyse(text)
    prediction = classifier.predict(analysis)
    theme = extract_theme(text, prediction.language, lambda s: classifier.idf.get("w:" + s, _MAX_IDF))
    item.language = prediction.language
    item.model_version = version
    item.classified_at = now
    item.theme = theme.label[:200] if theme else None
    # Spaces around every stem, so a group's pair can be found with LIKE '% stem %'.
    item.theme_key = f" {' '.join(theme.key)} "[:120] if theme else None
    if not item.confirmed:
        item.type_key = prediction.type
        item.confidence = round(prediction.confidence, 4)
        item.reasons = list(prediction.reasons)
        # Nothing to go on (emoji only, punctuation) is marked for people too.
        item.needs_review = prediction.type is None or prediction.confidence < review_below
        # Its review priority needs its rank and density, known once the batch is classified: every caller hands the
        # records to triage.verbatims.review_order.prioritise, which sets it from these (not stored).
        item.teaching_inputs = (prediction.probabilities, classifier.similarity_vector(analysis))
        item.refined_by = 0  # the fast model's alone: the encoder's refinement (triage.verbatims.refining) follows
    # The version classified: an edited answer is classified again, this one is left alone by the sweep.
    item.response_updated_at = response.updated_at
    db.session.add(item)


def set_review_priority(item: TriageItem, probabilities: dict[str, float]) -> None:
    """The review order's number (triage.classification.teaching) from what the record holds: its rank in its
    group and its density (a middling one until triage.verbatims.review_order measures it)."""
    density = item.review_density if item.review_density is not None else teaching.NO_DENSITY
    item.review_priority = teaching.priority(probabilities, item.group_rank or 0, density) if item.needs_review else 0


def set_refined_review_priority(item: TriageItem, probabilities: dict[str, float]) -> None:
    """The review order's number once the encoder refined the record (teaching.refined_priority: no density)."""
    item.review_priority = teaching.refined_priority(probabilities, item.group_rank or 0) if item.needs_review else 0


def classify_texts(texts: Iterable[str], classifier: BlendedModel) -> Iterable[dict]:
    """For `feedback triage classify`: one result per text, nothing stored."""
    for text in texts:
        prediction = classifier.classify(text)
        theme = extract_theme(text, prediction.language, lambda s: classifier.idf.get("w:" + s, _MAX_IDF))
        yield {"type": prediction.type, "confidence": round(prediction.confidence, 3),
               "theme": theme.label if theme else None, "language": prediction.language,
               "reasons": list(prediction.reasons)}


# ---------------------------------------------------------------- learning from the team

def confirm(item: TriageItem, user_id: int, now: datetime) -> None:
    """The triager agrees: the type is kept and becomes a team label."""
    if item.type_key is None:
        raise TriageError(N_("there is no type to confirm; choose one"))
    label(item, item.type_key, "confirmation", user_id, now)
    db.session.commit()


def correct(item: TriageItem, type_key: str, user_id: int, now: datetime) -> None:
    if type_key not in type_keys():
        raise TriageError(N_("unknown type '%(key)s'"), key=type_key)
    label(item, type_key, "correction", user_id, now)
    db.session.commit()


def label(item: TriageItem, type_key: str, source: str, user_id: int, now: datetime) -> None:
    if type_key != item.type_key:  # a correction: webhooks hear of the new type
        corrected = {"type": type_key, "confidence": 1.0, "needs_review": False, "corrected": True}
        emit(RESPONSE_CLASSIFIED, {**classified_data(item, item.response.comment), **corrected}, now)
    item.type_key, item.confirmed, item.confirmed_by, item.confirmed_at = type_key, True, user_id, now
    item.needs_review, item.review_priority = False, 0
    example = db.session.scalar(select(TrainingExample).where(TrainingExample.response_id == item.response_id))
    if example is None:
        example = TrainingExample(response_id=item.response_id, text=item.response.comment,
                                  language=item.language, created_at=now)
        db.session.add(example)
    example.label, example.source, example.created_at = type_key, source, now


def classified_data(item: TriageItem, comment: str) -> dict:
    """The data of a `response.classified` webhook event: the type an answer's text (as classified) was given."""
    return {"response_id": item.response_id, "comment": comment, "type": item.type_key, "confidence": item.confidence,
            "needs_review": item.needs_review, "language": item.language, "theme": item.theme, "corrected": False}
