"""The learning curve: macro-F1 as a team's labels accumulate, for the design we ship (corpus model + team model,
blended) and the one before it (one model on the corpus and four fifths of the labels, weighted 3×), and the
active-learning order against random order.

    .venv/bin/python bench/learning_curve.py ../shared/data/feedback-dev.csv [--seeds 3] [--no-previous]

n labels drawn at random from the file are the team's; the model is judged on the rest. "all" is 5-fold
cross-validation over the whole file (each fifth judged by a model that learnt the other four). Active
learning: per seed, a third of the file is the test set and the rest the pool; labels are taken from the pool
50 at a time, by random order or by the product's order (triage.classification.teaching: margin uncertainty
times density, with diversity from theme groups), the team model retrained after each 50. Results go to stdout and, as JSON,
to bench/results/learning-curve-<time>.json.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import random
import statistics
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from triage.classification import teaching  # noqa: E402
from triage.classification.blend import BlendedModel, labels_by_language  # noqa: E402
from triage.classification.classifier import Classifier, Example, analyse, evaluate  # noqa: E402
from triage.classification.training import (  # noqa: E402
    choose_blend,
    cross_validate,
    read_corpus,
    train_corpus_model,
    train_team_model,
)
from triage.language.themes import candidate_groups, choose_groups, extract_theme  # noqa: E402

SIZES = (50, 100, 200, 300, 400)
TARGETS = {0: 0.68, 200: 0.73, 400: 0.77, "all": 0.80}
BATCH = 50


def read(path: str) -> list[Example]:
    with open(path, encoding="utf-8", newline="") as handle:
        return [Example(r["text"], r["label"], 1.0, r.get("lang") or None) for r in csv.DictReader(handle)]


def shipped(corpus_model: Classifier, team: list[Example]) -> BlendedModel:
    """What learning.train makes of these labels: k chosen by cross-validation, the team model on all of them."""
    labels = list(dict.fromkeys([*corpus_model.labels, *(e.label for e in team)]))
    blend = choose_blend(cross_validate(corpus_model, team), labels)
    return BlendedModel(corpus_model, train_team_model(team), len(team), blend, by_language=labels_by_language(team))


def previous(corpus: list[Example], team: list[Example]) -> Classifier:
    """The design before issue 13: a fifth of the labels held out (by text), the rest weighted 3× in one model."""
    trained = [e for e in team if hashlib.sha1(e.text.strip().lower().encode()).digest()[0] % 5]
    return Classifier.train(corpus + [Example(e.text, e.label, 3.0, e.language) for e in trained])


def curve(data, corpus, corpus_model, seeds: int, with_previous: bool) -> dict:
    rows = {0: {"shipped": [evaluate(corpus_model, data).macro_f1]}}
    for n in SIZES:
        for seed in range(seeds):
            order = random.Random(seed).sample(range(len(data)), len(data))
            team, rest = [data[i] for i in order[:n]], [data[i] for i in order[n:]]
            rows.setdefault(n, {}).setdefault("shipped", []).append(evaluate(shipped(corpus_model, team), rest).macro_f1)
            if with_previous:
                rows[n].setdefault("previous", []).append(evaluate(previous(corpus, team), rest).macro_f1)
        print(f"  n={n} done", flush=True)
    for seed in range(seeds):
        order = random.Random(100 + seed).sample(range(len(data)), len(data))
        for fold in range(5):
            test = [data[i] for i in order[fold::5]]
            team = [data[i] for k, i in enumerate(order) if k % 5 != fold]
            rows.setdefault("all", {}).setdefault("shipped", []).append(evaluate(shipped(corpus_model, team), test).macro_f1)
            if with_previous and seed == 0:
                rows["all"].setdefault("previous", []).append(evaluate(previous(corpus, team), test).macro_f1)
    return {str(n): {design: (round(statistics.mean(v), 3), round(statistics.pstdev(v), 3), len(v))
                     for design, v in by.items()} for n, by in rows.items()}


def groups_of(pool: list[Example], corpus_model: Classifier) -> list[int]:
    """Each pool text's rank in its theme group, as the sweep assigns groups (all arriving together)."""
    keys = []
    for example in pool:
        theme = extract_theme(example.text, example.language or "en", lambda s: corpus_model.idf.get("w:" + s, 8.0))
        keys.append(candidate_groups(theme.key) if theme else [])
    return teaching.ranks_in_groups(choose_groups(keys, {}), {})


def review_order(model: BlendedModel, pool: list[Example], left: list[int], ranks: list[int],
                 density: list[float]) -> list[int]:
    """The product's order (teaching.priority): margin × density ÷ (1 + rank in the theme group)."""
    return sorted(left, key=lambda i: -teaching.priority(model.classify(pool[i].text).probabilities, ranks[i],
                                                         density[i]))


