"""The customer import's lifetime columns (customer_since, ended_at), and the migration that added them with the
activity and stage tables."""
from __future__ import annotations

import io
from datetime import datetime

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from feedback_app.core.extensions import db
from surveys.models import Customer
from surveys.people.importing import CustomerCSV
from surveys.people.services import import_customers
from tests.app.feedback_app.test_cli import run


def lifetimes() -> dict[str, tuple]:
    db.session.expire_all()
    return {c.email: (c.customer_since, c.ended_at, c.attributes)
            for c in db.session.scalars(select(Customer).order_by(Customer.email))}


def test_the_dates_are_stored_in_their_columns_and_an_empty_one_keeps_what_is_known(app):
    first = import_customers(CustomerCSV(io.BytesIO(
        b"email,customer_since,ended_at,plan\n"
        b"ana@example.com,2025-03-01,,pro\n"
        b"badr@example.com,2025-04-01T09:00:00+04:00,2026-06-30,team\n"    # 09:00 at +04:00 is 05:00 UTC
        b"sara@example.com,,,free\n"
        b"reza@example.com,2025-02-30,,pro\n")))                           # no such day: the line's error
    assert (first.created, [line for line, _ in first.errors]) == (3, [5])
    assert "customer_since: '2025-02-30' is not an ISO date or time" in str(first.errors[0][1])
    assert lifetimes() == {"ana@example.com": (datetime(2025, 3, 1), None, {"plan": "pro"}),
                           "badr@example.com": (datetime(2025, 4, 1, 5), datetime(2026, 6, 30), {"plan": "team"}),
                           "sara@example.com": (None, None, {"plan": "free"})}
    # A second file: ana's end is given, badr's dates are left empty (kept), sara's start given; a file without
    # the columns at all changes none of them.
    second = import_customers(CustomerCSV(io.BytesIO(
        b"email,ended_at,customer_since\n"
        b"ana@example.com,2026-10-01T12:00:00Z,\n"
        b"badr@example.com,,\n"
        b"sara@example.com,,2024-01-01\n")))
    third = import_customers(CustomerCSV(io.BytesIO(b"email,plan\nana@example.com,pro\nbadr@example.com,team\n")))
    assert (second.updated, second.errors, third.updated) == (3, [], 2)
    assert lifetimes() == {"ana@example.com": (datetime(2025, 3, 1), datetime(2026, 10, 1, 12), {"plan": "pro"}),
                           "badr@example.com": (datetime(2025, 4, 1, 5), datetime(2026, 6, 30), {"plan": "team"}),
                           "sara@example.com": (datetime(2024, 1, 1), None, {"plan": "free"})}


def test_the_command_reports_a_date_error_on_its_line(app):
    result = run(app, "customers", "import", "-",
                 input="email,customer_since,ended_at\nana@example.com,2025-01-01,2024-12-31\nok@example.com,2025-01-01,\n")
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-2:] == [
        "line 2: ended_at (2024-12-31 00:00) is before customer_since (2025-01-01 00:00)",
        "1 added, 0 updated, 1 row not imported."]
    assert lifetimes() == {"ok@example.com": (datetime(2025, 1, 1), None, {})}


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_the_upgrade_to_0017_keeps_customers_and_the_downgrade_keeps_them_too(database, tmp_path, request):
    from flask_migrate import downgrade, upgrade

    from tests.app.feedback_app.test_migrations import _fresh_app

    app = _fresh_app(database, tmp_path, request, "retention_upgrade")
    at = datetime(2026, 11, 1)
    with app.app_context():
        directory = app.extensions["migrate"].directory
        upgrade(directory=directory, revision="0016_text_embeddings")
        db.session.execute(sa.text("INSERT INTO customer (id, email, locale, attributes, created_at, updated_at) "
                                   "VALUES (1, 'ana@example.com', 'en', '{}', :at, :at)"), {"at": at})
        db.session.commit()
        db.session.remove()
        upgrade(directory=directory)
        assert db.session.execute(sa.text("SELECT email, customer_since, ended_at, stage, stage_since FROM customer")
                                  ).all() == [("ana@example.com", None, None, None, None)]
        db.session.execute(sa.text("INSERT INTO activity (customer_id, occurred_at, kind, dedupe_key) "
                                   "VALUES (1, :at, 'login', 'k1')"), {"at": at})
        db.session.execute(sa.text("UPDATE customer SET stage = 'active', customer_since = :at"), {"at": at})
        db.session.commit()
        db.session.remove()
        downgrade(directory=directory, revision="0016_text_embeddings")
        assert db.session.execute(sa.text("SELECT id, email FROM customer")).all() == [(1, "ana@example.com")]
        assert "activity" not in sa.inspect(db.engine).get_table_names()
        db.session.remove()
        db.engine.dispose()
