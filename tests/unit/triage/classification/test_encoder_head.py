import json

import numpy
import pytest

from triage.classification.encoder import DIMENSIONS, Head, LinearHead, text_key, train_head, train_linear


def clusters(labels: dict[str, int], per_label: int = 30, seed: int = 3):
    """Unit vectors scattered around one direction per label: (vector, label, weight) rows."""
    rng = numpy.random.default_rng(seed)
    rows = []
    for label, axis in labels.items():
        for _ in range(per_label):
            vector = rng.normal(0, 0.05, DIMENSIONS)
            vector[axis] += 1
            rows.append((vector / numpy.linalg.norm(vector), label, 1.0))
    return rows


def unit(axis: int):
    vector = numpy.zeros(DIMENSIONS)
    vector[axis] = 1
    return vector


def test_a_head_learns_directions_and_its_probabilities_sum_to_one():
    head = train_linear(clusters({"pricing": 0, "service": 1, "usability": 2}))
    probabilities = head.probabilities(unit(1))
    assert max(probabilities, key=probabilities.get) == "service"
    assert sum(probabilities.values()) == pytest.approx(1.0)


def test_two_labels_keep_one_row_each():
    head = train_linear(clusters({"pricing": 0, "service": 1}))
    assert head.labels == ["pricing", "service"] and len(head.weights) == 2
    assert max(head.probabilities(unit(0)).items(), key=lambda kv: kv[1])[0] == "pricing"


def test_one_label_is_nothing_to_learn():
    assert train_linear(clusters({"pricing": 0})) is None


def test_the_head_survives_json_as_plain_numbers():
    head = train_head(clusters({"pricing": 0, "service": 1, "usability": 2}),
                      clusters({"pricing": 1, "service": 0}, per_label=5))
    again = Head.from_dict(json.loads(json.dumps(head.to_dict())))
    vector = unit(2)
    assert again.probabilities(vector) == pytest.approx(head.probabilities(vector))
    assert again.team_labels == 10 and sum(again.probabilities(vector).values()) == pytest.approx(1.0)


def test_the_team_part_weighs_in_as_labels_accumulate():
    corpus = clusters({"pricing": 0, "service": 1})
    few = train_head(corpus, clusters({"pricing": 1, "service": 0}, per_label=2))   # the team's borders differ
    many = train_head(corpus, clusters({"pricing": 1, "service": 0}, per_label=400))
    assert few.probabilities(unit(1))["pricing"] < many.probabilities(unit(1))["pricing"]
    assert max(many.probabilities(unit(1)).items(), key=lambda kv: kv[1])[0] == "pricing"


@pytest.mark.parametrize("broken", [
    {"format": 1, "corpus": {"labels": ["a", "b"], "intercepts": [0.0], "weights": [[0.0] * DIMENSIONS] * 2}},
    {"format": 1, "corpus": {"labels": ["a"], "intercepts": [0.0], "weights": [[0.0] * 3]}},
    {"format": 2, "corpus": {}},
])
def test_a_malformed_head_is_refused(broken):
    with pytest.raises(ValueError):
        Head.from_dict(broken)


def test_texts_are_known_by_their_words_not_their_spacing():
    assert text_key("the export  is\nslow ") == text_key("the export is slow")
    assert text_key("the export is slow") != text_key("the export is fast")
    assert LinearHead.from_dict({"labels": ["a"], "intercepts": [1], "weights": [[0] * DIMENSIONS]}).labels == ["a"]
