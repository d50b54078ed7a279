"""A fix's stored evidence figures (triage.fixes.evidence) always equal impact computed from scratch from every
linked verbatim (grid.impact), through links, unlinks, answer edits, value changes and erasures — and a
rebuild from scratch stores exactly what was kept up to date."""
import random
from datetime import timedelta

import pytest
from sqlalchemy import select

from feedback_app.core.extensions import db
from privacy.services import erase_customer
from surveys.answering.links import signed_invitation
from surveys.answering.services import UPDATED, record_answer
from surveys.people.importing import CustomerRow, ParsedCSV
from surveys.people.services import import_customers
from surveys.scales.answers import Answer
from tests.support.factories import NOW, sent_survey
from triage.fixes import evidence
from triage.fixes import lists as fix_lists
from triage.fixes import queue as fix_queue
from triage.fixes import services as fixes
from triage.fixes.services import FixChange
from triage.fixes.tables import EvidenceBasis, FixEvidence, FixRespondent
from triage.verbatims.intake import ChannelFeedback, take_feedback

MRR = ["10", "20", "20", "35", "50", "80", "120", "400", "0", "n/a", None, "1,200"]
PEOPLE = tuple((f"c{i}@example.com", f"Customer {i}", "en") for i in range(len(MRR)))
LATER = NOW + timedelta(days=3)   # when impact is read: every answer has aged a little
EDIT_WINDOW = timedelta(hours=24)


def set_mrr(index: int, mrr: str | None) -> None:
    attributes = {"mrr": mrr} if mrr is not None else {"plan": "free"}
    import_customers(ParsedCSV(rows=[CustomerRow(2, PEOPLE[index][0], None, "en", attributes)]))


def world(app):
    """Survey answers of twelve customers (two surveys, weeks apart) and channel feedback, some of it
    from the same people. Returns {response id: (signed invitation, answered at) or None}."""
    for index, mrr in enumerate(MRR):
        set_mrr(index, mrr)
    answers = {}
    for kind, sent, answered in (("nps", NOW - timedelta(days=80), NOW - timedelta(days=70)),
                                 ("csat", NOW - timedelta(days=40), NOW - timedelta(days=5))):
        _, invitations = sent_survey(app, kind=kind, customers=PEOPLE, now=sent)
        for n, invitation in enumerate(invitations):
            signed = signed_invitation(invitation)
            at = answered + timedelta(hours=n)
            score = n % 11 if kind == "nps" else 1 + n % 5
            record_answer(signed, Answer(score, f"comment {n}", n % 3 != 0), at, EDIT_WINDOW)
            answers[invitation.response.id] = (signed, at, kind)
    for n, email in enumerate(["c1@example.com", "c7@example.com", None, None, "new@example.com"]):
        taken = take_feedback(ChannelFeedback(f"the export is broken {n}", email=email, score=n * 2, kind="nps",
                                              channel="support-email", answered_at=NOW - timedelta(days=n * 9)),
                              NOW, 0.5)
        answers[taken.response.id] = None
    return answers


def check_stored_equals_scratch(app, now=LATER, breakdown=True):
    settings = fix_queue.settings_from(app.config)
    queue = {p.fix.id: p for p in fix_queue.ranked_queue(now, settings)}
    scratch = fix_queue.impact_from_scratch([p.fix for p in queue.values()], now, settings)
    basis = evidence.read_basis()
    linked = fix_queue.linked_verbatims(queue)
    assert basis.reference == fix_queue.reference_value((e for es in linked.values() for e in es), "mrr")
    for fix_id, placed in queue.items():
        expected = scratch[fix_id]
        assert placed.impact.respondents == expected.respondents, fix_id
        assert placed.impact.evidence_sum == pytest.approx(expected.evidence_sum, rel=1e-9, abs=1e-12), fix_id
        assert placed.impact.computed == pytest.approx(expected.computed, abs=0.1)
        assert placed.links == len(linked[fix_id])
        if not breakdown:  # answers after `now`: their clipped recency may reorder the breakdown (clock skew)
            continue
        people = fix_lists.people(placed.fix, basis.reference, now, settings.policy.half_life_days, limit=500).rows
        assert [p.contribution.respondent for p in people] == [c.respondent for c in expected.contributions]
        assert [p.contribution.weight for p in people] == pytest.approx([c.weight for c in expected.contributions])
    return queue


def stored_rows():
    db.session.expire_all()
    people = sorted(tuple(row) for row in db.session.execute(select(
        FixRespondent.fix_id, FixRespondent.respondent, FixRespondent.customer_id, FixRespondent.response_id,
        FixRespondent.unhappiness, FixRespondent.answered_at, FixRespondent.strength, FixRespondent.value)))
    figures = sorted(tuple(row) for row in db.session.execute(select(
        FixEvidence.fix_id, FixEvidence.links, FixEvidence.respondents, FixEvidence.weight_sum,
        FixEvidence.exponent, FixEvidence.latest_at)))
    return people, figures, evidence.read_basis().reference


