"""Whole numbers from query strings, forms and CSV cells, read strictly: the one parser for them all.

PURE: standard library only, so pure modules (answers, metrics) use it as well as views and forms.

Python's own checks are too generous for input from strangers: "²".isdigit() and "١٢".isdigit() are
True, int("²") raises, int() refuses more than 4,300 digits with an error, and a number the database's
BIGINT cannot hold fails only when the query runs (PostgreSQL) or is bound (SQLite). Here, anything
but 1–19 ASCII digits is simply not a number, and nothing above BIGINT_MAX is one either.
"""
from __future__ import annotations

BIGINT_MAX = 2**63 - 1  # the largest id or number either database stores in an integer column
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
