import pytest
from sqlalchemy import func, select

from feedback_app.accounts.services import create_user
from feedback_app.core.extensions import db
from tests.support.factories import NOW, sent_survey, survey_path
from triage.classification import custom_types, learning, services, teaching
from triage.models import ModelVersion, TrainingExample, TriageItem
from triage.verbatims import classifying, listing

TRIO = (("ana@example.com", "Ana", "en"), ("sara@example.com", "سارة", "ar"), ("reza@example.com", "رضا", "fa"))


def answer(app, invitation, score, comment):
    app.test_client().post(survey_path(app, invitation), data={"score": str(score), "comment": comment})


def items():
    db.session.expire_all()
    return {i.response.comment: i for i in db.session.scalars(select(TriageItem))}


def test_every_comment_in_every_language_gets_type_theme_and_language(app):
    _, invitations = sent_survey(app, customers=TRIO)
    answer(app, invitations[0], 3, "I was charged twice and nobody refunds me")
    answer(app, invitations[1], 4, "نتمنى إضافة الوضع الليلي في التطبيق")
    answer(app, invitations[2], 2, "پشتیبانی اصلا جواب تیکت رو نمیده")
    assert classifying.classify_pending(NOW, review_below=0.5) == 3
    found = items()
    assert found["I was charged twice and nobody refunds me"].type_key == "pricing"
    assert found["نتمنى إضافة الوضع الليلي في التطبيق"].type_key == "feature_request"
    persian = found["پشتیبانی اصلا جواب تیکت رو نمیده"]
    assert (persian.type_key, persian.language) == ("service", "fa") and "تیکت" in persian.theme and "اصلا" not in persian.theme
    assert all(i.model_version and 0 < i.confidence <= 1 and i.reasons for i in found.values())
    assert classifying.classify_pending(NOW, review_below=0.5) == 0  # nothing twice


def test_a_score_without_text_gets_no_type(app):
    _, (invitation,) = sent_survey(app)
    answer(app, invitation, 9, "")
    assert classifying.classify_pending(NOW, 0.5) == 0 and items() == {}


def test_odd_input_is_stored_verbatim_and_classified_or_marked_unclassifiable(app):
    customers = tuple((f"c{i}@example.com", None, "en") for i in range(5))
    _, invitations = sent_survey(app, customers=customers)
    texts = ["🙂🙂🙂", "<script>alert('x')</script> the invoice total is wrong", "slow " * 1000,
             "the app is great بس الدعم بطيء", "   \n\t  "]
    for invitation, text in zip(invitations, texts):
        answer(app, invitation, 5, text)
    classifying.classify_pending(NOW, 0.5)
    found = items()
    assert found["🙂🙂🙂"].type_key is None and found["🙂🙂🙂"].needs_review
    assert found[texts[1]].type_key is not None and found[texts[2]].type_key is not None
    assert found[texts[3]].language == "ar"
    assert len(found) == 5  # whitespace-only is text too: kept and marked, never an error


def test_low_confidence_goes_to_people_first(app, client):
    create_user("t@example.com", "long-enough-password", "triager")
    _, invitations = sent_survey(app, customers=TRIO[:2])
    answer(app, invitations[0], 2, "I was charged twice and nobody refunds me")
    answer(app, invitations[1], 2, "hmm ok")
    classifying.classify_pending(NOW, review_below=0.99)
    assert all(i.needs_review for i in items().values())
    classifying.classify_pending(NOW, review_below=0.0)  # nothing changed: nothing re-done
    client.post("/login", data={"email": "t@example.com", "password": "long-enough-password"})
    page = client.get("/triage?review=1").get_data(as_text=True)
    assert page.count('class="triage-item review"') == 2


