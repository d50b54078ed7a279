"""What a model is trained on, what it is judged on, and when a new one replaces the current one.

PURE: standard library and the classifier. The shipped corpus (written by the team, triage/corpus/)
is the base; the team's own labels are weighted above it, and a fixed fifth of them is never trained
on, so every candidate model is judged on labels it has not seen.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from triage.classification.classifier import Classifier, Evaluation, Example, evaluate
from triage.language.text import detect_language, normalise

CORPUS = Path(__file__).resolve().parents[1] / "corpus"  # triage/corpus, beside the sub-packages
TEAM_WEIGHT = 3.0       # a triager's label counts three times a corpus line
MIN_HOLDOUT = 10        # below this, the held-out slice is too small to judge a model on


def read_corpus(directory: Path = CORPUS) -> list[Example]:
    """corpus/<language>/<type>.txt: one text per line; lines starting with # are comments."""
    examples = []
    for path in sorted(directory.glob("*/*.txt")):
        language, label = path.parent.name, path.stem
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                examples.append(Example(line.strip(), label, 1.0, language))
    return examples


def is_held_out(text: str) -> bool:
    """A stable fifth of the team's labels, chosen by the text itself so it never moves between runs."""
    key = normalise(text, detect_language(text)).strip()
    return hashlib.sha1(key.encode()).digest()[0] % 5 == 0


def split_team_labels(team: Iterable[Example]) -> tuple[list[Example], list[Example]]:
    train, held_out = [], []
    for example in team:
        (held_out if is_held_out(example.text) else train).append(example)
    return train, held_out


def training_set(corpus: list[Example], team_train: list[Example]) -> list[Example]:
    return corpus + [Example(e.text, e.label, TEAM_WEIGHT, e.language) for e in team_train]


@dataclass(frozen=True)
class Verdict:
    replace: bool
    candidate: float | None   # macro-F1 on the held-out team labels
    current: float | None
    held_out: int
    reason: str


def judge(candidate: Classifier, current: Classifier | None, held_out: list[Example]) -> Verdict:
    """A new model replaces the current one only if it is not worse on labels neither has seen."""
    if current is None:
        return Verdict(True, None, None, len(held_out), "no model yet")
    if len(held_out) < MIN_HOLDOUT:
        return Verdict(True, None, None, len(held_out),
                       f"only {len(held_out)} held-out team labels (< {MIN_HOLDOUT}): accepted without comparison")
    new, old = evaluate(candidate, held_out).macro_f1, evaluate(current, held_out).macro_f1
    if new + 1e-9 >= old:
        return Verdict(True, new, old, len(held_out), "not worse on the held-out team labels")
    return Verdict(False, new, old, len(held_out), "worse on the held-out team labels: kept the current model")


def evaluation_summary(evaluation: Evaluation) -> dict:
    per_type = {label: dict(zip(("precision", "recall", "f1", "support"),
                                (round(v, 3) if isinstance(v, float) else v
                                 for v in evaluation.precision_recall_f1(label))))
                for label in evaluation.present_labels}
    return {"macro_f1": round(evaluation.macro_f1, 3), "accuracy": round(evaluation.accuracy, 3),
            "per_type": per_type,
            "per_language": {lang: round(e.macro_f1, 3) for lang, e in sorted(evaluation.by_language.items())}}
