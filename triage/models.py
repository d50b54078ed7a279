"""Tables for triage: each verbatim's type and theme, the team's labels, custom types, model versions."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback_app.extensions import db
from surveys.models import Response


class TriageItem(db.Model):
    """The triage record of one verbatim. Survey answers now; other channels will add their own link."""
    __tablename__ = "triage_item"
    __table_args__ = (Index("ix_triage_item_review_order", "needs_review", "classified_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id"), unique=True)
    type_key: Mapped[str | None] = mapped_column(String(40), index=True)  # None: nothing to classify
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    theme: Mapped[str | None] = mapped_column(String(200))
    theme_key: Mapped[str | None] = mapped_column(String(120), index=True)
    language: Mapped[str] = mapped_column(String(8))
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    model_version: Mapped[int | None] = mapped_column(Integer)
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    confirmed_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    classified_at: Mapped[datetime] = mapped_column(DateTime)
    # The version of the answer that was classified: an edited answer is classified again.
    response_updated_at: Mapped[datetime] = mapped_column(DateTime)

    response: Mapped[Response] = relationship()


class TrainingExample(db.Model):
    """A labelled text from the team: a triager's correction or confirmation, an import, a custom type's example."""
    __tablename__ = "training_example"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    label: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(8))
    source: Mapped[str] = mapped_column(String(16))  # correction | confirmation | import | type-example
    # One label per triaged verbatim: a second correction replaces the first.
    response_id: Mapped[int | None] = mapped_column(ForeignKey("response.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class CustomType(db.Model):
    __tablename__ = "custom_type"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[dict] = mapped_column(JSON)         # {locale: name}
    description: Mapped[dict] = mapped_column(JSON)  # {locale: description}
    created_at: Mapped[datetime] = mapped_column(DateTime)


class ModelVersion(db.Model):
    """Every trained model with its evaluation; exactly one is active. The model itself is JSON."""
    __tablename__ = "model_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    model: Mapped[str] = mapped_column(Text)
    evaluation: Mapped[dict] = mapped_column(JSON, default=dict)
    examples: Mapped[int] = mapped_column(Integer)   # team examples it was trained on
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(String(300), default="")


class Fix(db.Model):
    """A piece of work the team may do, backed by linked verbatims; placed on the cost/impact grid."""
    __tablename__ = "fix"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    type_key: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)  # triage.followups.STATUSES
    cost: Mapped[int] = mapped_column(Integer)  # 1 trivial … 5 very large, set by the team
    theme_key: Mapped[str | None] = mapped_column(String(120), index=True)  # for suggesting new verbatims
    impact_override: Mapped[float | None] = mapped_column(Float)
    override_reason: Mapped[str | None] = mapped_column(Text)  # kept: why the evidence was overruled
    override_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    override_at: Mapped[datetime | None] = mapped_column(DateTime)
    release_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    planned_at: Mapped[datetime | None] = mapped_column(DateTime)
    shipped_at: Mapped[datetime | None] = mapped_column(DateTime)

    links: Mapped[list[FixLink]] = relationship(back_populates="fix", cascade="all, delete-orphan")


class FixLink(db.Model):
    """A verbatim supporting a fix; a verbatim may support several fixes."""
    __tablename__ = "fix_link"
    # The fix page lists a fix's verbatims newest first, a page at a time (keyset on this order).
    __table_args__ = (Index("ix_fix_link_fix_answered", "fix_id", "answered_at", "response_id"),)

    fix_id: Mapped[int] = mapped_column(ForeignKey("fix.id"), primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id"), primary_key=True, index=True)
    linked_at: Mapped[datetime] = mapped_column(DateTime)
    linked_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # The answer's own date, copied when linked (an answer's date never changes; triage.evidence_watch
    # copies it again if one is edited through the ORM) so the fix page's order needs no join.
    answered_at: Mapped[datetime] = mapped_column(DateTime)

    fix: Mapped[Fix] = relationship(back_populates="links")
    response: Mapped[Response] = relationship()


class BetaTester(db.Model):
    """A customer who answered "I would like to try it early" to a planned fix; once per fix."""
    __tablename__ = "beta_tester"

    fix_id: Mapped[int] = mapped_column(ForeignKey("fix.id"), primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
