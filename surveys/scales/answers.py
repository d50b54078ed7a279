"""Reading a respondent's submitted answer.

PURE: standard library only. Shared by the survey form and its script's auto-save, so both apply the
same rules; kept free of WTForms because this is the hot path and the rules are three lines long.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from feedback_app.core.numbers import whole_number
from surveys.scales.kinds import Kind

MAX_COMMENT = 5000


@dataclass(frozen=True)
class Answer:
    score: int | None
    comment: str
    may_contact: bool
    # The page's script saves the clicked score at once; that save must not wipe a comment.
    score_only: bool = False


@dataclass(frozen=True)
class Invalid:
    errors: dict[str, str]  # field → message key (translated by the page)


def read_answer(form: Mapping[str, str], kind: Kind) -> Answer | Invalid:
    errors: dict[str, str] = {}
    score = _score(form.get("score", ""), kind, errors)
    comment = form.get("comment", "")
    comment = comment.replace("\r\n", "\n")  # browsers send CRLF; the text is otherwise kept verbatim
    if len(comment) > MAX_COMMENT:
        errors["comment"] = "too_long"
    score_only = form.get("score_only") == "1"
    if score_only and score is None and "score" not in errors:
        errors["score"] = "missing"
    if not score_only and score is None and not comment.strip() and "score" not in errors:
        errors["score"] = "empty"
    if errors:
        return Invalid(errors)
    return Answer(score, comment, form.get("may_contact") in ("1", "on", "true", "yes"), score_only)


def _score(raw: str, kind: Kind, errors: dict[str, str]) -> int | None:
    if raw.strip() == "":
        return None
    # whole_number, not int(): "²" and thousands of digits are a wrong score, never an exception.
    score = whole_number(raw, kind.low, kind.high)
    if score is None:
        errors["score"] = "out_of_range"
    return score
