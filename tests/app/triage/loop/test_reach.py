"""The dashboard's "unhappy respondents contacted", kept per person (triage.loop.reach), equals the figure
computed by its definition from every answer, and the kept rows equal a recount, after every kind of change:
answers, the sweep, "contacted", links, delivered news, an edit, a retrain, an erasure."""
from __future__ import annotations

import threading
from collections import defaultdict
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, text, update

from feedback_app.accounts.services import create_user
from feedback_app.core.extensions import db
from feedback_app.mail.delivery import deliver_due
from feedback_app.mail.outbox import SENT, OutboxEmail
from feedback_app.mail.transports import MemoryTransport
from privacy.services import erase_customer
from surveys.answering.links import signed_invitation
from surveys.answering.services import record_answer
from surveys.asking.services import create_survey, send_survey
from surveys.models import Customer, Invitation, Response
from surveys.scales.answers import Answer
from tests.support.factories import NOW, sent_survey
from triage.classification import learning
from triage.fixes import services as fixes
from triage.fixes.evidence import respondent_key
from triage.fixes.services import FixChange
from triage.loop import follow_up, metrics
from triage.loop import reach as loop_reach
from triage.loop.policy import LOOP_EVENTS
from triage.models import FixLink, LoopTally, TriageItem
from triage.verbatims import classifying
from triage.verbatims.intake import ChannelFeedback, take_feedback

DAY = timedelta(days=1)
EDIT = timedelta(hours=24)
PEOPLE = [(f"u{n}@example.com", f"U{n}", "en") for n in range(8)]


def answer(invitation, score, comment, when, may_contact=True):
    return record_answer(signed_invitation(invitation),
                         Answer(score, comment, may_contact), when, EDIT)


def by_definition(weeks: int):
    """The figure as triage.loop.metrics defines it, from every answer as it is now (the sweep's backlog
    included): who awaits a call, and who was reached, worked out here from the rows."""
    span = metrics.period(NOW, weeks)
    delivered = set(db.session.scalars(select(OutboxEmail.dedupe_key).where(OutboxEmail.status == SENT)))
    fixes_of = defaultdict(set)
    for response_id, fix_id in db.session.execute(select(FixLink.response_id, FixLink.fix_id)):
        fixes_of[response_id].add(fix_id)
    types = dict(db.session.execute(select(TriageItem.response_id, TriageItem.type_key)).all())
    answers = []
    for response in db.session.scalars(select(Response)):
        if not span.start <= response.answered_at <= span.end:
            continue
        customer = response.customer_id or (response.invitation.customer_id if response.invitation else None)
        told = customer is not None and any(f"{event}:{fix}:{customer}" in delivered
                                            for fix in fixes_of[response.id] for event in LOOP_EVENTS.values())
        answers.append(metrics.LoopAnswer(
            respondent_key(customer, response.id), response.kind or response.survey.kind, response.score,
            bool(response.comment.strip()), response.may_contact, response.contacted_at is not None, told,
            types.get(response.id)))
    return metrics.contacted_share(answers)


def agree() -> dict:
    """The page's figure equals the definition for every period, and the kept rows a recount."""
    for weeks in metrics.PERIODS:
        assert loop_reach.share(metrics.period(NOW, weeks).week_starts[0]) == by_definition(weeks), weeks
    kept = loop_reach.snapshot()
    loop_reach.rebuild()
    assert loop_reach.snapshot() == kept
    db.session.commit()
    return kept


