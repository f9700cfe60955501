"""Values every template may use."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from tipline.triage.selectors import unread_notification_count


def platform(request: HttpRequest) -> dict[str, Any]:
    """The hotline, demo flag and languages."""
    return {
        "HOTLINE": settings.HOTLINE,
        "DEMO_MODE": settings.DEMO_MODE,
        "PUBLIC_LANGUAGES": settings.LANGUAGES,
    }


def notifications(request: HttpRequest) -> dict[str, Any]:
    """The unread count for the header's badge; counted only on pages that show the badge."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not getattr(user, "role", ""):
        return {}
    return {"UNREAD_NOTIFICATIONS": SimpleLazyObject(lambda: unread_notification_count(user=user))}
