"""The insight figures computed and stored: `compute_insight(now)` is what the daily refresh calls (and
`feedback retention refresh`, after the stages). One commit; the pages and commands read the rows, never the raw data."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from feedback_app.core.extensions import db
from retention.insight.fit_figures import fit_figures
from retention.insight.loop import loop_figures
from retention.models import RetentionFigure

LOOP_KEY, FIT_KEY = "loop:all", "fit:all"
KEYS = (LOOP_KEY, FIT_KEY)


def compute_insight(now: datetime, value_attribute: str = "mrr") -> dict[str, dict]:
    """Compute the loop comparison and the fit matrix as of `now` and store them (replacing the previous ones)."""
    figures = {LOOP_KEY: loop_figures(now), FIT_KEY: fit_figures(now, value_attribute)}
    for key, data in figures.items():
        store(key, data, now)
    db.session.commit()
    return figures


def store(key: str, data: dict, now: datetime) -> None:
    row = db.session.get(RetentionFigure, key)
    if row is None:
        db.session.add(RetentionFigure(key=key, data=data, computed_at=now))
    else:
        row.data, row.computed_at = data, now


def stored_figures() -> dict[str, RetentionFigure]:
    """The stored insight rows by key (one query); a key not computed yet is absent."""
    return {row.key: row for row in db.session.scalars(select(RetentionFigure)
                                                        .where(RetentionFigure.key.in_(KEYS)))}
