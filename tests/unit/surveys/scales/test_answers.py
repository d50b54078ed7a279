import pytest

from surveys.scales.answers import MAX_COMMENT, Answer, Invalid, read_answer
from surveys.scales.kinds import CSAT, NPS


@pytest.mark.parametrize("form, kind, expected", [
    ({"score": "10", "comment": "great", "may_contact": "1"}, NPS, Answer(10, "great", True)),
    ({"score": "0"}, NPS, Answer(0, "", False)),
    ({"score": " 5 "}, CSAT, Answer(5, "", False)),
    ({"score": "", "comment": "no score, just words"}, NPS, Answer(None, "no score, just words", False)),
    ({"score": "7", "score_only": "1"}, NPS, Answer(7, "", False, score_only=True)),
    ({"score": "3", "comment": "line one\r\nline two"}, CSAT, Answer(3, "line one\nline two", False)),
])
def test_valid_answers(form, kind, expected):
    assert read_answer(form, kind) == expected


@pytest.mark.parametrize("form, kind, field, reason", [
    ({"score": "11"}, NPS, "score", "out_of_range"),
    ({"score": "0"}, CSAT, "score", "out_of_range"),
    ({"score": "-1"}, NPS, "score", "out_of_range"),
    ({"score": "7.5"}, NPS, "score", "out_of_range"),
    ({"score": "٥"}, NPS, "score", "out_of_range"),
    ({"score": "ten"}, NPS, "score", "out_of_range"),
    # Once exceptions, not answers: int() refuses more than 4,300 digits and cannot read "²".
    ({"score": "9" * 5000}, NPS, "score", "out_of_range"),
    ({"score": "0" * 5000 + "5"}, NPS, "score", "out_of_range"),
    ({"score": "²"}, NPS, "score", "out_of_range"),
    ({"score": str(2**63)}, NPS, "score", "out_of_range"),
    ({"score": "\x00"}, NPS, "score", "out_of_range"),
    ({"score": ""}, NPS, "score", "empty"),
    ({"score_only": "1"}, NPS, "score", "missing"),
    ({"score": "5", "comment": "x" * (MAX_COMMENT + 1)}, NPS, "comment", "too_long"),
])
def test_invalid_answers(form, kind, field, reason):
    result = read_answer(form, kind)
    assert isinstance(result, Invalid) and result.errors[field] == reason


def test_comment_of_exactly_the_limit_is_accepted():
    assert read_answer({"score": "5", "comment": "ب" * MAX_COMMENT}, NPS).comment == "ب" * MAX_COMMENT
