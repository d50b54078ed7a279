"""The Save list's daily digest: "N customers to save today" with the most valuable few, once a day to each
triager and admin, only when somebody is on the list; the values refreshed once a day by the same job."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from feedback_app.accounts.services import create_user
from feedback_app.core.extensions import db
from feedback_app.mail.outbox import OutboxEmail
from retention.saving import digest
from retention.saving.models import CustomerValue
from surveys.models import Customer
from tests.support.factories import NOW, add_customers

URL = "http://survey.test"


def team():
    ids = [create_user(f"{role}@example.com", "long-enough-password", role).id
           for role in ("admin", "triager", "viewer")]
    return ids


def on_the_list(count: int):
    made = add_customers(*((f"c{n}@example.com", f"C{n}" if n else None, "en") for n in range(count)))
    for n, customer in enumerate(made):
        customer.stage = ("silent", "at_risk")[n % 2]
        customer.attributes = {"mrr": str(10 * (n + 1))}  # c0 10 … c6 70: c6 is the most valuable
    db.session.commit()
    return made


def test_no_digest_while_nobody_is_to_be_saved(app):
    team()
    add_customers(("ana@example.com", "Ana", "en"))
    assert digest.daily(NOW, URL) == 0
    assert db.session.scalars(select(OutboxEmail)).all() == []


def test_each_triager_and_admin_gets_one_digest_a_day_with_the_most_valuable_first(app):
    admin_id, triager_id, _ = team()
    made = on_the_list(7)
    assert digest.daily(NOW, URL) == 2  # admin and triager; not the viewer
    assert digest.daily(NOW + timedelta(hours=5), URL) == 0  # the same day: nothing more
    emails = db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)).all()
    assert [e.dedupe_key for e in emails] == [f"save-digest:2026-11-23:{admin_id}",
                                              f"save-digest:2026-11-23:{triager_id}"]
    assert [e.recipient for e in emails] == ["admin@example.com", "triager@example.com"]
    mail = emails[0]
    assert mail.subject == "7 customers to save today"
    # The top five by value: c6 (70) … c2 (30); c1 and c0 are left to the list.
    shown = [f"c{n}@example.com" for n in (6, 5, 4, 3, 2)]
    positions = [mail.body_text.index(email) for email in shown]
    assert positions == sorted(positions) and "c1@example.com" not in mail.body_text
    assert f"{URL}/customers/{made[6].id}" in mail.body_text and f"{URL}/retention/save" in mail.body_text
    assert "Stage: Silent · Value: 70.00" in mail.body_text  # c6 is silent (even index)
    assert "C6" in mail.body_html and "At risk" in mail.body_html
    assert digest.daily(NOW + timedelta(days=1), URL) == 2  # the next day: again


def test_values_are_refreshed_once_a_day(app):
    team()
    customer = on_the_list(1)[0]
    digest.daily(NOW, URL)
    assert db.session.get(CustomerValue, customer.id).value == 10.0
    db.session.get(Customer, customer.id).attributes = {"mrr": "99"}
    db.session.commit()
    digest.daily(NOW + timedelta(hours=2), URL)
    assert db.session.get(CustomerValue, customer.id).value == 10.0  # from today already
    digest.daily(NOW + timedelta(days=1), URL)
    assert db.session.get(CustomerValue, customer.id).value == 99.0
