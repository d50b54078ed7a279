"""The thank-you page's follow-up step read and checked (PURE): what a team may set, what a page shows."""
import pytest

from surveys.scales.thanks_step import (
    LINK,
    MAX_ANSWER,
    QUESTION,
    AnswerRefused,
    ShownStep,
    StepRefused,
    ThanksStep,
    checked_step,
    read_second_answer,
    shown_in,
)


def test_a_link_keeps_its_address_and_one_line_labels_in_the_languages_given():
    step = checked_step(LINK, {"fa": "  نظر\n بدهید ", "en": "Review us", "ar": "  "}, " https://x.example/r?a=1 ")
    # Persian's label collapsed to one line; Arabic's blank one is no label; texts in the locales' order.
    assert step == ThanksStep(LINK, {"en": "Review us", "fa": "نظر بدهید"}, "https://x.example/r?a=1")
    assert ThanksStep.from_json(step.as_json()) == step
    assert shown_in(step, "fa") == ShownStep(LINK, "نظر بدهید", "https://x.example/r?a=1")
    assert shown_in(step, "ar") is None and shown_in(None, "en") is None


@pytest.mark.parametrize("url", ["", "javascript:alert(1)", "ftp://x.example/", "https://", "//x.example/r",
                                 "https://x.example/a b", "https://me@x.example/", "https://x.example:99999/",
                                 "https://x.example\\@y.example/", "x.example/review"])
def test_only_full_http_addresses_without_credentials_are_links(url):
    with pytest.raises(StepRefused) as refused:
        checked_step(LINK, {"en": "Review us"}, url)
    assert refused.value.reason == "bad_url"


def test_limits_and_languages():
    with pytest.raises(StepRefused) as refused:
        checked_step(LINK, {"en": "x"}, "https://x.example/" + "a" * 500)
    assert refused.value.reason == "url_too_long"
    assert checked_step(QUESTION, {"en": "q" * 300}).texts["en"] == "q" * 300  # the limit itself is kept
    with pytest.raises(StepRefused) as refused:
        checked_step(QUESTION, {"ar": "س" * 301})
    assert (refused.value.reason, refused.value.locale, refused.value.limit) == ("text_too_long", "ar", 300)
    with pytest.raises(StepRefused) as refused:
        checked_step(QUESTION, {"en": " ", "fa": ""})
    assert refused.value.reason == "no_text"
    with pytest.raises(StepRefused) as refused:
        checked_step(QUESTION, {"de": "Was noch?"})
    assert refused.value.reason == "unknown_language"
    with pytest.raises(StepRefused) as refused:
        checked_step("poll", {"en": "x"})
    assert refused.value.reason == "unknown_kind"
    assert checked_step(QUESTION, {"en": "Why?"}, "https://ignored.example/").url is None


def test_a_stored_value_that_is_not_a_step_is_no_step():
    for data in (None, {}, {"kind": "link", "texts": {"en": "x"}}, {"kind": "poll", "texts": {}}, [1],
                 {"kind": "question", "texts": "Why?"}):
        assert ThanksStep.from_json(data) is None
    assert ThanksStep.from_json({"kind": "question", "texts": {"en": "Why?", "xx": "?", "ar": 3}}) == \
        ThanksStep(QUESTION, {"en": "Why?"})


def test_the_second_answer_is_trimmed_and_refused_when_empty_or_over_the_limit():
    assert read_second_answer("  one\r\ntwo \n") == "one\ntwo"
    assert read_second_answer(" \r\n ") == AnswerRefused("empty")
    assert read_second_answer("é" * MAX_ANSWER) == "é" * MAX_ANSWER
    # 2,000 + 5 characters, a CRLF counted as one: 5 over.
    assert read_second_answer("a\r\n" + "b" * (MAX_ANSWER + 3)) == AnswerRefused("too_long", 5)
