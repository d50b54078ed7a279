"""The review order with the optional encoder: does labelling in the "needs review" order teach the refined model
(fast model + encoder head, as the scheduler blends them) with fewer labels than labelling at random?

    OMP_NUM_THREADS=1 .venv/bin/python bench/encoder_review_order.py ../shared/data/feedback-dev.csv [--seeds 12]

The protocol is bench/learning_curve.py's (--only-active): per seed, a third of the file is the test set and the
rest the pool (Random(200 + seed)); labels are taken from the pool 50 at a time, the models retrained after each 50,
macro-F1 on the test set at 50 … 400 labels. Random batches come from Random(seed × 1000 + labels so far). Orders:

- random;
- review order: what the scheduler stores once a record is refined (teaching.refined_priority: the blend's margin
  ÷ (1 + rank in the theme group));
- with density: the fast model's formula (teaching.priority: margin × density ÷ (1 + rank)) on the same blended
  probabilities, which is what refinement stored before this benchmark was written.

Each order is compared with random seed by seed (the same test set), and "labels needed" reads how many labels the
review order needs for random's score between its points. Embeddings are cached as in bench/encoder_curve.py.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from pathlib import Path

import encoder_curve
import learning_curve
import numpy

from triage.classification import teaching
from triage.classification.classifier import Classifier
from triage.classification.training import read_corpus

SIZES, BATCH = (50, 100, 200, 300, 400), 50


def ordered(strategy: str, left: list[int], blended: numpy.ndarray, labels: list[str], ranks: dict[int, int],
            density: dict[int, float], rng: random.Random) -> list[int]:
    """The next batch of pool rows (`blended`: the refined probabilities of `left`, row for row)."""
    if strategy == "random":
        return rng.sample(left, BATCH)
    points = []
    for row, probabilities in zip(left, blended):
        named = dict(zip(labels, probabilities.tolist()))
        points.append(teaching.refined_priority(named, ranks[row]) if strategy == "review order"
                      else teaching.priority(named, ranks[row], density[row]))
    return [left[k] for k in sorted(range(len(left)), key=lambda k: -points[k])[:BATCH]]


def learn(curve: encoder_curve.Curve, strategy: str, seed: int, test: list[int], pool: list[int],
          ranks: dict[int, int], density: dict[int, float]) -> dict[int, float]:
    chosen: list[int] = []
    scores = {0: curve.scores(test, [])[2]}  # out of the box: where every order starts
    while len(chosen) < max(SIZES):
        taken = set(chosen)
        left = [row for row in pool if row not in taken]
        blended = curve.probabilities(left, chosen)[2] if strategy != "random" else None
        chosen += ordered(strategy, left, blended, curve.labels, ranks, density,
                          random.Random(seed * 1000 + len(chosen)))
        if len(chosen) in SIZES:
            scores[len(chosen)] = curve.scores(test, chosen)[2]
    return scores


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path", nargs="?", default="../shared/data/feedback-dev.csv")
    parser.add_argument("--seeds", type=int, default=12)
    args = parser.parse_args()
    started = time.perf_counter()
    data, corpus = encoder_curve.read(args.path), read_corpus()
    curve = encoder_curve.prepared(data, corpus)
    corpus_model = Classifier.train(corpus)
    strategies = ("random", "review order", "with density")
    results: dict[str, dict[int, list[float]]] = {name: {n: [] for n in (0, *SIZES)} for name in strategies}
    for seed in range(args.seeds):
        order = random.Random(200 + seed).sample(range(len(data)), len(data))
        test, pool = order[: len(data) // 3], order[len(data) // 3:]
        examples = [data[row] for row in pool]  # rank and density as the sweep measures them on arrival
        ranks = dict(zip(pool, learning_curve.groups_of(examples, corpus_model)))
        density = dict(zip(pool, learning_curve.densities_of(examples, corpus_model)))
        for name in strategies:
            for n, score in learn(curve, name, seed, test, pool, ranks, density).items():
                results[name][n].append(score)
        print(f"  seed {seed}: " + "  ".join(f"{name} {results[name][400][-1]:.3f}" for name in strategies)
              + " at 400", flush=True)
    report(results, args.seeds)
    out = Path(__file__).parent / "results" / f"encoder-review-order-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.json"
    out.write_text(json.dumps({"file": args.path, "seeds": args.seeds, "seconds": round(time.perf_counter() - started),
                               "macro_f1": {name: {str(n): v for n, v in by.items()} for name, by in results.items()}},
                              indent=1))
    print(f"\n{time.perf_counter() - started:.0f} s; written to {out}")


def report(results: dict, seeds: int) -> None:
    mean = {name: {str(n): statistics.mean(v) for n, v in by.items()} for name, by in results.items()}
    print(f"\nmacro-F1 of the refined model, {seeds} seeds; difference with random seed by seed (mean ± standard "
          f"error, seeds ahead)\n")
    print("| labels | random | review order | vs random | with density | vs random | labels needed for random's |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for n in SIZES:
        cells = [f"{mean['random'][str(n)]:.3f}"]
        for name in ("review order", "with density"):
            paired = [a - b for a, b in zip(results[name][n], results["random"][n])]
            error = statistics.pstdev(paired) / len(paired) ** 0.5
            cells += [f"{mean[name][str(n)]:.3f}",
                      f"{statistics.mean(paired):+.3f} ± {error:.3f} ({sum(d > 0 for d in paired)}/{len(paired)})"]
        needed = learning_curve.labels_to_reach(mean["review order"], mean["random"][str(n)])
        cells.append(f"more than {max(SIZES)}" if needed is None else str(round(needed)))
        print(f"| {n} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
