"""Long lists a page at a time, and counts that stop counting.

Keyset pages: a page starts after (or ends before) a row, on an order an index serves, so the last page of a
million rows costs what the first does and no page counts the table. The row is named in the link by an
opaque token; a token this code did not write (forged, garbled, another list's) is a ValueError, which the
views answer 404. Capped counts: a figure shown exactly while it is small and as "more than N" past that,
read from at most N + 1 index entries.
"""
from __future__ import annotations

import base64
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ScalarSelect, Select, func, select

from feedback_app.core.extensions import db
from feedback_app.core.numbers import ID_MAX, whole_number

# ---------------------------------------------------------------- tokens

def _encode(parts: tuple[str, ...]) -> str:
    return base64.urlsafe_b64encode("|".join(parts).encode()).decode().rstrip("=")


def _decode(token: str) -> list[str]:
    try:
        return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode().split("|")
    except (ValueError, UnicodeDecodeError, TypeError):
        raise ValueError("not a position in this list") from None


def position_token(*leading: str, moment: datetime, row: int) -> str:
    """A row's place in a list ordered by (…, answered_at, id), as an opaque token for a link."""
    return _encode((*leading, moment.isoformat(), str(row)))


def read_position(token: str, leading: int = 0) -> tuple[list[str], datetime, int]:
    """What position_token wrote; ValueError for anything else (a naive UTC time, an id a row can have)."""
    try:
        *first, moment, row = _decode(token)
        position = first, datetime.fromisoformat(moment), int(row)
    except (ValueError, TypeError):
        raise ValueError("not a position in this list") from None
    if len(first) != leading or not 0 < position[2] < 2**31 or position[1].tzinfo is not None:
        raise ValueError("not a position in this list")
    return position


def row_token(list_name: str, row: int) -> str:
    """A row's place in a list ordered by id alone: the list's name (so another list's token is refused) and the id."""
    return _encode((list_name, str(row)))


def read_row_token(token: str | None, list_name: str) -> int | None:
    """The id row_token wrote for this list; None for no token; ValueError for anything else."""
    if not token:
        return None
    parts = _decode(token)
    row = whole_number(parts[1], 1, ID_MAX) if len(parts) == 2 and parts[0] == list_name else None
    if row is None:
        raise ValueError("not a position in this list")
    return row


def ranked_token(list_name: str, rank: float, row: int) -> str:
    """A row's place in a list ordered by a number and then the id (the Save list: value, then id)."""
    return _encode((list_name, repr(float(rank)), str(row)))


def read_ranked_token(token: str | None, list_name: str) -> tuple[float, int] | None:
    """What ranked_token wrote for this list; None for no token; ValueError for anything else."""
    if not token:
        return None
    parts = _decode(token)
    try:
        rank = float(parts[1]) if len(parts) == 3 and parts[0] == list_name else None
    except ValueError:
        rank = None
    row = whole_number(parts[2], 1, ID_MAX) if rank is not None and math.isfinite(rank) else None
    if row is None:
        raise ValueError("not a position in this list")
    return rank, row


def requested_rows(args, list_name: str) -> tuple[int | None, int | None]:
    """The rows a request's `after` and `before` name in this list; ValueError for a token of no list of ours."""
    return read_row_token(args.get("after"), list_name), read_row_token(args.get("before"), list_name)


# ---------------------------------------------------------------- a page of a list ordered by id

@dataclass(frozen=True)
class Page:
    items: list
    next: str | None      # the next page starts after the row this token names
    previous: str | None  # the page before ends before the row this token names
    partial: bool = False  # the search stopped before a full page (scanned_by_id): go on from next or previous


def by_id(query: Select, list_name: str, after: int | None = None, before: int | None = None, *, size: int,
          newest_first: bool) -> Page:
    """`size` entities of `query` (a select of one model) in order of their id, after row `after` or before row
    `before`: one statement reading one range of the primary key, or of an index ending in the id."""
    entity = query.column_descriptions[0]["entity"]
    ids = entity.id

    def token(item: Any) -> str:
        return row_token(list_name, item.id)

    def later(row: int):
        return ids < row if newest_first else ids > row

    def earlier(row: int):
        return ids > row if newest_first else ids < row

    forward, backward = (ids.desc(), ids.asc()) if newest_first else (ids.asc(), ids.desc())
    if before is not None:  # the page before: read backwards from its end, then turn it round
        rows = db.session.scalars(query.where(earlier(before)).order_by(backward).limit(size + 1)).all()
        items = list(reversed(rows[:size]))
        return Page(items, token(items[-1]) if items else None,
                    token(items[0]) if len(rows) > size and items else None)
    if after is not None:
        query = query.where(later(after))
    rows = db.session.scalars(query.order_by(forward).limit(size + 1)).all()
    items = rows[:size]
    return Page(items, token(items[-1]) if len(rows) > size else None,
                token(items[0]) if after is not None and items else None)


def scanned_by_id(entity, condition, list_name: str, after: int | None = None, before: int | None = None, *,
                  size: int, scan: int) -> Page:
    """Like by_id, oldest first, for a condition no index holds (a segment): a page reads on by id until it has
    `size` rows that meet `condition`, but through `scan` rows at most, then stops with a shorter (maybe empty)
    page, `partial`, whose link in the direction read goes on after the last row read. At most three statements,
    each reading at most `scan` entries of the primary key, however few rows meet the condition."""
    ids = entity.id
    backwards = before is not None
    window = select(ids)
    if backwards:
        window = window.where(ids < before).order_by(ids.desc())
    else:
        window = (window.where(ids > after) if after is not None else window).order_by(ids.asc())
    scanned = window.limit(scan).subquery()
    rows = db.session.scalars(select(entity).where(ids.in_(select(scanned.c.id)), condition)
                              .order_by(ids.desc() if backwards else ids.asc()).limit(size + 1)).all()
    items = rows[:size]  # nearest first
    edge = None  # the last row read, when the scan stopped before a full page was found
    if len(rows) <= size:
        edge = db.session.scalar(window.offset(scan - 1).limit(1))
    further = (row_token(list_name, items[-1].id) if len(rows) > size
               else row_token(list_name, edge) if edge is not None else None)
    partial = len(items) < size and edge is not None
    if backwards:
        items = list(reversed(items))
        # Back towards the page we came from: from its first row on (an empty page here still links to it).
        return Page(items, row_token(list_name, items[-1].id if items else before - 1), further, partial)
    back = (row_token(list_name, items[0].id if items else after + 1)) if after is not None else None
    return Page(items, further, back, partial)


# ---------------------------------------------------------------- counts that stop

def capped_count(query: Select, cap: int) -> ScalarSelect:
    """How many rows `query` selects, but no more than cap + 1 (read as "more than cap"): a scalar subquery, so
    several such counts go in one statement. Give it a query an index answers in order, without a sort."""
    return select(func.count()).select_from(query.limit(cap + 1).subquery()).scalar_subquery()
