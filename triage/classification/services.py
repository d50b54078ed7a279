"""Use cases of classifying verbatims: the sweep that classifies every answer waiting, one verbatim at
once (the API), and the team's confirmations and corrections, which become training labels. Each public
function that changes data is one use case and owns its one commit (classify_response: the caller's)."""
from __future__ import annotations

from datetime import datetime
from typing import Iterable

from sqlalchemy import select

from feedback_app.core.extensions import db
from surveys.models import Response
from surveys.people.respondents import scale_of_answer
from triage.classification.classifier import Classifier
from triage.classification.custom_types import TriageError, type_keys
from triage.classification.learning import ensure_model
from triage.language.themes import extract_theme
from triage.models import TrainingExample, TriageItem
from triage.verbatims import sweep

_MAX_IDF = 8.0  # a word the corpus never saw is as telling as the rarest word it did


# ---------------------------------------------------------------- classifying

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
        _apply(item, response, classifier, version, now, review_below)
        return True

    return sweep.sweep(version, classify, limit)


def _apply(item: TriageItem, response: Response, classifier: Classifier, version: int, now: datetime,
           review_below: float) -> None:
    """Classify this version of the answer into its triage record (and add it to the session)."""
    text = response.comment
    prediction = classifier.classify(text)
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
    # The version classified: an edited answer is classified again, this one is left alone by the sweep.
    item.response_updated_at = response.updated_at
    db.session.add(item)


def classify_texts(texts: Iterable[str], classifier: Classifier) -> Iterable[dict]:
    """For `feedback triage classify`: one result per text, nothing stored."""
    for text in texts:
        prediction = classifier.classify(text)
        theme = extract_theme(text, prediction.language, lambda s: classifier.idf.get("w:" + s, _MAX_IDF))
        yield {"type": prediction.type, "confidence": round(prediction.confidence, 3),
               "theme": theme.label if theme else None, "language": prediction.language,
               "reasons": list(prediction.reasons)}


def classify_response(response: Response, now: datetime, review_below: float) -> TriageItem | None:
    """Classify one verbatim now, inside the caller's transaction (no commit): channel feedback
    answers with its type at once. An answer without text gets no triage record, as in the sweep."""
    if not response.comment:
        return None
    version, classifier = ensure_model(now)
    item = db.session.scalar(select(TriageItem).where(TriageItem.response_id == response.id)) \
        if response.id is not None else None
    item = item or TriageItem(response=response)
    _apply(item, response, classifier, version, now, review_below)
    sweep.copy_answer(item, response, scale_of_answer(response))
    return item


# ---------------------------------------------------------------- learning from the team

def confirm(item: TriageItem, user_id: int, now: datetime) -> None:
    """The triager agrees: the type is kept and becomes a team label."""
    if item.type_key is None:
        raise TriageError("there is no type to confirm; choose one")
    _label(item, item.type_key, "confirmation", user_id, now)
    db.session.commit()


def correct(item: TriageItem, type_key: str, user_id: int, now: datetime) -> None:
    if type_key not in type_keys():
        raise TriageError(f"unknown type '{type_key}'")
    _label(item, type_key, "correction", user_id, now)
    db.session.commit()


def correct_response(response: Response, type_key: str, user_id: int | None, now: datetime,
                     review_below: float) -> TriageItem:
    """A correction of a verbatim the sweep may not have reached yet: classified first, in the same
    commit, so the correction and its training example never wait for the scheduler."""
    if type_key not in type_keys():
        raise TriageError(f"unknown type '{type_key}' (known: {', '.join(type_keys())})")
    if not response.comment:
        raise TriageError("this answer has no text, so there is no type to correct and nothing to learn from")
    item = db.session.scalar(select(TriageItem).where(TriageItem.response_id == response.id)) \
        or classify_response(response, now, review_below)
    _label(item, type_key, "correction", user_id, now)
    db.session.commit()
    return item


def _label(item: TriageItem, type_key: str, source: str, user_id: int, now: datetime) -> None:
    item.type_key, item.confirmed, item.confirmed_by, item.confirmed_at = type_key, True, user_id, now
    item.needs_review = False
    example = db.session.scalar(select(TrainingExample).where(TrainingExample.response_id == item.response_id))
    if example is None:
        example = TrainingExample(response_id=item.response_id, text=item.response.comment,
                                  language=item.language, created_at=now)
        db.session.add(example)
    example.label, example.source, example.created_at = type_key, source, now
