"""Segments as SQL (surveys/people/segments.py), on SQLite and PostgreSQL with real rows: every kind of field,
attribute values that are not numbers, and the latest score across survey and channel answers."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from feedback_app.core.extensions import db
from surveys.models import Customer, Invitation, Response
from surveys.people.importing import CustomerRow, ParsedCSV
from surveys.people.segments import customer_condition, in_segment
from surveys.people.services import import_customers
from tests.support.factories import NOW, sent_survey

PEOPLE = {
    # email: attributes
    "ana@example.com": {"plan": "pro", "mrr": "250"},
    "ben@example.com": {"plan": "free", "mrr": "0"},
    "cy@example.com": {"plan": "pro", "mrr": "lots"},        # not a number: no numeric rule matches it
    "di@example.com": {"plan": "team", "mrr": "99.5"},
    "ed@example.com": {"mrr": "-20"},                          # no plan at all
    "fa@example.com": {"plan": "Pro", "mrr": "1.2.3"},        # case matters; 1.2.3 is not a number
}


@pytest.fixture
def people(app):
    rows = [CustomerRow(n + 2, email, None, "ar" if email.startswith("fa") else "en", attributes)
            for n, (email, attributes) in enumerate(PEOPLE.items())]
    import_customers(ParsedCSV(rows=rows))
    customers = {c.email.split("@")[0]: c for c in db.session.scalars(select(Customer))}
    customers["ana"].stage, customers["ben"].stage, customers["cy"].stage = "silent", "active", "at_risk"
    db.session.commit()
    return customers


def members(rules):
    return sorted(c.email.split("@")[0] for c in db.session.scalars(select(Customer).where(customer_condition(rules))))


@pytest.mark.parametrize("rules, expected", [
    (["plan = pro"], ["ana", "cy"]),
    (["plan != pro"], ["ben", "di", "ed", "fa"]),          # ed has no plan: not "pro"
    (["plan in pro,team"], ["ana", "cy", "di"]),
    (["mrr >= 100"], ["ana"]),
    (["mrr > 0"], ["ana", "di"]),                          # 99.5 as a number, not as text
    (["mrr < 100"], ["ben", "di", "ed"]),                  # lots and 1.2.3 match no comparison
    (["mrr <= -20"], ["ed"]),
    (["mrr = lots"], ["cy"]),                              # = compares text
    (["mrr >= 9"], ["ana", "di"]),                         # as numbers; as text '250' < '9'
    (["plan = pro", "mrr >= 100"], ["ana"]),               # every rule holds
    (["stage = silent"], ["ana"]),
    (["stage in silent,at_risk"], ["ana", "cy"]),
    (["stage != silent"], ["ben", "cy", "di", "ed", "fa"]),  # no stage yet counts as "not silent"
    (["locale = ar"], ["fa"]),
    (["locale != ar"], ["ana", "ben", "cy", "di", "ed"]),
    (["nothere = x"], []),
    (["nothere != x"], ["ana", "ben", "cy", "di", "ed", "fa"]),
    (["nothere > 1"], []),
    ([], []),
])
def test_each_field_on_each_database(people, rules, expected):
    assert members(rules) == expected


def answer(invitation, score, at):
    db.session.add(Response(invitation_id=invitation.id, survey_id=invitation.survey_id, score=score, locale="en",
                            answered_at=at, updated_at=at))


def channel(customer, kind, score, at):
    db.session.add(Response(channel="email", customer_id=customer.id, kind=kind, score=score, locale="en",
                            answered_at=at, updated_at=at))


def test_the_latest_score_of_the_kind_counts(app, people):
    ana, ben, cy, di = people["ana"], people["ben"], people["cy"], people["di"]
    survey, invitations = sent_survey(app, "nps", customers=[(c.email, None, "en") for c in (ana, ben, cy, di)])
    by_customer = {i.customer_id: i for i in db.session.scalars(select(Invitation))}
    # ana: survey 3 then a channel 9 a day later -> latest 9. ben: channel 2, then survey 10 -> 10.
    answer(by_customer[ana.id], 3, NOW)
    channel(ana, "nps", 9, NOW + timedelta(days=1))
    channel(ben, "nps", 2, NOW)
    answer(by_customer[ben.id], 10, NOW + timedelta(days=1))
    # cy: a 5, then a skipped scale (no score) later -> still 5; a CSAT 1 is another kind.
    channel(cy, "nps", 5, NOW)
    answer(by_customer[cy.id], None, NOW + timedelta(days=2))
    channel(cy, "csat", 1, NOW + timedelta(days=3))
    # di: only CSAT answers.
    channel(di, "csat", 4, NOW)
    db.session.commit()
    assert members(["nps <= 6"]) == ["cy"]
    assert members(["nps >= 9"]) == ["ana", "ben"]
    assert members(["nps = 10"]) == ["ben"]
    assert members(["nps in 3,2"]) == []                       # their older scores do not count
    assert members(["nps != 5"]) == ["ana", "ben", "di", "ed", "fa"]   # no NPS is "not 5"
    assert members(["csat <= 2"]) == ["cy"]
    assert members(["csat > 3", "plan = team"]) == ["di"]
    assert members(["nps <= 6", "stage = at_risk", "mrr < 1"]) == []   # cy's mrr is not a number


def test_in_segment_by_a_customer_id(app, people):
    """The triage list's way: answers whose customer is in the segment, without Customer in the outer query."""
    for name in ("ana", "ben", "cy"):
        channel(people[name], "nps", 7, NOW)
    db.session.commit()
    ids = db.session.scalars(select(Response.customer_id).where(in_segment(["plan = pro"], Response.customer_id))
                             .order_by(Response.customer_id)).all()
    assert ids == sorted([people["ana"].id, people["cy"].id])
