"""Use cases of win-back campaigns: a campaign created, sent to every lost customer (once per campaign and
customer, ever, through the outbox), and each campaign's win-back rate. The tier of each email is chosen by the
pure retention.incentives policy from the customer's value (retention.saving.values)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from typing import Callable

from sqlalchemy import exists, func, select
from sqlalchemy.dialects import postgresql, sqlite

from feedback_app.core.extensions import db
from feedback_app.core.languages import LOCALES, best_locale
from feedback_app.mail.outbox import enqueue_emails
from feedback_app.mail.suppression import suppressed
from retention.incentives import RETURN_DAYS, TIERS, Thresholds, WinBack, tier_for, win_back
from retention.models import Activity
from retention.saving.models import NAME_MAX, WinBackCampaign, WinBackEmail
from retention.saving.values import revenue_of, team_thresholds, value_attribute, value_of
from surveys.people.links import unsubscribe_url
from surveys.models import Customer

BATCH = 1000
INCENTIVE_MAX = 500
RETURN_DAYS_MAX = 3650
OFFER_TIERS = TIERS[1:]  # "none" is the tier without an offer
TEMPLATE = "win_back"
CANCEL = "cancel"  # a cancel is not a return


class CampaignError(ValueError):
    """A campaign that cannot be created or sent; the message says why, for people."""


def email_key(campaign_id: int, customer_id: int) -> str:
    return f"win-back-{campaign_id}-{customer_id}"


def create_campaign(name: str, now: datetime, return_days: int = RETURN_DAYS,
                    incentives: dict[str, dict[str, str]] | None = None) -> WinBackCampaign:
    """`incentives` {tier: {locale: text}}: the offer of a tier (standard, premium, vip) in each language."""
    name = " ".join((name or "").split())
    if not name or len(name) > NAME_MAX:
        raise CampaignError(f"A campaign needs a name of 1 to {NAME_MAX} characters.")
    if not isinstance(return_days, int) or not 1 <= return_days <= RETURN_DAYS_MAX:
        raise CampaignError(f"The return window must be 1 to {RETURN_DAYS_MAX} days.")
    campaign = WinBackCampaign(name=name, created_at=now, return_days=return_days,
                               incentives=_checked_incentives(incentives or {}))
    db.session.add(campaign)
    db.session.commit()
    return campaign


def _checked_incentives(incentives: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    checked: dict[str, dict[str, str]] = {}
    for tier, texts in incentives.items():
        if tier not in OFFER_TIERS:
            raise CampaignError(f"Unknown tier {tier!r}; one of: {', '.join(OFFER_TIERS)}.")
        for locale, text in texts.items():
            if locale not in LOCALES:
                raise CampaignError(f"Unknown language {locale!r}; one of: {', '.join(LOCALES)}.")
            text = " ".join((text or "").split())
            if not text or len(text) > INCENTIVE_MAX:
                raise CampaignError(f"An incentive needs a text of 1 to {INCENTIVE_MAX} characters.")
            checked.setdefault(tier, {})[locale] = text
    return checked


# ---------------------------------------------------------------- sending

def _to_email(campaign_id: int):
    """Lost customers this campaign has not emailed and who have not unsubscribed, by id."""
    return (select(Customer.id, Customer.email, Customer.name, Customer.locale, Customer.attributes)
            .where(Customer.stage == "lost", Customer.unsubscribed_at.is_(None))
            .where(~exists().where(WinBackEmail.campaign_id == campaign_id, WinBackEmail.customer_id == Customer.id))
            .order_by(Customer.id))


def count_to_email(campaign: WinBackCampaign) -> int:
    return db.session.scalar(select(func.count()).select_from(_to_email(campaign.id).subquery()))


@dataclass(frozen=True)
class _Letter:
    campaign_id: int
    incentives: dict
    thresholds: Thresholds


def send_campaign(campaign: WinBackCampaign, now: datetime, progress: Callable[[int], None] = lambda _: None) -> int:
    """Email every lost customer not emailed by this campaign yet, BATCH at a time: each batch's WinBackEmail rows
    and their outbox emails are committed together, so a send stopped half-way is finished by sending again, and
    nobody is emailed twice (the unique (campaign, customer) and the outbox's dedupe key). Suppressed addresses
    are skipped. Returns the customers emailed."""
    letter = _Letter(campaign.id, dict(campaign.incentives or {}), team_thresholds())
    query = _to_email(letter.campaign_id).limit(BATCH)
    emailed, after = 0, 0
    while batch := db.session.execute(query.where(Customer.id > after)).all():
        after = batch[-1].id
        emailed += _email_batch(letter, batch, now)
        db.session.commit()
        progress(len(batch))
    return emailed


def _email_batch(letter: _Letter, batch: list, now: datetime) -> int:
    blocked = suppressed([c.email for c in batch])
    customers = [c for c in batch if c.email not in blocked]
    revenue, name = revenue_of([c.id for c in customers]), value_attribute()
    rows = []
    for c in customers:
        value = value_of(c.attributes, revenue.get(c.id), name)
        rows.append({"campaign_id": letter.campaign_id, "customer_id": c.id, "tier": tier_for(value, letter.thresholds),
                     "value": value, "emailed_at": now})
    inserted = set(_insert_emails(rows))
    by_id = {c.id: c for c in customers}
    enqueue_emails([_email(letter, by_id[row["customer_id"]], row["tier"])
                    for row in rows if row["customer_id"] in inserted], now)
    return len(inserted)


def _insert_emails(rows: list[dict]) -> list[int]:
    """The customers whose WinBackEmail row this call made (another send may have made some meanwhile)."""
    if not rows:
        return []
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    table = WinBackEmail.__table__
    statement = (insert(table).on_conflict_do_nothing(index_elements=["campaign_id", "customer_id"])
                 .returning(table.c.customer_id))
    return [customer_id for (customer_id,) in db.session.execute(statement, rows)]


def _email(letter: _Letter, customer, tier: str) -> tuple[str, str, str, str, dict, dict]:
    """One customer's email, wholly in their language: the offer only when their tier has it in that language."""
    locale = best_locale(customer.locale)
    unsubscribe = unsubscribe_url(customer.id)
    context = {"customer": customer, "incentive": letter.incentives.get(tier, {}).get(locale),
               "unsubscribe_url": unsubscribe}
    headers = {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    return email_key(letter.campaign_id, customer.id), TEMPLATE, customer.email, locale, context, headers


# ---------------------------------------------------------------- the win-back rate

@dataclass(frozen=True)
class CampaignFigure:
    campaign: WinBackCampaign
    figure: WinBack


def campaign_figures(now: datetime) -> list[CampaignFigure]:
    """Every campaign, newest first, with its win-back rate: an email returned when the customer did anything but
    cancel after it and within the campaign's return_days (retention.incentives.win_back). One statement for all
    emails, streamed in campaign order; each email reads its customer's first activity after it by index."""
    campaigns = db.session.scalars(select(WinBackCampaign).order_by(WinBackCampaign.id.desc())).all()
    first_return = (select(func.min(Activity.occurred_at))
                    .where(Activity.customer_id == WinBackEmail.customer_id,
                           Activity.occurred_at > WinBackEmail.emailed_at, Activity.occurred_at <= now,
                           Activity.kind != CANCEL)
                    .scalar_subquery())
    rows = db.session.execute(select(WinBackEmail.campaign_id, WinBackEmail.emailed_at, first_return)
                              .order_by(WinBackEmail.campaign_id).execution_options(yield_per=BATCH))
    days = {c.id: c.return_days for c in campaigns}
    figures = {campaign_id: win_back(((emailed_at, back) for _, emailed_at, back in emails), now, days[campaign_id])
               for campaign_id, emails in groupby(rows, key=lambda row: row[0])}
    return [CampaignFigure(c, figures.get(c.id, WinBack(0, 0, 0, None))) for c in campaigns]
