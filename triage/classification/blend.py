"""The model a team lives with: the corpus model and a model of the team's own labels, blended so that the
team's labels win as they accumulate.

PURE: standard library and triage.classification.classifier. Each text is read once and classified by both
models; their probabilities are averaged with the team's weight n / (n + k), n the number of team labels.
With no labels the corpus model answers alone; at n = k the two count alike; at n = 4k the team's model
counts four times the corpus'. n is counted in the text's language (see BlendedModel). k is 200 unless the team's own labels, cross-validated, prefer another
(triage.classification.training.choose_blend). Why two models and not one trained on both: in one model,
200 team labels are ~2 % of the examples and the corpus' conventions drown the team's borders; and the
team's model is retrained in about a second, while the corpus model is trained once per corpus (measured
in docs/benchmarks.md, "Issue 13").
"""
from __future__ import annotations

from collections import Counter

from triage.classification.classifier import MODEL_FORMAT, Analysis, Classifier, Prediction, analyse

BLEND_FORMAT = 2
DEFAULT_BLEND = 200.0
REASONS = 5


def team_weight(labels: int, blend: float = DEFAULT_BLEND) -> float:
    return labels / (labels + blend) if labels > 0 else 0.0


def mix(corpus: dict[str, float], team: dict[str, float], weight: float) -> dict[str, float]:
    """The blend of two probability distributions; a type one model does not know has 0 there (a team's own
    type, before the corpus model is retrained with its examples)."""
    return {label: (1 - weight) * corpus.get(label, 0.0) + weight * team.get(label, 0.0)
            for label in dict.fromkeys([*corpus, *team])}


class BlendedModel:
    """Classifies like a Classifier (classify, labels, idf, meta), from two of them.

    The team's weight is counted per language: its model reads words and letters, so 500 English labels teach it
    nothing about an Arabic comment (measured: with a team's labels 95 % English, a Persian comment went to the
    few types its few Persian labels had). `by_language` holds the labels per language; in a language without
    labels the corpus model answers alone. Without `by_language` (a model made before it), the total counts."""

    def __init__(self, corpus: Classifier, team: Classifier | None, labels: int, blend: float = DEFAULT_BLEND,
                 meta: dict | None = None, by_language: dict[str, int] | None = None):
        self.corpus, self.team = corpus, team
        self.team_labels, self.blend = labels, blend
        self.by_language = dict(by_language or {})
        self.weight = team_weight(labels, blend) if team is not None else 0.0
        self.labels = list(dict.fromkeys([*corpus.labels, *(team.labels if team else [])]))
        self.idf = corpus.idf  # themes weigh words by how rare they are in the corpus (triage.language.themes)
        self.meta = meta or {}

    def weight_for(self, language: str) -> float:
        if self.team is None:
            return 0.0
        return team_weight(self.by_language.get(language, 0), self.blend) if self.by_language else self.weight

    def classify(self, text: str) -> Prediction:
        return self.predict(analyse(text))

    def predict(self, analysis: Analysis) -> Prediction:
        weight = self.weight_for(analysis.language)
        corpus_vector = self.corpus.vector(analysis)
        team_vector = self.team.vector(analysis) if weight else {}
        if not corpus_vector and not team_vector:
            return Prediction(None, 0.0, analysis.language)
        probabilities = mix(self._probabilities(self.corpus, corpus_vector),
                            self._probabilities(self.team, team_vector), weight)
        best = max(probabilities, key=probabilities.__getitem__)
        reasons = (self.corpus.reasons(corpus_vector, best, analysis, 1 - weight)
                   + (self.team.reasons(team_vector, best, analysis, weight) if team_vector else Counter()))
        return Prediction(best, probabilities[best], analysis.language, probabilities,
                          tuple(word for word, _ in reasons.most_common(REASONS)))

    def similarity_vector(self, analysis: Analysis) -> dict[str, float]:
        """How this text is compared with others (the review order's density): as the corpus model reads it — its
        features and their weights cover the whole corpus and stay put across the team's retrains (the team
        model's know only the labels' words; measured: density by them did worse than random order)."""
        return self.corpus.vector(analysis)

    @staticmethod
    def _probabilities(model: Classifier | None, vector: dict[str, float]) -> dict[str, float]:
        # A text with no feature the model knows: it says nothing (uniform), and the other model decides.
        if model is None or not vector:
            return {label: 1 / len(model.labels) for label in model.labels} if model else {}
        return model.probabilities(vector)

    # ------------------------------------------------------------ storage (JSON, never pickle)

    def to_dict(self) -> dict:
        return {"format": BLEND_FORMAT, "corpus": self.corpus.to_dict(),
                "team": self.team.to_dict() if self.team else None,
                "team_labels": self.team_labels, "by_language": self.by_language, "blend": self.blend,
                "meta": self.meta}


def from_dict(data: dict) -> BlendedModel:
    """A stored model; one stored before issue 13 (a single corpus-and-labels model) becomes a blend with
    no team model, so an upgraded installation classifies exactly as before until it retrains."""
    if data.get("format") == MODEL_FORMAT:
        return BlendedModel(Classifier.from_dict(data), None, 0, meta=data.get("meta", {}))
    if data.get("format") != BLEND_FORMAT:
        raise ValueError(f"unsupported model format {data.get('format')!r}")
    team = Classifier.from_dict(data["team"]) if data.get("team") else None
    return BlendedModel(Classifier.from_dict(data["corpus"]), team, int(data["team_labels"]),
                        float(data["blend"]), data.get("meta", {}),
                        {str(k): int(v) for k, v in (data.get("by_language") or {}).items()})


def labels_by_language(examples) -> dict[str, int]:
    found: dict[str, int] = {}
    for example in examples:
        if example.language:
            found[example.language] = found.get(example.language, 0) + 1
    return found

