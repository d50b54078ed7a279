"""The loop comparison and the fit matrix computed from the database (retention.insight), on SQLite and
PostgreSQL, with numbers worked out by hand."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from feedback_app.core.extensions import db
from feedback_app.mail.outbox import OutboxEmail
from retention.comparison import newcombe, proportion
from retention.insight.services import FIT_KEY, LOOP_KEY, compute_insight, stored_figures
from retention.models import Activity
from surveys.models import Customer, Response
from tests.support.factories import NOW
from triage.fixes.services import FixChange, create_fix
from triage.models import TriageItem
from triage.verbatims.intake import ChannelFeedback, take_feedback

SINCE = datetime(2025, 1, 1)
TOLD_AT = datetime(2026, 1, 10)      # told answers: 2026-Q1, NPS 9 (happy)
OTHERS_AT = datetime(2026, 1, 15)    # comparable not-told answers: same kind, band and quarter


def feedback(email: str, score: int | None, at: datetime, text: str = "The export is slow") -> int:
    kind = "nps" if score is not None else None
    return take_feedback(ChannelFeedback(text, email, score=score, kind=kind, channel="chat", answered_at=at),
                         at, 0.5).response.id


def customer(email: str) -> Customer:
    return db.session.scalar(select(Customer).where(Customer.email == email))


def set_lifetime(email: str, since: datetime | None, ended: datetime | None = None) -> None:
    person = customer(email)
    person.customer_since, person.ended_at = since, ended


def activity(email: str, at: datetime, kind: str, amount: float | None = None) -> None:
    n = db.session.query(Activity).count()
    db.session.add(Activity(customer_id=customer(email).id, occurred_at=at, kind=kind, amount=amount,
                            dedupe_key=f"test-{n}"))


def news_email(fix_id: int, email: str, status: str) -> None:
    db.session.add(OutboxEmail(dedupe_key=f"fix-shipped:{fix_id}:{customer(email).id}", template="fix_news",
                               recipient=email, locale="en", subject="Fixed", body_text="", body_html="",
                               headers={}, status=status, attempts=1, next_attempt_at=NOW, created_at=NOW,
                               sent_at=NOW if status == "sent" else None))


def loop_world() -> None:
    # t0…t3 were told: 3 stayed, t3 left on 2026-02-01 (before 90 days). t0 wrote first in 2025-Q4, unlinked:
    # their told answer (2026-Q1, 9) is the one that counts, else t0 would sit alone in an unmatched stratum.
    feedback("t0@example.com", 2, datetime(2025, 11, 1))
    told = [feedback(f"t{n}@example.com", 9, TOLD_AT) for n in range(4)]
    # o0…o5 comparable, not told: o0, o1 stayed; o2…o5 left on 2026-03-01 (o5 through a cancel activity).
    for n in range(6):
        feedback(f"o{n}@example.com", 9, OTHERS_AT)
    # f0: linked to the shipped fix but its email failed: not told (score 3, a stratum without told: unmatched).
    failed = feedback("f0@example.com", 3, TOLD_AT)
    # u0: nobody knows when they became a customer (no date, no activity): left out.
    feedback("u0@example.com", 9, OTHERS_AT)
    fix = create_fix(FixChange(title="Faster exports", cost=2), TOLD_AT, response_ids=told + [failed])
    fix.status, fix.shipped_at = "shipped", datetime(2026, 2, 1)
    for n in range(4):
        news_email(fix.id, f"t{n}@example.com", "sent")
    news_email(fix.id, "f0@example.com", "failed")
    for n in range(4):
        set_lifetime(f"t{n}@example.com", SINCE, datetime(2026, 2, 1) if n == 3 else None)
    for n in range(5):
        set_lifetime(f"o{n}@example.com", SINCE, datetime(2026, 3, 1) if n >= 2 else None)
    set_lifetime("o5@example.com", None)
    activity("o5@example.com", SINCE, "purchase", 10)
    activity("o5@example.com", datetime(2026, 3, 1), "cancel")
    set_lifetime("f0@example.com", SINCE)
    set_lifetime("u0@example.com", None)
    db.session.commit()


def test_told_respondents_are_compared_with_comparable_ones_who_were_not(app):
    loop_world()
    loop = compute_insight(NOW)[LOOP_KEY]
    # 12 customers read: u0 left out (unknown lifetime); 11 respondents, 4 of them told.
    assert (loop["respondents"], loop["told"], loop["left_out"]) == (
        11, 4, {"unknown_lifetime": 1, "ended_before_answer": 0})
    for horizon in ("90", "180"):  # both are past by NOW (2026-11-23), and nobody left between them
        figures = loop["horizons"][horizon]
        # Told 3 of 4 = 75 %; not told 2 of 6 = 33.3 % (one stratum: weights change nothing); f0 unmatched.
        assert figures["told"]["n"] == 4 and figures["told"]["value"] == pytest.approx(75.0)
        assert figures["not_told"]["n"] == 6 and figures["not_told"]["value"] == pytest.approx(100 / 3)
        assert figures["difference"]["value"] == pytest.approx(75 - 100 / 3)
        expected = newcombe(proportion(3, 4), proportion(2, 6))
        assert (figures["difference"]["low"], figures["difference"]["high"]) == pytest.approx(
            (expected.low, expected.high))
        assert (figures["strata"], figures["told_unmatched"], figures["not_told_unmatched"]) == (1, 0, 1)
        assert figures["caveat"] == "small_sample"
        # By NPS band: promoters 4 + 6 = 10, of whom 3 + 2 = 5 stayed; the one detractor (f0) stayed.
        bands = {b["band"]: b["retention"] for b in loop["nps_bands"][horizon]}
        assert (bands["promoter"]["n"], bands["promoter"]["value"]) == (10, pytest.approx(50.0))
        assert (bands["detractor"]["n"], bands["detractor"]["value"]) == (1, pytest.approx(100.0))
        assert bands["passive"]["n"] == 0 and bands["passive"]["value"] is None
    assert set(stored_figures()) == {LOOP_KEY, FIT_KEY}


def test_a_horizon_still_ahead_counts_nobody_and_nothing_to_compare_says_so(app):
    loop_world()
    loop = compute_insight(datetime(2026, 5, 1))[LOOP_KEY]  # 90 days after January: past; 180: ahead
    assert loop["horizons"]["90"]["told"]["n"] == 4
    assert loop["horizons"]["180"]["told"]["n"] == 0
    assert loop["horizons"]["180"]["caveat"] == "no_comparable_strata"


def test_nothing_at_all_is_an_empty_figure(app):
    figures = compute_insight(NOW)
    assert figures[LOOP_KEY]["respondents"] == 0
    assert figures[LOOP_KEY]["horizons"]["90"]["caveat"] == "no_comparable_strata"
    assert figures[FIT_KEY]["counts"] == {"maintain": 0, "grow": 0, "protect": 0, "review": 0}


def typed(response_id: int, type_key: str) -> None:
    db.session.scalar(select(TriageItem).where(TriageItem.response_id == response_id)).type_key = type_key


def test_customers_are_placed_by_value_and_cost_to_serve(app):
    a = [feedback("a@example.com", None, NOW - timedelta(days=n + 1)) for n in range(2)]
    c = feedback("c@example.com", None, NOW - timedelta(days=3), "Love it")
    e = feedback("e@example.com", None, NOW - timedelta(days=4))
    old = feedback("e@example.com", None, NOW - timedelta(days=400))  # outside the 365 days: not counted
    feedback("d@example.com", None, NOW - timedelta(days=5), "Thanks")
    feedback("x@example.com", None, NOW - timedelta(days=5))
    for rid in a + [e, old]:
        typed(rid, "functionality")
    typed(c, "praise")
    db.session.get(Response, a[0]).contacted_at = NOW
    for email, mrr in (("a@example.com", 100), ("b@example.com", "10"), ("e@example.com", "5"),
                       ("x@example.com", 1000)):
        if customer(email) is None:
            feedback(email, None, NOW - timedelta(days=500), "Hello")  # long ago: costs nothing now
        customer(email).attributes = {"mrr": mrr}
    activity("c@example.com", NOW - timedelta(days=10), "purchase", 30)
    activity("c@example.com", NOW - timedelta(days=20), "purchase", 20)
    activity("c@example.com", NOW - timedelta(days=400), "purchase", 1000)  # outside the window
    set_lifetime("x@example.com", SINCE, NOW - timedelta(days=1))  # no longer a customer: not placed
    db.session.commit()
    fit = compute_insight(NOW)[FIT_KEY]
    # Values: a 100, b 10, c 30 + 20 = 50, e 5 (median 30); d has none. Costs: a 2 support × 2 + 1 contact = 5,
    # b 0, c one praise message × 0.5 = 0.5, e 1 support × 2 = 2 (median (0.5 + 2) / 2 = 1.25).
    assert (fit["customers"], fit["unvalued"]) == (5, 1)
    assert (fit["value_threshold"], fit["cost_threshold"]) == (30.0, 1.25)
    assert fit["counts"] == {"maintain": 1, "grow": 1, "protect": 1, "review": 1}
    placed = {p["id"]: (p["quadrant"], p["value"], p["cost"]) for p in fit["sample"]}
    ids = {email: customer(email).id for email in ("a@example.com", "b@example.com", "c@example.com",
                                                   "e@example.com")}
    assert placed == {ids["a@example.com"]: ("protect", 100.0, 5.0), ids["b@example.com"]: ("grow", 10.0, 0.0),
                      ids["c@example.com"]: ("maintain", 50.0, 0.5), ids["e@example.com"]: ("review", 5.0, 2.0)}
    assert [p["id"] for p in fit["top"]["protect"]] == [ids["a@example.com"]]
    assert fit["top"]["protect"][0]["support_feedback"] == 2 and fit["top"]["protect"][0]["contacts"] == 1


@pytest.fixture
def team(app, client):
    from feedback_app.accounts.services import create_user
    create_user("lead@example.com", "long-enough-password", "admin")
    db.session.commit()
    assert client.post("/login", data={"email": "lead@example.com", "password": "long-enough-password"}
                       ).status_code == 302
    return client


def test_the_pages_say_when_nothing_is_computed_and_show_the_figures_once_it_is(app, team):
    assert "feedback retention refresh" in team.get("/retention/loop").get_data(as_text=True)
    assert "feedback retention refresh" in team.get("/retention/fit").get_data(as_text=True)
    loop_world()
    customer("t0@example.com").attributes = {"mrr": 100}
    customer("o0@example.com").attributes = {"mrr": 5}
    db.session.commit()
    compute_insight(NOW)
    page = team.get("/retention/loop").get_data(as_text=True)
    assert "not proof" in page and "<svg" in page and "75" in page and "n=10" in page  # promoters: 10
    page = team.get("/retention/fit").get_data(as_text=True)
    assert f'/customers/{customer("t0@example.com").id}' in page and "<circle" in page


def test_the_commands_refresh_and_print_the_figures(app):
    from tests.app.feedback_app.test_cli import run
    assert "Not computed yet" in run(app, "retention", "loop").output
    loop_world()
    result = run(app, "retention", "refresh")
    assert result.exit_code == 0 and "Loop: 11 respondents, 4 told." in result.output
    text = run(app, "retention", "loop").output
    assert "90 days: told 75.0" in text and "(n=4)" in text and "small sample" in text
    import json
    assert json.loads(run(app, "retention", "fit", "--json").output)["unvalued"] >= 0


def test_a_survey_answer_counts_for_the_invited_customer(app):
    from surveys.answering.links import signed_invitation
    from surveys.answering.services import record_answer
    from surveys.scales.answers import Answer
    from tests.support.factories import sent_survey
    _, (invitation,) = sent_survey(app, customers=(("sam@example.com", "Sam", "en"),), now=NOW - timedelta(days=200))
    record_answer(signed_invitation(invitation), Answer(4, "The export is broken", True), NOW - timedelta(days=199),
                  timedelta(hours=24))
    answer = db.session.scalar(select(Response).where(Response.invitation_id == invitation.id))
    answer.contacted_at = NOW - timedelta(days=190)
    set_lifetime("sam@example.com", SINCE)
    customer("sam@example.com").attributes = {"mrr": 10}
    db.session.commit()
    figures = compute_insight(NOW)
    # Sam answered 4 (NPS: a detractor) 199 days ago and is still a customer: retained at 90 and 180 days.
    assert figures[LOOP_KEY]["respondents"] == 1
    bands = {b["band"]: b["retention"] for b in figures[LOOP_KEY]["nps_bands"]["180"]}
    assert (bands["detractor"]["n"], bands["detractor"]["value"]) == (1, pytest.approx(100.0))
    (point,) = figures[FIT_KEY]["sample"]
    assert (point["contacts"], point["value"]) == (1, 10.0)
