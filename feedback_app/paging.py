"""Long lists a page at a time.

Keyset pages: a page starts after (or ends before) a row, on an order an index serves, so the last page of a
million rows costs what the first does and no page counts the table. The row is named in the link by an
opaque token; a token this code did not write (forged, garbled, another list's) is a ValueError, which the
views answer 404.
"""
from __future__ import annotations

import base64
from datetime import datetime


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