def densities_of(pool: list[Example], corpus_model: Classifier) -> list[float]:
    """Each pool text's density against the others, measured once as the sweep measures it when they arrive (the
    corpus model's features: the same before and after each retrain)."""
    blend = BlendedModel(corpus_model, None, 0)
    return teaching.densities([blend.similarity_vector(analyse(e.text)) for e in pool], [])


def active_learning(data, corpus_model, seeds: int) -> dict:
    results: dict = {"random": {}, "active": {}}
    for seed in range(seeds):
        order = random.Random(200 + seed).sample(range(len(data)), len(data))
        test, pool = [data[i] for i in order[: len(data) // 3]], [data[i] for i in order[len(data) // 3:]]
        ranks, density = groups_of(pool, corpus_model), densities_of(pool, corpus_model)
        for strategy in ("random", "active"):
            chosen: list[int] = []
            model = BlendedModel(corpus_model, None, 0)
            while len(chosen) < max(SIZES):
                taken = set(chosen)
                left = [i for i in range(len(pool)) if i not in taken]
                if strategy == "random":
                    picked = random.Random(seed * 1000 + len(chosen)).sample(left, BATCH)
                else:
                    picked = review_order(model, pool, left, ranks, density)[:BATCH]
                chosen += picked
                team = [pool[i] for i in chosen]
                model = BlendedModel(corpus_model, train_team_model(team), len(team),
                                     by_language=labels_by_language(team))
                if len(chosen) in SIZES:
                    results[strategy].setdefault(len(chosen), []).append(evaluate(model, test).macro_f1)
        print(f"  active learning, seed {seed} done", flush=True)
    return {strategy: {str(n): round(statistics.mean(v), 3) for n, v in by.items()} for strategy, by in results.items()}


def labels_to_reach(curve: dict[str, float], score: float) -> float | None:
    """How many labels a curve needs to reach a score, read between its points (0 labels: the corpus alone)."""
    points = sorted((int(n), value) for n, value in curve.items())
    for (n0, v0), (n1, v1) in zip(points, points[1:]):
        if v0 >= score:
            return n0
        if v1 >= score:
            return n0 + (n1 - n0) * (score - v0) / (v1 - v0)
    return points[-1][0] if points and points[-1][1] >= score else None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path", nargs="?", default="../shared/data/feedback-dev.csv")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--only-active", action="store_true", help="skip the curve")
    parser.add_argument("--no-previous", action="store_true", help="skip the previous design (its corpus model "
                        "is retrained for every point: the slow part)")
    parser.add_argument("--no-active", action="store_true")
    parser.add_argument("--active-seeds", type=int, default=6, help="active learning is noisier: more seeds")
    args = parser.parse_args()
    data, corpus = read(args.path), read_corpus()
    started = time.perf_counter()
    corpus_model = train_corpus_model(corpus)
    result = {"file": args.path, "rows": len(data), "seeds": args.seeds}
    if not args.only_active:
        result["curve"] = curve(data, corpus, corpus_model, args.seeds, not args.no_previous)
        print(f"{'labels':>8}  {'shipped':>16}  {'previous':>16}  target")
        for n, by in result["curve"].items():
            cells = [f"{by[d][0]:.3f} ± {by[d][1]:.3f}" if d in by else "—" for d in ("shipped", "previous")]
            target = TARGETS.get(int(n) if n.isdigit() else n)
            print(f"{n:>8}  {cells[0]:>16}  {cells[1]:>16}  {'≥ %.2f' % target if target else ''}")
    if not args.no_active:
        result["active_learning"] = active_learning(data, corpus_model, args.active_seeds)
        print("\nactive learning (a third of the file as test set; labels from the rest, 50 at a time)")
        print(f"{'labels':>8}  {'random':>8}  {'active':>8}  labels the active order needs for random's score")
        curves = result["active_learning"]
        for n in SIZES:
            needed = labels_to_reach(curves["active"], curves["random"][str(n)])
            print(f"{n:>8}  {curves['random'][str(n)]:>8.3f}  {curves['active'][str(n)]:>8.3f}  "
                  f"{'more than %d' % max(SIZES) if needed is None else round(needed)}")
    result["seconds"] = round(time.perf_counter() - started)
    out = Path(__file__).parent / "results" / f"learning-curve-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.json"
    out.write_text(json.dumps(result, indent=1))
    print(f"\n{result['seconds']} s; written to {out}")


if __name__ == "__main__":
    main()
