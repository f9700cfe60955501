"""Periodic work of travel notices (settings.PERIODIC_JOBS): only calls services."""

from __future__ import annotations

from tipline.travellers.places import manifests_purge_due
from tipline.travellers.services import notices_purge_due


def travellers_purge_due() -> int:
    """Purge notices past retention after departure, and expired manifests' unmatched rows."""
    return notices_purge_due() + manifests_purge_due()
