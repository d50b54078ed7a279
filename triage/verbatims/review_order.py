"""The review order's density, measured as verbatims are classified: each one against the verbatims classified just
before it in this process (up to RECENT of them, by the same model) and those of its own batch.

The rule is triage.classification.teaching's; this module keeps what it compares with. Kept in memory, per process
and per model (a new model reads texts differently, so its first batch starts afresh), never stored: only each
record's density and priority are. A process's very first verbatim has nothing to compare with and gets
teaching.NO_DENSITY; after a retrain the sweep re-classifies the backlog in batches of 500, which fill it at once.
"""
from __future__ import annotations

import threading
from collections import deque

from triage.classification import teaching
from triage.classification.services import set_review_priority
from triage.models import TriageItem

RECENT = 2_000  # the comparison costs one sparse product of a batch by this many: milliseconds

_lock = threading.Lock()
_recent: dict = {"version": None, "vectors": deque(maxlen=RECENT)}


def prioritise(items: list[TriageItem], version: int) -> None:
    """Measure the density of records just classified (services.apply_model) and set their review priority, now
    that their rank in their theme group is known too (sweep.assign_groups)."""
    classified = [item for item in items if getattr(item, "teaching_inputs", None) is not None]
    if not classified:
        return
    vectors = [item.teaching_inputs[1] for item in classified]
    with _lock:
        if _recent["version"] != version:
            _recent.update(version=version, vectors=deque(maxlen=RECENT))
        earlier = list(_recent["vectors"])
        _recent["vectors"].extend(vector for vector in vectors if vector)
    for item, density in zip(classified, teaching.densities(vectors, earlier)):
        item.review_density = round(density, 4)
        set_review_priority(item, item.teaching_inputs[0])
        item.teaching_inputs = None
