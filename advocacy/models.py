"""Tables of advocacy: the team's one setting (what to ask for, where, on or off) and the one ask each customer
ever gets. An ask goes with its customer (ON DELETE CASCADE); the erasure deletes it first, to count it."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from advocacy.policy import URL_MAX
from feedback_app.core.extensions import db

SETTING_ID = 1


class AdvocacySetting(db.Model):
    """One row (id 1), none until an admin first sets it: until then nobody is asked."""
    __tablename__ = "advocacy_setting"
    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(12))  # review | referral (advocacy.policy.KINDS)
    url: Mapped[str] = mapped_column(String(URL_MAX))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class AdvocacyAsk(db.Model):
    """The one ask a customer ever gets (unique customer), the answer that led to it, what was asked for, and
    what they did: went to the link or declined (None: no click yet), and when."""
    __tablename__ = "advocacy_ask"
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), unique=True)
    response_id: Mapped[int | None] = mapped_column(ForeignKey("response.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(12))
    asked_at: Mapped[datetime] = mapped_column(DateTime)
    outcome: Mapped[str | None] = mapped_column(String(12))  # went | declined (advocacy.policy.OUTCOMES)
    outcome_at: Mapped[datetime | None] = mapped_column(DateTime)
