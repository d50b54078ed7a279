"""The team's brand — organisation name, optional logo and accent colour — stored once and shown on every
public page and email, so a customer knows who is asking.

One row (id 1) in the `brand` table, none until an admin sets it: until then pages show no brand line and
emails speak of "us" (the neutral default). Once set, the name stays required; logo and colour stay
optional. Every change raises `version`, which the logo's and the colour sheet's addresses carry (so
browsers may keep them for a year) and which the kept survey pages' key includes.

How the brand reaches a page without a query per request:
- the survey page and its thank-you page read it in their one statement (a join on the row's primary key,
  surveys.answering.services.answer_page): a change shows at once, in every process;
- every other public page and every email reads `current_brand()`, a copy per process re-read at most every
  BRAND_REFRESH seconds (and at once in the process that made the change): a change shows there within 5 s.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import NamedTuple

from flask_babel import gettext as _
from sqlalchemy import CheckConstraint, DateTime, Integer, LargeBinary, String, bindparam, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from feedback_app.core import brand_rules
from feedback_app.core.extensions import db
from feedback_app.core.languages import localized_digits
from feedback_app.core.process_copy import forget_copy, process_copy
from feedback_app.core.sql import DriverStatement, insert_ignoring_conflicts

logger = logging.getLogger(__name__)
BRAND_ID = 1
BRAND_REFRESH = 5.0  # seconds a process shows a brand changed elsewhere before it reads it again


class BrandRow(db.Model):
    __tablename__ = "brand"
    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(brand_rules.NAME_MAX))
    colour: Mapped[str | None] = mapped_column(String(7))
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)
    logo_type: Mapped[str | None] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class Brand(NamedTuple):
    """The brand as pages and emails show it (never the logo's bytes). Hashable: part of a kept page's key."""
    name: str = ""
    colour: str | None = None
    logo_type: str | None = None
    version: int = 0

    @property
    def is_set(self) -> bool:
        return bool(self.name)

    @property
    def has_logo(self) -> bool:
        return self.logo_type is not None


NO_BRAND = Brand()
# The columns a Brand is made of, in its order: a page's statement may join them (see brand_of).
BRAND_COLUMNS = (BrandRow.name, BrandRow.colour, BrandRow.logo_type, BrandRow.version)


def brand_of(name: str | None, colour: str | None, logo_type: str | None, version: int | None) -> Brand:
    """BRAND_COLUMNS as read (NULLs where no brand was ever set) as a Brand."""
    return Brand(name, colour, logo_type, version) if name else NO_BRAND


_READ = DriverStatement(select(*BRAND_COLUMNS).where(BrandRow.id == bindparam("id")))


def read_brand(engine: Engine | None = None) -> Brand:
    row = _READ.first(engine or db.engine, {"id": BRAND_ID})
    return brand_of(*row) if row is not None else NO_BRAND


def current_brand() -> Brand:
    """This process's copy of the brand, re-read at most every BRAND_REFRESH seconds (an app context is needed)."""
    return process_copy("feedback.brand", BRAND_REFRESH, _brand_or_last, NO_BRAND)


def _brand_or_last(last: Brand) -> Brand:
    engine = db.engine
    try:
        return read_brand(engine)
    except (SQLAlchemyError, engine.dialect.loaded_dbapi.Error):
        # The error pages show the brand too: a database that cannot answer must not turn a 500 page into a
        # failure of its own. The last copy (or none) is shown, and read again after the next interval.
        logger.warning("The brand could not be read; showing the last one read", exc_info=True)
        return last


def forget_brand() -> None:
    forget_copy("feedback.brand")


def brand_logo(version: int) -> tuple[bytes, str, bool] | None:
    """The logo's bytes, media type, and whether `version` is the current one (then it may be kept long)."""
    row = db.session.execute(select(BrandRow.logo, BrandRow.logo_type, BrandRow.version)
                             .where(BrandRow.id == BRAND_ID)).first()
    if row is None or row.logo is None:
        return None
    return row.logo, row.logo_type, row.version == version


class BrandChange(NamedTuple):
    """What an admin asks for. None means "keep as it is"; colour "" removes the colour."""
    name: str | None = None
    colour: str | None = None
    logo: bytes | None = None
    remove_logo: bool = False


def change_problems(change: BrandChange, current: Brand) -> list[brand_rules.Problem]:
    """Why `change` cannot be made (nothing at all is saved then), in the order of the form's fields."""
    checked = [brand_rules.clean_name(change.name if change.name is not None else current.name),
               brand_rules.check_colour(change.colour) if change.colour is not None else None,
               brand_rules.check_logo(change.logo) if change.logo is not None else None]
    return [outcome for outcome in checked if isinstance(outcome, brand_rules.Problem)]


def set_brand(change: BrandChange, now: datetime) -> list[brand_rules.Problem]:
    """The use case: check the change and store it (one commit), or store nothing and say why."""
    current = read_brand()
    problems = change_problems(change, current)
    if problems:
        return problems
    values = {"name": brand_rules.clean_name(change.name if change.name is not None else current.name),
              "updated_at": now}
    if change.colour is not None:
        values["colour"] = brand_rules.check_colour(change.colour)
    if change.logo is not None:
        values.update(logo=change.logo, logo_type=brand_rules.check_logo(change.logo))
    elif change.remove_logo:
        values.update(logo=None, logo_type=None)
    # The row is made once; every change then raises its version in SQL, so two admins saving at the same
    # moment end with two versions, never one (each page kept under the first is replaced).
    if not insert_ignoring_conflicts(BrandRow, {"id": BRAND_ID, "version": 1, **values}, ["id"]):
        db.session.execute(update(BrandRow).where(BrandRow.id == BRAND_ID)
                           .values(version=BrandRow.version + 1, **values))
    db.session.commit()
    forget_brand()
    return []


def problem_message(problem: brand_rules.Problem, locale: str = "en") -> str:
    """A problem as the admin reads it (in the current language)."""
    messages = {
        ("name", "missing"): lambda: _("Enter the organisation's name: customers see it on every survey and email."),
        ("name", "too_long"): lambda: _("The organisation's name can be at most %(max)s characters long.",
                                        max=localized_digits(brand_rules.NAME_MAX, locale)),
        ("name", "control"): lambda: _("The organisation's name cannot contain control characters."),
        ("colour", "format"): lambda: _("Enter the colour as a hex code, e.g. #0a5c36."),
        ("colour", "contrast"): lambda: _(
            "White text on this colour has a contrast of only %(ratio)s:1; at least 4.5:1 is needed to be readable "
            "(WCAG AA). Choose a darker colour.",
            ratio=localized_digits(f"{int(problem.ratio * 100) / 100:.2f}", locale)),
        ("logo", "empty"): lambda: _("The logo file is empty."),
        ("logo", "too_big"): lambda: _("The logo can be at most %(size)s KB.",
                                       size=localized_digits(brand_rules.LOGO_MAX_BYTES // 1024, locale)),
        ("logo", "type"): lambda: _("The logo must be a PNG, JPEG or WebP image (SVG is not accepted)."),
    }
    return messages[(problem.field, problem.key)]()
