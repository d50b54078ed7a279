"""The ranked queue and one fix's place in it, read from the stored evidence figures (triage.fixes.evidence);
and the linked verbatims themselves, which the loop's emails read and from which impact is computed
from scratch (grid.impact) — what the stored figures must always agree with. Read only, except the
figures' own refresh when they are stale (evidence.refresh_if_stale).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Iterable

from sqlalchemy import select

from feedback_app.core.extensions import db
from feedback_app.core.languages import best_locale
from surveys.models import Customer, Invitation, Response, Survey
from surveys.people.respondents import answer_scale, respondent_customer_id, respondent_key
from triage.classification.problems import about_a_problem
from triage.fixes import evidence, grid
from triage.fixes import lists as fix_lists
from triage.fixes.tables import FixEvidence
from triage.loop import policy
from triage.models import Fix, FixLink, TriageItem

# ---------------------------------------------------------------- the facts behind a fix

@dataclass(frozen=True)
class Linked:
    """One linked verbatim with its respondent, as impact and the loop need them."""
    fix_id: int
    response_id: int
    score: int | None
    kind: str | None
    answered_at: datetime
    may_contact: bool
    locale: str
    customer: Customer | None

    def evidence(self, value_attribute: str) -> grid.Evidence:
        customer = self.customer
        return grid.Evidence(respondent_key(customer.id if customer else None, self.response_id),
                             self.score, evidence.scale_of(self.kind), self.answered_at,
                             evidence.number(customer.attributes if customer else None, value_attribute))

    def respondent(self, stopped_news: frozenset[int] = frozenset()) -> policy.Respondent:
        """As the loop sees them, in their customer's language (the one their early-access and unsubscribe
        pages use); `stopped_news`: the customers who asked for no more news of fixes."""
        customer = self.customer
        return policy.Respondent(customer.id if customer else None, customer.email if customer else None,
                                 self.may_contact, bool(customer and customer.unsubscribed_at),
                                 best_locale(customer.locale) if customer else self.locale,
                                 bool(customer and customer.id in stopped_news))


def linked_verbatims(fix_ids: Iterable[int]) -> dict[int, list[Linked]]:
    """Every linked verbatim of these fixes in one query, with its customer (from the invitation for a
    survey answer, from the row itself for another channel) and its scale. What the loop emails read,
    and impact computed from scratch (grid.impact): the stored figures must always agree with it. A linked
    verbatim corrected to praise since is left out: it asked for nothing (triage.fixes.evidence)."""
    fix_ids = list(fix_ids)
    customer_id = respondent_customer_id()
    rows = db.session.execute(
        select(FixLink.fix_id, Response.id, Response.score, answer_scale(),
               Response.answered_at, Response.may_contact, Response.locale, Customer)
        .join(Response, Response.id == FixLink.response_id)
        .outerjoin(Invitation, Invitation.id == Response.invitation_id)
        .outerjoin(Survey, Survey.id == Response.survey_id)
        .outerjoin(Customer, Customer.id == customer_id)
        .outerjoin(TriageItem, TriageItem.response_id == FixLink.response_id)
        .where(FixLink.fix_id.in_(fix_ids), about_a_problem())
        .order_by(FixLink.fix_id, Response.answered_at, Response.id)) if fix_ids else []  # same order on every database
    found: dict[int, list[Linked]] = {fix_id: [] for fix_id in fix_ids}
    for row in rows:
        found[row[0]].append(Linked(*row))
    return found


@dataclass(frozen=True)
class Settings:
    """What the team configured: grid thresholds, the customer attribute that says how valuable."""
    policy: grid.Policy = grid.Policy()
    value_attribute: str = "mrr"


def reference_value(linked: Iterable[Linked], attribute: str) -> float | None:
    """The median value among customers who gave feedback: "a typical respondent" weighs 1."""
    return grid.reference_of({entry.customer.id: evidence.number(entry.customer.attributes, attribute)
                              for entry in linked if entry.customer}.values())


def impact_from_scratch(fixes: list[Fix], now: datetime, settings: Settings = Settings()) -> dict[int, grid.Impact]:
    """Impact of these fixes from every linked verbatim of every fix (the reference is over all of them):
    what the stored figures are a cache of. Tests and `feedback rebuild fixes --check` compare them."""
    linked = linked_verbatims(db.session.scalars(select(Fix.id)))
    reference = reference_value((e for entries in linked.values() for e in entries), settings.value_attribute)
    return {f.id: grid.impact([e.evidence(settings.value_attribute) for e in linked[f.id]], now,
                              settings.policy, reference, f.impact_override) for f in fixes}


@dataclass(frozen=True)
class Placed:
    fix: Fix
    impact: grid.Impact
    quadrant: str
    rank: int | None  # None: shipped or won't do, no longer in the queue
    links: int = 0    # linked verbatims


def ranked_queue(now: datetime, settings: Settings = Settings(), statuses: Iterable[str] | None = None,
                 type_key: str | None = None) -> list[Placed]:
    """Every fix (or those with these statuses / this type), with impact and quadrant: the queue of work
    still to do in rank order, then the fixes done with (shipped, won't do), unranked, in the same order.
    Ranks are computed over all fixes still to do, so a filter never renumbers them.
    Two reads whatever the evidence: the basis and each fix with its stored figures (triage.fixes.evidence)."""
    basis = evidence.refresh_if_stale(settings.policy.half_life_days, settings.value_attribute, now)
    rows = db.session.execute(
        select(Fix, FixEvidence.links, FixEvidence.respondents, FixEvidence.weight_sum, FixEvidence.exponent,
               FixEvidence.latest_at).outerjoin(FixEvidence, FixEvidence.fix_id == Fix.id)).all()
    fixes = [row[0] for row in rows]
    # Fixes whose stored figures cannot answer for `now` (an answer dated after it: a clock ahead) are read
    # from their evidence, all of them in one query.
    behind = linked_verbatims(fix.id for fix, _, *figures in rows if not _summary(figures).fresh_at(now))
    impacts = {fix.id: _stored_impact(fix, figures, now, settings, basis, behind) for fix, _, *figures in rows}
    links = {row[0].id: row[1] or 0 for row in rows}
    by_id = {f.id: f for f in fixes}
    placed = []
    for still_to_do in (True, False):
        group = [f for f in fixes if (f.status in policy.TO_DO) == still_to_do]
        order = grid.rank([grid.Placed(f.id, f.cost, impacts[f.id].value, impacts[f.id].respondents)
                           for f in group], settings.policy)
        placed += [Placed(by_id[p.id], impacts[p.id], quadrant, position if still_to_do else None, links[p.id])
                   for position, p, quadrant in order]
    wanted = set(statuses) if statuses else None
    return [p for p in placed if (wanted is None or p.fix.status in wanted)
            and (type_key is None or p.fix.type_key == type_key)]


def _summary(figures: list) -> grid.Summary:
    return grid.Summary(*figures) if figures[0] else grid.Summary()


def _stored_impact(fix: Fix, figures: list, now: datetime, settings: Settings, basis: evidence.Basis,
                   behind: dict[int, list[Linked]]) -> grid.Impact:
    summary = _summary(figures)
    if summary.fresh_at(now):
        return grid.impact_of(summary, now, settings.policy, fix.impact_override)
    # An answer dated after `now` (a clock ahead): recency is clipped there, so this fix's evidence is read.
    computed = grid.impact([e.evidence(settings.value_attribute) for e in behind[fix.id]], now, settings.policy,
                           basis.reference, fix.impact_override)
    return replace(computed, contributions=())


def placed(fix: Fix, now: datetime, settings: Settings = Settings(), people: int = fix_lists.PAGE) -> Placed:
    """One fix's place in the queue, with its heaviest `people` contributions."""
    found = next(p for p in ranked_queue(now, settings) if p.fix.id == fix.id)
    if not people:
        return found
    page = fix_lists.people(fix, evidence.read_basis().reference, now, settings.policy.half_life_days, limit=people)
    return replace(found, impact=replace(found.impact, contributions=tuple(p.contribution for p in page.rows)))


def settings_from(config: dict) -> Settings:
    return Settings(grid.Policy(high_impact_from=float(config["IMPACT_HIGH_FROM"]),
                                high_cost_from=config["COST_HIGH_FROM"],
                                half_life_days=float(config["IMPACT_HALF_LIFE_DAYS"])),
                    config["IMPACT_VALUE_ATTRIBUTE"])



def stored_differs_from_scratch(now: datetime, settings: Settings = Settings()) -> list[tuple[int, float, float]]:
    """(fix, stored impact, impact from scratch) for every fix where they differ beyond rounding."""
    queue = ranked_queue(now, settings)
    scratch = impact_from_scratch([p.fix for p in queue], now, settings)
    return [(p.fix.id, p.impact.computed, scratch[p.fix.id].computed) for p in queue
            if abs(p.impact.computed - scratch[p.fix.id].computed) > 0.1
            or p.impact.respondents != scratch[p.fix.id].respondents]


@dataclass(frozen=True)
class FixRecord:
    """What the API tells of one fix: placement, and the first page of each of its lists."""
    placed: Placed
    response_ids: fix_lists.Page
    people: fix_lists.Page
    told: fix_lists.Page
    beta_testers: fix_lists.Page
    advisers: fix_lists.Page


def fix_record(fix: Fix, now: datetime, settings: Settings = Settings(), limit: int = fix_lists.API_PAGE) -> FixRecord:
    where = placed(fix, now, settings, people=0)
    people = fix_lists.people(fix, evidence.read_basis().reference, now, settings.policy.half_life_days, limit=limit)
    where = replace(where, impact=replace(where.impact, contributions=tuple(p.contribution for p in people.rows)))
    return FixRecord(where, fix_lists.response_ids(fix, limit=limit), people, fix_lists.told(fix, limit=limit),
                     fix_lists.beta_testers(fix, limit=limit), fix_lists.advisers(fix, limit=limit))
