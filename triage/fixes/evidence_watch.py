"""Keeps the stored evidence figures right when what impact reads changes through the ORM elsewhere:
a linked answer's score, scale, date or customer (an answer edited within its edit window), whether its
verbatim is praise (a correction or a new model's classification: praise is no evidence), or a
customer's attributes (an import updating `mrr`). Listening here, in the same flush and transaction as
the change, lets surveys know nothing of triage (docs/architecture.md: surveys never imports triage).

Changes made with Core UPDATE statements are not seen: their code calls triage.fixes.evidence itself (the
erasure does) or names the changed rows to a listener (the customer import, below), and `feedback
rebuild fixes` recomputes everything in any case.
"""
from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import get_history

from surveys.models import Customer, Response
from surveys.people.services import ATTRIBUTES_LISTENERS
from triage.classification.problems import crossed_the_praise_line
from triage.fixes import evidence
from triage.models import TriageItem

PENDING = "triage.fixes.evidence_watch"   # Session.info key: what the flush changed, for after it
ANSWER_FACTS = ("score", "kind", "answered_at", "customer_id", "invitation_id", "survey_id")


def _changed(instance, name: str) -> bool:
    # get_history, not inspect(instance).attrs[…]: .attrs builds a dict of every attribute on each access.
    return get_history(instance, name).has_changes()


# The customer import updates attributes in bulk (no ORM events): it tells us itself.
ATTRIBUTES_LISTENERS.append(evidence.customers_changed)


@event.listens_for(Session, "before_flush")
def _note_changes(session: Session, _context, _instances) -> None:
    responses, former, customers = set(), set(), set()
    for instance in session.dirty:
        if isinstance(instance, Response) and any(_changed(instance, name) for name in ANSWER_FACTS):
            responses.add(instance.id)
            former.update(c for c in get_history(instance, "customer_id").deleted if c)
        elif isinstance(instance, TriageItem) and crossed_the_praise_line(instance):
            responses.add(instance.response_id)
        elif isinstance(instance, Customer) and _changed(instance, "attributes"):
            customers.add(instance.id)
    if responses or customers:
        pending = session.info.setdefault(PENDING, (set(), set(), set()))
        for known, new in zip(pending, (responses, former, customers)):
            known.update(new)


@event.listens_for(Session, "after_flush")
def _refresh(session: Session, _context) -> None:
    pending = session.info.pop(PENDING, None)
    if pending is None:
        return
    responses, former, customers = pending
    if responses:
        evidence.answers_changed(sorted(responses), sorted(former))
    if customers:
        evidence.customers_changed(sorted(customers))