def test_the_review_list_puts_what_teaches_the_model_most_first(app):
    texts = ["I was charged twice and nobody refunds me", "hmm ok", "the export wizard page",
             "the export wizard page again", "the export wizard page once more"]
    _, invitations = sent_survey(app, customers=tuple((f"c{i}@example.com", None, "en") for i in range(5)))
    for invitation, text in zip(invitations, texts):
        answer(app, invitation, 5, text)
    classifying.classify_pending(NOW, review_below=0.99)
    found = items()
    wizard = sorted((found[t] for t in texts[2:]), key=lambda i: i.id)
    assert {i.theme_group for i in wizard} == {wizard[0].theme_group} and [i.group_rank for i in wizard] == [0, 1, 2]
    assert wizard[0].review_priority > wizard[1].review_priority > wizard[2].review_priority  # not all first
    model = learning.active_model()[1]
    for item in found.values():  # margin × density ÷ (1 + rank), density measured against the others
        assert item.review_density is not None and item.review_priority == teaching.priority(
            model.classify(item.response.comment).probabilities, item.group_rank or 0, item.review_density)
    assert found["hmm ok"].review_density < wizard[0].review_density  # an oddity teaches about itself alone
    order = [i.id for i in listing.list_page(listing.Filters(needs_review=True)).items]
    by_priority = sorted(found.values(), key=lambda i: (-i.review_priority, -i.answered_at.timestamp(), -i.id))
    assert order == [i.id for i in by_priority]
    first = listing.list_page(listing.Filters(needs_review=True), size=2)  # pages follow each other in that order
    second = listing.list_page(listing.Filters(needs_review=True), after=first.next, size=2)
    assert [i.id for i in first.items + second.items] == order[:4]
    assert listing.Cursor.parse(first.next.token()) == first.next
    services.correct(found[texts[2]], "service", None, NOW)
    assert items()[texts[2]].review_priority == 0


def test_correction_becomes_a_team_label_and_retraining_changes_later_decisions(app, client):
    user = create_user("t@example.com", "long-enough-password", "triager")
    _, invitations = sent_survey(app, customers=tuple((f"c{i}@example.com", None, "en") for i in range(14)))
    text = "the onboarding checklist wizard"
    answer(app, invitations[0], 5, text)
    classifying.classify_pending(NOW, 0.5)
    item = items()[text]
    before = item.type_key
    client.post("/login", data={"email": "t@example.com", "password": "long-enough-password"})
    target = "usability" if before != "usability" else "service"
    assert client.post(f"/triage/{item.id}/type", data={"type": target}).status_code == 303
    example = db.session.scalar(select(TrainingExample))
    assert (example.label, example.source, example.text) == (target, "correction", text)
    assert items()[text].confirmed and items()[text].confirmed_by == user.id
    # More of the same kind of label, then retrain: an unseen, similar verbatim now follows the team.
    for n, invitation in enumerate(invitations[1:13]):
        answer(app, invitation, 5, f"the onboarding checklist wizard step {n}")
    classifying.classify_pending(NOW, 0.5)
    for item in items().values():
        if not item.confirmed:
            services.correct(item, target, user.id, NOW)
    # The team's model counts n / (n + 200) of the blend: a team border shows once labels accumulate.
    history = [(n, f"the onboarding checklist wizard screen {n}", target) for n in range(80)]
    history += [(n, f"please add a dark theme to page {n}", "feature_request") for n in range(80)]
    assert learning.import_labels(history, NOW).added == 160
    outcome = learning.train(NOW)
    assert outcome.activated and outcome.labels == 173 and outcome.team_weight == pytest.approx(173 / 373)
    answer(app, invitations[13], 5, "that onboarding checklist wizard again")
    classifying.classify_pending(NOW, 0.5)
    assert items()["that onboarding checklist wizard again"].type_key == target


def test_confirming_keeps_the_type_and_retraining_never_overrides_people(app):
    user = create_user("t@example.com", "long-enough-password", "triager")
    _, (invitation,) = sent_survey(app)
    answer(app, invitation, 1, "support never answered my ticket")
    classifying.classify_pending(NOW, 0.5)
    item = items()["support never answered my ticket"]
    services.correct(item, "pricing", user.id, NOW)
    learning.train(NOW)
    classifying.classify_pending(NOW, 0.5)
    assert items()["support never answered my ticket"].type_key == "pricing"


def test_a_worse_model_is_recorded_but_not_activated(app):
    user = create_user("t@example.com", "long-enough-password", "triager")
    first = learning.ensure_model(NOW)[0]
    # Team labels: all are trained on, and cross-validation judges the candidate.
    texts = [f"support took {n} days to answer my ticket" for n in range(40)]
    _, invitations = sent_survey(app, customers=tuple((f"c{i}@example.com", None, "en") for i in range(40)))
    for invitation, text in zip(invitations, texts):
        answer(app, invitation, 2, text)
    classifying.classify_pending(NOW, 0.5)
    for item in items().values():
        services.correct(item, "service", user.id, NOW)
    outcome = learning.train(NOW)
    assert outcome.activated  # consistent labels: the new model is at least as good
    assert db.session.scalar(select(func.count(ModelVersion.id))) == 2 and first != outcome.version
    history = learning.model_history()
    assert history[0].evaluation["cross_validated"]["macro_f1"] is not None


