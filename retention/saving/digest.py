"""The Save list's daily work: every customer's value stored (the list's order), and a digest to the team —
"N customers to save today" with the most valuable few — once a day per triager and admin, only when somebody is
on the list. Written in English, as the follow-up digest is (the team's language is not a customer's)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from feedback_app.accounts.models import User
from feedback_app.core.extensions import db
from feedback_app.mail.outbox import enqueue_email
from retention.saving import save_list
from retention.saving.models import CustomerValue
from retention.saving.values import refresh_values

TOP = 5
TEMPLATE = "save_digest"


def digest_key(day: datetime, user_id: int) -> str:
    """One Save list digest per team member per day."""
    return f"save-digest:{day.date().isoformat()}:{user_id}"


def values_are_from_today(now: datetime) -> bool:
    latest = db.session.scalar(select(func.max(CustomerValue.computed_at)))
    return latest is not None and latest.date() == now.date()


def daily(now: datetime, app_url: str) -> int:
    """The scheduler's job (hourly; each part once a day): values refreshed when none are from today, then the
    digests. Returns the digests queued."""
    if not values_are_from_today(now):
        refresh_values(now)
    return queue_digests(now, app_url)


def queue_digests(now: datetime, app_url: str, top: int = TOP) -> int:
    """A digest to every active triager and admin, when anyone is at risk or silent; the outbox key names the
    day, so a second run that day queues nothing."""
    count = save_list.count_to_save()
    if not count:
        return 0
    list_url = f"{app_url}/retention/save"
    cases = [{"name": case.name, "email": case.email, "stage": case.stage, "value": case.value,
              "url": f"{app_url}/customers/{case.customer_id}"} for case in save_list.save_page(size=top).cases]
    context = {"count": count, "more_than": count > save_list.COUNT_UP_TO, "up_to": save_list.COUNT_UP_TO,
               "cases": cases, "list_url": list_url}
    users = db.session.scalars(select(User).where(User.active.is_(True), User.role.in_(("admin", "triager")))
                               .order_by(User.id))
    queued = sum(enqueue_email(digest_key(now, user.id), TEMPLATE, user.email, "en", {**context, "user": user}, now)
                 for user in users)
    db.session.commit()
    return queued
