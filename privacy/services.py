"""Use cases of the customer's rights: erase a customer, allow an erased address again, the erasure log.
Each public function that changes data is one use case and owns its one commit. The export (read
only) lives in privacy.export.

Erasure removes every personal detail and every word the customer wrote, and keeps what is anonymous
— scores, scales, channels, dates, types, delivery states and outbox keys — so survey results, the
dashboard's counts and exactly-once delivery stay right. What exactly is removed, and what a
database keeps outside its live rows, is written in docs/architecture.md ("Privacy").
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, or_, select, update

from advocacy.models import AdvocacyAsk
from feedback_app.core.extensions import db
from feedback_app.core.sql import slices
from feedback_app.core.refusals import N_
from feedback_app.mail.suppression import lift, suppress
from privacy import scrubbing
from privacy.labels import RESTORED
from privacy.models import Erasure
from privacy.records import PrivacyError, customer_by_address, normalised, nothing_held, their_response_ids
from privacy.withdrawal import withdraw_models
from retention.models import Activity, StageChange
from retention.saving.models import CustomerValue, SaveOutcome, WinBackEmail
from surveys.models import Customer, Invitation, Response, Survey, ThanksAnswer
from surveys.people.respondents import answer_scale, customer_key
from triage.classification import encoder
from triage.fixes import evidence, grid
from triage.loop import reach as loop_reach
from triage.models import BetaTester, FixAdviser, FixLink, TrainingExample, TriageItem
from triage.verbatims import tallies as triage_tallies  # counts follow the records deleted here
from webhooks.models import WebhookEvent


class NotErased(PrivacyError):
    pass


@dataclass(frozen=True)
class ErasureReport:
    removed: dict[str, int]   # what was removed, by kind: the same counts as the log
    model_withdrawn: bool     # the active classifier had learnt from their words: none is active until retrained
    files_cleared: bool = True  # SQLite: False when old copies in its file could not be cleared now (busy)


def erase_customer(email: str, erased_by: str, now: datetime) -> ErasureReport:
    """Remove everything personal about the customer with this address, in one transaction, and never
    email the address again. `erased_by` says who asked ("cli", "user admin@…", "token <name>")."""
    address = normalised(email)
    customer = customer_by_address(address, lock=True)
    if customer is None:
        raise nothing_held(address)
    scrubbing.zero_freed_space()
    removed, model_withdrawn = _erase(customer, address)
    suppress(address, now)
    # When and by whom, and counts: never whose (an address or an id would keep what was erased).
    db.session.add(Erasure(erased_at=now, erased_by=erased_by[:200], removed=removed))
    db.session.commit()
    return ErasureReport(removed, model_withdrawn, scrubbing.clear_old_page_images())


def _saving_records(customer_id: int) -> dict[str, int]:
    """Win-back emails sent to them, the team's save outcome and their computed value (each would go with the
    customer row: deleted here to be counted)."""
    return {key: db.session.execute(delete(model).where(model.customer_id == customer_id)).rowcount
            for key, model in (("win_back_emails", WinBackEmail), ("save_outcomes", SaveOutcome),
                               ("customer_values", CustomerValue))}


# What a webhook event may hold of a person: their id, words and what points at them elsewhere (scores, kinds and
# types stay, as on answers).
PERSONAL_EVENT_KEYS = ("customer_id", "comment", "theme", "reason", "context", "external_id")


def _scrub_webhook_events(customer_id: int, response_ids: list[int]) -> int:
    """Events about them, delivered or waiting, lose their words and their id: a waiting one still goes out (its
    receiver dedupes by id), without what was erased. A scan of the events' JSON: erasures are rare."""
    about_them = or_(WebhookEvent.data["customer_id"].as_integer() == customer_id,
                     *(WebhookEvent.data["response_id"].as_integer().in_(some) for some in slices(response_ids)))
    scrubbed = 0
    for event in db.session.scalars(select(WebhookEvent).where(about_them)):
        event.data = {key: value for key, value in event.data.items() if key not in PERSONAL_EVENT_KEYS}
        scrubbed += 1
    return scrubbed


def _erase(customer: Customer, address: str) -> tuple[dict[str, int], bool]:
    response_ids = their_response_ids(customer.id)
    withdrawn, model_withdrawn = withdraw_models(response_ids)  # first: it reads their training examples
    links_merged = _one_link_per_fix(response_ids)  # first: it reads their answers' scores and kinds
    removed = {"customer": 1, **_unlink_answers(customer.id, response_ids), "model_versions": withdrawn,
               "fix_links_merged": links_merged}
    # Their answers are now each a person of their own, with no value: the fixes' stored figures follow.
    evidence.customers_changed([customer.id], response_ids)
    loop_reach.people_changed({customer_key(customer.id)})  # nothing of theirs awaits a call now: the row goes
    removed["beta_tester_records"] = db.session.execute(
        delete(BetaTester).where(BetaTester.customer_id == customer.id)).rowcount
    removed["adviser_records"] = db.session.execute(
        delete(FixAdviser).where(FixAdviser.customer_id == customer.id)).rowcount
    removed.update(scrubbing.scrub_outbox(address))
    # What they did and their stages (the database would delete them with the customer: counted here).
    removed["activities"] = db.session.execute(delete(Activity).where(Activity.customer_id == customer.id)).rowcount
    removed["stage_changes"] = db.session.execute(
        delete(StageChange).where(StageChange.customer_id == customer.id)).rowcount
    removed.update(_saving_records(customer.id))
    removed["advocacy_asks"] = db.session.execute(
        delete(AdvocacyAsk).where(AdvocacyAsk.customer_id == customer.id)).rowcount
    removed["webhook_events"] = _scrub_webhook_events(customer.id, response_ids)
    db.session.execute(delete(Customer).where(Customer.id == customer.id))
    return removed, model_withdrawn