def test_the_kept_figure_equals_its_definition_and_a_recount_after_every_kind_of_change(app):
    triager = create_user("triager@example.com", "long-enough-password", "triager")
    _, first = sent_survey(app, customers=PEOPLE, now=NOW - 40 * DAY)
    # u0, u1, u5, u6 await a call; u2 did not opt in; u3 is happy; u4 wrote nothing; u7 is passive.
    for n, (invitation, (score, comment, may_contact)) in enumerate(zip(first, [
            (0, "crashes all the time", True), (3, "too slow", True), (2, "rude support", False),
            (10, "great", True), (1, "", True), (4, "billing is wrong", True), (6, "export fails", True),
            (7, "fine", True)])):
        answer(invitation, score, comment, NOW - 39 * DAY + n * timedelta(hours=5), may_contact)
    csat = create_survey("csat", "Support", "Acme")
    send_survey(csat, NOW - 10 * DAY, cooldown_days=0)
    second = {i.customer.email: i for i in db.session.scalars(
        select(Invitation).where(Invitation.survey_id == csat.id))}
    answer(second["u0@example.com"], 1, "still crashing", NOW - 9 * DAY)        # u0 again: one person
    answer(second["u5@example.com"], 2, "billing still wrong", NOW - 3 * DAY)
    answer(second["u6@example.com"], 1, "the app lost my work", NOW - timedelta(hours=2))
    take_feedback(ChannelFeedback("Still too slow", "u1@example.com", score=2, kind="nps", channel="chat",
                                  may_contact=True), NOW - 2 * DAY, 0.5)        # u1 again, from chat
    db.session.add(Response(channel="chat", kind="csat", score=1, comment="nobody answers", may_contact=True,
                            locale="en", answered_at=NOW - DAY, updated_at=NOW - DAY))  # traced to nobody
    db.session.commit()
    assert agree() == {"loop_person": {}, "loop_tally": {}}  # the sweep marked nothing yet: all backlog

    classifying.classify_pending(NOW, 0.5)
    kept = agree()
    customers = {c.email: c.id for c in db.session.scalars(select(Customer))}
    assert {p for p in kept["loop_person"] if p.startswith("customer:")} == {
        f"customer:{customers[f'u{n}@example.com']}" for n in (0, 1, 5, 6)}
    assert len(kept["loop_person"]) == 5 and by_definition(12) == metrics.Share(0, 5)

    u5 = db.session.scalar(select(Response).where(Response.invitation_id == first[5].id))
    follow_up.mark_contacted(u5, triager.id, NOW)
    agree()

    u0_first = db.session.scalar(select(Response.id).where(Response.invitation_id == first[0].id))
    u0_second = db.session.scalar(select(Response.id).where(Response.invitation_id == second["u0@example.com"].id))
    u1_chat = db.session.scalar(select(Response.id).where(Response.channel == "chat", Response.customer_id.is_not(None)))
    fix = fixes.create_fix(FixChange(title="Stop the crashes", cost=2), NOW, response_ids=[u0_first, u1_chat])
    fixes.update_fix(fix, NOW, FixChange(public_titles={"en": "Fixed"}, release_note="Fixed.", news_fallback="en"))
    fixes.change_status(fix, "shipped", NOW)
    agree()  # queued, not delivered: nobody reached yet
    assert deliver_due(NOW, MemoryTransport(), "team@example.com").sent >= 2
    # u0 was told through an answer 39 days old: reached over 12 weeks, not over the last 4.
    assert by_definition(12) == metrics.Share(3, 5) and by_definition(4) == metrics.Share(1, 5)
    agree()
    fixes.link_verbatims(fix, [u0_second], NOW)  # news of this fix reached u0 already: now through this one too
    assert by_definition(4) == metrics.Share(2, 5)
    agree()
    fixes.unlink_verbatim(fix, u0_second, NOW)
    agree()

    answer(second["u6@example.com"], 1, "", NOW - timedelta(hours=1))  # an edit: no comment left
    assert by_definition(4) == metrics.Share(1, 4)
    agree()  # before the sweep: the page judges the edited answer as the sweep will
    classifying.classify_pending(NOW, 0.5)
    agree()

    learning.train(NOW)  # a new model: the sweep reclassifies what the old one classified
    classifying.classify_pending(NOW, 0.5)
    agree()

    erase_customer("u1@example.com", "cli", NOW)
    kept = agree()
    assert f"customer:{customers['u1@example.com']}" not in kept["loop_person"]
    classifying.classify_pending(NOW, 0.5)
    agree()


