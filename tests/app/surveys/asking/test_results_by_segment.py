"""A survey's results and the dashboard's scores by segment (`?segment=ID`): the answers of the segment's customers
only, counted from the answers on request; on SQLite and PostgreSQL. Every figure is worked out by hand."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from feedback_app.accounts.services import create_user
from feedback_app.core.extensions import db
from surveys.answering import segment_tallies
from surveys.answering.links import signed_invitation
from surveys.answering.services import record_answer
from surveys.asking.services import create_survey, send_survey
from surveys.models import Invitation
from surveys.people.importing import CustomerRow, ParsedCSV
from surveys.people.segment_store import create_segment
from surveys.people.services import import_customers
from surveys.scales.answers import Answer
from tests.support.factories import NOW

DAY = timedelta(days=1)
# email: (plan, NPS score, comment, answered). The pro customers answer 10, 9 and 3: promoters 2, detractors 1
# of 3, NPS = 100 × (2 − 1) / 3 = 33.3 → "33". Everyone: 10, 9, 3, 0, 8 → promoters 2, detractors 2 of 5 → 0.
PEOPLE = {
    "p1@example.com": ("pro", 10, "love the reports", NOW - 8 * DAY),
    "p2@example.com": ("pro", 9, "", NOW - 3 * DAY),
    "p3@example.com": ("pro", 3, "pro but unhappy", NOW - 2 * DAY),
    "f1@example.com": ("free", 0, "free and angry", NOW - DAY),
    "f2@example.com": ("free", 8, "", NOW - DAY / 2),
}


@pytest.fixture
def world(app):
    import_customers(ParsedCSV(rows=[CustomerRow(n + 2, email, None, "en", {"plan": plan})
                                     for n, (email, (plan, *_)) in enumerate(PEOPLE.items())]))
    survey = create_survey("nps", "Quarterly NPS", "Acme")
    send_survey(survey, NOW - 10 * DAY, cooldown_days=30)
    for invitation in db.session.scalars(select(Invitation).where(Invitation.survey_id == survey.id)):
        _, score, comment, at = PEOPLE[invitation.customer.email]
        record_answer(signed_invitation(invitation), Answer(score, comment, True), at, timedelta(days=30))
    return survey.id, create_segment("Pro", ["plan = pro"], NOW).id


@pytest.fixture
def client_in(app, client):
    create_user("viewer@example.com", "long-enough-password", "viewer")
    client.post("/login", data={"email": "viewer@example.com", "password": "long-enough-password"})
    return client


def score_shown(html: str) -> str:
    return re.search(r'data-testid="score">([^<]+)<', html).group(1)


def test_the_results_of_a_segment(client_in, world):
    survey, segment = world
    everyone = client_in.get(f"/surveys/{survey}").get_data(as_text=True)
    assert score_shown(everyone) == "0" and "n = 5" in everyone
    html = client_in.get(f"/surveys/{survey}?segment={segment}").get_data(as_text=True)
    assert score_shown(html) == "33" and "n = 3" in html
    assert "Promoters 2 · passives 0 · detractors 1" in html
    assert "love the reports" in html and "pro but unhappy" in html and "free and angry" not in html
    assert "5 answered" in html                                # the response rate stays everyone's
    assert "the segment “Pro”" in html and f'<option value="{segment}" selected>Pro</option>' in html
    assert "newest 20000 answers at most" in html and "There were more answers" not in html
    # The trend: p1's 10 (Sunday 2026-11-15: the week of 11-09) → 100; p2's 9 and p3's 3 (the week of 11-16) → 0.
    assert "<td>2026-11-09</td><td>100.0</td>" in html and "<td>2026-11-16</td><td>0.0</td>" in html


def test_unknown_segments_are_not_found(client_in, world):
    survey, segment = world
    for wrong in (segment + 1, "x", "-1", "99999999999999"):
        assert client_in.get(f"/surveys/{survey}?segment={wrong}").status_code == 404
        assert client_in.get(f"/?segment={wrong}").status_code == 404


def test_a_scan_that_stops_says_from_when_its_figures_run(client_in, world, monkeypatch):
    """Reading at most 3 answers, newest first: f2, f1, p3. Of those only p3 (3) is pro: NPS −100 from 1 answer,
    and the page says the figures run from p3's answer, NOW − 2 days."""
    monkeypatch.setattr(segment_tallies, "SEGMENT_SCAN", 3)
    survey, segment = world
    html = client_in.get(f"/surveys/{survey}?segment={segment}").get_data(as_text=True)
    assert score_shown(html) == "-100" and "n = 1" in html
    assert "newest 3 answers at most" in html
    assert "these figures cover the answers since 2026-11-21 12:00 (UTC)" in html
    assert "pro but unhappy" in html and "love the reports" not in html


def test_the_dashboard_scores_of_a_segment(client_in, world, monkeypatch):
    monkeypatch.setattr("feedback_app.dashboard.utcnow", lambda: NOW)
    _, segment = world
    html = client_in.get(f"/?segment={segment}").get_data(as_text=True)
    nps = re.search(r'data-kind="nps".*?data-metric="score">([^<]+)<', html, re.S).group(1)
    assert nps == "33" and "n = 3" in html
    assert "The scores of the customers in the segment “Pro”" in html
    assert f'href="/?weeks=4&amp;segment={segment}"' in html       # the periods keep the segment
    everyone = client_in.get("/").get_data(as_text=True)
    assert re.search(r'data-kind="nps".*?data-metric="score">([^<]+)<', everyone, re.S).group(1) == "0"
    # A period without the segment's answers: 4 weeks still hold them all; nothing is invented for "none".
    empty = create_segment("Nobody", ["plan = gold"], NOW).id
    assert "No answers yet. Each kind of survey" in client_in.get(f"/?segment={empty}").get_data(as_text=True)
