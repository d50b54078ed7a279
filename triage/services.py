"""Use cases of triage. Each public function is one use case and owns its one commit."""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable

from flask import current_app
from sqlalchemy import func, select

from feedback_app.core.extensions import db
from surveys.models import Response
from surveys.people.respondents import scale_of_answer
from triage.classification import training
from triage.classification.classifier import Classifier, Example, evaluate
from triage.classification.types import BUILTIN_TYPES, FeedbackType
from triage.language.text import detect_language
from triage.language.themes import extract_theme
from triage.models import CustomType, Fix, FixLink, ModelVersion, TrainingExample, TriageItem
from triage.verbatims import sweep
from triage.verbatims.listing import Filters, conditions  # noqa: F401  (Filters: the list's, used by the API and export)

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


# ---------------------------------------------------------------- types

def all_types() -> list[FeedbackType]:
    custom = db.session.scalars(select(CustomType).order_by(CustomType.created_at)).all()
    return list(BUILTIN_TYPES) + [FeedbackType(c.key, c.name, c.description, builtin=False) for c in custom]


def type_keys() -> list[str]:
    return [t.key for t in all_types()]


class TriageError(ValueError):
    pass


def add_custom_type(key: str, name: dict[str, str], description: dict[str, str], examples: list[str],
                    now: datetime) -> CustomType:
    """A business-specific type; its examples are team labels, so the next training learns it."""
    if key in type_keys():
        raise TriageError(f"a type '{key}' already exists")
    if len([e for e in examples if e.strip()]) < 3:
        raise TriageError("give at least three examples, one per line, so the model can learn the type")
    custom = CustomType(key=key, name=name, description=description, created_at=now)
    db.session.add(custom)
    for text in examples:
        if text.strip():
            db.session.add(TrainingExample(text=text.strip(), label=key, language=detect_language(text),
                                           source="type-example", created_at=now))
    db.session.commit()
    return custom


# ---------------------------------------------------------------- the active model

_cache_lock = threading.Lock()
_cache: dict = {"version": None, "classifier": None}


def active_model() -> tuple[int, Classifier] | None:
    """The active model, loaded once per process and reloaded when another process activates a new one."""
    active = db.session.execute(select(ModelVersion.id, ModelVersion.created_at).where(ModelVersion.active)).first()
    if active is None:
        return None
    with _cache_lock:
        # Keyed by id and time: a database rebuilt from scratch may reuse an id for another model.
        if _cache["version"] != tuple(active):
            data = db.session.scalar(select(ModelVersion.model).where(ModelVersion.id == active.id))
            _cache.update(version=tuple(active), classifier=Classifier.from_dict(json.loads(data)))
        return active.id, _cache["classifier"]


def ensure_model(now: datetime, progress: Progress = _quiet) -> tuple[int, Classifier]:
    """The active model; on a new installation, the first one is trained from the shipped corpus."""
    return active_model() or _activate_first(now, progress)


def _activate_first(now: datetime, progress: Progress) -> tuple[int, Classifier]:
    progress("training the first model on the built-in corpus")
    outcome = train(now, progress, note="first model, from the built-in corpus")
    return outcome.version, active_model()[1]


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


_MAX_IDF = 8.0  # a word the corpus never saw is as telling as the rarest word it did


def classify_texts(texts: Iterable[str], classifier: Classifier) -> Iterable[dict]:
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
        raise TriageError("there is no type to confirm; choose one")
    _label(item, item.type_key, "confirmation", user_id, now)
    db.session.commit()


def correct(item: TriageItem, type_key: str, user_id: int, now: datetime) -> None:
    if type_key not in type_keys():
        raise TriageError(f"unknown type '{type_key}'")
    _label(item, type_key, "correction", user_id, now)
    db.session.commit()


def _label(item: TriageItem, type_key: str, source: str, user_id: int, now: datetime) -> None:
    item.type_key, item.confirmed, item.confirmed_by, item.confirmed_at = type_key, True, user_id, now
    item.needs_review = False
    example = db.session.scalar(select(TrainingExample).where(TrainingExample.response_id == item.response_id))
    if example is None:
        example = TrainingExample(response_id=item.response_id, text=item.response.comment,
                                  language=item.language, created_at=now)
        db.session.add(example)
    example.label, example.source, example.created_at = type_key, source, now