def assert_same_rows(kept, rebuilt):
    (people, figures, reference), (people_again, figures_again, reference_again) = kept, rebuilt
    assert reference == reference_again
    assert [row[:6] for row in people] == [row[:6] for row in people_again]
    assert [row[6:] for row in people] == [pytest.approx(row[6:]) for row in people_again]
    assert [row[:3] + row[5:] for row in figures] == [row[:3] + row[5:] for row in figures_again]
    for mine, theirs in zip(figures, figures_again):  # the same sum, however it was scaled
        assert mine[3] * 2 ** mine[4] == pytest.approx(theirs[3] * 2 ** theirs[4], rel=1e-9)


def test_incremental_figures_equal_recomputed_ones_through_a_random_history(app):
    answers = world(app)
    fix_queue.ranked_queue(LATER, fix_queue.settings_from(app.config))  # builds the (empty) figures: from here on, kept
    built_at = db.session.scalar(select(EvidenceBasis.built_at))
    rng = random.Random(10)
    made = [fixes.create_fix(FixChange(title=f"Fix {n}", cost=1 + n), NOW,
                             response_ids=rng.sample(sorted(answers), 6)) for n in range(3)]
    erased, done = set(), []
    for step in range(60):
        fix = rng.choice(made)
        action = rng.choice(["link", "link", "unlink", "edit", "value", "value", "new fix", "erase"])
        linked = sorted(fix_queue.linked_verbatims([fix.id])[fix.id], key=lambda e: e.response_id)
        editable = [e.response_id for e in linked if answers.get(e.response_id)]
        if action == "link":
            fixes.link_verbatims(fix, rng.sample(sorted(answers), rng.randint(1, 4)), NOW)
        elif action == "unlink" and linked:
            fixes.unlink_verbatim(fix, rng.choice(linked).response_id, NOW)
        elif action == "edit" and editable:  # a linked survey answer changed within its edit window
            signed, at, kind = answers[rng.choice(editable)]
            score = rng.randint(0, 10) if kind == "nps" else rng.randint(1, 5)
            assert record_answer(signed, Answer(score, "changed", True), at + timedelta(hours=1),
                                 EDIT_WINDOW) == UPDATED
        elif action == "value" and PEOPLE[index := rng.randrange(len(MRR))][0] not in erased:
            set_mrr(index, rng.choice(["5", "60", "90", "1000", None, "x"]))
        elif action == "new fix":
            made.append(fixes.create_fix(FixChange(title=f"Fix {step}", cost=rng.randint(1, 5)), NOW,
                                         response_ids=rng.sample(sorted(answers), 3)))
        elif action == "erase" and len(erased) < 2:
            email = rng.choice([p[0] for p in PEOPLE if p[0] not in erased])
            erase_customer(email, "test", NOW)
            erased.add(email)
        else:
            continue
        done.append(action)
        check_stored_equals_scratch(app)
    assert set(done) == {"link", "unlink", "edit", "value", "new fix", "erase"} and len(erased) == 2
    assert db.session.scalar(select(EvidenceBasis.built_at)) == built_at  # never rebuilt on the way: kept
    kept = stored_rows()
    evidence.rebuild(90.0, "mrr", NOW)
    db.session.commit()
    assert_same_rows(kept, stored_rows())
    assert fix_queue.stored_differs_from_scratch(LATER) == []


def test_a_changed_half_life_or_value_attribute_rebuilds_the_figures_on_the_first_read(app_factory):
    app = app_factory(IMPACT_HALF_LIFE_DAYS=30)
    with app.app_context():
        answers = world(app)
        fixes.create_fix(FixChange(title="Export", cost=2), NOW, response_ids=sorted(answers)[:8])
        fix_queue.ranked_queue(LATER)  # built with the defaults (90 days, mrr)
        assert evidence.read_basis().half_life_days == 90
        check_stored_equals_scratch(app)  # the app's settings: 30 days
        assert evidence.read_basis().half_life_days == 30


def test_an_answer_dated_after_now_is_read_from_scratch_where_recency_is_clipped(app):
    answers = world(app)
    fix = fixes.create_fix(FixChange(title="Export", cost=2), NOW, response_ids=sorted(answers))
    check_stored_equals_scratch(app, now=NOW - timedelta(days=6), breakdown=False)  # some answers are later
    check_stored_equals_scratch(app, now=NOW + timedelta(days=400))
    assert fix_queue.placed(fix, LATER).impact.respondents == len({e.evidence("mrr").respondent for e in
                                                               fix_queue.linked_verbatims([fix.id])[fix.id]})
