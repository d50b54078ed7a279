"""Which fixes each verbatim supports: what the CSV export and the API's list show beside a verbatim.

A read of the fix tables only (triage.models), so the verbatims never import the fixes package, which reads them.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from feedback_app.core.extensions import db
from triage.models import Fix, FixLink


@dataclass(frozen=True)
class SupportedFix:
    id: int
    title: str
    status: str


def fixes_of(response_ids: list[int]) -> dict[int, list[SupportedFix]]:
    """The fixes each of these verbatims supports, by fix id (a verbatim may support several)."""
    found: dict[int, list[SupportedFix]] = {}
    if not response_ids:
        return found
    for response_id, fix_id, title, status in db.session.execute(
            select(FixLink.response_id, Fix.id, Fix.title, Fix.status).join(Fix, Fix.id == FixLink.fix_id)
            .where(FixLink.response_id.in_(response_ids)).order_by(Fix.id)):
        found.setdefault(response_id, []).append(SupportedFix(fix_id, title, status))
    return found
