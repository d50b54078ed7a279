"""The feedback types in use: the six built in (triage.classification.types) and the team's own, stored.
Adding a type is one use case and owns its one commit."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from feedback_app.core.extensions import db
from feedback_app.core.refusals import N_, Refusal
from triage.classification.types import BUILTIN_TYPES, FeedbackType
from triage.language.text import detect_language
from triage.models import CustomType, TrainingExample


class TriageError(Refusal):
    """A request about types or labels that cannot be carried out; the message says why, for people."""


def all_types() -> list[FeedbackType]:
    custom = db.session.scalars(select(CustomType).order_by(CustomType.created_at)).all()
    return list(BUILTIN_TYPES) + [FeedbackType(c.key, c.name, c.description, builtin=False) for c in custom]


def type_keys() -> list[str]:
    return [t.key for t in all_types()]


def add_custom_type(key: str, name: dict[str, str], description: dict[str, str], examples: list[str],
                    now: datetime) -> CustomType:
    """A business-specific type; its examples are team labels, so the next training learns it."""
    if key in type_keys():
        raise TriageError(N_("a type '%(key)s' already exists"), key=key)
    if len([e for e in examples if e.strip()]) < 3:
        raise TriageError(N_("give at least three examples, one per line, so the model can learn the type"))
    custom = CustomType(key=key, name=name, description=description, created_at=now)
    db.session.add(custom)
    for text in examples:
        if text.strip():
            db.session.add(TrainingExample(text=text.strip(), label=key, language=detect_language(text),
                                           source="type-example", created_at=now))
    db.session.commit()
    return custom
