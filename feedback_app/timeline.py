"""One customer's history on one line: dated events of several kinds merged, newest first.

PURE: standard library only. The customer page (feedback_app.customer_page) reads each kind of event — their
invitations, answers, channel feedback, contacts, fix news… — as a stream of at most a few rows, newest first;
this module merges them. A stream cut short (its kind has older events than those read) sets a horizon: an
event of another kind older than the cut is left out too, so the timeline never shows a stretch of time
where one kind of event seems to be missing. What is left out is counted per kind, for the page to say.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Sequence


@dataclass(frozen=True)
class Event:
    at: datetime
    kind: str      # what happened: the stream it came from
    id: int        # its row: the order among events of one kind at the same moment
    item: Any = None  # what the page shows of it; never looked at here


@dataclass(frozen=True)
class Stream:
    """One kind's latest events, newest first, in the order (at, id) descending — the order they were read in.
    complete: False when older events of this kind exist that were not read."""
    kind: str
    events: Sequence[Event]
    complete: bool = True


@dataclass(frozen=True)
class Timeline:
    events: list[Event]            # newest first
    since: datetime | None         # None: the whole history; else nothing older than this moment is shown
    shown: dict[str, int]          # events shown, per kind (every kind merged, 0 included)

    def left_out(self, totals: dict[str, int]) -> dict[str, int]:
        """How many events of each kind the timeline does not show, given how many each kind has (the kinds
        with none left out are omitted)."""
        return {kind: total - self.shown.get(kind, 0) for kind, total in totals.items()
                if total > self.shown.get(kind, 0)}


def _order(event: Event, rank: int) -> tuple:
    # Newest first; at the same moment, the stream named first first (the caller orders the streams so that a
    # contact comes above the answer it was about), then the higher id (the later row).
    return (event.at, -rank, event.id)


def merge(streams: Sequence[Stream]) -> Timeline:
    """The streams' events in one list, newest first, down to the horizon of the streams cut short: the
    latest moment at which one of them stops. An unread event at that very moment is counted as left out."""
    cuts = [min(event.at for event in stream.events) for stream in streams if not stream.complete and stream.events]
    since = max(cuts) if cuts else None
    kept = sorted(((_order(event, rank), event) for rank, stream in enumerate(streams) for event in stream.events
                   if since is None or event.at >= since), key=lambda pair: pair[0], reverse=True)
    shown = {stream.kind: 0 for stream in streams}
    for _, event in kept:
        shown[event.kind] = shown.get(event.kind, 0) + 1
    return Timeline([event for _, event in kept], since, shown)
