"""Test data made through the real use cases, so tests exercise the same paths as the app."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from feedback_app.core.extensions import db
from surveys.answering.links import survey_url
from surveys.asking.services import create_survey, send_survey
from surveys.models import Customer, Invitation
from surveys.people.importing import CustomerRow, ParsedCSV
from surveys.people.services import import_customers

NOW = datetime(2026, 11, 23, 12, 0)


def add_customers(*specs: tuple[str, str | None, str]) -> list[Customer]:
    """specs: (email, name, locale)."""
    rows = [CustomerRow(i + 2, email, name, locale, {}) for i, (email, name, locale) in enumerate(specs)]
    import_customers(ParsedCSV(rows=rows))
    return [db.session.scalar(select(Customer).where(Customer.email == email)) for email, _, _ in specs]


def sent_survey(app, kind="nps", customers=(("ana@example.com", "Ana", "en"),), now=NOW, **names):
    add_customers(*customers)
    survey = create_survey(kind, f"{kind} survey", names.pop("product", "Acme"), **names)
    send_survey(survey, now, cooldown_days=30)
    invitations = db.session.scalars(select(Invitation).where(Invitation.survey_id == survey.id)
                                     .order_by(Invitation.id)).all()
    return survey, invitations


def survey_path(app, invitation, score=None) -> str:
    return survey_url(invitation, score).removeprefix(app.config["BASE_URL"])
