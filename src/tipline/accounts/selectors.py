"""Reads about users and API clients, including the scope every access check uses."""

from __future__ import annotations

from tipline.accounts.choices import NATIONAL_ROLES
from tipline.accounts.models import ApiClient
from tipline.accounts.types import Viewer


def command_ids_for(user: Viewer) -> set[int] | None:
    """The command ids a user is scoped to, or None for national scope (sees everything)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    if user.is_national and user.role in NATIONAL_ROLES:
        return None
    return set(user.commands.values_list("pk", flat=True))


def api_client_by_key_prefix(prefix: str) -> ApiClient | None:
    """An active API client by its public key prefix."""
    return ApiClient.objects.filter(key_prefix=prefix, is_active=True).first()
