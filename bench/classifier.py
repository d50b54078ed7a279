"""Classifier speed: verbatims per second (one call each, one core), model load time, retraining time — of the
model the product uses (the corpus model blended with a model of the team's labels, triage.classification.blend).

    .venv/bin/python bench/classifier.py [--team-labels 1000] [--examples 20000]

Texts are the shipped corpus (ours). The team's labels are corpus lines with a counter appended, so their
vocabulary grows as a team's history does; retraining is what learning.train does without the database:
5-fold cross-validation, the choice of k and the team model (the corpus model is reused). Results go to
stdout and, as JSON, to bench/results/classifier.json.
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

from triage.classification.blend import BlendedModel, from_dict, labels_by_language  # noqa: E402
from triage.classification.classifier import Classifier, Example  # noqa: E402
from triage.classification.training import (  # noqa: E402
    choose_blend,
    cross_validate,
    read_corpus,
    train_corpus_model,
    train_team_model,
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=20_000)
    parser.add_argument("--team-labels", type=int, default=1_000)
    args = parser.parse_args()
    corpus = read_corpus()
    rng = random.Random(7)

    started = time.perf_counter()
    corpus_model = train_corpus_model(corpus)
    corpus_training = time.perf_counter() - started

    team = [Example(f"{e.text} {n}", e.label, 1.0, e.language) for n, e in enumerate(rng.sample(corpus, args.team_labels))]
    started = time.perf_counter()
    validation = cross_validate(corpus_model, team)
    model = BlendedModel(corpus_model, train_team_model(team), len(team), choose_blend(validation, corpus_model.labels),
                         by_language=labels_by_language(team))
    team_training = time.perf_counter() - started

    blob = json.dumps(model.to_dict(), separators=(",", ":"))
    started = time.perf_counter()
    from_dict(json.loads(blob))
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
              "model_json_megabytes": round(len(blob) / 1e6, 1),
              "features": corpus_model.meta["feature_count"] + model.team.meta["feature_count"],
              "team_labels": len(team), "team_weight": round(model.weight, 3),
              "retraining_seconds_with_cross_validation": round(team_training, 1),
              "corpus_examples": len(corpus), "corpus_training_seconds": round(corpus_training, 1),
              f"training_seconds_{args.examples}_examples": round(big_training, 1)}
    for key, value in result.items():
        print(f"{key}: {value}")
    out = Path(__file__).with_name("results")
    out.mkdir(exist_ok=True)
    (out / "classifier.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
