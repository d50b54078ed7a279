"""The rules of a survey's texts per language, with worked examples."""
import re

import pytest

from feedback_app.core.languages import LOCALES
from surveys.scales.kinds import CES, CSAT, KINDS, NPS, REASON, default_wording
from surveys.scales.texts import (
    DEFAULT_PRODUCT,
    SurveyTexts,
    UnknownLanguage,
    fill_wording,
    missing_languages,
    missing_texts,
    per_language,
    read_language_value,
    recovered_texts,
    sentence_case,
)

LATIN = re.compile(r"[A-Za-z]")


@pytest.mark.parametrize("kind", KINDS.values())
def test_the_default_wording_is_in_one_language_each_and_english_starts_with_a_capital(kind):
    wording = default_wording(kind)
    assert set(wording) == set(LOCALES)
    assert not LATIN.search(wording["ar"]["question"] + wording["fa"]["question"])
    assert wording["en"]["question"][0].isupper()
    assert all("{" not in texts["question"] for texts in wording.values())


def test_worked_example_the_ces_defaults_in_each_language():
    wording = default_wording(CES)
    assert wording["en"]["question"] == "Our product made it easy for me to get what I needed done."
    assert wording["ar"]["question"] == "كان من السهل عليّ إنجاز ما أحتاج إليه باستخدام منتجنا."
    assert wording["fa"]["question"] == "با محصول ما، انجام کارم برایم آسان بود."


def test_worked_example_a_product_name_given_once_is_used_in_every_language():
    wording = default_wording(NPS, "Acme Board")
    assert wording["en"]["question"] == "How likely are you to recommend Acme Board to a friend or colleague?"
    assert wording["ar"]["question"] == "ما مدى احتمال أن ترشّح Acme Board لصديق أو زميل؟"
    assert wording["fa"]["question"] == "چقدر احتمال دارد Acme Board را به یک دوست یا همکار پیشنهاد کنید؟"
    assert default_wording(NPS)["ar"]["question"] == "ما مدى احتمال أن ترشّح منتجنا لصديق أو زميل؟"


def test_the_csat_subject_defaults_to_the_product_in_each_language():
    assert {locale: texts["question"] for locale, texts in default_wording(CSAT).items()} == {
        "en": "How satisfied are you with our product?", "ar": "ما مدى رضاك عن منتجنا؟",
        "fa": "چقدر از محصول ما راضی هستید؟"}
    assert default_wording(CSAT, {"en": "Acme", "fa": "آکمه"})["fa"]["question"] == "چقدر از آکمه راضی هستید؟"


def test_a_text_given_for_some_languages_leaves_the_others_without_a_question():
    english_only = default_wording(CES, "Acme", task="export a report")  # a str task is English
    assert set(english_only) == {"en"}
    assert english_only["en"]["question"] == "Acme made it easy for me to export a report."
    two = default_wording(CES, "Acme", task={"en": "export a report", "ar": "تصدير تقرير"})
    assert set(two) == {"en", "ar"}
    assert two["ar"]["question"] == "كان من السهل عليّ تصدير تقرير باستخدام Acme."
    # A product per language: the languages without one have no question, even for CSAT's default subject.
    assert set(default_wording(CSAT, {"en": "Acme"})) == {"en"}
    assert set(default_wording(CSAT, {"en": "Acme"}, {"ar": "التوصيل", "fa": "ارسال", "en": "delivery"})) == set(LOCALES)
    assert missing_texts(CES.question["fa"], SurveyTexts.given("Acme", task="export a report"), "fa") == ["task"]


def test_a_written_question_completes_a_language_and_wins_over_the_template():
    texts = SurveyTexts.given("Acme", task="export a report")
    wording = fill_wording(CES.question, REASON, texts, {"fa": {"question": " گزارش گرفتن آسان بود؟ "},
                                                         "en": {"reason": "Why?", "question": ""}})
    assert wording["fa"] == {"question": "گزارش گرفتن آسان بود؟", "reason": REASON["fa"]}
    assert wording["en"] == {"question": "Acme made it easy for me to export a report.", "reason": "Why?"}
    assert missing_languages(wording) == ["ar"]


@pytest.mark.parametrize("text, expected", [("our product made it", "Our product made it"),
                                            ("iPhone made it", "iPhone made it"), ("Acme", "Acme"),
                                            ("منتجنا", "منتجنا"), ("", "")])
def test_sentence_case(text, expected):
    assert sentence_case(text) == expected


def test_per_language_values():
    assert per_language("Acme", every_language=True) == dict.fromkeys(LOCALES, "Acme")
    assert per_language(" delivery ") == {"en": "delivery"}
    assert per_language({"ar": "التوصيل", "fa": "  "}) == {"ar": "التوصيل"}
    assert per_language("") == {} and per_language(None) == {}
    with pytest.raises(UnknownLanguage):
        per_language({"de": "Lieferung"})


@pytest.mark.parametrize("raw, expected", [
    ('ar:تصدير تقرير', ("ar", "تصدير تقرير")), ("en: export a report", ("en", "export a report")),
    ("export a report", (None, "export a report")), ("Plan: Pro", (None, "Plan: Pro")),
    ("en:Plan: Pro", ("en", "Plan: Pro")), ("see https://x.example", (None, "see https://x.example"))])
def test_reading_a_language_prefix(raw, expected):
    assert read_language_value(raw) == expected


@pytest.mark.parametrize("raw", ["de:Bericht", "pt-BR:relatório", "xx:"])
def test_an_unknown_language_prefix_is_an_error_naming_it(raw):
    with pytest.raises(UnknownLanguage, match=raw.split(":")[0]):
        read_language_value(raw)


def test_texts_read_back_from_a_surveys_questions():
    named = default_wording(CES, "Acme", task={"en": "export a report", "ar": "تصدير تقرير"})
    assert recovered_texts(CES.question, named) == SurveyTexts(
        dict.fromkeys(LOCALES, "Acme"), {}, {"en": "export a report", "ar": "تصدير تقرير"})
    assert recovered_texts(CES.question, default_wording(CES, task="export a report")) == SurveyTexts(
        {}, {}, {"en": "export a report"})  # "Our product" is the default, capitalised
    assert recovered_texts(CSAT.question, default_wording(CSAT, "Acme")).product == dict.fromkeys(LOCALES, "Acme")
    assert recovered_texts(CSAT.question, default_wording(CSAT, "Acme", "our support")) == SurveyTexts(
        {}, {}, {}).over(SurveyTexts(subject={"en": "our support"}))
    # One language alone does not make a name: it may be that language's own word.
    assert recovered_texts(NPS.question, default_wording(NPS, {"en": "Acme"})).product == {"en": "Acme"}
    edited = {"en": {"question": "Would you recommend us?", "reason": "Why?"}}
    assert recovered_texts(NPS.question, edited) == SurveyTexts()


def test_texts_over_earlier_ones_and_the_languages_they_name():
    later = SurveyTexts.given(task={"ar": "تصدير تقرير"})
    merged = later.over(SurveyTexts.given(task={"en": "export a report"}))
    assert merged.task == {"en": "export a report", "ar": "تصدير تقرير"}
    assert later.languages() == {"ar"}
    assert SurveyTexts.given("Acme").languages() == set(LOCALES)
    assert fill_wording(CES.question, REASON, merged)["ar"]["question"].endswith(f"{DEFAULT_PRODUCT['ar']}.")
