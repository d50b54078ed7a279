"""The demo brings the retention side alive on the first run (issue 14): lifetimes and a year of activity, every
stage filled, monthly figures, the loop and fit computed, the Save list valued, a win-back campaign sent — and every
Retention page showing them rather than its empty state."""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from feedback_app import demo
from feedback_app.demo_activity import CAMPAIGN_DAYS_AGO, FATES
from feedback_app.core.extensions import db
from feedback_app.mail.outbox import SENT, OutboxEmail
from feedback_app.mail.transports import sender_address
from retention.models import Activity, RetentionFigure
from retention.refresh import REFRESHED_KEY
from retention.saving.models import CustomerValue, WinBackCampaign
from retention.saving.save_list import count_to_save
from retention.saving.win_back import campaign_figures
from surveys.models import Customer, Invitation, Survey

NOW = datetime(2026, 12, 4, 11, 0)


@pytest.fixture
def loaded(app):
    demo.load_demo(NOW, app.config["REVIEW_BELOW"], sender_address(app.config))
    return app


def figure(key: str) -> dict:
    return db.session.get(RetentionFigure, key).data


def test_every_stage_is_filled_and_the_lost_are_those_who_left(loaded):
    stages = figure(REFRESHED_KEY)["stages"]
    assert all(stages[stage] > 0 for stage in ("new", "active", "silent", "at_risk", "lost")), stages
    assert sum(stages.values()) == 100
    # Lost: the 5 whose end the team recorded and the 4 who cancelled lately; the 3 who cancelled before the
    # campaign came back, so they are not lost: 5 + 4 = 9.
    assert stages["lost"] == FATES["ended"] + FATES["cancels"] == 9
    assert Counter(db.session.scalars(select(Customer.stage))) == {k: v for k, v in stages.items() if v}
    # Cancels: the 4 recent ones and the 3 of those who came back.
    kinds = Counter(db.session.scalars(select(Activity.kind)))
    assert kinds["cancel"] == FATES["cancels"] + FATES["returns"] == 7
    assert kinds["login"] > 2000 and kinds["renewal"] > 300 and kinds["purchase"] > 50
    assert db.session.scalar(select(func.count(Activity.id)).where(Activity.occurred_at > NOW)) == 0


def test_the_monthly_figures_of_the_last_complete_month_hold_together(loaded):
    november = figure("kpis:month:2026-11")
    start, end, new, lost = (november[k] for k in ("customers_start", "customers_end", "new", "lost"))
    assert start > 50 and new > 0
    assert end == start + new - lost  # every customer of the start or new is at the end or lost
    assert november["crr"] == pytest.approx((start - lost) / start * 100)
    assert november["repeat_rate"] is not None and november["purchase_frequency"] >= 1
    # Customers join over the 18 months: each month of the year starts with more of them than a year ago.
    assert figure("kpis:month:2025-12")["customers_start"] < start


def test_the_loop_has_told_respondents_the_fit_has_points_the_save_list_is_valued(loaded):
    loop = figure("loop:all")
    assert loop["told"] > 0 and loop["respondents"] > loop["told"]
    # Last spring's answers are over 180 days old: both horizons compare told and not-told respondents.
    for horizon in ("90", "180"):
        compared = loop["horizons"][horizon]
        assert compared["told"]["n"] > 0 and compared["not_told"]["n"] > 0, compared
        assert compared["caveat"] != "no_comparable_strata"
        assert sum(band["retention"]["n"] for band in loop["nps_bands"][horizon]) > 0
    assert loop["left_out"]["unknown_lifetime"] == 0  # every demo customer has a lifetime
    fit = figure("fit:all")
    assert fit["sample"] and fit["unvalued"] == 0
    # The load classified the comments before its refresh: problems count in the cost to serve.
    assert any(point["support_feedback"] for point in fit["sample"]) and fit["cost_threshold"] > 0
    stages = figure(REFRESHED_KEY)["stages"]
    assert count_to_save() == stages["silent"] + stages["at_risk"] > 0
    assert db.session.scalar(select(func.count(CustomerValue.customer_id))) == 100


def test_a_win_back_campaign_went_to_those_lost_then_and_some_came_back(loaded):
    [campaign] = campaign_figures(NOW)
    # Lost two months ago: the 5 whose end was recorded (70 days ago or earlier) and the 3 who had cancelled
    # then; those 3 came back within 20 days, inside the 30-day window: 3 / 8 = 37.5 %.
    assert (campaign.figure.emailed, campaign.figure.returned, campaign.figure.rate) == (8, 3, 37.5)
    assert campaign.campaign.created_at == NOW - timedelta(days=CAMPAIGN_DAYS_AGO)
    statuses = db.session.scalars(select(OutboxEmail.status).where(OutboxEmail.template == "win_back")).all()
    assert statuses == [SENT] * 8
    assert db.session.scalar(select(func.count(WinBackCampaign.id))) == 1


def test_recent_promoters_were_asked_for_a_review_and_some_went(loaded):
    from advocacy.outcomes import figures

    counted = figures()
    assert counted.asked > 0 and counted.went > 0 and counted.declined >= 0, counted
    assert db.session.scalar(select(func.count()).select_from(OutboxEmail).where(
        OutboxEmail.template == "advocacy_ask", OutboxEmail.status == SENT)) == counted.asked


def test_the_surveys_asked_only_those_who_were_customers_then(loaded):
    sent = dict(db.session.execute(select(Invitation.customer_id, func.min(Invitation.sent_at))
                                   .group_by(Invitation.customer_id)).all())
    customers = db.session.scalars(select(Customer)).all()
    assert all(sent[c.id] >= c.customer_since and (c.ended_at is None or c.ended_at > sent[c.id])
               for c in customers if c.id in sent)
    not_asked = [c for c in customers if c.id not in sent]
    first_send = min(sent.values())
    assert len(not_asked) >= FATES["new"]
    assert all(c.customer_since > first_send or (c.ended_at and c.ended_at <= first_send) for c in not_asked)
    assert db.session.scalar(select(func.count(Survey.id))) == 4  # last spring's NPS and the three of autumn


EMPTY_STATES = ("No activity imported yet", "Stages are computed daily", "No customer changed stage",
                "Not computed yet.", "No campaign yet.", "Nothing to compare yet",
                "No customer has a known value yet", "Nobody on this page is to be saved", "Nothing to compare:")


@pytest.mark.parametrize("path, shows", [
    ("/retention?period=2026-11", "Month 2026-11"),
    ("/retention/save", "@example.com"),
    ("/retention/win-back", "Come back to Acme Board"),
    ("/retention/loop", "Still customers"),
    ("/retention/fit", "<svg"),
])
def test_every_retention_page_shows_the_demo_not_its_empty_state(loaded, client, path, shows):
    assert client.post("/login", data={"email": demo.DEMO_ADMIN[0], "password": demo.DEMO_ADMIN[1]}).status_code == 302
    page = client.get(path)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert shows in text
    assert not [empty for empty in EMPTY_STATES if empty in text]
