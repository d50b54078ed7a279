import json

import pytest

from tests.conftest import SMALL_CORPUS
from triage.classification.classifier import Classifier, Example, analyse, evaluate, features, team_features
from triage.classification.training import read_corpus


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


def test_team_features_keep_words_as_written_pairs_and_short_letter_grams():
    found = team_features("Exporting is slow", "en")
    assert found["w:exporting"] == 1 and found["b:is_slow"] == 1 and found["c:<e"] == 1 and found["c:slow>"] == 1
    assert not any(name.startswith("n:") for name in found)  # the team model learns negation from its words


def test_a_team_model_normalises_words_and_letter_grams_apart():
    team = Classifier.train([Example("export is slow", "reliability"), Example("add dark mode", "feature_request")],
                            regularisation=10, min_count=1, kind="team")
    vector = team.vector(analyse("export slow"))
    words = sum(v * v for name, v in vector.items() if name[0] != "c")
    letters = sum(v * v for name, v in vector.items() if name[0] == "c")
    assert words == pytest.approx(1) and letters == pytest.approx(1)
    assert Classifier.from_dict(json.loads(json.dumps(team.to_dict()))).kind == "team"


def test_evaluation_reports_per_type_and_per_language(classifier):
    result = evaluate(classifier, [Example("please add dark mode", "feature_request", 1.0, "en"),
                                   Example("نتمنى إضافة الوضع الليلي", "feature_request", 1.0, "ar"),
                                   Example("support never replied", "pricing", 1.0, "en")])
    assert set(result.by_language) == {"en", "ar"}
    precision, recall, f1, support = result.precision_recall_f1("feature_request")
    assert support == 2 and recall == 1.0
    assert result.precision_recall_f1("pricing")[1] == 0.0
