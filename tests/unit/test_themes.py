from triage.themes import extract_theme

IDF = {"export": 5.0, "pdf": 6.0, "slow": 3.5, "invoic": 5.5, "support": 3.0, "never": 1.0}.get


def idf(stemmed):
    return IDF(stemmed, 2.0)


def test_theme_is_the_telling_words_in_the_customers_order():
    theme = extract_theme("The PDF export is really slow these days", "en", idf)
    assert theme.label.startswith("pdf export slow") and theme.key == ("export", "pdf")


def test_similar_verbatims_share_a_key():
    a = extract_theme("PDF export takes ages", "en", idf)
    b = extract_theme("exporting a pdf is broken", "en", idf)
    assert a.key == b.key


def test_themes_stay_in_their_language():
    arabic = extract_theme("الدعم الفني بطيء جدا في الرد", "ar", idf)
    persian = extract_theme("قیمت اشتراک خیلی گران است", "fa", idf)
    assert all("\u0600" <= ch <= "\u06ff" or ch == " " for ch in arabic.label)
    assert "اشتراک" in persian.label and "خیلی" not in persian.label


def test_no_theme_without_words():
    assert extract_theme("👍👍 !!!", "und", idf) is None
    assert extract_theme("it is the", "en", idf) is None
