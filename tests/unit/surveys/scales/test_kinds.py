import pytest

from feedback_app.core.languages import LOCALES, best_locale, localized_digits, text_direction
from surveys.scales.kinds import CES, KINDS, NPS, default_wording


@pytest.mark.parametrize("kind", KINDS.values())
def test_every_kind_has_wording_and_anchors_in_every_locale(kind):
    for locale in LOCALES:
        assert kind.question[locale] and kind.low_anchor[locale] and kind.high_anchor[locale]


def test_default_wording_fills_in_the_names():
    wording = default_wording(NPS, "Acme")
    assert wording["en"]["question"] == "How likely are you to recommend Acme to a friend or colleague?"
    assert all("Acme" in wording[locale]["question"] for locale in LOCALES)
    ces = default_wording(CES, "Acme", task={"en": "pay an invoice", "ar": "دفع فاتورة", "fa": "پرداخت صورت‌حساب"})
    assert all("{" not in ces[locale]["question"] for locale in LOCALES)


@pytest.mark.parametrize("given, expected", [("ar-SA", "ar"), ("fa_IR", "fa"), ("EN", "en"), ("de", "en"), (None, "en")])
def test_best_locale(given, expected):
    assert best_locale(given) == expected


def test_direction_and_digits():
    assert text_direction("fa") == text_direction("ar") == "rtl" and text_direction("en") == "ltr"
    assert localized_digits(10, "fa") == "۱۰"
    assert localized_digits(456, "ar") == "٤٥٦"
    assert localized_digits(7, "en") == "7"
