"""How the optional encoder's opinion is combined with the fast model's: probabilities blended, a verdict drawn.

PURE: standard library only. Both blends here were measured on the dev file (bench/encoder_curve.py): a plain
average of the fast model and the encoder head (+0.05 macro-F1 out of the box and at 200 team labels), and,
inside each, the corpus-trained part and the team-trained part weighted by how many labels the team gave.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

ENCODER_WEIGHT = 0.5    # the encoder head's share of the refined probabilities: a plain average, chosen a priori
TEAM_PRIOR = 200        # the team's part weighs n / (n + TEAM_PRIOR) after n labels: half at 200


def team_weight(labels: int) -> float:
    return labels / (labels + TEAM_PRIOR) if labels > 0 else 0.0


def mix(first: Mapping[str, float], second: Mapping[str, float], second_weight: float) -> dict[str, float]:
    """A weighted average over the union of both label sets; a label one side never learned counts as 0 there.
    An empty side has no opinion: the other is returned as it is."""
    if not second:
        return dict(first)
    if not first:
        return dict(second)
    labels = sorted(set(first) | set(second))
    return {label: (1 - second_weight) * first.get(label, 0.0) + second_weight * second.get(label, 0.0)
            for label in labels}


@dataclass(frozen=True)
class Verdict:
    type: str
    confidence: float
    needs_review: bool


def refine(fast: Mapping[str, float], encoder: Mapping[str, float], review_below: float,
           encoder_weight: float = ENCODER_WEIGHT) -> Verdict | None:
    """The refined type: the most probable after blending. None when the fast model found nothing in the text
    to go on (emoji, punctuation): such a record stays for people, whatever the encoder makes of it."""
    if not fast:
        return None
    blended = mix(fast, encoder, encoder_weight)
    best = max(sorted(blended), key=blended.__getitem__)  # sorted: ties fall the same way on every run
    return Verdict(best, blended[best], blended[best] < review_below)
