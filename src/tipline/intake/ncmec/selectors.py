"""Reads of the NCMEC import, and its one access rule: the national desk only (national users,
and members of the national desk command, who are administrators, supervisors or partner liaison
officers). Anyone else gets 404, as for a page that does not exist."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from tipline.accounts.choices import Role
from tipline.accounts.models import User
from tipline.accounts.types import Viewer
from tipline.reports.choices import Channel
from tipline.reports.models import Report
from tipline.reports.selectors import reports_visible_to
from tipline.triage.routing import NATIONAL_DESK

IMPORT_ROLES = frozenset({Role.ADMINISTRATOR, Role.SUPERVISOR, Role.PARTNER_LIAISON})


def ncmec_check_user(*, user: Viewer) -> User:
    """The user, if they work the national desk; else 404."""
    if not isinstance(user, User) or not user.is_active or user.role not in IMPORT_ROLES:
        raise Http404("No such page.")
    if not user.is_national and not user.commands.filter(code=NATIONAL_DESK).exists():
        raise Http404("No such page.")
    return user


def ncmec_referrals_for(*, user: Viewer, limit: int = 50) -> QuerySet[Report]:
    """The NCMEC referrals the user may see, newest first, with their commands and states."""
    return (
        reports_visible_to(user)
        .filter(
            channel=Channel.NCMEC_REFERRAL,
            api_client__isnull=True,
            external_id__startswith="NCMEC-",
        )
        .select_related("routed_command", "state")
        .order_by("-received_at", "-pk")[:limit]
    )
