"""A feedback-type classifier: features, training, prediction with reasons, and evaluation.

PURE: standard library, nltk (via triage.language.text), numpy and, for training only, scikit-learn. Prediction
is a dot product over a JSON model — a dict lookup per feature — so loading is fast, nothing can execute code
from a model file, and one verbatim costs well under a millisecond.

Two feature sets, measured for two jobs (docs/benchmarks.md, "Issue 13"): `corpus` (stems, stem pairs,
negation, letter 3–5-grams) transfers best from the corpus we wrote to real feedback; `team` (the words as
written, word pairs, letter 2–5-grams, each kind weighted equally) learns a team's own labels fastest.
triage.classification.blend combines a model of each.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Sequence

from triage.language.stopwords import FUNCTION_WORDS
from triage.language.text import HEAVY_IMPORTS, detect_language, normalise, stem, tokens

MODEL_FORMAT = 1
CORPUS_FEATURES, TEAM_FEATURES = "corpus", "team"
NEGATORS = {"not", "no", "never", "cannot", "can't", "dont", "don't", "doesn't", "didn't", "isn't", "won't",
            "wont", "cant", "nothing", "لا", "ما", "مش", "مو", "لم", "لن", "ليس", "مافي", "نه", "نمی", "هیچ"}
NEGATION_SPAN = 3


@dataclass(frozen=True)
class Example:
    text: str
    label: str
    weight: float = 1.0
    language: str | None = None


@dataclass(frozen=True)
class Analysis:
    """A text read once, for every model that classifies it."""
    language: str
    words: list[str]
    stems: list[str]


def analyse(text: str) -> Analysis:
    language = detect_language(text)
    words = tokens(normalise(text, language))
    return Analysis(language, words, [stem(word, language) for word in words])


def features(text: str, language: str | None = None) -> Counter:
    """Term counts: stems, stem bigrams, negated stems and character n-grams within words.

    Character n-grams carry typos, dialect spellings and unseen inflections; stems carry meaning;
    bigrams and negation keep "not a bug" apart from "a bug".
    """
    language = language or detect_language(text)
    words = tokens(normalise(text, language))
    stems = [stem(word, language) for word in words]
    return _counts(words, stems, language)


def _counts(words: list[str], stems: list[str], language: str) -> Counter:
    counts: Counter = Counter()
    negated_until = -1
    stop = FUNCTION_WORDS.get(language, FUNCTION_WORDS["en"])
    for index, (word, stemmed) in enumerate(zip(words, stems)):
        if index and not (word in stop and words[index - 1] in stop):
            counts[f"b:{stems[index - 1]}_{stemmed}"] += 1  # "should add", "not work" stay
        if word in NEGATORS or (language == "fa" and word.startswith("نمی")):
            negated_until = index + NEGATION_SPAN
            counts["w:" + stemmed] += 1
            continue
        if word in stop:
            # Alone, a function word tells more about who wrote the corpus than about the feedback.
            continue
        counts["w:" + stemmed] += 1
        if index <= negated_until:
            counts["n:" + stemmed] += 1
        counts.update(_letter_grams(word))
    return counts


@lru_cache(maxsize=200_000)
def _letter_grams(word: str, sizes: tuple[int, ...] = (3, 4, 5)) -> tuple[str, ...]:
    """Letter n-grams of a word with its boundaries marked; words repeat, so this is cached."""
    padded = f"<{word}>"
    return tuple("c:" + padded[start:start + size] for size in sizes for start in range(len(padded) - size + 1))


def team_features(text: str, language: str | None = None) -> Counter:
    language = language or detect_language(text)
    return _team_counts(tokens(normalise(text, language)))


def _team_counts(words: list[str]) -> Counter:
    """The words as written (a team's borders often hang on one exact word), word pairs and letter 2–5-grams."""
    counts: Counter = Counter()
    for index, word in enumerate(words):
        counts["w:" + word] += 1
        if index:
            counts[f"b:{words[index - 1]}_{word}"] += 1
        counts.update(_letter_grams(word, (2, 3, 4, 5)))
    return counts


def _counts_of(kind: str, analysis: Analysis) -> Counter:
    if kind == TEAM_FEATURES:
        return _team_counts(analysis.words)
    return _counts(analysis.words, analysis.stems, analysis.language)


def _block(kind: str, name: str) -> int:
    """Which part of the vector a feature is normalised in. Team models normalise words and letter n-grams
    apart: together, the many n-grams of a text would drown its few words (measured: −0.02 macro-F1)."""
    return int(kind == TEAM_FEATURES and name[0] == "c")


@dataclass(frozen=True)
class Prediction:
    type: str | None
    confidence: float
    language: str
    probabilities: dict[str, float] = field(default_factory=dict)
    reasons: tuple[str, ...] = ()  # the words that pushed hardest towards the chosen type


class Classifier:
    """A multinomial logistic regression over tf-idf features, kept as plain numbers."""

    def __init__(self, labels: Sequence[str], intercepts: Sequence[float], weights: dict[str, Sequence[float]],
                 idf: dict[str, float], meta: dict | None = None):
        self.labels = list(labels)
        self.intercepts = list(intercepts)
        self.weights = weights
        self.idf = idf
        self.meta = meta or {}
        # Models from before issue 13 kept the number of features under this key: they are corpus models.
        self.kind = TEAM_FEATURES if self.meta.get("features") == TEAM_FEATURES else CORPUS_FEATURES
        import numpy  # here, not at the top: a process that never classifies never pays for it

        # One dot product per verbatim instead of a Python loop over features × types.
        self._row = {name: index for index, name in enumerate(weights)}
        self._matrix = numpy.array(list(weights.values()), dtype=numpy.float64).reshape(len(weights), len(self.labels))
        self._intercepts = numpy.array(self.intercepts)
        # Reasons compare a word's weight for the chosen type with its mean over all types.
        self._mean_weight = {name: sum(w) / len(w) for name, w in weights.items() if name[0] in "wnb"}

    # ------------------------------------------------------------ training

    @classmethod
    def train(cls, examples: Iterable[Example], regularisation: float = 2.0, min_count: int | None = None,
              meta: dict | None = None, kind: str = CORPUS_FEATURES) -> Classifier:
        with HEAVY_IMPORTS:  # not while triage.language.text hides scikit-learn from nltk in another thread
            from sklearn.feature_extraction import DictVectorizer
            from sklearn.feature_extraction.text import TfidfTransformer
            from sklearn.linear_model import LogisticRegression

        examples = list(examples)
        if min_count is None:  # a feature seen once is noise in a large corpus, but all there is in a small one
            min_count = 2 if len(examples) >= 2000 else 1
        extract = team_features if kind == TEAM_FEATURES else features
        rows = [extract(e.text, e.language) for e in examples]
        document_frequency = Counter(name for row in rows for name in row)
        kept = {name for name, count in document_frequency.items() if count >= min_count}
        rows = [{name: value for name, value in row.items() if name in kept} for row in rows]
        vectoriser = DictVectorizer()
        counts = vectoriser.fit_transform(rows)
        tfidf = TfidfTransformer(sublinear_tf=True, norm=None)
        names = vectoriser.get_feature_names_out()
        matrix = _normalised_by_block(tfidf.fit_transform(counts), [_block(kind, name) for name in names])
        model = LogisticRegression(C=regularisation, max_iter=3000, class_weight="balanced")
        model.fit(matrix, [e.label for e in examples], sample_weight=[e.weight for e in examples])
        coefficients = model.coef_.T
        if len(model.classes_) == 2:  # sklearn keeps one row for two classes; we keep one per class
            coefficients = [[-row[0] / 2, row[0] / 2] for row in coefficients]
            intercepts = [-model.intercept_[0] / 2, model.intercept_[0] / 2]
        else:
            intercepts = list(model.intercept_)
        weights = {name: [round(float(w), 5) for w in row] for name, row in zip(names, coefficients)}
        idf = {name: round(float(v), 5) for name, v in zip(names, tfidf.idf_)}
        return cls([str(label) for label in model.classes_], [float(i) for i in intercepts], weights, idf,
                   {**(meta or {}), "examples": len(examples), "feature_count": len(names), "features": kind})

    # ------------------------------------------------------------ prediction

    def classify(self, text: str) -> Prediction:
        return self.predict(analyse(text))

    def predict(self, analysis: Analysis) -> Prediction:
        vector = self._vector(_counts_of(self.kind, analysis))
        if not vector:
            return Prediction(None, 0.0, analysis.language)
        probabilities = self.probabilities(vector)
        best = max(probabilities, key=probabilities.__getitem__)
        return Prediction(best, probabilities[best], analysis.language, probabilities,
                          tuple(self.reasons(vector, best, analysis)))

    def probabilities(self, vector: dict[str, float]) -> dict[str, float]:
        import numpy  # here, not at the top: a process that never classifies never pays for it

        rows = [self._row[name] for name in vector]
        scores = self._intercepts + numpy.asarray(list(vector.values())) @ self._matrix[rows]
        return dict(zip(self.labels, _softmax(scores.tolist())))

    def vector(self, analysis: Analysis) -> dict[str, float]:
        return self._vector(_counts_of(self.kind, analysis))

    def _vector(self, counts: Counter) -> dict[str, float]:
        idf, kind = self.idf, self.kind
        vector = {name: (idf[name] if count == 1 else (1 + math.log(count)) * idf[name])
                  for name, count in counts.items() if name in idf}
        squares = [0.0, 0.0]
        for name, value in vector.items():
            squares[_block(kind, name)] += value * value
        norms = [math.sqrt(square) for square in squares]
        return {name: value / norms[_block(kind, name)] for name, value in vector.items()} if any(norms) else {}

    def reasons(self, vector: dict[str, float], label: str, analysis: Analysis, share: float = 1.0,
                limit: int = 5) -> Counter:
        """Readable words behind a decision, each with how hard it pushed towards `label` (times `share`, a
        blend's weight for this model): word and negation features only (n-grams of letters are evidence
        too, but nobody can read them). Shown in the customer's own words, not as stems."""
        if label not in self.labels:
            return Counter()
        label_index = self.labels.index(label)
        spelling = dict(reversed(list(zip(analysis.stems, analysis.words))))
        pushes = Counter()
        for name, value in vector.items():
            if name[0] in "wnb":  # w: word, n: negated word, b: pair of words
                weight = self.weights[name]
                push = share * value * (weight[label_index] - self._mean_weight[name])
                if push > 0:
                    words = " ".join(spelling.get(part, part) for part in name[2:].split("_"))
                    pushes[("not " if name[0] == "n" else "") + words] += push
        return Counter(dict(pushes.most_common(limit)))

    # ------------------------------------------------------------ storage (JSON, never pickle)

    def to_dict(self) -> dict:
        return {"format": MODEL_FORMAT, "labels": self.labels, "intercepts": self.intercepts,
                "features": {name: [self.idf[name], *w] for name, w in self.weights.items()}, "meta": self.meta}

    @classmethod
    def from_dict(cls, data: dict) -> Classifier:
        if data.get("format") != MODEL_FORMAT:
            raise ValueError(f"unsupported model format {data.get('format')!r}")
        labels = data["labels"]
        idf, weights = {}, {}
        for name, values in data["features"].items():
            if len(values) != len(labels) + 1:
                raise ValueError(f"feature {name!r} has {len(values)} numbers, expected {len(labels) + 1}")
            idf[name] = float(values[0])
            weights[name] = [float(v) for v in values[1:]]
        return cls(labels, [float(v) for v in data["intercepts"]], weights, idf, data.get("meta", {}))


def _normalised_by_block(matrix, blocks: list[int]):
    """Each row scaled to unit length within each block of columns (see _block), as _vector does."""
    import numpy
    from scipy import sparse

    matrix = sparse.coo_matrix(matrix)
    column_block = numpy.asarray(blocks, dtype=numpy.int64)[matrix.col]
    squares = numpy.zeros((matrix.shape[0], 2))
    numpy.add.at(squares, (matrix.row, column_block), matrix.data ** 2)
    norms = numpy.sqrt(squares[matrix.row, column_block])
    return sparse.csr_matrix((matrix.data / norms, (matrix.row, matrix.col)), shape=matrix.shape)


def _softmax(scores: list[float]) -> list[float]:
    top = max(scores)
    exps = [math.exp(s - top) for s in scores]
    total = sum(exps)
    return [e / total for e in exps]


# ---------------------------------------------------------------- evaluation

@dataclass
class Evaluation:
    labels: list[str]
    confusion: dict[str, Counter]          # truth → predicted → count
    by_language: dict[str, "Evaluation"] = field(default_factory=dict)

    def precision_recall_f1(self, label: str) -> tuple[float, float, float, int]:
        true_positive = self.confusion.get(label, Counter())[label]
        predicted = sum(row[label] for row in self.confusion.values())
        support = sum(self.confusion.get(label, Counter()).values())
        precision = true_positive / predicted if predicted else 0.0
        recall = true_positive / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return precision, recall, f1, support

    @property
    def present_labels(self) -> list[str]:
        return [label for label in self.labels if sum(self.confusion.get(label, Counter()).values())]

    @property
    def macro_f1(self) -> float:
        """Mean F1 over the types that occur in the data (a type with no examples says nothing)."""
        present = self.present_labels
        return sum(self.precision_recall_f1(label)[2] for label in present) / len(present) if present else 0.0

    @property
    def accuracy(self) -> float:
        total = sum(sum(row.values()) for row in self.confusion.values())
        return sum(row[label] for label, row in self.confusion.items()) / total if total else 0.0


def evaluate(classifier, examples: Iterable[Example]) -> Evaluation:
    """How a model (a Classifier or a blend) does on labelled examples."""
    scored = []
    for example in examples:
        prediction = classifier.classify(example.text)
        scored.append((example.label, prediction.type, example.language or prediction.language))
    return tally(classifier.labels, scored)


def tally(labels: Sequence[str], scored: Iterable[tuple[str, str | None, str]]) -> Evaluation:
    """An evaluation from (true label, predicted label, language) triples."""
    overall = Evaluation(list(labels), {})
    for truth, predicted, language in scored:
        for evaluation in (overall, overall.by_language.setdefault(language, Evaluation(list(labels), {}))):
            evaluation.confusion.setdefault(truth, Counter())[predicted or "(none)"] += 1
    return overall
