"""Time helpers: store UTC, show West Africa Time."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

WAT = ZoneInfo("Africa/Lagos")


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(tz=UTC)


def to_utc(value: datetime) -> tuple[datetime, bool]:
    """Return `value` in UTC and whether a zone was given; naive times are taken as WAT."""
    if value.tzinfo is None:
        return value.replace(tzinfo=WAT).astimezone(UTC), False
    return value.astimezone(UTC), True
