"""The one /retention blueprint, defined once so that each page group adds its own routes to it and every
endpoint keeps its name: the figures and stages (retention.views), the Save list and win-back campaigns
(retention.saving.views), loop and fit (retention.insight.views). The factory imports those modules before
registering it: each is named in feedback_app/factory.py's RETENTION_PAGES."""
from __future__ import annotations

from flask import Blueprint

from feedback_app.accounts.access import require_login_for

retention = Blueprint("retention", __name__, url_prefix="/retention")
require_login_for(retention)
