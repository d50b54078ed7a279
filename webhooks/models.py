"""Webhooks' tables: the endpoints admins register, the events (one row each, their stable id sent with every
delivery), and each event's delivery to each endpoint, in queue order by id."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback_app.core.extensions import db


class WebhookEndpoint(db.Model):
    __tablename__ = "webhook_endpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(200))
    events: Mapped[list] = mapped_column(JSON)  # the event types it subscribed to
    allow_private: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    paused_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The first failure since its last success: a day of it pauses the endpoint (webhooks.schedule).
    failing_since: Mapped[datetime | None] = mapped_column(DateTime)


class WebhookEvent(db.Model):
    __tablename__ = "webhook_event"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # "evt_…": what receivers dedupe on
    type: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class WebhookDelivery(db.Model):
    __tablename__ = "webhook_delivery"
    __table_args__ = (
        # An endpoint's queue: its oldest undelivered row first, found without a scan.
        Index("ix_webhook_delivery_queue", "endpoint_id", "delivered_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("webhook_event.id", ondelete="CASCADE"), index=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoint.id", ondelete="CASCADE"))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime)
    last_status: Mapped[int | None] = mapped_column(Integer)  # the receiver's HTTP status, None: no answer
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime)

    event: Mapped[WebhookEvent] = relationship(lazy="raise")
    endpoint: Mapped[WebhookEndpoint] = relationship(lazy="raise")
