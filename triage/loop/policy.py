"""Who hears back, and when: the closing-the-loop policy.

PURE: standard library, the scales (surveys.scales.kinds) and the types (triage.classification.types). The services
hand in plain facts about respondents; this module decides.

Follow-ups and praise. A follow-up is a person reaching out to an unhappy respondent who wrote why and may be
contacted, about the problem they wrote of. A verbatim that is praise (the model's type, or a triager's) names
no problem: its answer never awaits a follow-up, whatever its score — a detractor who only writes "the staff
were lovely" is not called about it. The sweep marks an answer as it classifies it (`awaits_a_call`, below);
a correction across the line marks it again (triage.loop.praise): corrected to praise, it leaves the list and
the "contacted" figure; corrected back to a problem, it returns if nobody has reached out yet. In the seconds
before the sweep has classified an answer, its type is not known and its score alone decides.
Exactly-once delivery is not decided here but enforced by the outbox's unique key, which
`loop_email_key` names: one key per fix, event and customer, so a status that flips back and forth,
a retry or a restart can never send the same news twice.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable

from surveys.scales import kinds
from triage.classification.types import is_problem
from triage.loop.beta_rules import BETA_READY

STATUSES = ("open", "planned", "in_progress", "shipped", "wont_do")
TO_DO = ("open", "planned", "in_progress")  # what the ranked queue ranks: work still ahead
TRANSITIONS = {
    "open": {"planned", "in_progress", "shipped", "wont_do"},
    "planned": {"open", "in_progress", "shipped", "wont_do"},
    "in_progress": {"planned", "shipped", "wont_do"},
    "shipped": {"in_progress"},   # reopened when the fix did not hold; its news is never resent
    "wont_do": {"open"},
}
LOOP_EVENTS = {"planned": "fix-planned", "shipped": "fix-shipped"}


def can_move(current: str, new: str) -> bool:
    return new in TRANSITIONS.get(current, set())


# "Unhappy" has one definition, beside the scales (NPS detractors; CSAT 1–2; CES "made it easy" 1–3).
is_unhappy = kinds.is_unhappy


@dataclass(frozen=True)
class Respondent:
    """One linked respondent of a fix, as the loop sees them."""
    customer_id: int | None
    email: str | None
    may_contact: bool
    unsubscribed: bool
    locale: str
    stopped_news: bool = False  # "stop emails about changes you asked for" (triage.models.FixNewsStop)


def loop_recipients(respondents: Iterable[Respondent]) -> list[Respondent]:
    """Those who may hear about a fix: they opted in, have an address, and stopped neither fix news nor
    surveys. A survey unsubscribe stops fix news too: "unsubscribe" was the only way out these emails offered
    before they had their own, and someone who asked us to stop writing is not written to about a fix.
    Stopping fix news leaves surveys alone. A customer linked through several verbatims is told once."""
    chosen: dict[int, Respondent] = {}
    for person in respondents:
        if person.customer_id is None or not person.email or person.unsubscribed or person.stopped_news:
            continue
        if person.customer_id in chosen:
            if person.may_contact and not chosen[person.customer_id].may_contact:
                chosen[person.customer_id] = person
            continue
        chosen[person.customer_id] = person
    return [person for person in chosen.values() if person.may_contact]


def loop_email_key(event: str, fix_id: int, customer_id: int) -> str:
    return f"{event}:{fix_id}:{customer_id}"


def loop_email_customer(key: str) -> int | None:
    """The customer a loop email's key names (loop_email_key: the planned and shipped news, the beta's "ready to
    try"); None for any other key."""
    event, _, rest = key.partition(":")
    number = rest.rpartition(":")[2]
    return int(number) if (event in LOOP_EVENTS.values() or event == BETA_READY) and number.isdigit() else None


@dataclass(frozen=True)
class Answer:
    """A verbatim that may need a person to reach out."""
    response_id: int
    kind: str | None
    score: int | None
    has_comment: bool
    may_contact: bool
    answered_at: datetime
    contacted_at: datetime | None
    type_key: str | None = None  # its verbatim's type; None: not classified yet


def awaits_a_call(kind: str | None, score: int | None, has_comment: bool, may_contact: bool,
                  type_key: str | None) -> bool:
    """The sweep's mark: unhappy, wrote something, opted in — and wrote of a problem, not praise."""
    return kinds.awaits_a_call(kind, score, has_comment, may_contact) and is_problem(type_key)


def awaits_follow_up(answer: Answer) -> bool:
    """An open case of the follow-up list, from the moment of the answer: unhappy, wrote something (not praise),
    opted in, and nobody has reached out yet."""
    return (awaits_a_call(answer.kind, answer.score, answer.has_comment, answer.may_contact, answer.type_key)
            and answer.contacted_at is None)


def follow_up_due_at(answered_at: datetime, within: timedelta) -> datetime:
    """When someone should have reached out: `within` of the answer (the same for everyone, so the list's order
    by answer time is its order by due time, the overdue first)."""
    return answered_at + within


def needs_follow_up(answer: Answer, now: datetime, within: timedelta) -> bool:
    """An open case past its due time: what the daily digest names."""
    return awaits_follow_up(answer) and now >= follow_up_due_at(answer.answered_at, within)


@dataclass(frozen=True)
class Due:
    """When a case falls due, as the list says it: "due in 1 day 4 h", "overdue by 3 h" (whole hours, rounded
    down; under an hour both are zero)."""
    at: datetime
    overdue: bool
    days: int
    hours: int


def due(answered_at: datetime, now: datetime, within: timedelta) -> Due:
    at = follow_up_due_at(answered_at, within)
    overdue = now >= at
    whole_hours = int(abs(at - now) // timedelta(hours=1))
    return Due(at, overdue, *divmod(whole_hours, 24))


def digest_key(day: datetime, user_id: int) -> str:
    """One follow-up digest per triager per day."""
    return f"follow-up-digest:{day.date().isoformat()}:{user_id}"
