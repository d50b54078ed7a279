import json

import pytest

from tests.conftest import SMALL_CORPUS
from triage.classification.classifier import Classifier, Example, evaluate, features
from triage.classification.training import TEAM_WEIGHT, judge, read_corpus, split_team_labels, training_set


@pytest.fixture(scope="module")
def classifier():
    return Classifier.train(read_corpus(SMALL_CORPUS))


def test_features_carry_words_bigrams_negation_and_letter_ngrams():
    found = features("it does not work", "en")
    assert found["w:work"] == 1 and found["b:not_work"] == 1 and found["n:work"] == 1 and found["c:<wor"] == 1


@pytest.mark.parametrize("text, expected", [
    ("please add an export to excel", "feature_request"),
    ("support never answered my ticket", "service"),
    ("I was charged twice for one month", "pricing"),
    ("نتمنى إضافة الوضع الليلي في التطبيق", "feature_request"),
    ("پشتیبانی اصلا جواب نمیده", "service"),
])
def test_small_corpus_model_predicts_clear_cases(classifier, text, expected):
    assert classifier.classify(text).type == expected


def test_prediction_has_confidence_language_and_readable_reasons(classifier):
    prediction = classifier.classify("I was charged twice and the refund never came")
    assert prediction.type == "pricing" and 0 < prediction.confidence <= 1
    assert prediction.language == "en" and "charged" in prediction.reasons
    assert sum(prediction.probabilities.values()) == pytest.approx(1)


@pytest.mark.parametrize("text", ["", "   ", "🙂🙂🙂", "!!!", "12"])
def test_nothing_to_go_on_is_unclassifiable(classifier, text):
    prediction = classifier.classify(text)
    assert prediction.type is None and prediction.confidence == 0


def test_model_round_trips_through_json_without_pickle(classifier):
    data = json.loads(json.dumps(classifier.to_dict()))
    again = Classifier.from_dict(data)
    text = "the settings menu is confusing"
    assert again.classify(text) == classifier.classify(text)
    with pytest.raises(ValueError):
        Classifier.from_dict({**data, "format": 99})


def test_team_labels_outweigh_the_corpus_and_change_decisions():
    corpus = read_corpus(SMALL_CORPUS)
    text = "the export button is slow"
    team = [Example(f"{text} {i}", "functionality", 1.0, "en") for i in range(3)]
    before = Classifier.train(corpus).classify(text).probabilities["functionality"]
    after = Classifier.train(training_set(corpus, team)).classify(text).probabilities["functionality"]
    assert after > before and training_set(corpus, team)[-1].weight == TEAM_WEIGHT


def test_held_out_slice_is_stable_and_about_a_fifth():
    examples = [Example(f"label number {i} for the export page", "functionality") for i in range(500)]
    train, held_out = split_team_labels(examples)
    assert 70 < len(held_out) < 130 and len(train) + len(held_out) == 500
    assert split_team_labels(examples)[1] == held_out


def test_a_worse_model_does_not_replace_the_current_one(classifier):
    held_out = [Example(line, label, 1.0, None) for line, label in [
        ("please add dark mode", "feature_request"), ("support is slow to reply", "service"),
        ("charged twice", "pricing"), ("export does nothing", "functionality"),
        ("the menu is confusing", "usability"), ("the site is down", "reliability")] * 2]
    lopsided = Classifier.train([Example(e.text, "pricing") for e in read_corpus(SMALL_CORPUS)][:30]
                                + [Example("dark mode please", "service")])
    assert not judge(lopsided, classifier, held_out).replace
    assert judge(classifier, lopsided, held_out).replace
    assert judge(lopsided, None, held_out).replace


def test_evaluation_reports_per_type_and_per_language(classifier):
    result = evaluate(classifier, [Example("please add dark mode", "feature_request", 1.0, "en"),
                                   Example("نتمنى إضافة الوضع الليلي", "feature_request", 1.0, "ar"),
                                   Example("support never replied", "pricing", 1.0, "en")])
    assert set(result.by_language) == {"en", "ar"}
    precision, recall, f1, support = result.precision_recall_f1("feature_request")
    assert support == 2 and recall == 1.0
    assert result.precision_recall_f1("pricing")[1] == 0.0
