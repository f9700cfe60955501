"""Production must never run with the fixed demo credentials."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError

from tipline.accounts.models import ApiClient, User
from tipline.accounts.services import api_key_hash

DEMO_USERNAMES = ("analyst", "investigator", "supervisor", "admin", "liaison")
DEMO_PASSWORD = "demo-password"  # noqa: S105  # the value we refuse, not one we use
DEMO_API_KEY = "demo-platform-key"
DEMO_ESP_USERNAME = "demo-esp"


def demo_credentials_present() -> list[str]:
    """Which demo credentials exist in the database (empty when none)."""
    found = [
        f"user {u.username!r} has the demo password"
        for u in User.objects.filter(username__in=DEMO_USERNAMES)
        if u.check_password(DEMO_PASSWORD)
    ]
    if ApiClient.objects.filter(key_hash=api_key_hash(DEMO_API_KEY)).exists():
        found.append("an API client has the demo key")
    if ApiClient.objects.filter(ispws_username=DEMO_ESP_USERNAME).exists():
        found.append("the /ispws demo login exists")
    return found


def refuse_demo_credentials() -> None:
    """Raise at start-up outside demo mode if any demo credential is present."""
    if settings.DEMO_MODE or settings.TESTING:
        return
    try:
        found = demo_credentials_present()
    except DatabaseError:
        return  # not migrated yet: nothing to refuse
    if found:
        raise ImproperlyConfigured("Refusing to start outside demo mode: " + "; ".join(found))
