"""The team's names for a survey's mode and touchpoint (a team's own touchpoint is shown as it was named)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

MODE_NAMES = {"relationship": _l("Relationship"), "transactional": _l("Transactional")}
TOUCHPOINT_NAMES = {"first_impression": _l("First impression"), "onboarding": _l("Onboarding"),
                    "first_value": _l("First value"), "support": _l("Support"), "purchase": _l("Purchase"),
                    "renewal": _l("Renewal")}


def touchpoint_name(touchpoint: str | None) -> str:
    if touchpoint is None:
        return "—"
    return str(TOUCHPOINT_NAMES.get(touchpoint, touchpoint.replace("_", " ")))
