"""What a promoter did with their ask — went to the team's link, or declined — recorded once it is a POST (one
commit), and the figures: asked, went, declined, no answer, and the share who went."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update

from advocacy.models import AdvocacyAsk
from advocacy.policy import DECLINED, OUTCOMES, WENT, Figures, next_outcome
from feedback_app.core.extensions import db


def record_outcome(ask_id: int, clicked: str, now: datetime) -> str | None:
    """The ask's outcome after this click (advocacy.policy.next_outcome: the first answer stands, but a decline
    followed by going is a went), stored when it changed. None when the ask does not exist (anymore)."""
    if clicked not in OUTCOMES:
        raise ValueError(f"not an outcome: {clicked!r}")
    current = db.session.execute(select(AdvocacyAsk.outcome).where(AdvocacyAsk.id == ask_id)
                                 .with_for_update()).first()
    if current is None:
        db.session.rollback()
        return None
    outcome = next_outcome(current.outcome, clicked)
    if outcome != current.outcome:
        db.session.execute(update(AdvocacyAsk).where(AdvocacyAsk.id == ask_id)
                           .values(outcome=outcome, outcome_at=now))
    db.session.commit()
    return outcome


def figures() -> Figures:
    """Every ask counted by outcome: one statement over the asks (at most one a customer)."""
    asked, went, declined = db.session.execute(select(
        func.count(), func.count().filter(AdvocacyAsk.outcome == WENT),
        func.count().filter(AdvocacyAsk.outcome == DECLINED)).select_from(AdvocacyAsk)).one()
    return Figures(asked, went, declined)
