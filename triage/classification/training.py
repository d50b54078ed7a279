"""What the models are trained on, how a candidate is judged, and when it replaces the current model.

PURE: standard library and the classifiers. The corpus model learns the shipped corpus (written by the team,
triage/corpus/) and the examples given with the team's own types; the team model learns every label the team
gave. Nothing is held back from training: a candidate is judged by 5-fold cross-validation over the team's
labels (each label predicted by a team model that did not see it), which also chooses how fast the team's
labels take over (blend.team_weight's k) and compares the candidate with the current model on the labels
given since the current model was trained — the only labels neither has seen.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from triage.classification.blend import DEFAULT_BLEND, labels_by_language, mix, team_weight
from triage.classification.classifier import TEAM_FEATURES, Classifier, Evaluation, Example, tally
from triage.language.text import detect_language, normalise

CORPUS = Path(__file__).resolve().parents[1] / "corpus"  # triage/corpus, beside the sub-packages
TYPE_EXAMPLE_WEIGHT = 3.0  # a team type's few examples count three times a corpus line in the corpus model
TEAM_REGULARISATION = 10.0  # measured on team labels: 3–30 within noise, 10 best at 400 labels
FOLDS = 5
BLEND_CHOICES = (100.0, 200.0, 400.0, 800.0)
MIN_TO_CHOOSE = 100  # below this, cross-validation is too noisy to choose k: the default is used
MIN_COMPARED = 10    # below this many new labels, a candidate is accepted without comparison


def read_corpus(directory: Path = CORPUS) -> list[Example]:
    """corpus/<language>/<type>.txt: one text per line; lines starting with # are comments."""
    examples = []
    for path in sorted(directory.glob("*/*.txt")):
        language, label = path.parent.name, path.stem
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                examples.append(Example(line.strip(), label, 1.0, language))
    return examples


def corpus_training_set(corpus: list[Example], type_examples: list[Example]) -> list[Example]:
    return corpus + [Example(e.text, e.label, TYPE_EXAMPLE_WEIGHT, e.language) for e in type_examples]


def fingerprint(examples: Sequence[Example]) -> str:
    """Names a corpus model's training set: the same set, the same model, so it is trained once."""
    digest = hashlib.sha256()
    for example in sorted(examples, key=lambda e: (e.label, e.text, e.weight)):
        digest.update(f"{example.label}\t{example.weight}\t{example.text}\n".encode())
    return digest.hexdigest()[:16]


def train_corpus_model(examples: list[Example]) -> Classifier:
    return Classifier.train(examples, meta={"fingerprint": fingerprint(examples)})


def train_team_model(team: Sequence[Example]) -> Classifier | None:
    """None until the labels name two types: one type alone teaches nothing to tell apart."""
    if len({e.label for e in team}) < 2:
        return None
    return Classifier.train([Example(e.text, e.label, 1.0, e.language) for e in team],
                            regularisation=TEAM_REGULARISATION, kind=TEAM_FEATURES)


# ---------------------------------------------------------------- cross-validation

def fold_of(text: str, folds: int = FOLDS) -> int:
    """A label's fold, chosen by its text so it never moves between runs."""
    key = normalise(text, detect_language(text)).strip()
    return hashlib.sha1(key.encode()).digest()[0] % folds


@dataclass(frozen=True)
class CrossValidation:
    """For each team label: the corpus model's probabilities and those of a team model that did not see it."""
    examples: list[Example]
    corpus: list[dict[str, float]]
    team: list[dict[str, float]]
    fold_sizes: list[int]          # labels in its language its team model was trained on (its weight)

    def predictions(self, blend: float) -> list[str | None]:
        return [_best(mix(corpus, team, team_weight(size, blend) if team else 0.0))
                for corpus, team, size in zip(self.corpus, self.team, self.fold_sizes)]

    def evaluation(self, labels: Sequence[str], blend: float, only: Sequence[int] | None = None) -> Evaluation:
        predicted = self.predictions(blend)
        chosen = range(len(self.examples)) if only is None else only
        return tally(labels, [(self.examples[i].label, predicted[i], self.examples[i].language or "und")
                              for i in chosen])


def cross_validate(corpus_model, team: list[Example],
                   train_team: Callable[[list[Example]], Classifier | None] = train_team_model,
                   folds: int = FOLDS) -> CrossValidation:
    fold = [fold_of(e.text, folds) for e in team]
    team_probabilities: list[dict[str, float]] = [{} for _ in team]
    sizes = [0] * len(team)
    for held in range(folds):
        trained_on = [e for e, f in zip(team, fold) if f != held]
        model = train_team(trained_on)
        per_language = labels_by_language(trained_on)
        for index in (i for i, f in enumerate(fold) if f == held):
            sizes[index] = per_language.get(team[index].language or "", 0)
            if model is not None:
                prediction = model.classify(team[index].text)
                team_probabilities[index] = prediction.probabilities
    corpus_probabilities = [corpus_model.classify(e.text).probabilities for e in team]
    return CrossValidation(team, corpus_probabilities, team_probabilities, sizes)


def choose_blend(validation: CrossValidation, labels: Sequence[str]) -> float:
    """The k (blend.team_weight) under which the team's labels, cross-validated, are best predicted; the
    default below MIN_TO_CHOOSE labels or on a tie."""
    if len(validation.examples) < MIN_TO_CHOOSE:
        return DEFAULT_BLEND
    scores = {k: validation.evaluation(labels, k).macro_f1 for k in BLEND_CHOICES}
    best = max(scores.values())
    return DEFAULT_BLEND if scores[DEFAULT_BLEND] + 1e-9 >= best else min(k for k, s in scores.items() if s == best)


# ---------------------------------------------------------------- replacing the current model

@dataclass(frozen=True)
class Verdict:
    replace: bool
    candidate: float | None   # macro-F1 on the labels given since the current model was trained
    current: float | None
    compared: int             # how many such labels
    reason: str


def judge(validation: CrossValidation, blend: float, labels: Sequence[str], current, new: Sequence[int]) -> Verdict:
    """A candidate replaces the current model unless it is worse on the labels neither has learnt from: those
    given since the current model was trained (the candidate's cross-validated predictions for them)."""
    if current is None:
        return Verdict(True, None, None, len(new), "no model yet")
    if len(new) < MIN_COMPARED:
        return Verdict(True, None, None, len(new),
                       f"only {len(new)} new team labels (< {MIN_COMPARED}): accepted without comparison")
    candidate = validation.evaluation(labels, blend, new).macro_f1
    current_score = tally(labels, [(validation.examples[i].label, current.classify(validation.examples[i].text).type,
                                    validation.examples[i].language or "und") for i in new]).macro_f1
    if candidate + 1e-9 >= current_score:
        return Verdict(True, candidate, current_score, len(new), "not worse on the new team labels")
    return Verdict(False, candidate, current_score, len(new), "worse on the new team labels: kept the current model")


def evaluation_summary(evaluation: Evaluation) -> dict:
    per_type = {label: dict(zip(("precision", "recall", "f1", "support"),
                                (round(v, 3) if isinstance(v, float) else v
                                 for v in evaluation.precision_recall_f1(label))))
                for label in evaluation.present_labels}
    return {"macro_f1": round(evaluation.macro_f1, 3), "accuracy": round(evaluation.accuracy, 3),
            "per_type": per_type,
            "per_language": {lang: round(e.macro_f1, 3) for lang, e in sorted(evaluation.by_language.items())}}


def _best(probabilities: dict[str, float]) -> str | None:
    return max(probabilities, key=probabilities.__getitem__) if probabilities else None
