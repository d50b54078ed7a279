"""The Save list and the win-back campaigns' pages, on the /retention blueprint."""
from __future__ import annotations

from retention.blueprint import retention  # noqa: F401  (the routes below add to it)
from retention.saving import models  # noqa: F401  (its tables)
