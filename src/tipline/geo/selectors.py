"""Reads of states and commands."""

from __future__ import annotations

from tipline.geo.models import RegionalCommand, State


def state_choices() -> list[tuple[str, str]]:
    """(code, name) for every state, alphabetical."""
    return list(State.objects.order_by("name").values_list("code", "name"))


def state_name(code: str) -> str:
    """A state's name from its code, or '' when unknown."""
    if not code:
        return ""
    return State.objects.filter(code=code).values_list("name", flat=True).first() or ""


def commands_all() -> list[RegionalCommand]:
    """Every command, by name."""
    return list(RegionalCommand.objects.order_by("name"))
