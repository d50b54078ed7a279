"""The one place that reads the clock. Times are stored as naive UTC on every database."""
from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