def test_custom_type_is_learned_after_training(app, client):
    create_user("admin@example.com", "long-enough-password", "admin")
    client.post("/login", data={"email": "admin@example.com", "password": "long-enough-password"})
    examples = "\n".join(["the gift wrapping was torn", "gift wrap missing from my order", "no gift wrapping although I paid for it",
                          "the gift wrap paper was crumpled", "gift wrapping looked cheap"])
    reply = client.post("/triage/types", data={"key": "gift_wrap", "name_en": "Gift wrapping", "description": "Gift wrap issues",
                                               "examples": examples})
    assert reply.status_code == 303 and "gift_wrap" in custom_types.type_keys()
    client.post("/triage/models/train")
    _, (invitation,) = sent_survey(app)
    answer(app, invitation, 3, "my gift wrapping was torn again")
    classifying.classify_pending(NOW, 0.5)
    assert items()["my gift wrapping was torn again"].type_key == "gift_wrap"


def test_triage_list_filters_and_escapes(app, client):
    create_user("v@example.com", "long-enough-password", "viewer")
    _, invitations = sent_survey(app, customers=TRIO)
    answer(app, invitations[0], 2, "<b>charged twice</b> for one month")
    answer(app, invitations[1], 10, "نتمنى إضافة الوضع الليلي")
    classifying.classify_pending(NOW, 0.5)
    client.post("/login", data={"email": "v@example.com", "password": "long-enough-password"})
    everything = client.get("/triage").get_data(as_text=True)
    assert "&lt;b&gt;charged twice&lt;/b&gt;" in everything and "<b>charged" not in everything
    assert "نتمنى" in everything and 'dir="auto"' in everything
    assert "نتمنى" not in client.get("/triage?band=unhappy").get_data(as_text=True)
    assert "charged" not in client.get("/triage?language=ar").get_data(as_text=True)
    assert "charged" in client.get("/triage?type=pricing").get_data(as_text=True)
    # A viewer reads but cannot relabel.
    item = db.session.scalar(select(TriageItem))
    assert client.post(f"/triage/{item.id}/type", data={"type": "service"}).status_code == 403


def test_the_list_shows_feedback_from_other_channels_and_bands_it_by_its_own_scale(app, client):
    from triage.verbatims.intake import ChannelFeedback, take_feedback
    create_user("v@example.com", "long-enough-password", "viewer")
    take_feedback(ChannelFeedback("the checkout page throws an error", "kim@example.com", score=2, kind="csat",
                                  channel="chat"), NOW, 0.5)
    take_feedback(ChannelFeedback("love the new reports", score=5, kind="csat", channel="app-store"), NOW, 0.5)
    client.post("/login", data={"email": "v@example.com", "password": "long-enough-password"})
    page = client.get("/triage").get_data(as_text=True)
    assert "the checkout page throws an error" in page and "kim@example.com" in page and "chat" in page
    unhappy = client.get("/triage?band=unhappy").get_data(as_text=True)
    assert "checkout" in unhappy and "love the new reports" not in unhappy  # CSAT 2 is unhappy, 5 is not


def test_theme_groups_collect_similar_verbatims(app, client):
    create_user("v@example.com", "long-enough-password", "viewer")
    _, invitations = sent_survey(app, customers=tuple((f"c{i}@example.com", None, "en") for i in range(3)))
    for invitation, text in zip(invitations, ["The PDF export is so slow", "pdf export slow again", "exporting a PDF takes ages"]):
        answer(app, invitation, 4, text)
    classifying.classify_pending(NOW, 0.5)
    groups = listing.theme_groups(listing.Filters())
    assert groups[0].count == 3
    client.post("/login", data={"email": "v@example.com", "password": "long-enough-password"})
    assert "3 —" in client.get("/triage").get_data(as_text=True)
    assert client.get(f"/triage?theme={groups[0].key}").get_data(as_text=True).count('class="triage-item') == 3
