"""The Save list: at-risk and silent customers, most valuable first, with why, a page at a time; the team's
outcomes recorded by triagers only; as many statements for a long list as for a short one — on both databases."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from feedback_app.accounts.services import create_user
from feedback_app.core.extensions import db
from retention.models import Activity, StageChange
from retention.saving import save_list
from retention.saving.models import CustomerValue, SaveOutcome
from retention.saving.values import refresh_values
from surveys.models import Customer
from tests.app.test_query_counts import statements_of
from tests.support.factories import NOW, add_customers

PASSWORD = "long-enough-password"


def customers(specs):
    """specs: (email, stage, mrr or None); values stored as the daily job stores them."""
    made = add_customers(*((email, email.split("@")[0].title(), "en") for email, _, _ in specs))
    for customer, (_, stage, mrr) in zip(made, specs):
        customer.stage, customer.stage_since = stage, NOW - timedelta(days=3)
        customer.attributes = {"mrr": mrr} if mrr is not None else {}
    db.session.commit()
    refresh_values(NOW)
    return {c.email: c for c in made}


def emails(page) -> list[str]:
    return [case.email for case in page.cases]


def sign_in(app, role):
    create_user(f"{role}@example.com", PASSWORD, role)
    client = app.test_client()
    client.post("/login", data={"email": f"{role}@example.com", "password": PASSWORD})
    return client


def test_values_are_mrr_else_revenue_else_zero(app):
    people = customers([("ana@example.com", "silent", "120"), ("bo@example.com", "silent", None),
                        ("cy@example.com", "silent", "n/a")])
    db.session.add_all([Activity(customer_id=people["bo@example.com"].id, occurred_at=NOW - timedelta(days=d),
                                 kind="purchase", amount=a, dedupe_key=f"bo-{d}") for d, a in ((1, 40), (2, 2.5))])
    db.session.commit()
    assert refresh_values(NOW + timedelta(hours=1)) == 3  # again: replaced, not added
    stored = dict(db.session.execute(select(Customer.email, CustomerValue.value).join(CustomerValue)).all())
    assert stored == {"ana@example.com": 120.0, "bo@example.com": 42.5, "cy@example.com": 0.0}


def test_the_list_holds_at_risk_and_silent_most_valuable_first_a_page_at_a_time(app):
    customers([("a@example.com", "at_risk", "10"), ("b@example.com", "silent", "300"),
               ("c@example.com", "active", "999"), ("d@example.com", "lost", "500"),
               ("e@example.com", "silent", "10"), ("f@example.com", "at_risk", None),
               ("g@example.com", "silent", "75")])
    # On the list: b 300, g 75, a 10, e 10 (tie: by id), f 0. Pages of two: [b g] [a e] [f].
    first = save_list.save_page(size=2)
    assert emails(first) == ["b@example.com", "g@example.com"] and first.previous is None
    second = save_list.save_page(save_list.position(first.next), size=2)
    assert emails(second) == ["a@example.com", "e@example.com"]
    third = save_list.save_page(save_list.position(second.next), size=2)
    assert emails(third) == ["f@example.com"] and third.next is None
    back = save_list.save_page(before=save_list.position(third.previous), size=2)
    assert emails(back) == ["a@example.com", "e@example.com"] and back.previous is not None
    assert emails(save_list.save_page(before=save_list.position(back.previous), size=2)) == emails(first)
    assert save_list.count_to_save() == 5 and save_list.count_to_save(up_to=3) == 4


def test_the_page_says_why_and_links_to_the_customer(app):
    people = customers([("ana@example.com", "silent", "50"), ("bo@example.com", "at_risk", "20")])
    ana, bo = people["ana@example.com"], people["bo@example.com"]
    db.session.add_all([
        StageChange(customer_id=ana.id, from_stage=None, to_stage="active", changed_at=NOW - timedelta(days=90),
                    reason={"key": "in_rhythm"}),
        StageChange(customer_id=ana.id, from_stage="active", to_stage="silent", changed_at=NOW - timedelta(days=3),
                    reason={"key": "quiet_against_rhythm", "days_quiet": 42, "usual_gap": 7.0, "threshold_days": 21}),
        StageChange(customer_id=bo.id, from_stage="active", to_stage="at_risk", changed_at=NOW,
                    reason={"key": "unhappy_recently"})])
    db.session.commit()
    page = sign_in(app, "viewer").get("/retention/save").get_data(as_text=True)
    assert "Quiet for 42 days; usually active every 7 days." in page
    assert "Unhappy in a recent answer or feedback." in page
    assert f'href="/customers/{ana.id}"' in page and "2 customers to save." in page
    assert page.index("ana@example.com") < page.index("bo@example.com")  # 50 before 20


def test_a_triager_records_outcomes_and_a_viewer_may_not(app):
    ana = customers([("ana@example.com", "silent", "50")])["ana@example.com"]
    assert sign_in(app, "viewer").post(f"/retention/save/{ana.id}/outcome", data={"outcome": "saved"}).status_code == 403
    triager = sign_in(app, "triager")
    reply = triager.post(f"/retention/save/{ana.id}/outcome", data={"outcome": "contacted"})
    assert reply.status_code == 302 and reply.headers["Location"].endswith(f"/retention/save#customer-{ana.id}")
    triager.post(f"/retention/save/{ana.id}/outcome", data={"outcome": "saved"})
    row = db.session.scalars(select(SaveOutcome)).one()  # one row per customer: the latest word
    assert (row.outcome, row.customer_id) == ("saved", ana.id)
    bad = triager.post(f"/retention/save/{ana.id}/outcome", data={"outcome": "won"}, follow_redirects=True)
    assert "Choose contacted, saved or lost." in bad.get_data(as_text=True)
    assert db.session.scalars(select(SaveOutcome.outcome)).all() == ["saved"]
    page = triager.get("/retention/save").get_data(as_text=True)
    assert re.search(r"Saved<br><small>\d{4}-\d\d-\d\d · <bdi>triager@example.com</bdi>", page)
    assert triager.post("/retention/save/99999/outcome", data={"outcome": "saved"}).status_code == 404


@pytest.mark.parametrize("token", ["garbled", "c2F2ZXxuYW58Mw", "Zm9sbG93LXVwc3wxLjB8Mw"])
def test_a_page_of_no_list_of_ours_is_not_found(app, token):
    # "save|nan|3" and "follow-ups|1.0|3": a value that is not a number, another list's name
    assert sign_in(app, "viewer").get(f"/retention/save?after={token}").status_code == 404


def test_a_long_list_costs_what_a_short_one_does(app):
    client = sign_in(app, "viewer")

    def statements(people: int, first: int) -> int:
        made = add_customers(*((f"p{n}@example.com", None, "en") for n in range(first, first + people)))
        for n, customer in enumerate(made):
            customer.stage, customer.attributes = ("silent", "at_risk")[n % 2], {"mrr": str(n)}
            db.session.add(StageChange(customer_id=customer.id, to_stage=customer.stage, changed_at=NOW,
                                       reason={"key": "unhappy_recently"}))
        db.session.commit()
        refresh_values(NOW)
        return statements_of(app, lambda: client.get("/retention/save"))

    assert statements(5, 0) == statements(60, 100)
    assert db.session.scalar(select(func.count()).select_from(Customer)) == 65
