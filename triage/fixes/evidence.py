"""Each fix's stored evidence figures: kept right, in the same transaction, whenever a link, a linked
answer or a respondent's customer changes; rebuilt from scratch on demand (`feedback rebuild fixes`)
or when the settings they were computed with change.

The figures are a cache of triage.fixes.grid, which owns the formula: per fix and person their strongest
linked answer (fix_respondent, grid.Strongest), per fix a grid.Summary (fix_evidence), and the basis
(fix_evidence_basis): the half-life and value attribute they were computed with and the reference —
the median value over every customer behind any fix. A change recomputes the touched (fix, person)
rows from those people's links, the touched fixes' summaries from their rows, and, when a customer
was involved, the reference; if the reference moved, every fix's summary (a read of fix_respondent,
one row per person: the links are not read again). So a page never reads the links to rank fixes.

Writers take turns on the basis row's lock (PostgreSQL; SQLite has one writer at a time anyway), so two
links to one fix at once both count. Helpers only, never commit — except `refresh_if_stale`, the use case
of a reader that finds the figures stale, and `rebuild`, the command's.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterable

from sqlalchemy import delete, func, insert, or_, select, union, update

from feedback_app.core.extensions import db
from feedback_app.core.sql import insert_ignoring_conflicts, slices
from surveys.models import Customer, Invitation, Response, Survey
from surveys.people.respondents import (
    answer_key,
    answer_scale,
    customer_key,
    parse_respondent_key,
    respondent_customer_id,
    respondent_key,
    split_respondent_keys,
)
from surveys.scales.kinds import KINDS
from triage.classification.problems import about_a_problem
from triage.fixes import grid
from triage.fixes.tables import EvidenceBasis, FixEvidence, FixRespondent
from triage.models import Fix, FixLink, TriageItem

BASIS_ID = 1
REBUILD_FIXES_AT_ONCE = 20  # fixes whose links a rebuild reads per query (and per step of its progress bar)


@dataclass(frozen=True)
class Basis:
    half_life_days: float | None = None   # None: the figures were never built
    value_attribute: str | None = None
    reference: float | None = None

    @property
    def built(self) -> bool:
        return self.half_life_days is not None

    def serves(self, half_life_days: float, value_attribute: str) -> bool:
        return self.half_life_days == half_life_days and (self.value_attribute or "") == (value_attribute or "")


# ---------------------------------------------------------------- the facts, as grid wants them

def number(attributes: dict | None, attribute: str | None) -> float | None:
    """A customer's value attribute as a number ("1,200" reads 1200); None when missing or not a number."""
    raw = (attributes or {}).get(attribute) if attribute else None
    try:
        return float(str(raw).replace(",", "")) if raw not in (None, "") else None
    except ValueError:
        return None


def scale_of(kind: str | None) -> tuple[int, int] | None:
    return (KINDS[kind].low, KINDS[kind].high) if kind in KINDS else None


def _linked_answers(*conditions):
    """Linked answers with what impact needs: fix, answer, score, scale, date, customer and attributes. Praise is
    no evidence (a linked verbatim corrected to praise since): nothing in it asks for the fix."""
    customer_id = respondent_customer_id()
    return db.session.execute(
        select(FixLink.fix_id, Response.id, Response.score, answer_scale(),
               Response.answered_at, customer_id, Customer.attributes)
        .join(Response, Response.id == FixLink.response_id)
        .outerjoin(TriageItem, TriageItem.response_id == FixLink.response_id)
        .outerjoin(Invitation, Invitation.id == Response.invitation_id)
        .outerjoin(Survey, Survey.id == Response.survey_id)
        .outerjoin(Customer, Customer.id == customer_id)
        .where(about_a_problem(), *conditions).order_by(FixLink.fix_id, Response.answered_at, Response.id))


def _strongest_by_fix(rows, basis: Basis, wanted: set[str] | None = None) -> dict[int, dict[str, grid.Strongest]]:
    evidence: dict[int, list[tuple[int, grid.Evidence]]] = {}
    for fix_id, response_id, score, kind, answered_at, customer_id, attributes in rows:
        who = respondent_key(customer_id, response_id)
        if wanted is None or who in wanted:
            evidence.setdefault(fix_id, []).append((response_id, grid.Evidence(
                who, score, scale_of(kind), answered_at, number(attributes, basis.value_attribute))))
    return {fix_id: grid.strongest(items, basis.half_life_days) for fix_id, items in evidence.items()}


