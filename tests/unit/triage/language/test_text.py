import pytest

from triage.language.text import detect_language, normalise, stem, tokens


@pytest.mark.parametrize("text, language", [
    ("The export is broken", "en"),
    ("التطبيق ما يفتح بعد التحديث", "ar"),
    ("برنامه بعد از آپدیت باز نمی‌شود", "fa"),
    ("برنامه خيلي كند است", "fa"),            # Persian typed on an Arabic keyboard (ي ك)
    ("الدعم الفني في الشركة ممتاز", "ar"),
    ("the app تعبانة", "ar"),                   # code-switching: the Arabic decides
    ("👍👍🔥", "und"), ("", "und"), ("12345 !!!", "und"),
])
def test_detect_language(text, language):
    assert detect_language(text) == language


def test_arabic_normalisation_folds_letter_variants_diacritics_and_tatweel():
    assert normalise("أَحْـــمد إلى مدرسةٍ مستشفى", "ar") == "احمد الي مدرسه مستشفي"


def test_persian_normalisation_unifies_yeh_kaf_zwnj_and_spacing():
    forms = ["نمی‌شود", "نمیشود", "نمی شود", "نمي‌شود"]
    assert {normalise(form, "fa") for form in forms} == {"نمیشود"}
    assert normalise("کتاب‌ها", "fa") == normalise("كتاب ها", "fa") == "کتابها"


def test_digits_and_elongation():
    assert normalise("٣٥٠ ريال", "ar") == "350 ريال"
    assert normalise("۱۲۰ تومان", "fa") == "120 تومان"
    assert normalise("Sooooo slooow", "en") == "so slow"
    assert normalise("كتيييير", "ar") == "كتير"


def test_tokens_keep_words_and_drop_punctuation():
    assert tokens(normalise("Don't work!! <b>help</b>", "en")) == ["don't", "work", "b", "help", "b"]


@pytest.mark.parametrize("word, language, expected", [
    ("crashes", "en", "crash"), ("crashing", "en", "crash"), ("exported", "en", "export"),
    ("المستخدمين", "ar", stem("مستخدم", "ar")),
    ("برنامه‌ها", "fa", "برنامه"), ("میخرم", "fa", "خرم"),
    ("2024", "en", "<num>"),
])
def test_stems(word, language, expected):
    assert stem(normalise(word, language), language) == expected
