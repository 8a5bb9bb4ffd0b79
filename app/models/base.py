"""Column helpers shared by the tables."""

from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)