def _store_people(people: dict[int, dict[str, grid.Strongest]]) -> None:
    rows = [{"fix_id": fix_id, "respondent": p.respondent, "response_id": p.response_id,
             "customer_id": parse_respondent_key(p.respondent)[0],
             "unhappiness": p.unhappiness, "answered_at": p.answered_at, "strength": p.strength,
             "value": p.value, "log_value": grid.log_value(p.value)}
            for fix_id, found in people.items() for p in found.values()]
    for some in slices(rows, 5000):
        db.session.execute(insert(FixRespondent), list(some))


# ---------------------------------------------------------------- the basis and its lock

def read_basis() -> Basis:
    row = db.session.execute(select(EvidenceBasis.half_life_days, EvidenceBasis.value_attribute,
                                    EvidenceBasis.reference).where(EvidenceBasis.id == BASIS_ID)).first()
    return Basis(*row) if row else Basis()


def _lock() -> Basis:
    """The basis, locked until the transaction ends: the figures' writers take turns."""
    insert_ignoring_conflicts(EvidenceBasis, {"id": BASIS_ID}, ["id"])
    row = db.session.execute(select(EvidenceBasis.half_life_days, EvidenceBasis.value_attribute,
                                    EvidenceBasis.reference).where(EvidenceBasis.id == BASIS_ID)
                             .with_for_update()).one()
    return Basis(*row)


# ---------------------------------------------------------------- what changed

def links_changed(fix_id: int, response_ids: Iterable[int]) -> None:
    """These verbatims were linked to the fix or unlinked from it (in the caller's transaction)."""
    response_ids = list(response_ids)
    basis = _lock()
    if not basis.built or not response_ids:
        return  # never built: the first reader builds everything
    people = set()
    for some in slices(response_ids):
        people.update(respondent_key(customer_id, response_id) for response_id, customer_id in db.session.execute(
            select(Response.id, respondent_customer_id())
            .outerjoin(Invitation, Invitation.id == Response.invitation_id).where(Response.id.in_(some))))
    _resync({fix_id}, people, basis)


def answers_changed(response_ids: Iterable[int], former_customers: Iterable[int] = ()) -> None:
    """These answers' score, kind, date or customer changed (`former_customers`: whom they belonged to).

    Only linked answers matter, and answers are checked for links before the lock is taken: a link
    made meanwhile by another transaction holds a key-share lock on the answer (its foreign key),
    which an answer edit (SELECT … FOR UPDATE) waits for, so it is seen."""
    response_ids = list(response_ids)
    fix_ids = set()
    for some in slices(response_ids):
        fix_ids.update(db.session.scalars(select(FixLink.fix_id).where(FixLink.response_id.in_(some))))
    if not fix_ids:
        return
    for some in slices(response_ids):  # the fix page orders links by their answer's date
        db.session.execute(update(FixLink).where(FixLink.response_id.in_(some)).values(
            answered_at=select(Response.answered_at).where(Response.id == FixLink.response_id).scalar_subquery()))
    basis = _lock()
    if not basis.built:
        return
    people = {customer_key(c) for c in former_customers if c} | {answer_key(r) for r in response_ids}
    for some in slices(response_ids):
        people.update(customer_key(c) for c in db.session.scalars(
            select(respondent_customer_id()).outerjoin(Invitation, Invitation.id == Response.invitation_id)
            .where(Response.id.in_(some))) if c)
    _resync(fix_ids, people, basis)


def customers_changed(customer_ids: Iterable[int], response_ids: Iterable[int] = ()) -> None:
    """These customers' attributes changed (their value may have), or they were erased: then
    `response_ids` are their former answers, each now a person of its own."""
    customer_ids, response_ids = list(customer_ids), list(response_ids)
    basis = _lock()  # first: a value read after the lock is the value of the last writer
    if not basis.built:
        return
    fix_ids = set()
    for some in slices(customer_ids):
        fix_ids.update(db.session.scalars(select(FixRespondent.fix_id).where(FixRespondent.customer_id.in_(some))))
    for some in slices(response_ids):
        fix_ids.update(db.session.scalars(select(FixLink.fix_id).where(FixLink.response_id.in_(some))))
    if fix_ids:
        _resync(fix_ids, {customer_key(c) for c in customer_ids} | {answer_key(r) for r in response_ids}, basis)


def _resync(fix_ids: set[int], people: set[str], basis: Basis) -> None:
    """Recompute the rows of these people for these fixes from their links, then the fixes' figures."""
    customers, answers = split_respondent_keys(people)
    fixes, keys = sorted(fix_ids), sorted(people)
    for some in slices(keys):
        db.session.execute(delete(FixRespondent).where(FixRespondent.fix_id.in_(fixes),
                                                       FixRespondent.respondent.in_(some)))
    found: dict[int, dict[str, grid.Strongest]] = {}
    for some_customers in slices(customers) if customers else [[]]:
        theirs = union(select(Response.id).where(Response.customer_id.in_(some_customers)),
                       select(Response.id).join(Invitation, Invitation.id == Response.invitation_id)
                       .where(Invitation.customer_id.in_(some_customers)))
        for some_answers in slices(answers) if answers else [[]]:
            rows = _linked_answers(FixLink.fix_id.in_(fixes), or_(FixLink.response_id.in_(theirs),
                                                                  FixLink.response_id.in_(some_answers)))
            for fix_id, best in _strongest_by_fix(rows, basis, people).items():
                found.setdefault(fix_id, {}).update(best)
    _store_people(found)
    if customers and _rereference(basis):
        return  # every fix was summarised again
    summarise(fixes, basis.reference)


