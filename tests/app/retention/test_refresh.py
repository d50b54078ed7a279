"""The stage refresh through the database: the issue's examples, answers that put a customer at risk, the history
written only on a change, the stage settings, the scheduler's job and `feedback retention refresh`."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

import config
from feedback_app import scheduler
from feedback_app.core.extensions import db
from retention.models import Activity, RetentionFigure, StageChange
from retention.refresh import REFRESHED_KEY, refresh_is_due, refresh_stages, stage_settings
from retention.stages import StageSettings
from surveys.models import Customer, Response
from tests.app.feedback_app.test_cli import run
from tests.support.factories import sent_survey

NOW = datetime(2026, 11, 23, 12, 0)


def customer(email: str, since: datetime | None = datetime(2025, 1, 1), **columns) -> Customer:
    person = Customer(email=email, customer_since=since, attributes=columns.pop("attributes", {}), **columns)
    db.session.add(person)
    db.session.flush()
    return person


def activities(person: Customer, times, kind: str = "login", amount=None) -> None:
    for i, at in enumerate(times):
        db.session.add(Activity(customer_id=person.id, occurred_at=at, kind=kind, amount=amount,
                                dedupe_key=f"{person.id}-{kind}-{i}-{at:%Y%m%d%H%M}"))


def every(days: int, last: datetime, count: int) -> list[datetime]:
    return [last - timedelta(days=days * i) for i in range(count)]


def stages() -> dict[str, tuple[str | None, datetime | None]]:
    db.session.expire_all()
    return {c.email: (c.stage, c.stage_since) for c in db.session.scalars(select(Customer))}


def history(email: str) -> list[tuple[str | None, str, dict]]:
    return [(c.from_stage, c.to_stage, c.reason) for c in db.session.scalars(
        select(StageChange).join(Customer, Customer.id == StageChange.customer_id)
        .where(Customer.email == email).order_by(StageChange.id))]


def test_weekly_activity_that_stopped_six_weeks_ago_is_silent_and_monthly_activity_three_weeks_on_is_not(app):
    # weekly: 10 logins 7 days apart, the last 42 days before now → quiet 42 > max(3 × 7, 14) = 21: silent.
    activities(customer("weekly@example.com"), every(7, NOW - timedelta(days=42), 10))
    # monthly: 8 logins 30 days apart, the last 21 days ago → 21 ≤ max(3 × 30, 14) = 90: active.
    activities(customer("monthly@example.com"), every(30, NOW - timedelta(days=21), 8))
    # daily until yesterday, without customer_since: their start is their FIRST activity, 400 days ago (not the
    # first of the last 7 days the rhythm reads), so they are active, not new.
    activities(customer("daily@example.com", since=None), every(1, NOW - timedelta(days=1), 400))
    db.session.commit()
    report = refresh_stages(NOW)
    assert (report.customers, report.moves) == (3, 3)
    assert report.counts() == {"new": 0, "active": 2, "silent": 1, "at_risk": 0, "lost": 0}
    assert stages() == {"weekly@example.com": ("silent", NOW), "monthly@example.com": ("active", NOW),
                        "daily@example.com": ("active", NOW)}
    assert history("weekly@example.com") == [(None, "silent", {"key": "quiet_against_rhythm", "days_quiet": 42,
                                                               "usual_gap": 7.0, "threshold_days": 21.0})]
    assert history("monthly@example.com")[0][2] == {"key": "in_rhythm", "days_quiet": 21, "usual_gap": 30.0,
                                                     "threshold_days": 90.0}


def test_a_second_refresh_writes_only_the_customers_who_moved(app):
    weekly = customer("weekly@example.com")
    activities(weekly, every(7, NOW - timedelta(days=10), 10))   # quiet 10 ≤ 21: active
    customer("still@example.com")                                # no activity at all: active (no_activity)
    db.session.commit()
    assert refresh_stages(NOW).moves == 2
    # A week later weekly has been quiet 17 days (still ≤ 21): nothing moves, nothing is written.
    later = NOW + timedelta(days=7)
    assert refresh_stages(later).moves == 0
    # Five weeks later: quiet 45 > 21: weekly alone moves, from active to silent, since that refresh.
    later = NOW + timedelta(days=35)
    report = refresh_stages(later)
    assert (report.moves, report.counts()["silent"]) == (1, 1)
    assert stages()["weekly@example.com"] == ("silent", later)
    assert stages()["still@example.com"] == ("active", NOW)
    assert [(a, b) for a, b, _ in history("weekly@example.com")] == [(None, "active"), ("active", "silent")]
    assert len(history("still@example.com")) == 1


def test_unhappy_answers_through_the_invitation_or_the_channel_put_a_customer_at_risk_until_a_happy_one(app):
    invitation = sent_survey(app, customers=(("ana@example.com", "Ana", "en"),), now=NOW - timedelta(days=40))[1][0]
    ana = db.session.get(Customer, invitation.customer_id)
    ana.customer_since = datetime(2025, 1, 1)
    # Ana answered the survey 6 (a detractor: unhappy) 30 days ago: at risk (30 ≤ 90 days).
    db.session.add(Response(invitation_id=invitation.id, survey_id=invitation.survey_id, score=6, locale="en",
                            answered_at=NOW - timedelta(days=30)))
    # Badr wrote through a channel: CSAT 2 (unhappy) 100 days ago, then CSAT 5 (happy) 50 days ago: not at risk.
    badr = customer("badr@example.com")
    reza = customer("reza@example.com")
    for who, score, days in ((badr, 2, 100), (badr, 5, 50), (reza, 1, 200)):
        db.session.add(Response(channel="api", customer_id=who.id, kind="csat", score=score, locale="en",
                                answered_at=NOW - timedelta(days=days)))
    # Reza's CSAT 1 was 200 days ago (> 90) but he went silent (weekly, stopped 60 days ago): silent and unhappy.
    activities(reza, every(7, NOW - timedelta(days=60), 6))
    db.session.commit()
    refresh_stages(NOW)
    assert {email: stage for email, (stage, _) in stages().items()} == {
        "ana@example.com": "at_risk", "badr@example.com": "active", "reza@example.com": "at_risk"}
    assert history("ana@example.com")[0][2] == {"key": "unhappy_recently", "days_since_unhappy": 30}
    assert history("reza@example.com")[0][2]["key"] == "silent_and_unhappy"


def test_cancels_end_a_lifetime_and_do_not_count_as_activity(app):
    gone = customer("gone@example.com")
    activities(gone, every(7, NOW - timedelta(days=20), 5))
    activities(gone, [NOW - timedelta(days=3)], kind="cancel")
    back = customer("back@example.com")
    activities(back, [NOW - timedelta(days=30)], kind="cancel")
    activities(back, [NOW - timedelta(days=2)], kind="purchase")
    customer("ended@example.com", ended_at=NOW - timedelta(days=1))
    db.session.commit()
    refresh_stages(NOW)
    assert {email: stage for email, (stage, _) in stages().items()} == {
        "gone@example.com": "lost", "back@example.com": "active", "ended@example.com": "lost"}
    assert history("gone@example.com")[0][2] == {"key": "cancelled", "days_since_end": 3}
    assert history("ended@example.com")[0][2]["key"] == "ended"


def test_the_batches_cover_every_customer(app, monkeypatch):
    monkeypatch.setattr("retention.refresh.BATCH", 2)
    for i in range(5):
        activities(customer(f"c{i}@example.com"), every(7, NOW - timedelta(days=7 * i * 3), 6))
    db.session.commit()
    seen = []
    report = refresh_stages(NOW, progress=seen.append)
    # quiet 0, 21, 42, 63, 84 days against a weekly rhythm (threshold 21): two active, three silent.
    assert (seen, report.counts()["active"], report.counts()["silent"]) == ([2, 2, 1], 2, 3)


def test_the_settings_come_from_the_environment_and_a_bad_one_is_named():
    loaded = config.load({"FEEDBACK_STAGE_SILENT_FACTOR": "2.5", "FEEDBACK_STAGE_NEVER_ACTIVE_SILENT_DAYS": "90",
                          "FEEDBACK_SECRET_KEY": "x" * 20})
    settings = stage_settings(loaded)
    assert settings == StageSettings(silent_factor=2.5, never_active_silent_days=90)
    assert stage_settings(config.load({"FEEDBACK_SECRET_KEY": "x" * 20})) == StageSettings()
    for name, raw, message in (("STAGE_NEW_DAYS", "soon", "must be a whole number"),
                               ("STAGE_SILENT_FACTOR", "0", "must be between 0.1 and 100"),
                               ("STAGE_SILENT_FACTOR", "nan", "must be between"),
                               ("STAGE_MIN_ACTIVE_DAYS", "9", "must be between 2 and 7"),
                               ("STAGE_NEVER_ACTIVE_SILENT_DAYS", "-1", "must be between 0 and 3650")):
        with pytest.raises(config.ConfigError, match=f"FEEDBACK_{name} {message}"):
            config.load({f"FEEDBACK_{name}": raw, "FEEDBACK_SECRET_KEY": "x" * 20})


def test_the_scheduler_job_runs_when_the_last_refresh_is_a_day_old(app, monkeypatch):
    assert any(job.name == "refresh-retention" and job.lease for job in scheduler.JOBS)
    activities(customer("weekly@example.com"), every(7, NOW - timedelta(days=42), 10))
    db.session.commit()
    clock = [NOW]
    monkeypatch.setattr(scheduler, "utcnow", lambda: clock[0])
    assert refresh_is_due(NOW)
    assert scheduler.refresh_retention_when_due().moves == 1
    assert db.session.get(RetentionFigure, REFRESHED_KEY).data == {
        "at": NOW.isoformat(), "customers": 1, "moves": 1,
        "stages": {"new": 0, "active": 0, "silent": 1, "at_risk": 0, "lost": 0}}
    clock[0] = NOW + timedelta(hours=23)
    assert not refresh_is_due(clock[0]) and scheduler.refresh_retention_when_due() is None
    clock[0] = NOW + timedelta(hours=24)
    assert scheduler.refresh_retention_when_due().customers == 1


def test_the_command_prints_the_stages_and_the_moves(app):
    activities(customer("weekly@example.com"), every(7, datetime(2020, 1, 1), 10))
    customer("new@example.com", since=None)
    db.session.commit()
    result = run(app, "retention", "refresh")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:5] == ["     new  0", "  active  1", "  silent  1", " at_risk  0", "    lost  0"]
    assert lines[-2] == "2 customers changed stage."
    assert lines[-1] == "Loop: 0 respondents, 0 told. Fit: 0 customers placed, 2 without a value."
    assert run(app, "retention", "refresh").stdout.splitlines()[-2] == "0 customers changed stage."
