from triage.language.themes import extract_theme, group_themes

IDF = {"export": 5.0, "pdf": 6.0, "slow": 3.5, "invoic": 5.5, "support": 3.0, "never": 1.0}.get


def idf(stemmed):
    return IDF(stemmed, 2.0)


def test_theme_reads_as_a_phrase_and_its_key_is_the_telling_stems():
    theme = extract_theme("The PDF export is really slow these days", "en", idf)
    assert theme.label == "PDF export is really slow" and theme.key[:2] == ("pdf", "export")


def test_similar_verbatims_are_grouped_by_the_stems_they_share():
    texts = ["The PDF export is so slow", "pdf export slow again", "exporting a PDF takes ages",
             "support never answers about my invoice", "my invoice is wrong and support is silent", "dark mode"]
    keys = [extract_theme(text, "en", idf).key for text in texts]
    groups = group_themes(keys)
    assert [(g.pair, g.members) for g in groups[:2]] == [(("export", "pdf"), (0, 1, 2)), (("invoic", "support"), (3, 4))]
    assert groups[2].members == (5,) and len(groups) == 3


def test_themes_stay_in_their_language():
    arabic = extract_theme("الدعم الفني بطيء جدا في الرد", "ar", idf)
    persian = extract_theme("قیمت اشتراک خیلی گران است", "fa", idf)
    assert all("\u0600" <= ch <= "\u06ff" or ch == " " for ch in arabic.label)
    assert arabic.label == "الدعم الفني بطيء" and persian.label == "قیمت اشتراک خیلی گران"


def test_no_theme_without_words():
    assert extract_theme("👍👍 !!!", "und", idf) is None
    assert extract_theme("it is the", "en", idf) is None
