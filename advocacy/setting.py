"""The team's ask: a public review or a referral, the link the button goes to, on or off — read, set (one commit)
and switched off, the same from the admin page and `feedback advocacy`.

Stored like the brand (feedback_app.core.brand): one row, id 1, none until an admin first sets it. Unlike the
brand it has no per-process copy: only the scheduler's job (every 10 minutes) and the rare click on an ask's
page read it, one primary-key read each.
"""
from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from flask_babel import gettext as _
from sqlalchemy import select, update

from advocacy.models import SETTING_ID, AdvocacySetting
from advocacy.policy import KINDS, URL_MAX, link_problem
from feedback_app.core.extensions import db
from feedback_app.core.sql import insert_ignoring_conflicts


class Ask(NamedTuple):
    """The setting as read; NOT_SET before an admin ever set one."""
    kind: str = ""
    url: str = ""
    enabled: bool = False

    @property
    def is_on(self) -> bool:
        """Asking now: switched on, with a link that is (still) one we may send customers to."""
        return self.enabled and self.kind in KINDS and link_problem(self.url) is None


NOT_SET = Ask()


def current_ask() -> Ask:
    row = db.session.execute(select(AdvocacySetting.kind, AdvocacySetting.url, AdvocacySetting.enabled)
                             .where(AdvocacySetting.id == SETTING_ID)).first()
    return Ask(*row) if row else NOT_SET


class SettingError(ValueError):
    """A setting that cannot be saved; `field` names the form's field, the message says why (translated)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def set_ask(kind: str, url: str, now: datetime, enabled: bool = True) -> Ask:
    """The use case: check and store what to ask for and where (one commit), or store nothing and raise."""
    url = (url or "").strip()
    if kind not in KINDS:
        raise SettingError("kind", _("Choose what to ask for: a review or a referral."))
    problem = link_problem(url)
    if problem:
        raise SettingError("url", link_message(problem))
    values = {"kind": kind, "url": url, "enabled": bool(enabled), "updated_at": now}
    if not insert_ignoring_conflicts(AdvocacySetting, {"id": SETTING_ID, **values}, ["id"]):
        db.session.execute(update(AdvocacySetting).where(AdvocacySetting.id == SETTING_ID).values(**values))
    db.session.commit()
    return Ask(kind, url, bool(enabled))


def switch_off(now: datetime) -> bool:
    """Nobody more is asked; asks already sent keep working but send nobody anywhere. False when it was not on."""
    changed = db.session.execute(update(AdvocacySetting).where(AdvocacySetting.id == SETTING_ID,
                                                               AdvocacySetting.enabled.is_(True))
                                 .values(enabled=False, updated_at=now)).rowcount
    db.session.commit()
    return bool(changed)


def link_message(problem: str) -> str:
    return {"missing": lambda: _("Enter the link the button should open."),
            "too_long": lambda: _("The link can be at most %(max)s characters long.", max=URL_MAX),
            "scheme": lambda: _("Enter a full link that starts with http:// or https://."),
            "host": lambda: _("The link needs a site name, e.g. https://example.com/review."),
            }[problem]()
