"""Whole numbers from query strings and forms, read strictly: the one parser for them all.

PURE: standard library only, so pure modules (answers, metrics) use it as well as views and forms.

Python's own checks are too generous for input from strangers: "²".isdigit() and "١٢".isdigit() are
True, int("²") raises, int() refuses more than 4,300 digits with an error, and a number the database's
column cannot hold fails only when the query runs (PostgreSQL: ids are 32-bit INTEGERs) or is bound
(SQLite: 64 bits). Here, anything but 1–19 ASCII digits is simply not a number, nothing above
BIGINT_MAX is one either, and callers reading an id say `high=ID_MAX`.
"""
from __future__ import annotations

ID_MAX = 2**31 - 1      # the largest id: every id column is an INTEGER, 32 bits on PostgreSQL
BIGINT_MAX = 2**63 - 1  # the largest number either database takes at all (an OFFSET, say)
_MAX_DIGITS = len(str(BIGINT_MAX))


def whole_number(raw: str | None, low: int = 0, high: int = BIGINT_MAX) -> int | None:
    """`raw` (surrounding spaces allowed) as a whole number from low to high, or None if it is not one."""
    if raw is None:
        return None
    raw = raw.strip()
    # Length first: it is what keeps int() from ever seeing thousands of digits.
    if not raw or len(raw) > _MAX_DIGITS or not raw.isascii() or not raw.isdigit():
        return None
    value = int(raw)
    return value if low <= value <= high else None
