"""Who would hear a fix's news now, and in which language each reads: the loop policy's recipients among its
linked respondents, less the customers who stopped fix news and those this news reached already. Read only:
the status use cases (triage.fixes.services) and the fix page (which languages are missing) share it."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from feedback_app.core.extensions import db
from feedback_app.core.sql import slices
from feedback_app.mail.outbox import OutboxEmail
from surveys.models import Customer, Response
from triage.fixes.queue import Linked, linked_verbatims
from triage.loop import news, policy
from triage.models import Fix, FixNewsStop


@dataclass(frozen=True)
class Audience:
    event: str
    people: list[policy.Respondent]
    customers: dict[int, Customer]
    linked: list[Linked] = field(repr=False, default_factory=list)

    @property
    def readers(self) -> dict[int, str]:
        """customer id → the language they read."""
        return {person.customer_id: person.locale for person in self.people}

    def texts_of(self, fix: Fix) -> news.Texts:
        return news.Texts(fix.public_titles or {}, fix.release_notes or {})

    def plan(self, fix: Fix, fallback: str | None) -> news.Plan:
        return news.plan_news(self.event, self.readers, self.texts_of(fix), fallback)

    def quotes(self) -> dict[int, str]:
        """customer id → the excerpt of their own words that "You told us" quotes (one query)."""
        mine = {e.response_id: e.customer.id for e in self.linked
                if e.customer and e.customer.id in self.customers}
        said: dict[int, str] = {}
        for chunk in slices(sorted(mine)):
            said.update(db.session.execute(select(Response.id, Response.comment).where(Response.id.in_(chunk))).all())
        comments: dict[int, list[str]] = {customer_id: [] for customer_id in self.customers}
        for e in self.linked:  # linked_verbatims' order: oldest answer first
            if e.response_id in said:
                comments[mine[e.response_id]].append(said[e.response_id])
        return {customer_id: news.quoted(words) for customer_id, words in comments.items()}


def audience(fix: Fix, event: str, linked: list[Linked] | None = None) -> Audience:
    """The recipients of `event`'s news of `fix` who have not had it (the outbox's key says who had).
    `linked`: the fix's linked verbatims, when the caller has read them already (linked_verbatims)."""
    linked = linked_verbatims([fix.id])[fix.id] if linked is None else linked
    customer_ids = sorted({e.customer.id for e in linked if e.customer})
    stopped = frozenset(_stopped_news(customer_ids))
    people = policy.loop_recipients(e.respondent(stopped) for e in linked)
    told = _told(event, fix.id, [person.customer_id for person in people])
    people = [person for person in people if person.customer_id not in told]
    customers = {e.customer.id: e.customer for e in linked if e.customer}  # loaded already: no query each
    return Audience(event, people, {person.customer_id: customers[person.customer_id] for person in people}, linked)


def _stopped_news(customer_ids: list[int]) -> set[int]:
    stopped: set[int] = set()
    for chunk in slices(customer_ids):
        stopped.update(db.session.scalars(select(FixNewsStop.customer_id).where(FixNewsStop.customer_id.in_(chunk))))
    return stopped


def _told(event: str, fix_id: int, customer_ids: list[int]) -> set[int]:
    keys = {policy.loop_email_key(event, fix_id, customer_id): customer_id for customer_id in customer_ids}
    told: set[int] = set()
    for chunk in slices(sorted(keys)):
        told.update(keys[key] for key in db.session.scalars(
            select(OutboxEmail.dedupe_key).where(OutboxEmail.dedupe_key.in_(chunk))))
    return told