# ---------------------------------------------------------------- figures from the rows

def _rereference(basis: Basis) -> bool:
    """The median value over every customer behind a fix; when it moved, every fix is summarised again."""
    values = db.session.scalars(select(func.max(FixRespondent.value)).where(
        FixRespondent.customer_id.is_not(None), FixRespondent.value > 0).group_by(FixRespondent.customer_id))
    reference = grid.reference_of(values)
    if reference == basis.reference:
        return False
    db.session.execute(update(EvidenceBasis).where(EvidenceBasis.id == BASIS_ID).values(reference=reference))
    summarise(None, reference)
    return True


def _among(column, fix_ids):
    return column.in_(fix_ids) if fix_ids is not None else column.is_not(None)


def summarise(fix_ids: list[int] | None, reference: float | None) -> None:
    """Store grid.Summary of these fixes (None: of every fix) from their people's rows."""
    people: dict[int, list[grid.Strongest]] = {}
    links: dict[int, int] = {}
    for some in slices(fix_ids) if fix_ids is not None else [None]:
        for fix_id, *row in db.session.execute(
                select(FixRespondent.fix_id, FixRespondent.respondent, FixRespondent.response_id,
                       FixRespondent.unhappiness, FixRespondent.answered_at, FixRespondent.strength,
                       FixRespondent.value).where(_among(FixRespondent.fix_id, some))):
            people.setdefault(fix_id, []).append(grid.Strongest(*row))
        links.update(db.session.execute(select(FixLink.fix_id, func.count()).where(_among(FixLink.fix_id, some))
                                        .group_by(FixLink.fix_id)).all())
        db.session.execute(delete(FixEvidence).where(_among(FixEvidence.fix_id, some)))
    rows = []
    for fix_id in sorted(set(people) | set(links)):
        summary = grid.summarise(people.get(fix_id, []), reference)
        rows.append({"fix_id": fix_id, "links": links.get(fix_id, 0), "respondents": summary.respondents,
                     "weight_sum": summary.weight_sum, "exponent": summary.exponent, "latest_at": summary.latest_at})
    for some in slices(rows, 5000):
        db.session.execute(insert(FixEvidence), list(some))


# ---------------------------------------------------------------- from scratch

def rebuild(half_life_days: float, value_attribute: str, now: datetime,
            progress: Callable[[int], object] = lambda _: None) -> Basis:
    """Every fix's figures from its links, as if never stored (in the caller's transaction)."""
    _lock()
    db.session.execute(delete(FixEvidence))
    db.session.execute(delete(FixRespondent))
    basis = Basis(half_life_days, value_attribute)
    fix_ids = list(db.session.scalars(select(Fix.id).order_by(Fix.id)))
    for some in slices(fix_ids, REBUILD_FIXES_AT_ONCE):
        _store_people(_strongest_by_fix(_linked_answers(FixLink.fix_id.in_(some)), basis))
        progress(len(some))
    values = db.session.scalars(select(func.max(FixRespondent.value)).where(
        FixRespondent.customer_id.is_not(None), FixRespondent.value > 0).group_by(FixRespondent.customer_id))
    basis = Basis(half_life_days, value_attribute, grid.reference_of(values))
    summarise(None, basis.reference)
    db.session.execute(update(EvidenceBasis).where(EvidenceBasis.id == BASIS_ID).values(
        half_life_days=half_life_days, value_attribute=value_attribute, reference=basis.reference, built_at=now))
    return basis


def fix_count() -> int:
    return db.session.scalar(select(func.count(Fix.id)))


def refresh_if_stale(half_life_days: float, value_attribute: str, now: datetime) -> Basis:
    """The basis the figures serve these settings with; built first when they were never built or were
    built with other settings (after an upgrade, or a change of half-life or value attribute). The first
    reader to find them stale builds them, once: the others wait for its lock, then find them built."""
    basis = read_basis()
    if basis.serves(half_life_days, value_attribute):
        return basis
    basis = _lock()
    if not basis.serves(half_life_days, value_attribute):
        basis = rebuild(half_life_days, value_attribute, now)
    db.session.commit()
    return basis