def test_one_person_counts_once_and_only_in_the_periods_that_hold_their_answers(app):
    """Worked by hand: the 4-week period of NOW (Monday 23 November) starts on Monday 2 November, 00:00."""
    triager = create_user("triager@example.com", "long-enough-password", "triager")
    monday = datetime(2026, 11, 2)
    people = [(f"{name}@example.com", name, "en") for name in ("ana", "ben", "cy", "dee")]
    _, invitations = sent_survey(app, customers=people, now=monday - 30 * DAY)
    csat = create_survey("csat", "Support", "Acme")
    send_survey(csat, monday - 29 * DAY, cooldown_days=0)
    again = {i.customer.email: i for i in db.session.scalars(
        select(Invitation).where(Invitation.survey_id == csat.id))}
    first = {i.customer.email: i for i in invitations}
    before = monday - timedelta(microseconds=1)  # Sunday 1 November, 23:59:59.999999
    answer(first["ana@example.com"], 1, "slow", before)             # ana: reached, but before the 4 weeks
    answer(again["ana@example.com"], 1, "still slow", monday + 8 * DAY)
    answer(first["ben@example.com"], 2, "broken", monday + 9 * DAY)  # ben: twice in the period, reached once
    answer(again["ben@example.com"], 1, "still broken", monday + 10 * DAY)
    answer(first["cy@example.com"], 3, "meh", monday)               # cy: the first moment of the period
    answer(first["dee@example.com"], 0, "awful", before)            # dee: the last moment before it
    classifying.classify_pending(NOW, 0.5)
    for email, invitation in (("ana@example.com", first), ("ben@example.com", again)):
        response = db.session.scalar(select(Response).where(Response.invitation_id == invitation[email].id))
        follow_up.mark_contacted(response, triager.id, NOW)

    four, twelve = (metrics.period(NOW, weeks).week_starts[0] for weeks in (4, 12))
    assert four == monday.date()
    assert loop_reach.share(four) == metrics.Share(1, 3)     # ana, ben, cy; reached: ben
    assert loop_reach.share(twelve) == metrics.Share(2, 4)   # and dee; reached: ana and ben
    assert sum(n for (week, latest), n in loop_reach.snapshot()["loop_tally"].items()) == 4 + 2
    agree()


def test_rebuild_tallies_check_says_when_kept_figures_differ_from_the_recount(app):
    _, invitations = sent_survey(app, customers=PEOPLE[:2])
    for invitation in invitations:
        answer(invitation, 1, "too slow", NOW - DAY)
    classifying.classify_pending(NOW, 0.5)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["rebuild", "tallies", "--check"])
    assert result.exit_code == 0 and "Kept and recounted figures agree." in result.output, result.output

    db.session.execute(update(LoopTally).values(count=LoopTally.count + 1))  # drifted, as a bug would make it
    db.session.commit()
    result = runner.invoke(args=["rebuild", "tallies", "--check"])
    week = metrics.period(NOW, 4).week_starts[-2]
    assert result.exit_code == 1 and f"loop_tally ({week!r}, 'awaiting'): kept 3, recounted 2" in result.output
    assert runner.invoke(args=["rebuild", "tallies", "--check"]).exit_code == 0  # the recount replaced them


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # SQLite has one writer at a time
def test_two_writers_of_one_person_take_turns(app, database_url):
    """PostgreSQL: a team member marks an answer contacted while the outbox delivers news of a fix it
    supports, both for the same person. The second waits for the first's advisory lock, then recomputes
    from what the first committed: both commit, and the kept figure equals a recount. (SQLite has one
    writer at a time: the second cannot even start writing.)"""
    _, (invitation,) = sent_survey(app, customers=PEOPLE[:1])
    answer(invitation, 1, "too slow", NOW - DAY)
    classifying.classify_pending(NOW, 0.5)
    response_id = db.session.scalar(select(Response.id))
    fix = fixes.create_fix(FixChange(title="Faster", cost=2), NOW, response_ids=[response_id])
    fixes.update_fix(fix, NOW, FixChange(public_titles={"en": "Done"}, release_note="Done.", news_fallback="en"))
    fixes.change_status(fix, "shipped", NOW)
    news = db.session.scalar(select(OutboxEmail.dedupe_key).where(OutboxEmail.dedupe_key.like("fix-shipped:%")))
    db.session.commit()
    first_done, second_waits, failures = threading.Event(), threading.Event(), []

    def in_own_session(work):
        def run():
            with app.app_context():
                try:
                    work()
                except Exception as error:  # reported by the test, not lost in the thread
                    failures.append(error)
                    first_done.set()
                finally:
                    db.session.remove()
        return threading.Thread(target=run)

    def contacted():
        db.session.get(Response, response_id).contacted_at = NOW
        loop_reach.answers_changed([response_id])  # holds the lock until it commits
        first_done.set()
        assert second_waits.wait(60), "the delivery never waited"
        db.session.commit()

    def delivered():
        db.session.execute(update(OutboxEmail).where(OutboxEmail.dedupe_key == news).values(status=SENT))
        loop_reach.news_delivered([news])
        db.session.commit()

    first = in_own_session(contacted)
    first.start()
    assert first_done.wait(30)
    second = in_own_session(delivered)
    second.start()
    for _ in range(300):  # until the second waits for a lock the first holds (or has failed)
        if failures or db.session.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")):
            break
        threading.Event().wait(0.1)
    second_waits.set()
    first.join(60)
    second.join(60)
    assert failures == []  # without the advisory lock: the second's row of the person collides with the first's
    db.session.rollback()
    assert by_definition(4) == metrics.Share(1, 1)
    agree()
