"""Values every template may use."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def platform(request: HttpRequest) -> dict[str, Any]:
    """The hotline, demo flag and languages."""
    return {
        "HOTLINE": settings.HOTLINE,
        "DEMO_MODE": settings.DEMO_MODE,
        "PUBLIC_LANGUAGES": settings.LANGUAGES,
    }
