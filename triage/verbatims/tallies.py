"""Counts kept beside the triage records, so pages read counts instead of counting every verbatim:
verbatims per week, type and the list's filters (TypeTally), and theme groups (ThemeGroup, ThemeTally).

Every change of a triage record made through the ORM — the sweep, the API's intake, a triager's
confirmation or correction, an erasure — updates them in the same flush (a before_flush hook reads what
the record was and what it becomes), so no writer has to remember them and they can never drift from the
records. Bulk statements that bypass the ORM must not touch triage records; `feedback rebuild tallies`
recomputes everything from the records should they ever be in doubt.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, event, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import get_history

from feedback_app.core.extensions import db
from feedback_app.core.sql import add_to_counters
from surveys.scales.scoring import week_start
from triage.models import ThemeGroup, ThemeTally, TriageItem, TypeTally

TYPE_KEYS = ("week", "type_key", "language", "survey_id", "band", "needs_review")
THEME_KEYS = ("theme_group", "type_key", "language", "survey_id", "band")
FACT_COLUMNS = ("answered_at", "type_key", "language", "survey_id", "band", "needs_review", "theme_group", "theme",
                "response_id")


@dataclass(frozen=True)
class Facts:
    """What the counts know of one triage record. Keys are never NULL: '' and 0 stand for none."""
    week: date
    type_key: str
    language: str
    survey_id: int
    band: str
    needs_review: bool
    theme_group: str | None
    theme: str | None
    order: int = 0  # the answer's id: which of several new members names a new group

    def type_key_tuple(self) -> tuple:
        return (self.week, self.type_key, self.language, self.survey_id, self.band, self.needs_review)

    def theme_key_tuple(self) -> tuple:
        return (self.theme_group, self.type_key, self.language, self.survey_id, self.band)


def facts(values: dict) -> Facts | None:
    """None for a record not yet placed (no answer time copied): it is not counted."""
    if values.get("answered_at") is None:
        return None
    return Facts(week_start(values["answered_at"]), values.get("type_key") or "", values.get("language") or "",
                 values.get("survey_id") or 0, values.get("band") or "", bool(values.get("needs_review")),
                 values.get("theme_group"), values.get("theme"), values.get("response_id") or 0)


@dataclass
class Deltas:
    types: Counter
    themes: Counter
    groups: Counter
    labels: dict[str, tuple[int, str]]  # group → (its earliest new member's answer id, that member's theme)

    @classmethod
    def of(cls, changes) -> Deltas:
        deltas = cls(Counter(), Counter(), Counter(), {})
        for before, after in changes:
            deltas.add(before, -1)
            deltas.add(after, +1)
        return deltas

    def add(self, fact: Facts | None, sign: int) -> None:
        if fact is None:
            return
        self.types[fact.type_key_tuple()] += sign
        if fact.theme_group:
            self.themes[fact.theme_key_tuple()] += sign
            self.groups[fact.theme_group] += sign
            if sign > 0 and fact.theme and (fact.theme_group not in self.labels
                                            or fact.order < self.labels[fact.theme_group][0]):
                self.labels[fact.theme_group] = (fact.order, fact.theme[:200])


def apply(deltas: Deltas, connection) -> None:
    add_to_counters(TypeTally.__table__, TYPE_KEYS, deltas.types, connection)
    add_to_counters(ThemeTally.__table__, THEME_KEYS, deltas.themes, connection)
    _add_to_groups(deltas, connection)


def _add_to_groups(deltas: Deltas, connection) -> None:
    """A group is made by its first member (whose theme names it: the earliest answer among those that
    make it together) and keeps that name."""
    table = ThemeGroup.__table__
    rows = [{"key": key, "label": deltas.labels.get(key, (0, key))[1], "size": delta}
            for key, delta in deltas.groups.items() if delta]
    if not rows:
        return
    from sqlalchemy.dialects import postgresql, sqlite
    insert = (postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert)(table)
    connection.execute(insert.on_conflict_do_update(index_elements=["key"],
                                                    set_={"size": table.c.size + insert.excluded.size}), rows)


@event.listens_for(Session, "before_flush")
def _keep_counts(session, _flush_context, _instances) -> None:
    # Each of session.new / dirty / deleted is built over the whole session on access: once per flush here,
    # never once per record (a sweep's batch holds a thousand objects).
    new, dirty, deleted = session.new, session.dirty, session.deleted
    changes = [_change(obj, new, deleted) for obj in (*new, *dirty, *deleted)
               if isinstance(obj, TriageItem) and (obj not in dirty or session.is_modified(obj))]
    if changes:
        deltas = Deltas.of(changes)
        if deltas.types or deltas.themes or deltas.groups:
            apply(deltas, session.connection())


def _change(item: TriageItem, new, deleted) -> tuple[Facts | None, Facts | None]:
    """(what the counts hold for the record, what they must hold after this flush)."""
    current = {name: getattr(item, name) for name in FACT_COLUMNS}
    if item in new:
        return None, facts(current)
    before = facts(_committed(item, current))
    return before, (None if item in deleted else facts(current))


def _committed(item: TriageItem, current: dict) -> dict:
    """The record as last flushed: a changed attribute's history holds its old value (active_history loads
    it); a value set for the first time after the record was inserted had none."""
    values = {}
    for name, value in current.items():
        history = get_history(item, name)
        values[name] = history.deleted[0] if history.deleted else (None if history.added else value)
    return values


def forget_removed_members(groups: set[str]) -> None:
    """After members left these groups for good (an erasure, flushed): groups left empty and their tallies
    go, and a group named by a member that left takes the name of its earliest remaining one — a name is
    a customer's words, and an erased customer's words must not stay behind as another group's name."""
    groups = {group for group in groups if group}
    if not groups:
        return
    db.session.execute(delete(ThemeTally).where(ThemeTally.theme_group.in_(groups), ThemeTally.count <= 0))
    db.session.execute(delete(ThemeGroup).where(ThemeGroup.key.in_(groups), ThemeGroup.size <= 0))
    refresh_labels(groups)


