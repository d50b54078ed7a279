"""The shipped corpus (triage/corpus) is where training looks for it by default: a move of the module that
reads it must not leave a fresh installation training on nothing (the tests train on their own small corpus)."""
from triage.classification.training import CORPUS, read_corpus
from triage.classification.types import BUILTIN_TYPES


def test_the_default_corpus_is_the_shipped_one_with_every_type_in_every_language():
    examples = read_corpus()
    assert CORPUS.name == "corpus" and CORPUS.parent.name == "triage"
    found = {(e.language, e.label) for e in examples}
    assert found == {(language, t.key) for language in ("en", "ar", "fa") for t in BUILTIN_TYPES}
    assert len(examples) > 5000
