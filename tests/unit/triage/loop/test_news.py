"""Which language each customer's fix news is in, when it is refused, and what it quotes back."""
import pytest

from triage.loop.news import TextError, Texts, check_fallback, clean_texts, merged, plan_news, quoted, refusal, speakers
from triage.loop.policy import Respondent, loop_recipients

FULL = Texts({"en": "Exports", "ar": "التصدير", "fa": "خروجی"},
             {"en": "Exports finish.", "ar": "يكتمل التصدير.", "fa": "خروجی کامل می‌شود."})
READERS = {1: "en", 2: "ar", 3: "fa", 4: "ar"}


def test_every_reader_gets_their_own_language_when_the_texts_are_there():
    plan = plan_news("fix-shipped", READERS, FULL)
    assert not plan.refused and plan.locales == READERS


@pytest.mark.parametrize("event, texts, gaps", [
    ("fix-shipped", Texts({"en": "E", "ar": "ع"}, {"en": "N"}), [("ar", 2, ("release note",)),
                                                                ("fa", 1, ("title", "release note"))]),
    ("fix-planned", Texts({"en": "E", "ar": "ع"}, {}), [("fa", 1, ("title",))]),  # planned needs a title only
    ("fix-planned", Texts({"en": "E", "ar": "  ", "fa": "خ"}, {}), [("ar", 2, ("title",))]),  # blank is missing
])
def test_a_language_without_its_texts_refuses_the_news_for_everyone(event, texts, gaps):
    plan = plan_news(event, READERS, texts)
    assert plan.refused and plan.locales == {}
    assert [(g.locale, g.recipients, g.lacking) for g in plan.gaps] == gaps


def test_the_refusal_names_each_language_with_its_recipients():
    plan = plan_news("fix-shipped", READERS, Texts({"en": "E"}, {"en": "N"}))
    message = refusal(plan, None)
    assert "Arabic (2 recipients: no title and no release note)" in message
    assert "Persian (1 recipient: no title and no release note)" in message and "English" not in message


def test_a_fallback_gives_the_whole_email_in_that_language_to_those_without_texts():
    plan = plan_news("fix-shipped", READERS, Texts({"en": "E", "ar": "ع"}, {"en": "N", "ar": "م"}), fallback="en")
    assert plan.locales == {1: "en", 2: "ar", 3: "en", 4: "ar"}


def test_a_fallback_without_texts_of_its_own_helps_nobody():
    plan = plan_news("fix-shipped", {1: "fa"}, Texts({"en": "E"}, {}), fallback="en")
    assert plan.refused and plan.fallback_lacking == ("release note",)
    assert "The fallback, English, has no release note itself." in refusal(plan, "en")


def test_nobody_to_tell_means_nothing_is_missing():
    assert plan_news("fix-shipped", {}, Texts()).locales == {} and not plan_news("fix-shipped", {}, Texts()).refused


def test_speakers_are_counted_in_the_products_order_of_languages():
    assert list(speakers({1: "fa", 2: "en", 3: "fa", 4: "ar"}).items()) == [("en", 1), ("ar", 1), ("fa", 2)]


@pytest.mark.parametrize("texts, message", [
    ({"de": "Hallo"}, "Unknown language 'de'"),
    ({"en": "x" * 201}, "in English has at most 200 characters (201 given)"),
    ({"ar": 5}, "in Arabic must be text"),
    ("just text", "given per language"),
])
def test_bad_texts_are_refused_with_a_clear_message(texts, message):
    with pytest.raises(TextError, match=message.replace("(", r"\(").replace(")", r"\)")):
        clean_texts(texts, 200, "customer-facing title")


def test_texts_are_trimmed_and_merged_language_by_language():
    assert clean_texts({"fa": "  خروجی ", "en": "", "ar": None}, 200, "title") == {"fa": "خروجی"}
    current = {"en": "Old", "ar": "قديم"}
    assert merged(current, {"fa": "نو", "ar": ""}, 200, "title") == {"en": "Old", "fa": "نو"}  # "" removes one
    assert check_fallback("") is None and check_fallback("ar") == "ar"
    with pytest.raises(TextError, match="fallback"):
        check_fallback("xx")


def test_the_quote_is_the_latest_comment_cut_at_a_word():
    assert quoted(["first", "", "the export   breaks"]) == "the export breaks"
    long = "word " * 60
    cut = quoted([long], limit=40)
    assert len(cut) <= 40 and cut.endswith("word…")
    assert quoted(["", "  "]) == ""


def test_customers_who_stopped_fix_news_or_surveys_hear_nothing():
    def person(customer_id, unsubscribed=False, stopped_news=False):
        return Respondent(customer_id, f"c{customer_id}@example.com", True, unsubscribed, "en", stopped_news)
    chosen = loop_recipients([person(1), person(2, stopped_news=True), person(3, unsubscribed=True)])
    assert [p.customer_id for p in chosen] == [1]
