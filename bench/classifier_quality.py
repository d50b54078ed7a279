"""Which model: scikit-learn's logistic regression (what we ship) against nltk's naive Bayes, both on
our feature extraction and trained on the shipped corpus only, measured on labelled real feedback.

    .venv/bin/python bench/classifier_quality.py ../shared/data/feedback-dev.csv

How the model learns from a team's labels is bench/learning_curve.py's.
"""
from __future__ import annotations

import csv
import sys
import time

from nltk.classify import NaiveBayesClassifier

from triage.classification.classifier import Classifier, Example, evaluate, features
from triage.classification.training import read_corpus


def read(path: str) -> list[Example]:
    with open(path, encoding="utf-8", newline="") as handle:
        return [Example(r["text"], r["label"], 1.0, r.get("lang") or None) for r in csv.DictReader(handle)]


def macro_f1(pairs: list[tuple[str, str]]) -> float:
    labels = sorted({truth for truth, _ in pairs})
    scores = []
    for label in labels:
        tp = sum(1 for t, p in pairs if t == p == label)
        predicted = sum(1 for _, p in pairs if p == label)
        actual = sum(1 for t, _ in pairs if t == label)
        precision, recall = (tp / predicted if predicted else 0), (tp / actual if actual else 0)
        scores.append(2 * precision * recall / (precision + recall) if precision + recall else 0)
    return sum(scores) / len(scores)


def main(path: str) -> None:
    data, corpus = read(path), read_corpus()
    started = time.perf_counter()
    ours = Classifier.train(corpus)
    result = evaluate(ours, data)
    print(f"logistic regression (scikit-learn): macro_f1={result.macro_f1:.3f} "
          + " ".join(f"{lang}={e.macro_f1:.3f}" for lang, e in sorted(result.by_language.items()))
          + f"  (trained in {time.perf_counter() - started:.1f}s)")
    started = time.perf_counter()
    bayes = NaiveBayesClassifier.train([(dict(features(e.text, e.language)), e.label) for e in corpus])
    pairs = [(e.label, bayes.classify(dict(features(e.text, e.language)))) for e in data]
    by_language = {lang: macro_f1([p for p, e in zip(pairs, data) if e.language == lang])
                   for lang in sorted({e.language for e in data})}
    print(f"naive Bayes (nltk):                 macro_f1={macro_f1(pairs):.3f} "
          + " ".join(f"{lang}={v:.3f}" for lang, v in by_language.items())
          + f"  (trained in {time.perf_counter() - started:.1f}s)")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/feedback-dev.csv")
