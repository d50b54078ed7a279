"""How the optional encoder's opinion is combined with the fast model's: probabilities blended, a verdict drawn.

PURE: standard library and triage.classification.blend (the same mix as the fast model's). Both blends here were measured on the dev file (bench/encoder_curve.py): a plain
average of the fast model and the encoder head (+0.05 macro-F1 out of the box and at 200 team labels), and,
inside each, the corpus-trained part and the team-trained part weighted by how many labels the team gave.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from triage.classification.blend import mix

ENCODER_WEIGHT = 0.5    # the encoder head's share of the refined probabilities: a plain average, chosen a priori


@dataclass(frozen=True)
class Verdict:
    type: str
    confidence: float
    needs_review: bool
    probabilities: dict[str, float] = field(default_factory=dict)  # the blend's, for the review order


def refine(fast: Mapping[str, float], encoder: Mapping[str, float], review_below: float,
           encoder_weight: float = ENCODER_WEIGHT) -> Verdict | None:
    """The refined type: the most probable after blending. None when the fast model found nothing in the text
    to go on (emoji, punctuation): such a record stays for people, whatever the encoder makes of it."""
    if not fast:
        return None
    blended = mix(fast, encoder, encoder_weight if encoder else 0.0)
    best = max(sorted(blended), key=blended.__getitem__)  # sorted: ties fall the same way on every run
    return Verdict(best, blended[best], blended[best] < review_below, blended)
