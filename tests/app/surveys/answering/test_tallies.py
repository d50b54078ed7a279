"""The kept figures (score tallies, verbatims per type and week, theme groups, the loop figure's people) equal
what recounting every row gives, after every kind of change: answers, edits, removed comments, channel
feedback, confirmations, corrections, a new model, an erasure."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from feedback_app.accounts.services import create_user
from feedback_app.core.extensions import db
from privacy.services import erase_customer
from surveys.answering import tallies as score_tallies
from surveys.answering.links import signed_invitation
from surveys.answering.services import record_answer
from surveys.asking.services import create_survey, send_survey
from surveys.models import Invitation, Response
from surveys.scales import scoring
from surveys.scales.answers import Answer
from tests.support.factories import NOW, sent_survey
from triage.classification import learning, services
from triage.loop import praise as loop_praise
from triage.loop import reach as loop_reach
from triage.models import TriageItem
from triage.verbatims import classifying, sweep
from triage.verbatims import tallies as triage_tallies
from triage.verbatims.intake import ChannelFeedback, take_feedback

PEOPLE = tuple((f"p{n}@example.com", f"P{n}", ("en", "ar", "fa")[n % 3]) for n in range(9))
COMMENTS = ["The export to PDF is broken again", "Support never answered my ticket", "Too expensive for us",
            "التصدير إلى PDF لا يعمل", "پشتیبانی جواب نمی‌دهد", "", "Exporting a PDF takes ages", "", "love it"]
EDIT = timedelta(hours=24)


def answer(invitation, score, comment, when, may_contact=True):
    return record_answer(signed_invitation(invitation),
                         Answer(score, comment, may_contact), when, EDIT)


def kept_figures():
    awaiting_a_call = set(db.session.scalars(select(Response.id).where(Response.awaits_contact.is_(True))))
    return score_tallies.snapshot(), triage_tallies.snapshot(), awaiting_a_call, loop_reach.snapshot()


def recounted_figures():
    """What `feedback rebuild tallies` recounts, in its order."""
    score_tallies.rebuild()
    loop_praise.rebuild()
    loop_reach.rebuild()
    sweep.refresh_copies()
    triage_tallies.rebuild()
    db.session.commit()
    return kept_figures()


def test_kept_figures_equal_a_recount_after_every_kind_of_change(app):
    admin = create_user("admin@example.com", "long-enough-password", "admin")
    nps, invitations = sent_survey(app, customers=PEOPLE)
    for n, invitation in enumerate(invitations):
        answer(invitation, n % 11, COMMENTS[n], NOW + timedelta(days=n))
    csat = create_survey("csat", "Delivery", "Acme")
    send_survey(csat, NOW + timedelta(days=40), 30)
    later = db.session.scalars(select(Invitation).where(
        Invitation.survey_id == csat.id)).all()
    for n, invitation in enumerate(later):
        answer(invitation, 1 + n % 5, COMMENTS[(n + 3) % len(COMMENTS)], NOW + timedelta(days=41, hours=n))
    take_feedback(ChannelFeedback("The app crashes when I export", "p1@example.com", score=2, kind="ces",
                                  channel="chat"), NOW + timedelta(days=42), 0.5)
    classifying.classify_pending(NOW + timedelta(days=42), 0.5)
    agree_with_a_recount()

    # Edits: a new score, a comment removed, a comment added, consent withdrawn.
    answer(later[0], 5, COMMENTS[0], NOW + timedelta(days=41, hours=2))
    answer(later[1], None, "", NOW + timedelta(days=41, hours=3))
    answer(later[5], 2, "Delivery was late and support rude", NOW + timedelta(days=41, hours=6), may_contact=False)
    classifying.classify_pending(NOW + timedelta(days=42), 0.5)
    agree_with_a_recount()
    items = db.session.scalars(select(TriageItem).order_by(TriageItem.id)).all()
    services.confirm(items[0], admin.id, NOW + timedelta(days=43))
    services.correct(items[1], "pricing", admin.id, NOW + timedelta(days=43))
    agree_with_a_recount()
    learning.train(NOW + timedelta(days=44))  # a new model: older records are classified again
    classifying.classify_pending(NOW + timedelta(days=44), 0.5)
    agree_with_a_recount()
    erase_customer("p3@example.com", "cli", NOW + timedelta(days=45))
    agree_with_a_recount()
    classifying.classify_pending(NOW + timedelta(days=45), 0.5)
    agree_with_a_recount()


def agree_with_a_recount():
    kept = kept_figures()
    assert kept[0] and kept[1]["type_tally"] and kept[1]["theme_group"] and kept[2] and kept[3]["loop_tally"]
    assert recounted_figures() == kept


def test_survey_scores_from_the_tallies_equal_scores_from_the_answers(app):
    survey, invitations = sent_survey(app, customers=PEOPLE)
    for n, invitation in enumerate(invitations):
        answer(invitation, (n * 7) % 11 if n != 4 else None, COMMENTS[n], NOW + timedelta(days=n % 3))
    classifying.classify_pending(NOW + timedelta(days=3), 0.5)
    tally = score_tallies.tally_of(db.session.execute(
        select(score_tallies.ScoreTally.score, score_tallies.ScoreTally.count)
        .where(score_tallies.ScoreTally.survey_id == survey.id)))
    scores = db.session.scalars(select(Response.score).where(Response.survey_id == survey.id)).all()
    assert scoring.score_of("nps", tally) == scoring.score("nps", scores)


def test_the_rebuild_command_counts_everything_and_leaves_unclassified_words_to_the_sweep(app):
    """As after an upgrade: answers the sweep has not seen. The command counts them all at once; those with
    words and no triage record still wait, and the sweep classifies them."""
    _, invitations = sent_survey(app, customers=PEOPLE)
    for n, invitation in enumerate(invitations):
        answer(invitation, n % 11, COMMENTS[n], NOW + timedelta(days=n))
    result = app.test_cli_runner().invoke(args=["rebuild", "tallies"])
    assert result.exit_code == 0, result.output
    worded = sum(1 for comment in COMMENTS if comment)
    assert f"Recounted {len(PEOPLE)} answers and 0 triage records; {worded} answers" in result.output
    assert sum(score_tallies.snapshot().values()) == len(PEOPLE)
    waiting = db.session.scalars(select(Response.id).where(score_tallies.WAITING)).all()
    assert len(waiting) == worded
    classifying.classify_pending(NOW + timedelta(days=10), 0.5)
    assert db.session.scalar(select(func.count(TriageItem.id))) == worded
    assert sum(score_tallies.snapshot().values()) == len(PEOPLE)  # classified, not counted twice
