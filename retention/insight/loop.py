"""Does closing the loop keep customers? The respondents read from the database, streamed, and compared.

Decisions (docs/retention.md, "Closing the loop and retention"):

- A respondent is a customer who gave a score: a survey answer, or channel feedback carrying a kind. One row per
  customer, so a customer who wrote often does not weigh more: their *first told answer* if they were ever told,
  else their *first scored answer*. A customer told about a later answer is therefore never in the not-told
  group (it would dilute the difference).
- Told: the answer is linked to a fix whose status is `shipped` and the fix-shipped email to this customer about
  that fix (outbox key triage.loop.policy.loop_email_key) was sent. Queued, failed or suppressed is not told.
- The clock starts at the answer, for both groups. The not-told have no "told" moment, and starting the told
  group's clock later would compare unlike periods. This is conservative but not neutral: to be told, a customer
  usually stayed until the fix shipped (the page says an observational comparison is no proof).
- Left out: customers with no known lifetime (no customer_since and no activity: retention unknown) and those
  whose lifetime ended at or before the answer (no longer customers when they answered).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import asdict
from datetime import datetime
from typing import Iterable, Iterator, NamedTuple

from sqlalchemy import String, cast, exists, literal, select

from feedback_app.core.extensions import db
from feedback_app.mail.outbox import SENT, OutboxEmail
from retention.comparison import HORIZONS, Respondent, by_nps_band, compare, retained_after, stratum_of
from retention.insight.lifetimes import facts_of
from surveys.models import Invitation, Response, Survey
from surveys.people.respondents import answer_scale, respondent_customer_id
from triage.loop.policy import LOOP_EVENTS
from triage.models import Fix, FixLink

BATCH = 1000      # respondents whose lifetimes are read together
STREAM = 2000     # answers fetched from the cursor at a time


class Answered(NamedTuple):
    customer_id: int
    kind: str
    score: int
    answered_at: datetime
    told: bool


def answers_query():
    """Every scored answer with a customer and a scale, by customer then time, with whether it was told."""
    customer = respondent_customer_id()
    news_key = (literal(LOOP_EVENTS["shipped"] + ":", String) + cast(FixLink.fix_id, String) + literal(":", String)
                + cast(customer, String))
    told = exists().where(FixLink.response_id == Response.id, Fix.id == FixLink.fix_id, Fix.status == "shipped",
                          OutboxEmail.dedupe_key == news_key, OutboxEmail.status == SENT)
    kind = answer_scale()
    return (select(customer.label("customer_id"), kind.label("kind"), Response.score, Response.answered_at,
                   told.label("told"))
            .select_from(Response)
            .outerjoin(Invitation, Invitation.id == Response.invitation_id)
            .outerjoin(Survey, Survey.id == Response.survey_id)
            .where(Response.score.is_not(None), customer.is_not(None), kind.is_not(None))
            .order_by(customer, Response.answered_at, Response.id))


def one_per_customer(rows: Iterable) -> Iterator[Answered]:
    """Rows ordered by customer → each customer's first told answer, else their first answer."""
    current, first = None, None
    for row in rows:
        answer = Answered(row.customer_id, row.kind, row.score, row.answered_at, bool(row.told))
        if answer.customer_id != current:
            if first is not None:
                yield first
            current, first = answer.customer_id, answer
        elif answer.told and not first.told:
            first = answer
    if first is not None:
        yield first


def batched(answers: Iterable[Answered], size: int = BATCH) -> Iterator[list[Answered]]:
    batch: list[Answered] = []
    for answer in answers:
        batch.append(answer)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class LoopTally:
    """What one pass over the respondents leaves: the NPS answers per (score, outcome) — at most 11 × 3 cells per
    horizon, however many respondents — and how many were read, told, left out."""

    def __init__(self):
        self.nps = {horizon: Counter() for horizon in HORIZONS}
        self.read = self.told = self.unknown_lifetime = self.ended_before = 0

    def nps_answers(self, horizon: int) -> Iterator[tuple[int, bool | None]]:
        for (score, retained), count in self.nps[horizon].items():
            for _ in range(count):
                yield score, retained


def respondents(now: datetime, tally: LoopTally) -> Iterator[Respondent]:
    rows = db.session.execute(answers_query().execution_options(yield_per=STREAM))
    for batch in batched(one_per_customer(rows)):
        facts = facts_of([answer.customer_id for answer in batch])
        for answer in batch:
            tally.read += 1
            lifetime = facts[answer.customer_id].lifetime if answer.customer_id in facts else None
            if lifetime is None or lifetime.starts is None:
                tally.unknown_lifetime += 1
                continue
            if lifetime.ends is not None and lifetime.ends <= answer.answered_at:
                tally.ended_before += 1
                continue
            tally.told += answer.told
            outcome = {h: retained_after(answer.answered_at, lifetime.ends, now, h) for h in HORIZONS}
            if answer.kind == "nps":
                for horizon in HORIZONS:
                    tally.nps[horizon][(answer.score, outcome[horizon])] += 1
            yield Respondent(stratum_of(answer.kind, answer.score, answer.answered_at), answer.told,
                             outcome[90], outcome[180])


def loop_figures(now: datetime) -> dict:
    """The `loop:all` figure: told against not told at 90 and 180 days, and retention by NPS band (JSON)."""
    tally = LoopTally()
    comparisons = compare(respondents(now, tally))
    return {
        "respondents": tally.read - tally.unknown_lifetime - tally.ended_before,
        "told": tally.told,
        "left_out": {"unknown_lifetime": tally.unknown_lifetime, "ended_before_answer": tally.ended_before},
        "horizons": {str(h): asdict(comparisons[h]) for h in HORIZONS},
        "nps_bands": {str(h): [asdict(b) for b in by_nps_band(tally.nps_answers(h))] for h in HORIZONS},
    }
