"""Who gave an answer and on which scale: the one definition of an answer's customer, scale and respondent key.

A channel's answer (the API) carries its customer and its kind itself; a survey answer gets them through its
invitation and its survey. Each decision is written once as SQL (for queries, which keep their own joins) and
once in Python beside it (for an answer already loaded). A respondent is one person however often they wrote:
`customer:<id>`, or `response:<id>` for an answer nobody can be traced to.
"""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import and_, func, or_

from surveys.models import Customer, Invitation, Response, Survey
from surveys.scales.kinds import BANDS, band_range

# ---------------------------------------------------------------- as SQL


def respondent_customer_id(invited=None):
    """The id of the customer who gave an answer. The query outer-joins Invitation on Response.invitation_id,
    or passes `invited`, its own reading of the invitation's customer (such as a correlated subquery)."""
    return func.coalesce(Response.customer_id, Invitation.customer_id if invited is None else invited)


def answer_scale():
    """The kind of scale an answer's score is on. The query outer-joins Survey on Response.survey_id."""
    return func.coalesce(Response.kind, Survey.kind)


def answer_in_band(band: str):
    """An answer's score is in this band of its scale (surveys.scales.kinds.BANDS). Joins as answer_scale."""
    scale = answer_scale()
    return or_(*[and_(scale == kind, Response.score.between(*band_range(kind, band))) for kind in BANDS])


# ---------------------------------------------------------------- in Python, for a loaded answer


def respondent_of(response: Response) -> Customer | None:
    """The customer who gave this answer (respondent_customer_id)."""
    return response.customer or (response.invitation.customer if response.invitation else None)


def scale_of_answer(response: Response) -> str | None:
    """The kind of scale this answer's score is on (answer_scale)."""
    return response.kind or (response.survey.kind if response.survey else None)


# ---------------------------------------------------------------- the respondent key

CUSTOMER, RESPONSE = "customer", "response"


def customer_key(customer_id: int) -> str:
    return f"{CUSTOMER}:{customer_id}"


def answer_key(response_id: int) -> str:
    """An answer nobody can be traced to: a person of its own."""
    return f"{RESPONSE}:{response_id}"


def respondent_key(customer_id: int | None, response_id: int) -> str:
    """One customer counts once however often they wrote; an answer without a customer is a person."""
    return customer_key(customer_id) if customer_id else answer_key(response_id)


def parse_respondent_key(key: str) -> tuple[int | None, int | None]:
    """(customer id, None) or (None, response id); ValueError for anything else."""
    what, _, number = key.partition(":")
    if what not in (CUSTOMER, RESPONSE) or not number.isdigit():
        raise ValueError(f"not a respondent key: {key!r}")
    return (int(number), None) if what == CUSTOMER else (None, int(number))


def split_respondent_keys(keys: Iterable[str]) -> tuple[list[int], list[int]]:
    """The customer ids and the response ids of these keys, in their order."""
    customers, answers = [], []
    for key in keys:
        customer_id, response_id = parse_respondent_key(key)
        if customer_id is not None:
            customers.append(customer_id)
        else:
            answers.append(response_id)
    return customers, answers