def refresh_labels(groups: set[str] | None = None) -> None:
    """Each group's automatic label becomes its earliest member's theme as it reads now (after an erasure,
    or in a rebuild, after re-classification gave members new phrases); all groups when `groups` is None.
    A name the team gave is left alone: it is a separate column. One statement."""
    earliest = (select(TriageItem.theme).where(TriageItem.theme_group == ThemeGroup.key, TriageItem.theme.is_not(None))
                .order_by(TriageItem.response_id).limit(1).correlate(ThemeGroup).scalar_subquery())
    statement = update(ThemeGroup).values(label=func.substr(func.coalesce(earliest, ThemeGroup.key), 1, 200))
    if groups is not None:
        statement = statement.where(ThemeGroup.key.in_(groups))
    db.session.execute(statement.execution_options(synchronize_session=False))


def rebuild(progress=lambda n: None, chunk: int = 10_000) -> int:
    """Recount every triage record from scratch (`feedback rebuild tallies`); one commit at the end."""
    connection = db.session.connection()
    for table in (TypeTally.__table__, ThemeTally.__table__):
        connection.execute(table.delete())
    connection.execute(ThemeGroup.__table__.update().values(size=0))  # a group keeps its name
    counted, after = 0, 0
    while rows := connection.execute(
            select(TriageItem.id, *[getattr(TriageItem, name) for name in FACT_COLUMNS])
            .where(TriageItem.id > after).order_by(TriageItem.id).limit(chunk)).all():
        apply(Deltas.of((None, facts(dict(zip(FACT_COLUMNS, row[1:])))) for row in rows), connection)
        counted, after = counted + len(rows), rows[-1][0]
        progress(len(rows))
    refresh_labels()
    return counted


def snapshot() -> dict[str, dict[tuple, int]]:
    """Every non-zero count, for comparing kept and recounted figures."""
    result = {}
    for model, keys in ((TypeTally, TYPE_KEYS), (ThemeTally, THEME_KEYS), (ThemeGroup, ("key",))):
        table = model.__table__
        counter = table.c.size if model is ThemeGroup else table.c.count
        result[model.__tablename__] = {tuple(row[:-1]): row[-1] for row in db.session.execute(
            select(*[table.c[k] for k in keys], counter).where(counter != 0))}
    return result


def weekly_types(first_week: date) -> dict[tuple[date, str | None], int]:
    """Verbatims per (week, type) from `first_week` on, every filter summed; None: no type."""
    rows = db.session.execute(select(TypeTally.week, TypeTally.type_key, func.sum(TypeTally.count))
                              .where(TypeTally.week >= first_week).group_by(TypeTally.week, TypeTally.type_key))
    return {(week, type_key or None): n for week, type_key, n in rows if n}
