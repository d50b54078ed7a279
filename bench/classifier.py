"""Classifier speed: verbatims per second (one call each, one core), model load time, retraining time.

    .venv/bin/python bench/classifier.py [--examples 20000]

Texts are the shipped corpus (ours); the 20,000 training examples are corpus lines repeated with a
counter appended, so the vocabulary grows as it would with a team's history. Results go to stdout
and, as JSON, to bench/results/classifier.json.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core, as the target says
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from triage.classification.classifier import Classifier, Example  # noqa: E402
from triage.classification.training import read_corpus  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=20_000)
    args = parser.parse_args()
    corpus = read_corpus()
    rng = random.Random(7)

    started = time.perf_counter()
    model = Classifier.train(corpus)
    corpus_training = time.perf_counter() - started

    blob = json.dumps(model.to_dict(), separators=(",", ":"))
    started = time.perf_counter()
    Classifier.from_dict(json.loads(blob))
    load = time.perf_counter() - started

    texts = [e.text for e in corpus]
    rng.shuffle(texts)
    texts = (texts * 3)[:10_000]
    model.classify(texts[0])
    started = time.perf_counter()
    for text in texts:
        model.classify(text)
    per_second = len(texts) / (time.perf_counter() - started)

    big = [Example(f"{e.text} {n}", e.label, 1.0, e.language)
           for n, e in enumerate((corpus * (args.examples // len(corpus) + 1))[:args.examples])]
    started = time.perf_counter()
    Classifier.train(big)
    big_training = time.perf_counter() - started

    result = {"classify_per_second": round(per_second), "model_load_seconds": round(load, 3),
              "model_json_megabytes": round(len(blob) / 1e6, 1), "features": model.meta["feature_count"],
              "corpus_examples": len(corpus), "corpus_training_seconds": round(corpus_training, 1),
              f"training_seconds_{args.examples}_examples": round(big_training, 1)}
    for key, value in result.items():
        print(f"{key}: {value}")
    out = Path(__file__).with_name("results")
    out.mkdir(exist_ok=True)
    (out / "classifier.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
