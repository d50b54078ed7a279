"""Tables of retention: what customers do (activity) and the history of their lifecycle stages.

The customer's own retention columns (customer_since, ended_at, stage, stage_since) are on the customer
table, which surveys owns (surveys.models.Customer). Rows here go with their customer: an erasure deletes
the customer row and the database deletes these (ON DELETE CASCADE), as it does a customer's fix-news stop.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from feedback_app.core.extensions import db

KIND_MAX = 40
EXTERNAL_ID_MAX = 200
STAGE_MAX = 12
# Amounts are kept to 4 decimal places (Kuwaiti and Bahraini dinars have 3), up to 10^14 either way.
AMOUNT_PRECISION, AMOUNT_SCALE = 18, 4


class Activity(db.Model):
    """One thing a customer did, from the team's systems: a purchase, a login, a renewal, a cancel… (`kind`, free
    text, lower-cased). Imported from a CSV (`feedback activity import`) or sent to `POST /api/v1/activity`; never
    changed afterwards. A `cancel` changes nothing on the customer by itself: the stage rule reads it.

    Stored once, whichever way and however often it arrives: an `external_id` (the other system's id: an order
    number) is unique, and so is `dedupe_key`, its second and a digest of what the row says — customer, time, kind,
    amount and external id (retention.activity_csv.activity_key) — so a file imported again adds nothing.
    Two identical rows (same customer, time, kind and amount, no id) are therefore one activity: a system
    that has such twins must send their ids.
    """
    __tablename__ = "activity"
    __table_args__ = (
        # A customer's activity in time order: their rhythm (the stage rule), their timeline, the cascade.
        # No index by kind: each index written at random places costs an import about a fifth of its time
        # (measured), and figures over all customers read the whole table anyway.
        Index("ix_activity_customer_occurred", "customer_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    occurred_at: Mapped[datetime] = mapped_column(DateTime)  # naive UTC
    kind: Mapped[str] = mapped_column(String(KIND_MAX))
    # Read as a float (asdecimal=False): SQLite keeps no decimals, and sums and shares need no more.
    amount: Mapped[float | None] = mapped_column(Numeric(AMOUNT_PRECISION, AMOUNT_SCALE, asdecimal=False))
    external_id: Mapped[str | None] = mapped_column(String(EXTERNAL_ID_MAX), unique=True)
    dedupe_key: Mapped[str] = mapped_column(String(32), unique=True)


class StageChange(db.Model):
    """A customer's lifecycle stage changed (written by the stage refresh): the history behind Customer.stage,
    and the moves between stages per month. `reason` is the rule's explanation (figures it decided on)."""
    __tablename__ = "stage_change"
    __table_args__ = (
        Index("ix_stage_change_customer", "customer_id", "changed_at"),  # one customer's history
        Index("ix_stage_change_changed", "changed_at"),  # the moves of a month
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    from_stage: Mapped[str | None] = mapped_column(String(STAGE_MAX))  # None: the customer's first stage
    to_stage: Mapped[str] = mapped_column(String(STAGE_MAX))
    changed_at: Mapped[datetime] = mapped_column(DateTime)
    reason: Mapped[dict] = mapped_column(JSON, default=dict)


class RetentionFigure(db.Model):
    """A figure the retention pages show, computed by the refresh (daily, or `feedback retention refresh`) and
    kept here, so a page reads a few rows instead of every customer's activity. `key` names the figure and what it
    covers, e.g. `kpis:month:2026-11` or `loop:all`, each page group its own prefix; `data` is its JSON."""
    __tablename__ = "retention_figure"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    computed_at: Mapped[datetime] = mapped_column(DateTime)
