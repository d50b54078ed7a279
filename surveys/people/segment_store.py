"""Saved segments: create and delete them (one commit each), find them by name or id, and their sizes.

A size is a capped count: the customers matching are counted up to SIZE_CAP + 1 and shown as "more than
SIZE_CAP" past that. Only the count stops early: a segment that matches few customers still reads every
customer once to say so (its rules are over attributes and scores no index holds).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from feedback_app.core.extensions import db
from feedback_app.core.paging import capped_count
from feedback_app.core.refusals import N_, Refusal
from surveys.models import Customer, Segment
from surveys.people.segment_rules import RuleError, check_name, parse_rules
from surveys.people.segments import customer_condition

SIZE_CAP = 10_000
LISTED_MAX = 100  # segments on the page and in `feedback segments list`, by name


class SegmentError(Refusal):
    """A segment that cannot be saved or found; `field` is the form field it belongs beside (name, rules)."""

    def __init__(self, message: str, field: str = "name", /, **values):
        super().__init__(message, **values)
        self.field = field

    @classmethod
    def beside(cls, error: RuleError, field: str) -> SegmentError:
        """A rule's or the name's refusal, said beside its form field."""
        return cls(error.message, field, **error.values)


@dataclass(frozen=True)
class Sized:
    segment: Segment
    size: int            # at most SIZE_CAP + 1

    @property
    def more_than_cap(self) -> bool:
        return self.size > SIZE_CAP


def create_segment(name: object, rules: object, now, user_id: int | None = None) -> Segment:
    """Save a segment (its rules normalised); SegmentError and nothing saved if the name or a rule is wrong or the
    name is taken."""
    try:
        name = check_name(name)
    except RuleError as error:
        raise SegmentError.beside(error, "name") from None
    try:
        texts = [rule.text for rule in parse_rules(rules)]
    except RuleError as error:
        raise SegmentError.beside(error, "rules") from None
    if segment_named(name) is not None:
        raise SegmentError(N_("A segment named %(name)s exists already."), "name", name=repr(name))
    segment = Segment(name=name, rules=texts, created_at=now, created_by=user_id)
    db.session.add(segment)
    try:
        db.session.commit()
    except IntegrityError:  # the same name saved at the same moment by someone else
        db.session.rollback()
        raise SegmentError(N_("A segment named %(name)s exists already."), "name", name=repr(name)) from None
    return segment


def delete_segment(segment: Segment) -> None:
    db.session.delete(segment)
    db.session.commit()


def segment_named(name: str) -> Segment | None:
    return db.session.scalar(select(Segment).where(Segment.name == name.strip()))


def segment_by_id(segment_id: int | None) -> Segment | None:
    return db.session.get(Segment, segment_id) if segment_id is not None else None


def listed_segments() -> list[Segment]:
    """The first LISTED_MAX segments by name (a choice of audience or filter)."""
    return db.session.scalars(select(Segment).order_by(Segment.name).limit(LISTED_MAX)).all()


def sized_segments() -> list[Sized]:
    """The first LISTED_MAX segments by name with their capped sizes: one statement."""
    segments = listed_segments()
    if not segments:
        return []
    sizes = db.session.execute(select(*[size_of(segment) for segment in segments])).one()
    return [Sized(segment, size) for segment, size in zip(segments, sizes)]


def segment_size(segment: Segment) -> int:
    """How many customers are in the segment, up to SIZE_CAP + 1."""
    return db.session.scalar(select(size_of(segment)))


def size_of(segment: Segment):
    """The segment's capped size as a scalar subquery."""
    return capped_count(select(Customer.id).where(customer_condition(segment)), SIZE_CAP)


def first_customers(segment: Segment, limit: int = 20) -> list[Customer]:
    return db.session.scalars(select(Customer).where(customer_condition(segment)).order_by(Customer.id)
                              .limit(limit)).all()
