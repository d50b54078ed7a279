"""Channel scores count on the dashboard, with a filter per source and the count per source, and the scores per
touchpoint from the tallies joined to their surveys; the rebuild recounts the same. On SQLite and PostgreSQL.

By hand: CSAT 5 and 2 through the API from support-email, 4 from a survey tagged "support": 2 satisfied of 3 →
66.7 % (page: "67%"), n = 3; by source survey 1, support-email 2. support-email alone: 1 of 2 → 50 %.
Per touchpoint: support 1 of 1 → 100.0, n 1; onboarding (another CSAT survey, answered 1 and 2) 0 of 2 → 0.0, n 2.
"""
import re
from datetime import timedelta

import pytest

from feedback_app.accounts.services import create_user
from feedback_app.accounts.tokens import create_token
from feedback_app.core.extensions import db
from feedback_app.dashboard import touchpoint_tables
from surveys.answering import tallies
from surveys.answering.links import signed_invitation
from surveys.answering.services import record_answer
from surveys.asking.services import create_survey
from surveys.asking.triggered import Trigger, trigger_invitation
from surveys.scales.answers import Answer
from tests.app.feedback_app.api.test_api import Caller
from tests.support.factories import NOW, add_customers

DAY = timedelta(days=1)


def answer(survey, email, score, when):
    invitation = trigger_invitation(Trigger(survey.id, email=email), when, 30).invitation
    record_answer(signed_invitation(invitation), Answer(score, "", False), when, timedelta(hours=24))


@pytest.fixture
def board(app, client, monkeypatch):
    monkeypatch.setattr("feedback_app.dashboard.utcnow", lambda: NOW)
    add_customers(("ana@example.com", "Ana", "en"), ("badr@example.com", "Badr", "en"),
                  ("sara@example.com", "Sara", "en"))
    support = create_survey("csat", "after support", "Acme", mode="transactional", touchpoint="support")
    onboarding = create_survey("csat", "after onboarding", "Acme", mode="transactional", touchpoint="Onboarding")
    answer(support, "ana@example.com", 4, NOW - DAY)
    api = Caller(client, create_token("tests", "triager", NOW).plain)
    for score, ticket in ((5, "T-1"), (2, "T-2")):
        reply = api.post("/api/v1/feedback", json={"text": "about my ticket", "email": "sara@example.com",
                                                   "score": score, "kind": "csat", "channel": "support-email",
                                                   "external_id": ticket, "answered_at": "2026-11-22T10:00:00"})
        assert reply.status_code == 201
    create_user("viewer@example.com", "long-enough-password", "viewer")
    client.post("/login", data={"email": "viewer@example.com", "password": "long-enough-password"})
    return client, onboarding


def csat_panel(html: str) -> str:
    return html[html.index('data-kind="csat"'):html.index("</article>", html.index('data-kind="csat"'))]


def test_channel_scores_count_with_their_source_and_a_filter(board):
    client, _ = board
    html = client.get("/").get_data(as_text=True)
    assert 'data-metric="score">67%<' in csat_panel(html) and "n = 3" in csat_panel(html)
    sources = dict(re.findall(r'data-source="([^"]+)"[^>]*><bdi>[^<]+</bdi> \((\d+)\)<', html))
    assert sources == {"support-email": "2", "survey": "1"}
    one = client.get("/?channel=support-email").get_data(as_text=True)
    assert 'data-metric="score">50%<' in csat_panel(one) and "n = 2" in csat_panel(one)
    only_survey = client.get("/?channel=survey").get_data(as_text=True)
    assert 'data-metric="score">100%<' in csat_panel(only_survey)
    assert client.get("/?channel=NOT%20A%20CHANNEL").status_code == 200  # ignored: every source


def test_scores_per_touchpoint_worst_first_and_the_same_after_a_rebuild(board):
    client, onboarding = board
    answer(onboarding, "badr@example.com", 1, NOW - 2 * DAY)
    answer(onboarding, "sara@example.com", 2, NOW - 2 * DAY)  # not Ana: one CSAT per customer per 7 days
    html = client.get("/").get_data(as_text=True)
    rows = re.findall(r'data-touchpoint="([^"]+)"><th scope="row">([^<]+)</th><td[^>]*>([^<]+)</td><td>(\d+)</td>', html)
    assert rows == [("onboarding", "Onboarding", "0.0", "2"), ("support", "Support", "100.0", "1")]
    kept = touchpoint_tables(tallies.by_touchpoint())
    tallies.rebuild()
    db.session.commit()
    assert touchpoint_tables(tallies.by_touchpoint()) == kept and tallies.by_source() == {"survey": 3, "support-email": 2}
