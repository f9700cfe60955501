"""Authenticating API clients."""

from __future__ import annotations

from django.http import HttpRequest

from tipline.accounts.models import ApiClient
from tipline.accounts.services import api_key_hash


def api_client_from_request(request: HttpRequest) -> ApiClient | None:
    """The active client named by `Authorization: Bearer <key>`, or None."""
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        return None
    return ApiClient.objects.filter(key_hash=api_key_hash(key.strip()), is_active=True).first()
