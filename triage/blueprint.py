"""The one /triage blueprint, defined once so that each page group adds its own routes to it and every
endpoint keeps its name ("triage.index", "triage.types", "triage.follow_ups"…): the list and theme groups
(triage.verbatims.views), custom types and model history (triage.classification.views), follow-ups
(triage.loop.views). The factory imports those modules before registering it."""
from __future__ import annotations

from flask import Blueprint

from feedback_app.accounts.access import require_login_for

triage = Blueprint("triage", __name__, url_prefix="/triage")
require_login_for(triage)