@dataclass
class LabelImport:
    added: int
    errors: list[tuple[int, str]]


def import_labels(rows: list[tuple[int, str, str]], now: datetime, progress: Callable[[int], None] = lambda _: None
                  ) -> LabelImport:
    """rows: (line, text, label). Unknown labels and empty texts are reported, not imported."""
    known, errors, added = set(type_keys()), [], 0
    for line, text, label in rows:
        if not text.strip():
            errors.append((line, "text is empty"))
        elif label not in known:
            errors.append((line, f"unknown label '{label}' (known: {', '.join(sorted(known))})"))
        else:
            db.session.add(TrainingExample(text=text, label=label, language=detect_language(text),
                                           source="import", created_at=now))
            added += 1
        progress(1)
    db.session.commit()
    return LabelImport(added, errors)


def team_examples() -> list[Example]:
    return [Example(text, label, 1.0, language) for text, label, language in db.session.execute(
        select(TrainingExample.text, TrainingExample.label, TrainingExample.language)).all()]


# ---------------------------------------------------------------- training

@dataclass
class TrainingOutcome:
    version: int
    activated: bool
    verdict: training.Verdict
    held_out_summary: dict | None


def _corpus() -> list[Example]:
    # Tests point this at a small corpus so that training takes a moment, not ten seconds.
    directory = current_app.config.get("TRIAGE_CORPUS")
    return training.read_corpus(Path(directory)) if directory else training.read_corpus()


def train(now: datetime, progress: Progress = _quiet, note: str = "") -> TrainingOutcome:
    """Train on the corpus and the team's labels; keep the result only if it is not worse."""
    team = team_examples()
    team_train, held_out = training.split_team_labels(team)
    corpus = _corpus()
    progress(f"training on {len(corpus)} corpus lines and {len(team_train)} team labels ({len(held_out)} held out)")
    candidate = Classifier.train(training.training_set(corpus, team_train),
                                 meta={"team_labels": len(team_train), "held_out": len(held_out)})
    current = active_model()
    progress("judging it on the held-out team labels")
    verdict = training.judge(candidate, current[1] if current else None, held_out)
    summary = training.evaluation_summary(evaluate(candidate, held_out)) if held_out else None
    record = ModelVersion(created_at=now, model=json.dumps(candidate.to_dict(), ensure_ascii=False,
                                                           separators=(",", ":")),
                          evaluation={"held_out": summary, "verdict": verdict.reason,
                                      "candidate_macro_f1": verdict.candidate, "current_macro_f1": verdict.current},
                          examples=len(team_train), active=False, note=note or verdict.reason)
    db.session.add(record)
    db.session.flush()
    if verdict.replace:
        db.session.execute(ModelVersion.__table__.update().values(active=False))
        record.active = True
    db.session.commit()
    return TrainingOutcome(record.id, verdict.replace, verdict, summary)


def labels_since_last_model() -> int:
    last = db.session.scalar(select(func.max(ModelVersion.created_at)))
    query = select(func.count(TrainingExample.id))
    return db.session.scalar(query if last is None else query.where(TrainingExample.created_at > last))


def retrain_if_due(now: datetime, min_new_labels: int) -> TrainingOutcome | None:
    if labels_since_last_model() < min_new_labels:
        return None
    return train(now, note=f"automatic: {min_new_labels}+ new team labels")


def model_history() -> list[ModelVersion]:
    return db.session.scalars(select(ModelVersion).order_by(ModelVersion.id.desc())).all()


# ---------------------------------------------------------------- the triage list

# ---------------------------------------------------------------- one verbatim at a time (the API)

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


@dataclass(frozen=True)
class SupportedFix:
    id: int
    title: str
    status: str


def fixes_of(response_ids: list[int]) -> dict[int, list[SupportedFix]]:
    """The fixes each of these verbatims supports, by fix id (a verbatim may support several)."""
    found: dict[int, list[SupportedFix]] = {}
    if not response_ids:
        return found
    for response_id, fix_id, title, status in db.session.execute(
            select(FixLink.response_id, Fix.id, Fix.title, Fix.status).join(Fix, Fix.id == FixLink.fix_id)
            .where(FixLink.response_id.in_(response_ids)).order_by(Fix.id)):
        found.setdefault(response_id, []).append(SupportedFix(fix_id, title, status))
    return found
