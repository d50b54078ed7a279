"""The Save list: at-risk and silent customers, most valuable first, with why (their stage and the reason of its
latest change) and the team's outcome (contacted, saved, lost). Read a page at a time by keyset on (value, id):
each page reads the stage index's customers joined to their stored value (retention.saving.models.CustomerValue,
refreshed daily), never their activity; a page costs two statements however long the list."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select

from feedback_app.accounts.models import User
from feedback_app.core.extensions import db
from feedback_app.core.paging import capped_count, ranked_token, read_ranked_token
from retention.models import StageChange
from retention.saving.models import OUTCOMES, CustomerValue, SaveOutcome
from surveys.models import Customer

TO_SAVE = ("at_risk", "silent")
PAGE_SIZE = 50
COUNT_UP_TO = 1000
LIST_NAME = "save"
VALUE = func.coalesce(CustomerValue.value, 0.0)


class OutcomeError(ValueError):
    """An outcome that cannot be recorded; the message says why."""


@dataclass(frozen=True)
class Case:
    customer_id: int
    email: str
    name: str | None
    stage: str
    stage_since: datetime | None
    value: float
    outcome: str | None
    outcome_at: datetime | None
    outcome_by: str | None
    reason: dict  # the latest StageChange's reason ({} when none is recorded)

    def token(self) -> str:
        return ranked_token(LIST_NAME, self.value, self.customer_id)


@dataclass(frozen=True)
class SavePage:
    cases: list[Case]
    next: str | None
    previous: str | None


def position(token: str | None) -> tuple[float, int] | None:
    """A page's edge from its link; ValueError for a token of no list of ours (the view answers 404)."""
    return read_ranked_token(token, LIST_NAME)


def _rows():
    return (select(Customer.id, Customer.email, Customer.name, Customer.stage, Customer.stage_since,
                   VALUE.label("value"), SaveOutcome.outcome, SaveOutcome.at, User.email)
            .outerjoin(CustomerValue, CustomerValue.customer_id == Customer.id)
            .outerjoin(SaveOutcome, SaveOutcome.customer_id == Customer.id)
            .outerjoin(User, User.id == SaveOutcome.by_user_id)
            .where(Customer.stage.in_(TO_SAVE)))


def _later(edge: tuple[float, int]):
    value, row = edge
    return or_(VALUE < value, and_(VALUE == value, Customer.id > row))


def _earlier(edge: tuple[float, int]):
    value, row = edge
    return or_(VALUE > value, and_(VALUE == value, Customer.id < row))


def save_page(after: tuple[float, int] | None = None, before: tuple[float, int] | None = None,
              size: int = PAGE_SIZE) -> SavePage:
    """`size` customers to save, most valuable first (ties by id), after or before a page's edge."""
    if before is not None:
        rows = db.session.execute(_rows().where(_earlier(before)).order_by(VALUE.asc(), Customer.id.desc())
                                  .limit(size + 1)).all()
        more, rows = len(rows) > size, list(reversed(rows[:size]))
        cases = _cases(rows)
        return SavePage(cases, cases[-1].token() if cases else None, cases[0].token() if more and cases else None)
    query = _rows().where(_later(after)) if after is not None else _rows()
    rows = db.session.execute(query.order_by(VALUE.desc(), Customer.id).limit(size + 1)).all()
    more, rows = len(rows) > size, rows[:size]
    cases = _cases(rows)
    return SavePage(cases, cases[-1].token() if more else None,
                    cases[0].token() if after is not None and cases else None)


def _cases(rows) -> list[Case]:
    reasons = _latest_reasons([row[0] for row in rows])
    return [Case(*row, reasons.get(row[0]) or {}) for row in rows]


def _latest_reasons(customer_ids: list[int]) -> dict[int, dict]:
    """Each customer's latest stage change's reason, in one statement."""
    if not customer_ids:
        return {}
    latest = (select(func.max(StageChange.id)).where(StageChange.customer_id.in_(customer_ids))
              .group_by(StageChange.customer_id))
    return dict(db.session.execute(select(StageChange.customer_id, StageChange.reason)
                                   .where(StageChange.id.in_(latest))).all())


def count_to_save(up_to: int = COUNT_UP_TO) -> int:
    """How many are on the list, counted no further than up_to + 1 (read as "more than up_to")."""
    return db.session.scalar(select(capped_count(select(Customer.id).where(Customer.stage.in_(TO_SAVE)), up_to)))


def record_outcome(customer_id: int, outcome: str, user_id: int | None, now: datetime) -> None:
    """The team's latest word on saving a customer (one row per customer, replaced)."""
    if outcome not in OUTCOMES:
        raise OutcomeError(f"Unknown outcome {outcome!r}; one of: {', '.join(OUTCOMES)}.")
    row = db.session.get(SaveOutcome, customer_id)
    if row is None:
        row = SaveOutcome(customer_id=customer_id)
        db.session.add(row)
    row.outcome, row.at, row.by_user_id = outcome, now, user_id
    db.session.commit()
