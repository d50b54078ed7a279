"""Praise awaits no follow-up: an unhappy, opted-in respondent whose words are praise is not on the follow-up
list nor in the "contacted" figure; a correction across the line moves them, and a retrain or a recount keeps
it so. The figure is checked against its definition and a recount after each step (test_reach.agree)."""
from sqlalchemy import select

from feedback_app.core.extensions import db
from surveys.answering.links import signed_invitation
from surveys.answering.services import record_answer
from surveys.models import Response
from surveys.scales.answers import Answer
from tests.app.triage.loop.test_reach import EDIT, agree
from tests.support.factories import NOW, sent_survey
from triage.classification import learning
from triage.loop import follow_up, metrics
from triage.loop import reach as loop_reach
from triage.verbatims import classifying

PEOPLE = (("kind@example.com", "Kind", "en"), ("cross@example.com", "Cross", "en"))


def open_cases() -> set[int]:
    return {response.id for response, *_ in follow_up.follow_ups()[0].waiting}


def whole() -> int:
    return loop_reach.share(metrics.period(NOW, 12).week_starts[0]).whole


def test_praise_leaves_the_follow_ups_and_a_correction_moves_it_either_way(app):
    _, invitations = sent_survey(app, customers=PEOPLE, now=NOW - 3 * EDIT)
    for invitation, comment in zip(invitations, ("Love it, thank you", "export crashes every time")):
        record_answer(signed_invitation(invitation), Answer(2, comment, True), NOW - 2 * EDIT, EDIT)
    kind, cross = (db.session.scalar(select(Response).where(Response.invitation_id == i.id)) for i in invitations)
    assert open_cases() == {kind.id, cross.id}  # before the sweep the score alone decides
    classifying.classify_pending(NOW, 0.5)
    assert open_cases() == {cross.id} and not kind.awaits_contact and whole() == 1
    agree()

    classifying.correct_response(cross, "praise", None, NOW, 0.5)
    assert open_cases() == set() and whole() == 0
    agree()
    classifying.correct_response(kind, "service", None, NOW, 0.5)  # not praise after all: back on the list
    assert open_cases() == {kind.id} and whole() == 1
    agree()
    classifying.correct_response(cross, "functionality", None, NOW, 0.5)
    assert open_cases() == {kind.id, cross.id} and whole() == 2
    agree()

    classifying.correct_response(kind, "praise", None, NOW, 0.5)
    result = app.test_cli_runner().invoke(args=["rebuild", "tallies", "--check"])  # marks by score, then off praise
    assert result.exit_code == 0 and "Kept and recounted figures agree." in result.output, result.output
    assert open_cases() == {cross.id}
    agree()


def test_a_retrain_reclassifying_praise_keeps_it_off_the_list(app):
    _, invitations = sent_survey(app, customers=PEOPLE[:1], now=NOW - 3 * EDIT)
    record_answer(signed_invitation(invitations[0]), Answer(1, "love it, thank you", True), NOW - 2 * EDIT, EDIT)
    classifying.classify_pending(NOW, 0.5)
    assert open_cases() == set()
    learning.train(NOW)  # a new model: the sweep marks the answer by its score again, then classifies it
    classifying.classify_pending(NOW, 0.5)
    assert open_cases() == set() and whole() == 0
    agree()
