"""The demo's words (feedback_app.demo_texts): complete in every language, each fit to be stored, each fix
supported by something a customer wrote. The generated data itself is checked in tests/app/feedback_app/test_demo.py."""
from __future__ import annotations

import re

from feedback_app import demo_texts as texts
from surveys.scales.answers import MAX_COMMENT
from surveys.scales.kinds import BAND_NAMES, KINDS, default_wording
from triage.classification.types import BUILTIN_KEYS

LANGUAGES = {"en", "ar", "fa"}


def all_comments():
    return [(locale, type_key, mood, text) for locale, by_type in texts.COMMENTS.items()
            for type_key, comments in by_type.items() for mood, text in comments]


def test_every_language_has_every_type_praise_and_mixed_in_several_moods():
    assert set(texts.COMMENTS) == LANGUAGES
    for by_type in texts.COMMENTS.values():
        assert set(by_type) == {*BUILTIN_KEYS, "praise", "mixed"}
        assert all(len(comments) >= 5 for comments in by_type.values())
    assert {mood for _, _, mood, _ in all_comments()} == set(BAND_NAMES)


def test_each_text_is_written_once_and_fits_a_comment():
    written = [text for *_, text in all_comments()] + [item.text for item in texts.CHANNEL_FEEDBACK] + [
        text for comments in texts.SPRING_COMMENTS.values() for _, text in comments]
    assert len(written) == len(set(written))
    assert all(0 < len(text) <= MAX_COMMENT and text == text.strip() for text in written)


def test_the_surveys_ask_in_every_language_with_the_product_name_alike():
    assert set(texts.SURVEY_TEXTS) == set(texts.SURVEY_NAMES) == set(KINDS)
    for kind, variables in texts.SURVEY_TEXTS.items():
        wording = default_wording(KINDS[kind], **variables)
        assert set(wording) == LANGUAGES, kind  # no language left without a question
        for locale in ("ar", "fa"):  # nothing English in them but the product's name
            assert not re.search("[A-Za-z]", wording[locale]["question"].replace(texts.PRODUCT, "")), kind
        assert (texts.PRODUCT in wording["en"]["question"]) == (kind != "csat")  # CSAT asks about its subject
    assert set(texts.RELEASE_NOTES) == LANGUAGES


def test_each_fix_is_supported_by_what_customers_wrote():
    written = [text for *_, text in all_comments()]
    for fix in texts.FIXES:
        assert any(word in text for word in fix.words for text in written), fix.title
    assert {fix.step for fix in texts.FIXES} == {"open", "planned", "shipped", "override"}


def test_the_fixes_customers_are_told_of_have_a_title_in_every_language():
    told = [fix for fix in texts.FIXES if fix.step in ("planned", "shipped")]
    assert told and all(fix.public_title and set(fix.public_title) == LANGUAGES for fix in told)


def test_last_springs_comments_are_about_the_shipped_fix_in_every_language():
    """They make the loop comparison's told respondents: each must be linked to the shipped fix by its words, to
    no other fix, and be a problem (never praise)."""
    [shipped] = [fix for fix in texts.FIXES if fix.step == "shipped"]
    assert set(texts.SPRING_COMMENTS) == LANGUAGES
    for comments in texts.SPRING_COMMENTS.values():
        assert comments and {mood for mood, _ in comments} <= {"unhappy", "neutral"}
        for _, text in comments:
            assert [fix.title for fix in texts.FIXES if any(word in text for word in fix.words)] == [shipped.title]
