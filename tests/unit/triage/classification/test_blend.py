import json

import pytest

from tests.conftest import SMALL_CORPUS
from triage.classification import training
from triage.classification.blend import BlendedModel, from_dict, mix, team_weight
from triage.classification.classifier import Classifier, Example
from triage.classification.training import (
    BLEND_CHOICES,
    DEFAULT_BLEND,
    choose_blend,
    cross_validate,
    fold_of,
    judge,
    read_corpus,
    train_team_model,
)

PLACES = ["calendar", "invoice page", "report screen", "export", "settings", "inbox", "map", "checkout",
          "profile", "search", "dashboard", "upload form"]
# This team files slowness under "functionality": its own border, against the corpus' "reliability".
SLOW = [f"the {place} is slow {when}" for place in PLACES for when in ("today", "again", "every morning")]
OTHER = [Example(f"please add {thing} to the {place}", "feature_request", 1.0, "en")
         for thing in ("filters", "a dark mode", "shortcuts") for place in PLACES]


@pytest.fixture(scope="module")
def corpus_model():
    return Classifier.train(read_corpus(SMALL_CORPUS))


def team_labels():
    return [Example(text, "functionality", 1.0, "en") for text in SLOW] + OTHER


def test_the_teams_weight_grows_with_its_labels():
    assert team_weight(0) == 0 and team_weight(200) == 0.5 and team_weight(800) == pytest.approx(0.8)
    assert team_weight(100, 100) == 0.5 and team_weight(-3) == 0


def test_mix_keeps_a_type_only_one_model_knows():
    blended = mix({"pricing": 0.8, "service": 0.2}, {"pricing": 0.1, "gift_wrap": 0.9}, 0.5)
    assert blended == pytest.approx({"pricing": 0.45, "service": 0.1, "gift_wrap": 0.45})
    assert sum(blended.values()) == pytest.approx(1)


def test_with_no_team_model_the_blend_is_the_corpus_model(corpus_model):
    blend = BlendedModel(corpus_model, None, 0)
    for text in ("support never answered", "please add dark mode", "نتمنى إضافة الوضع الليلي"):
        assert blend.classify(text).probabilities == pytest.approx(corpus_model.classify(text).probabilities)
    assert blend.classify("🙂🙂").type is None


def test_the_teams_border_wins_once_it_has_labels(corpus_model):
    text = "the billing page is slow this week"
    assert corpus_model.classify(text).type == "reliability"
    team = team_labels()
    blend = BlendedModel(corpus_model, train_team_model(team), len(team), 20)
    prediction = blend.classify(text)
    assert prediction.type == "functionality" and "slow" in prediction.reasons
    assert blend.classify("please add filters to the billing page").type == "feature_request"


def test_one_type_alone_trains_no_team_model():
    assert train_team_model([Example("slow", "reliability"), Example("very slow", "reliability")]) is None


def test_models_round_trip_through_json_and_old_models_still_load(corpus_model):
    team = team_labels()
    blend = BlendedModel(corpus_model, train_team_model(team), len(team), 400)
    again = from_dict(json.loads(json.dumps(blend.to_dict())))
    text = "the inbox is slow again"
    assert again.classify(text) == blend.classify(text) and again.weight == blend.weight
    old = from_dict(json.loads(json.dumps(corpus_model.to_dict())))  # a model stored before issue 13
    assert old.team is None and old.classify(text) == BlendedModel(corpus_model, None, 0).classify(text)
    with pytest.raises(ValueError):
        from_dict({"format": 99})


def test_folds_are_stable_and_about_a_fifth_each():
    texts = [f"label number {i} for the export page" for i in range(500)]
    folds = [fold_of(text) for text in texts]
    assert folds == [fold_of(text) for text in texts]
    assert all(70 < folds.count(f) < 130 for f in range(training.FOLDS))


def test_cross_validation_predicts_each_label_with_a_model_that_did_not_see_it(corpus_model):
    seen = []

    def train(examples):
        seen.append({e.text for e in examples})
        return train_team_model(examples)

    team = team_labels()
    validation = cross_validate(corpus_model, team, train)
    assert len(seen) == training.FOLDS
    for index, example in enumerate(team):
        fold = fold_of(example.text)
        assert example.text not in seen[fold] and validation.fold_sizes[index] == len(seen[fold])
    assert validation.evaluation(corpus_model.labels, 20).macro_f1 > validation.evaluation(
        corpus_model.labels, 1e9).macro_f1  # the team's own model predicts its border better than the corpus


def test_the_blend_is_chosen_by_cross_validation_only_with_enough_labels(corpus_model):
    team = team_labels()
    validation = cross_validate(corpus_model, team)
    assert len(team) < training.MIN_TO_CHOOSE and choose_blend(validation, corpus_model.labels) == DEFAULT_BLEND
    many = team * 2  # 144 labels: enough to choose; slowness is this team's border, so the team should count more
    chosen = choose_blend(cross_validate(corpus_model, many), corpus_model.labels)
    assert chosen in BLEND_CHOICES and chosen <= DEFAULT_BLEND


def test_a_candidate_worse_on_the_new_labels_does_not_replace_the_current_model(corpus_model):
    team = team_labels()
    validation = cross_validate(corpus_model, team)
    everything_new = list(range(len(team)))
    team_aware = BlendedModel(corpus_model, train_team_model(team), len(team), 20)
    # The current model already follows the team's border (it learnt it): a corpus-only candidate is worse.
    assert not judge(validation, 1e9, corpus_model.labels, team_aware, everything_new).replace
    assert judge(validation, 20, corpus_model.labels, BlendedModel(corpus_model, None, 0), everything_new).replace
    assert judge(validation, 1e9, corpus_model.labels, None, everything_new).reason == "no model yet"
    few = judge(validation, 1e9, corpus_model.labels, team_aware, everything_new[:3])
    assert few.replace and few.compared == 3


def test_the_teams_weight_is_counted_in_the_texts_language(corpus_model):
    team = team_labels()  # all English
    blend = BlendedModel(corpus_model, train_team_model(team), len(team), 20, by_language={"en": len(team)})
    assert blend.weight_for("en") == team_weight(len(team), 20) and blend.weight_for("ar") == 0
    arabic = "الفاتورة فيها خطأ والمبلغ أعلى من السعر"
    assert blend.classify(arabic).probabilities == pytest.approx(corpus_model.classify(arabic).probabilities)
    again = from_dict(json.loads(json.dumps(blend.to_dict())))
    assert again.by_language == {"en": len(team)} and again.weight_for("fa") == 0
