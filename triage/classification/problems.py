"""`is_problem` (triage.classification.types) where the records are: as SQL over triage records, and as a
change of a record's type in a flush. What keeps praise out of fixes and follow-ups reads it from here."""
from __future__ import annotations

from sqlalchemy import ColumnElement, or_
from sqlalchemy.orm.attributes import get_history

from triage.classification.types import NOT_PROBLEM_KEYS, is_problem
from triage.models import TriageItem


def about_a_problem() -> ColumnElement[bool]:
    """A triage record (or none, when outer-joined) that may be about something to fix: not praise
    (triage.classification.types.is_problem, as SQL)."""
    return or_(TriageItem.type_key.is_(None), TriageItem.type_key.not_in(sorted(NOT_PROBLEM_KEYS)))


def crossed_the_praise_line(item: TriageItem) -> bool:
    """Whether a record's type, changed in this flush, moved between praise and the problems (type_key keeps
    its old value: active_history)."""
    history = get_history(item, "type_key")
    return bool(history.deleted) and is_problem(history.deleted[0]) != is_problem(item.type_key)
