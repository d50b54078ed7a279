"""Use cases of following up with unhappy respondents: the list, "contacted", the daily digest.
Who is due is decided by the pure triage.followups; this module gathers and stores."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, true

from feedback_app.accounts.models import User
from feedback_app.extensions import db
from feedback_app.outbox import enqueue_email
from surveys.models import Customer, Invitation, Response, Survey
from surveys.tallies import WAITING

from . import followups, loop_reach


def overdue(now: datetime, within: timedelta, limit: int = 500) -> list[tuple[Response, str | None, str | None]]:
    """(response, kind, customer email) of every unhappy, opted-in commenter nobody has contacted
    within `within` of their answer, oldest first."""
    kind = func.coalesce(Response.kind, Survey.kind)
    customer_id = func.coalesce(Response.customer_id, Invitation.customer_id)
    rows = db.session.execute(
        select(Response, kind, Customer.email)
        .outerjoin(Survey, Survey.id == Response.survey_id)
        .outerjoin(Invitation, Invitation.id == Response.invitation_id)
        .outerjoin(Customer, Customer.id == customer_id)
        # Open cases only, however many answers there are: those the sweep marked as awaiting a call (the
        # terms of the partial index ix_response_follow_up) and the sweep's backlog (ix_response_pending).
        .where(or_(and_(Response.awaits_contact == true(), Response.contacted_at.is_(None)),
                   and_(WAITING, Response.contacted_at.is_(None))),
               Response.answered_at <= now - within)
        .order_by(Response.answered_at, Response.id).limit(limit))
    return [(response, kind_key, email) for response, kind_key, email in rows
            if followups.needs_follow_up(followups.Answer(response.id, kind_key, response.score,
                                                          bool(response.comment.strip()), response.may_contact,
                                                          response.answered_at, response.contacted_at),
                                         now, within)]


def mark_contacted(response: Response, user_id: int, now: datetime) -> None:
    if response.contacted_at is None:
        response.contacted_at, response.contacted_by = now, user_id
        loop_reach.answers_changed([response.id])
    db.session.commit()


def queue_digests(now: datetime, within: timedelta, app_url: str) -> int:
    """One digest a day to every active triager and admin, when anyone is waiting for a reply."""
    waiting = overdue(now, within, limit=50)
    if not waiting:
        return 0
    answers = [{"score": r.score, "kind": kind, "comment": r.comment, "answered_at": r.answered_at,
                "customer_email": email, "url": f"{app_url}/triage/follow-ups#response-{r.id}"} for r, kind, email in waiting]
    users = db.session.scalars(select(User).where(User.active.is_(True), User.role.in_(("admin", "triager")))
                               .order_by(User.id))
    queued = sum(enqueue_email(followups.digest_key(now, user.id), "follow_up_digest", user.email, "en",
                               {"user": user, "answers": answers, "list_url": f"{app_url}/triage/follow-ups"}, now)
                 for user in users)
    db.session.commit()
    return queued