def _unlink_answers(customer_id: int, response_ids: list[int]) -> dict[str, int]:
    """Their words go; the anonymous answer (score, kind, survey, channel, date, type) stays."""
    # A triggered invitation's context and id (a ticket, an order) point at them in the team's other systems.
    counts = {"invitations": db.session.execute(update(Invitation).where(Invitation.customer_id == customer_id)
                                                .values(customer_id=None, context=None, external_id=None)).rowcount}
    if not response_ids:
        return {**counts, "answers": 0, "thanks_answers": 0, "triage_records": 0, "training_examples": 0,
                "encoder_vectors": 0}
    # Their answers to thank-you pages' second questions are nothing but their words: deleted.
    counts["thanks_answers"] = db.session.execute(
        delete(ThanksAnswer).where(ThanksAnswer.response_id.in_(response_ids))).rowcount
    # The optional encoder's cached vectors are computed from their words: they go with them.
    counts["encoder_vectors"] = encoder.forget(db.session.scalars(
        select(Response.comment).where(Response.id.in_(response_ids))).all())
    # updated_at is left alone: the sweep reclassifies changed answers, and there is nothing left to read.
    counts["answers"] = db.session.execute(
        update(Response).where(Response.id.in_(response_ids))
        .values(comment="", may_contact=False, consent_at=None, customer_id=None, external_id=None,
                awaits_contact=False, pending=True)).rowcount  # nobody to call now; the sweep recounts them
    # Theme, its key and the reasons are the customer's own words, and with no text left there is
    # nothing to triage: the answer becomes what a score without a comment always is, one with no record.
    # Through the ORM, one by one (a customer has few): triage.verbatims.tallies moves their counts with them.
    items = db.session.scalars(select(TriageItem).where(TriageItem.response_id.in_(response_ids))).all()
    for item in items:
        db.session.delete(item)
    db.session.flush()
    triage_tallies.forget_removed_members({item.theme_group for item in items})
    counts["triage_records"] = len(items)
    counts["training_examples"] = db.session.execute(
        delete(TrainingExample).where(TrainingExample.response_id.in_(response_ids))).rowcount
    return counts


def _one_link_per_fix(response_ids: list[int]) -> int:
    """A fix's impact counts each person once, by their strongest answer. Anonymous answers can no longer
    be told apart as one person's, so where several of theirs support one fix only the strongest stays
    linked: the fix keeps one respondent, not one per answer. Strongest by unhappiness, then the newest
    (impact also weighs recency against a configured half-life; the order of those two rarely differs)."""
    if not response_ids:
        return 0
    rows = db.session.execute(
        select(FixLink.fix_id, FixLink.response_id, Response.score, answer_scale(),
               Response.answered_at)
        .join(Response, Response.id == FixLink.response_id).outerjoin(Survey, Survey.id == Response.survey_id)
        .where(FixLink.response_id.in_(response_ids)))
    by_fix: dict[int, list] = {}
    for fix_id, response_id, score, kind, answered_at in rows:
        scale = evidence.scale_of(kind)
        by_fix.setdefault(fix_id, []).append((grid.unhappiness(score, scale), answered_at, response_id))
    weaker = [(fix_id, response_id) for fix_id, links in by_fix.items() for *_, response_id in sorted(links)[:-1]]
    for fix_id, response_id in weaker:
        db.session.execute(delete(FixLink).where(FixLink.fix_id == fix_id, FixLink.response_id == response_id))
    return len(weaker)


def restore_address(email: str, restored_by: str, now: datetime) -> None:
    """Allow an erased address again (the person came back and asked): it may be imported and emailed.
    Recorded in the erasure log (when, by whom), as lifting a protection should be."""
    address = normalised(email)
    if not lift(address):
        db.session.rollback()
        raise NotErased(N_("%(address)s is not on the list of erased addresses: it may already be imported and "
                           "emailed."), address=address)
    db.session.add(Erasure(erased_at=now, erased_by=restored_by[:200], removed={RESTORED: 1}))
    db.session.commit()


def erasure_log(limit: int = 200) -> list[Erasure]:
    return list(db.session.scalars(select(Erasure).order_by(Erasure.erased_at.desc(), Erasure.id.desc())
                                   .limit(limit)))

