"""`{% load wat %}`: times in the console are West Africa Time, with the offset said.

Stored times are UTC (see `common/time.py`); exports and APIs keep UTC. A reader in Lagos
should never have to add an hour in their head, and should see that the hour was added.
"""

from __future__ import annotations

from datetime import datetime

from django import template

from tipline.common.time import WAT

register = template.Library()


def _offset(value: datetime) -> str:
    delta = value.utcoffset()
    hours = int(delta.total_seconds() // 3600) if delta is not None else 0
    return f"UTC{hours:+d}"


@register.filter
def wat(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """`2026-12-06 18:23 WAT (UTC+1)`; empty for no time. `fmt` is strftime's."""
    if not isinstance(value, datetime):
        return ""
    local = value.astimezone(WAT)
    return f"{local.strftime(fmt)} WAT ({_offset(local)})"


@register.filter
def wat_iso(value: datetime | None) -> str:
    """The same instant as ISO 8601 with its offset, for `<time datetime>`."""
    return value.astimezone(WAT).isoformat() if isinstance(value, datetime) else ""


@register.filter
def wat_day(value: datetime | None) -> str:
    """The WAT calendar day, `2026-12-06`, where a whole time would crowd a list."""
    return value.astimezone(WAT).strftime("%Y-%m-%d") if isinstance(value, datetime) else ""
