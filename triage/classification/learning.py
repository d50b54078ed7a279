"""The active model and how it learns: loaded once per process, trained on the shipped corpus and the
team's labels (kept only if not worse on the held-out labels), labels imported, the models' history.
Each public function that changes data is one use case and owns its one commit."""
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
from triage.classification.classifier import Classifier, Example, evaluate
from triage.classification.custom_types import type_keys
from triage.language.text import detect_language
from triage.models import ModelVersion, TrainingExample

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


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
    return [Example(text, label, 1.0, language) for text, label, language in db.session.execute(
        select(TrainingExample.text, TrainingExample.label, TrainingExample.language)).all()]


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


def retrain_if_due(now: datetime, min_new_labels: int) -> TrainingOutcome | None:
    if labels_since_last_model() < min_new_labels:
        return None
    return train(now, note=f"automatic: {min_new_labels}+ new team labels")
