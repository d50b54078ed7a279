"""`feedback advocacy set | off | ask | report`, on both databases: the same use cases as the admin page and the
scheduler, with clear refusals that store nothing."""
from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import func, select

from advocacy.models import AdvocacyAsk, AdvocacySetting
from advocacy.outcomes import record_outcome
from feedback_app.core.extensions import db
from surveys.answering.links import signed_invitation
from surveys.answering.services import record_answer
from surveys.scales.answers import Answer
from tests.support.factories import sent_survey

REVIEWS = "https://reviews.example/acme"


def run(app, *args):
    return app.test_cli_runner().invoke(args=["advocacy", *args])


def setting():
    db.session.expire_all()
    return db.session.scalar(select(AdvocacySetting))


def test_set_checks_the_link_and_off_stops_asking(app):
    refused = run(app, "set", "--kind", "review", "--url", "javascript:alert(1)")
    assert refused.exit_code == 1 and "http:// or https://" in refused.output and setting() is None
    assert run(app, "set", "--kind", "praise", "--url", REVIEWS).exit_code == 2  # not a kind: click says so
    saved = run(app, "set", "--kind", "referral", "--url", REVIEWS)
    assert saved.exit_code == 0 and "referral" in saved.output
    assert (setting().kind, setting().url, setting().enabled) == ("referral", REVIEWS, True)
    assert run(app, "off").output.strip() == "Asking promoters: off."
    assert setting().enabled is False and run(app, "off").output.strip() == "Asking promoters was not on."


def test_ask_asks_now_and_report_counts_in_text_and_json(app):
    from feedback_app.core import clock

    now = clock.utcnow()
    customers = (("ana@example.com", "Ana", "en"), ("layla@example.com", "ليلى", "ar"), ("tom@example.com", "Tom", "en"))
    _, invitations = sent_survey(app, customers=customers, now=now - timedelta(days=3))
    for invitation, score in zip(invitations, (10, 9, 7)):
        record_answer(signed_invitation(invitation), Answer(score, "", True), now - timedelta(days=2),
                      timedelta(hours=24))
    assert "off" in run(app, "ask").output  # nothing set yet: nobody asked
    assert db.session.scalar(select(func.count()).select_from(AdvocacyAsk)) == 0

    run(app, "set", "--kind", "review", "--url", REVIEWS)
    asked = run(app, "ask")
    assert asked.exit_code == 0 and asked.output.strip().splitlines()[-1] == "2 promoters asked."
    assert run(app, "ask").output.strip().splitlines()[-1] == "0 promoters asked."

    first = db.session.scalar(select(AdvocacyAsk.id).order_by(AdvocacyAsk.id))
    record_outcome(first, "went", now)
    # 2 asked: 1 went, none declined, 1 no answer; 1 of 2 = 50 %
    report = json.loads(run(app, "report", "--json").output)
    assert report == {"kind": "review", "url": REVIEWS, "enabled": True, "asked": 2, "went": 1, "declined": 0,
                      "no_answer": 1, "rate": 50.0}
    text = run(app, "report").output
    assert "Asked: 2  went: 1  declined: 0  no answer: 1" in text and "50.0 % of those asked" in text


def test_report_before_anything_is_set(app):
    report = json.loads(run(app, "report", "--json").output)
    assert report == {"kind": None, "url": None, "enabled": False, "asked": 0, "went": 0, "declined": 0,
                      "no_answer": 0, "rate": None}
    assert "no link set" in run(app, "report").output
