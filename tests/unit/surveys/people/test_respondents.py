"""The one definition of an answer's respondent and of "unhappy" per kind."""
import pytest

from surveys.people.respondents import (
    answer_key,
    customer_key,
    parse_respondent_key,
    respondent_key,
    split_respondent_keys,
)
from surveys.scales import scoring
from surveys.scales.kinds import BAND_NAMES, BANDS, KINDS, band, band_range, is_unhappy, unhappy_range


def test_a_customer_is_one_person_and_an_untraced_answer_its_own():
    assert respondent_key(7, 30) == customer_key(7) == "customer:7"
    assert respondent_key(None, 30) == answer_key(30) == "response:30"


@pytest.mark.parametrize("customer_id, response_id", [(1, 2), (None, 2), (123456789, 1), (None, 2**31 - 1)])
def test_respondent_keys_read_back(customer_id, response_id):
    assert parse_respondent_key(respondent_key(customer_id, response_id)) == (
        (customer_id, None) if customer_id else (None, response_id))


@pytest.mark.parametrize("key", ["", "customer:", "customer:x", "person:3", "3", "response:-1"])
def test_anything_else_is_not_a_respondent_key(key):
    with pytest.raises(ValueError):
        parse_respondent_key(key)


def test_keys_split_into_customers_and_answers_in_their_order():
    keys = [customer_key(3), answer_key(9), customer_key(1), answer_key(4)]
    assert split_respondent_keys(keys) == ([3, 1], [9, 4])


@pytest.mark.parametrize("kind", list(KINDS))
def test_the_unhappy_range_is_is_unhappy_for_every_score(kind):
    low, high = unhappy_range(kind)
    for score in range(KINDS[kind].low - 2, KINDS[kind].high + 3):
        assert (low <= score <= high) is is_unhappy(kind, score), (kind, score)


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_score_of_a_scale_is_in_exactly_one_band(kind):
    for score in KINDS[kind].scale:
        inside = [name for name in BAND_NAMES if band_range(kind, name)[0] <= score <= band_range(kind, name)[1]]
        assert inside == [band(kind, score)] == [KINDS[kind].band_of(score)]
    assert set(BANDS[kind]) == set(BAND_NAMES)


def test_the_scores_thresholds_are_the_bands():
    assert [scoring.nps_bucket(score) for score in range(11)] == ["detractor"] * 7 + ["passive"] * 2 + ["promoter"] * 2
    assert scoring.csat([1, 2, 3, 4, 5]).extra["satisfied"] == 2
    assert scoring.ces([4, 5, 7, 1]).extra["agree_percent"] == 50
