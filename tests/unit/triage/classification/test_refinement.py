import pytest

from triage.classification.refinement import mix, refine


def test_mix_averages_over_both_label_sets_and_still_sums_to_one():
    mixed = mix({"pricing": 0.8, "service": 0.2}, {"pricing": 0.2, "praise": 0.8}, 0.5)
    assert mixed == pytest.approx({"pricing": 0.5, "service": 0.1, "praise": 0.4})
    assert sum(mixed.values()) == pytest.approx(1.0)


def test_an_encoder_without_an_opinion_leaves_the_fast_model_as_it_is():
    verdict = refine({"pricing": 0.7, "service": 0.3}, {}, review_below=0.5)
    assert (verdict.type, verdict.confidence, verdict.needs_review) == ("pricing", 0.7, False)


def test_the_encoder_can_overturn_an_unsure_fast_model_and_a_disagreement_goes_to_people():
    unsure = {"usability": 0.45, "feature_request": 0.40, "service": 0.15}
    encoder = {"usability": 0.05, "feature_request": 0.90, "service": 0.05}
    verdict = refine(unsure, encoder, review_below=0.5)
    assert (verdict.type, verdict.confidence, verdict.needs_review) == ("feature_request", pytest.approx(0.65), False)
    assert verdict.probabilities == pytest.approx({"usability": 0.25, "feature_request": 0.65, "service": 0.1})
    sure = {"usability": 0.95, "feature_request": 0.03, "service": 0.02}
    verdict = refine(sure, encoder, review_below=0.6)
    assert (verdict.type, verdict.needs_review) == ("usability", True)  # 0.5: the two disagree


def test_a_blend_below_the_threshold_is_marked_for_people():
    verdict = refine({"pricing": 0.5, "service": 0.5}, {"pricing": 0.4, "service": 0.6}, review_below=0.6)
    assert (verdict.type, verdict.needs_review) == ("service", True)


def test_ties_fall_the_same_way_every_time():
    assert refine({"b": 0.5, "a": 0.5}, {"a": 0.5, "b": 0.5}, 0.5).type == "a"


def test_nothing_for_the_fast_model_to_go_on_stays_for_people():
    assert refine({}, {"pricing": 1.0}, 0.5) is None
