"""Tables of saving and winning back: win-back campaigns, the one email each sent to a customer, and the team's
outcome of saving a customer. Rows of a customer go with them (ON DELETE CASCADE), as their activity does."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from feedback_app.core.extensions import db

NAME_MAX = 200
TIER_MAX = 12
OUTCOME_MAX = 12
OUTCOMES = ("contacted", "saved", "lost")


class WinBackCampaign(db.Model):
    """A win-back email to every lost customer, once. `incentives` is {tier: {locale: text}} ("20 % off your next
    three months"); a customer whose tier has no text in their language gets the email without an offer."""
    __tablename__ = "win_back_campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    return_days: Mapped[int] = mapped_column(Integer, default=30)  # came back within this many days of the email
    incentives: Mapped[dict] = mapped_column(JSON, default=dict)


class WinBackEmail(db.Model):
    """One customer emailed by one campaign, with the tier and value they were emailed at: unique, so nobody hears
    from a campaign twice however often it is sent."""
    __tablename__ = "win_back_email"
    __table_args__ = (UniqueConstraint("campaign_id", "customer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("win_back_campaign.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    tier: Mapped[str] = mapped_column(String(TIER_MAX))
    value: Mapped[float | None] = mapped_column(Float)
    emailed_at: Mapped[datetime] = mapped_column(DateTime)


class SaveOutcome(db.Model):
    """The team's latest word on saving a customer from the Save list: contacted, saved or lost, when and by whom."""
    __tablename__ = "save_outcome"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(OUTCOME_MAX))
    at: Mapped[datetime] = mapped_column(DateTime)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))


class CustomerValue(db.Model):
    """Each customer's value (retention.saving.values: mrr, else revenue; 0 when unknown) as the daily job last
    computed it, so the Save list is read most valuable first from an index instead of summing activity."""
    __tablename__ = "customer_value"
    __table_args__ = (Index("ix_customer_value_value", "value", "customer_id"),)

    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), primary_key=True)
    value: Mapped[float] = mapped_column(Float)
    computed_at: Mapped[datetime] = mapped_column(DateTime)


class CheckInSurvey(db.Model):
    """Which survey is the check-in to silent customers ("What changed?"): one row under one key, so it is made
    once (a second maker's row conflicts, and its survey is removed)."""
    __tablename__ = "check_in_survey"

    key: Mapped[str] = mapped_column(String(20), primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
