"""The active model and how it learns: loaded once per process; trained as a blend of the corpus model (trained
once per corpus and team types, then reused) and a model of all the team's labels, cross-validated and kept only
if not worse on the labels given since the last model (triage.classification.training); labels imported; the
models' history. Each public function that changes data is one use case and owns its one commit."""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable

from flask import current_app
from sqlalchemy import func, select

from feedback_app.core.extensions import db
from triage.classification import training
from triage.classification.blend import BlendedModel, from_dict, labels_by_language
from triage.classification.classifier import Classifier, Example
from triage.classification.custom_types import type_keys
from triage.language.text import detect_language
from triage.models import ModelVersion, TrainingExample

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


# ---------------------------------------------------------------- the active model

_cache_lock = threading.Lock()
_cache: dict = {"version": None, "classifier": None}


def active_model() -> tuple[int, BlendedModel] | None:
    """The active model, loaded once per process and reloaded when another process activates a new one."""
    active = db.session.execute(select(ModelVersion.id, ModelVersion.created_at).where(ModelVersion.active)).first()
    if active is None:
        return None
    with _cache_lock:
        # Keyed by id and time: a database rebuilt from scratch may reuse an id for another model.
        if _cache["version"] != tuple(active):
            data = db.session.scalar(select(ModelVersion.model).where(ModelVersion.id == active.id))
            _cache.update(version=tuple(active), classifier=from_dict(json.loads(data)))
        return active.id, _cache["classifier"]


def ensure_model(now: datetime, progress: Progress = _quiet) -> tuple[int, BlendedModel]:
    """The active model; on a new installation, the first one is trained from the shipped corpus."""
    return active_model() or _activate_first(now, progress)


def _activate_first(now: datetime, progress: Progress) -> tuple[int, BlendedModel]:
    progress("training the first model on the built-in corpus")
    outcome = train(now, progress, note="first model, from the built-in corpus")
    return outcome.version, active_model()[1]


def model_history() -> list[ModelVersion]:
    return db.session.scalars(select(ModelVersion).order_by(ModelVersion.id.desc())).all()


# ---------------------------------------------------------------- the team's labels

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
    return [Example(text, label, 1.0, language) for text, label, language, _, _ in _labels()]


def _labels():
    return db.session.execute(select(TrainingExample.text, TrainingExample.label, TrainingExample.language,
                                     TrainingExample.source, TrainingExample.created_at)
                              .order_by(TrainingExample.id)).all()


def labels_since_last_model() -> int:
    last = db.session.scalar(select(func.max(ModelVersion.created_at)))
    query = select(func.count(TrainingExample.id))
    return db.session.scalar(query if last is None else query.where(TrainingExample.created_at > last))


# ---------------------------------------------------------------- training

@dataclass
class TrainingOutcome:
    version: int
    activated: bool
    verdict: training.Verdict
    cross_validated: dict | None  # the candidate's cross-validated evaluation on all the team's labels
    labels: int = 0
    blend: float = 0.0
    team_weight: float = 0.0


def _corpus() -> list[Example]:
    # Tests point this at a small corpus so that training takes a moment, not ten seconds.
    directory = current_app.config.get("TRIAGE_CORPUS")
    return training.read_corpus(Path(directory)) if directory else training.read_corpus()


def _corpus_model(examples: list[Example], current: BlendedModel | None, progress: Progress) -> Classifier:
    """The current corpus model if it learnt exactly these examples (the usual case: ~10 s saved), else a new one."""
    if current is not None and current.corpus.meta.get("fingerprint") == training.fingerprint(examples):
        return current.corpus
    progress(f"training the corpus model on {len(examples)} lines (once per corpus and team types)")
    return training.train_corpus_model(examples)


def train(now: datetime, progress: Progress = _quiet, note: str = "") -> TrainingOutcome:
    """Train a blend of the corpus model and a model of all the team's labels; keep it only if not worse."""
    rows = _labels()
    team = [Example(text, label, 1.0, language) for text, label, language, _, _ in rows]
    type_examples = [example for example, row in zip(team, rows) if row.source == "type-example"]
    current = active_model()
    corpus_model = _corpus_model(training.corpus_training_set(_corpus(), type_examples),
                                 current[1] if current else None, progress)
    if team:
        progress(f"cross-validating on {len(team)} team labels ({training.FOLDS} folds), then training the team "
                 "model on all of them")
    validation = training.cross_validate(corpus_model, team)
    labels = list(dict.fromkeys([*corpus_model.labels, *(e.label for e in team)]))
    blend = training.choose_blend(validation, labels)
    candidate = BlendedModel(corpus_model, training.train_team_model(team), len(team), blend,
                             by_language=labels_by_language(team))
    since = _created_at(current[0]) if current else None
    new = [i for i, row in enumerate(rows) if since is None or row.created_at > since]
    verdict = training.judge(validation, blend, labels, current[1] if current else None, new)
    summary = training.evaluation_summary(validation.evaluation(labels, blend)) if team else None
    record = ModelVersion(created_at=now, model=json.dumps(candidate.to_dict(), ensure_ascii=False,
                                                           separators=(",", ":")),
                          evaluation={"cross_validated": summary, "verdict": verdict.reason, "blend": blend,
                                      "team_weight": round(candidate.weight, 3), "compared": verdict.compared,
                                      "candidate_macro_f1": verdict.candidate, "current_macro_f1": verdict.current},
                          examples=len(team), active=False, note=note or verdict.reason)
    db.session.add(record)
    db.session.flush()
    if verdict.replace:
        db.session.execute(ModelVersion.__table__.update().values(active=False))
        record.active = True
    db.session.commit()
    if verdict.replace:
        from triage.classification.encoder import train_encoder_head  # it imports this module

        # With the optional encoder: its head, beside the new model, when every text it needs is embedded
        # (otherwise the scheduler's refinement embeds them and trains it); without, nothing.
        train_encoder_head(now, progress)
    return TrainingOutcome(record.id, verdict.replace, verdict, summary, len(team), blend, candidate.weight)


def _created_at(version: int) -> datetime:
    return db.session.scalar(select(ModelVersion.created_at).where(ModelVersion.id == version))


def retrain_if_due(now: datetime, min_new_labels: int) -> TrainingOutcome | None:
    if labels_since_last_model() < min_new_labels:
        return None
    return train(now, note=f"automatic: {min_new_labels}+ new team labels")
