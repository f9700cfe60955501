"""Authenticating API clients."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from tipline.accounts.models import ApiClient, User
from tipline.accounts.services import api_key_hash


def api_client_from_request(request: HttpRequest) -> ApiClient | None:
    """The active client named by `Authorization: Bearer <key>`, or None."""
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        return None
    return ApiClient.objects.filter(key_hash=api_key_hash(key.strip()), is_active=True).first()


def acting_user(request: HttpRequest) -> User:
    """The logged-in staff member behind an admin or console request (views that only staff
    reach); anyone else is refused, never recorded as "system"."""
    if not isinstance(request.user, User) or not request.user.is_active:
        raise PermissionDenied("Staff only.")
    return request.user
