"""The Retention page: empty states, the stored figures of a chosen period with their definitions, the monthly
trend, stages and moves, and the same number of statements however many customers there are."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from feedback_app.accounts.services import create_user
from feedback_app.core.extensions import db
from retention import kpis, overview, views
from retention.refresh import refresh_retention
from surveys.people.segment_store import create_segment
from tests.app.retention.test_figures import a_small_file
from tests.app.retention.test_refresh import activities, customer, every
from tests.app.test_query_counts import statements_of

NOW = datetime(2025, 4, 15, 12)


@pytest.fixture
def team(app, client):
    create_user("viewer@example.com", "long-enough-password", "viewer")
    db.session.commit()
    assert client.post("/login", data={"email": "viewer@example.com",
                                       "password": "long-enough-password"}).status_code == 302
    return client


def page(client, query: str = "") -> str:
    reply = client.get("/retention" + query)
    assert reply.status_code == 200
    return reply.get_data(as_text=True)


def test_the_definitions_are_the_pure_ones_translated_key_for_key():
    assert set(views.DEFINITIONS) == set(kpis.DEFINITIONS) == set(views.FIGURE_NAMES)
    assert {key: str(text) for key, text in views.DEFINITIONS.items()} == kpis.DEFINITIONS


def test_a_new_installation_says_what_to_do(team):
    html = page(team)
    assert "No activity imported yet: feedback activity import" in html
    assert "Stages are computed daily; run feedback retention refresh" in html
    assert "data-figure" not in html


def test_the_chosen_period_trend_stages_and_moves(team, monkeypatch):
    monkeypatch.setattr(views, "utcnow", lambda: NOW)  # the moves of the 12 months before the page's now
    a_small_file()
    refresh_retention(NOW)
    html = page(team, "?period=2025-03")
    assert 'aria-current="page">2025-03<' in html
    # March 2025, checked by hand in test_figures: CRR 33.3 %, churn 66.7 %, repeat 33.3 %, 3 at the start.
    assert '<tr data-figure="crr"><th scope="row">Retention rate (CRR)</th><td dir="ltr">33.3 %</td>' in html
    assert '<tr data-figure="churn_rate"><th scope="row">Churn rate</th><td dir="ltr">66.7 %</td>' in html
    assert '<tr data-figure="customers_start"><th scope="row">Customers at the start</th><td dir="ltr">3</td>' in html
    assert kpis.DEFINITIONS["crr"] in html
    assert html.count("<svg") == 3 and "Retention rate (CRR) per month" in html
    assert "As of 2025-04-15 12:00 UTC" in html
    # Stages on 15 April 2025: badr ended, dina cancelled (lost 2); cyrus started 10 Mar (36 days: not new);
    # emil started 10 Apr (new); ana, cyrus, farid active.
    assert '<tr data-stage="lost"><th scope="row">Lost</th><td>2</td>' in html
    assert '<tr data-stage="new"><th scope="row">New</th><td>1</td>' in html
    assert '<tr data-stage="active"><th scope="row">Active</th><td>3</td>' in html
    assert '<th scope="row" dir="ltr">2025-04</th><td>first stage</td><td>Active</td><td>3</td>' in html
    monkeypatch.setattr(views, "utcnow", lambda: NOW + timedelta(days=366))
    assert "No customer changed stage in the last 12 months." in page(team)
    # A quarter is chosen by its name; an unknown name says so and shows the current month.
    assert "Quarter 2025-Q1" in page(team, "?period=2025-Q1")
    unknown = page(team, "?period=1999-01")
    assert "No figures are stored for that period" in unknown and "Month 2025-04" in unknown


def test_the_page_runs_as_many_statements_with_five_times_the_customers(app, team, monkeypatch):
    monkeypatch.setattr(views, "utcnow", lambda: NOW + timedelta(days=40))
    def grow(first: int, count: int, at: datetime) -> int:
        for n in range(first, first + count):
            person = customer(f"c{n}@example.com", since=at - timedelta(days=200 + n))
            activities(person, every(7 * (n % 3 + 1), at - timedelta(days=n % 50), 8), kind="purchase", amount=10)
        db.session.commit()
        refresh_retention(at)
        page(team)  # warm
        db.session.remove()
        return statements_of(app, lambda: team.get("/retention"))

    few = grow(0, 10, NOW)
    many = grow(10, 50, NOW + timedelta(days=40))  # a month later: more months stored, moves in two months
    assert many <= few


def test_every_reason_of_the_rule_has_its_sentence_and_every_stage_its_name():
    from retention import stages, wording
    keys = {value for name, value in vars(stages).items() if name.isupper() and isinstance(value, str)
            and name not in ("STAGES",)} - set(stages.STAGES)
    assert keys == set(wording.REASONS)
    assert set(wording.STAGE_NAMES) == set(wording.STAGE_HINTS) == set(stages.STAGES)
    assert wording.describe_reason({"key": "quiet_without_rhythm", "days_quiet": 61, "threshold_days": 60.0}) == (
        "quiet for 61 days, too little history for a rhythm (silent after 60)")
    assert wording.describe_reason({"key": "unknown"}) == "unknown" and wording.describe_reason(None) == ""


def test_a_segment_s_figures_are_computed_on_request(team, monkeypatch):
    """March 2025 of a_small_file for "plan = pro": ana and farid. Both there at the start and the end, none new,
    none lost: CRR (2 − 0) / 2 = 100 %, churn 0 %. Purchasers ana (2) and farid (1): repeat 1 / 2 = 50 %,
    frequency 3 / 2 = 1.50; both ever bought, farid once: one-and-done 1 / 2 = 50 %."""
    monkeypatch.setattr(views, "utcnow", lambda: NOW)
    a_small_file()
    refresh_retention(NOW)
    segment = create_segment("Pro", ["plan = pro"], NOW).id
    html = page(team, f"?period=2025-03&segment={segment}")
    assert '<tr data-figure="customers_start"><th scope="row">Customers at the start</th><td dir="ltr">2</td>' in html
    assert '<tr data-figure="crr"><th scope="row">Retention rate (CRR)</th><td dir="ltr">100.0 %</td>' in html
    assert '<tr data-figure="churn_rate"><th scope="row">Churn rate</th><td dir="ltr">0.0 %</td>' in html
    assert '<tr data-figure="repeat_rate"><th scope="row">Repeat customer rate</th><td dir="ltr">50.0 %</td>' in html
    assert '<td dir="ltr">1.50</td>' in html
    assert "The figures of the segment “Pro” (2 customers), computed on request" in html
    assert f'<option value="{segment}" selected>Pro</option>' in html
    assert '<input type="hidden" name="period" value="2025-03">' in html      # the filter keeps the period
    assert f'href="/retention?period=2025-Q1&amp;segment={segment}"' in html   # and the periods the segment
    # The stages stay everyone's: 3 active (ana, cyrus, farid).
    assert '<tr data-stage="active"><th scope="row">Active</th><td>3</td>' in html
    # Everyone's March is unchanged (CRR 33.3 %).
    assert '<td dir="ltr">33.3 %</td>' in page(team, "?period=2025-03")
    for wrong in (segment + 1, "x", "0"):
        assert team.get(f"/retention?segment={wrong}").status_code == 404


def test_a_segment_too_large_for_a_page_names_the_command(team, monkeypatch):
    monkeypatch.setattr(views, "utcnow", lambda: NOW)
    monkeypatch.setattr(overview, "LIVE_CAP", 1)
    monkeypatch.setattr(views, "LIVE_CAP", 1)
    a_small_file()
    refresh_retention(NOW)
    segment = create_segment("Pro", ["plan = pro"], NOW).id
    html = page(team, f"?period=2025-03&segment={segment}")
    assert "This segment has more than 1 customers, too many to compute on a page" in html
    assert "feedback retention report --from 2025-03-01 --to 2025-03-31 --segment \"Pro\"</code>" in html
    assert "data-figure" not in html
