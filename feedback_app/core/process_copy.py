"""A value every web process keeps its own copy of, read again from the database at most every few seconds.

For facts that change rarely and are needed on many requests (which surveys are closed, the team's brand): a
request reads the copy, not the database, and a change made in another process shows within `every` seconds.
The process that makes the change forgets its copy at once (forget_copy), so its own next request reads anew.
"""
from __future__ import annotations

import time
from typing import Callable, TypeVar

from flask import current_app

T = TypeVar("T")


def process_copy(name: str, every: float, read: Callable[[T], T], empty: T) -> T:
    """This process's copy of `name` (kept on the app), read with `read(the copy so far)` when it is older than
    `every` seconds or was never read; `empty` until the first read."""
    kept = current_app.extensions.setdefault(name, {"value": empty, "read_at": None})
    if kept["read_at"] is None or time.monotonic() - kept["read_at"] > every:
        kept["value"] = read(kept["value"])
        kept["read_at"] = time.monotonic()
    return kept["value"]


def forget_copy(name: str) -> None:
    """The next request of this process reads `name` anew."""
    current_app.extensions.pop(name, None)
