"""The record of erasures: when and by whom, never whose (that would keep what was erased)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from feedback_app.core.extensions import db


class Erasure(db.Model):
    __tablename__ = "erasure"

    id: Mapped[int] = mapped_column(primary_key=True)
    erased_at: Mapped[datetime] = mapped_column(DateTime)
    erased_by: Mapped[str] = mapped_column(String(200))  # "user admin@acme.example", "token zendesk", "cli"
    # What was removed, as counts only: {"answers": 3, "emails": 5, …}.
    removed: Mapped[dict] = mapped_column(JSON, default=dict)
