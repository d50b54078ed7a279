"""Tables kept beside a fix: its stored evidence figures and respondents (a cache of triage.fixes.grid's
formula, maintained by triage.fixes.evidence) and what the figures were computed with. (The news a fix sent,
FixNews, is in triage.models: triage.loop writes it too.)"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from feedback_app.core.extensions import db


class FixEvidence(db.Model):
    """A fix's evidence reduced to figures that do not change with time (triage.fixes.grid.Summary): ranking
    every fix reads these rows, never the links. No row: no evidence yet."""
    __tablename__ = "fix_evidence"

    fix_id: Mapped[int] = mapped_column(ForeignKey("fix.id"), primary_key=True)
    links: Mapped[int] = mapped_column(Integer)          # linked verbatims
    respondents: Mapped[int] = mapped_column(Integer)    # distinct people behind them
    weight_sum: Mapped[float] = mapped_column(Float)
    exponent: Mapped[float] = mapped_column(Float)
    latest_at: Mapped[datetime | None] = mapped_column(DateTime)


class FixRespondent(db.Model):
    """One person behind a fix, by their strongest linked answer (triage.fixes.grid.Strongest): the impact
    breakdown pages through these, and the median value (the reference) is taken over them."""
    __tablename__ = "fix_respondent"

    fix_id: Mapped[int] = mapped_column(ForeignKey("fix.id"), primary_key=True)
    respondent: Mapped[str] = mapped_column(String(40), primary_key=True)  # customer:<id> | response:<id>
    # No foreign keys: a cache row must never stop an erasure or an edit; triage.fixes.evidence rewrites it.
    customer_id: Mapped[int | None] = mapped_column(Integer, index=True)
    response_id: Mapped[int] = mapped_column(Integer)
    unhappiness: Mapped[float] = mapped_column(Float)
    answered_at: Mapped[datetime] = mapped_column(DateTime)
    strength: Mapped[float] = mapped_column(Float)
    value: Mapped[float | None] = mapped_column(Float)
    log_value: Mapped[float | None] = mapped_column(Float)


class EvidenceBasis(db.Model):
    """What every stored figure was computed with: the half-life and value attribute (settings) and the
    median value of the respondents. One row (id 1); its lock orders the writers of the figures."""
    __tablename__ = "fix_evidence_basis"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    half_life_days: Mapped[float | None] = mapped_column(Float)  # None: never built
    value_attribute: Mapped[str | None] = mapped_column(String(100))
    reference: Mapped[float | None] = mapped_column(Float)
    built_at: Mapped[datetime | None] = mapped_column(DateTime)
