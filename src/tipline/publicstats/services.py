"""Writes of the public statistics: compute a release (protected), and move it through its states.

A release is computed by a supervisor (`tipline stats publish`), stored as a draft with only its
protected figures, and published when a supervisor approves it (`tipline stats approve`).
"""

from __future__ import annotations

from dataclasses import asdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from tipline.accounts.choices import NATIONAL_ROLES
from tipline.accounts.models import User
from tipline.audit.services import audit_record
from tipline.common.time import utcnow
from tipline.publicstats.choices import ALLOWED_TRANSITIONS, TABLES, ReleaseStatus
from tipline.publicstats.models import StatsRelease
from tipline.publicstats.selectors import raw_counts
from tipline.publicstats.suppression import K, protect_table


def _supervisor(actor: User) -> None:
    if not actor.is_active or actor.role not in NATIONAL_ROLES:
        raise PermissionDenied("Only a supervisor or an administrator computes or approves.")


def release_compute(*, actor: User, k: int = K) -> StatsRelease:
    """Count, protect every table (k of at least 11) and store a draft release, audited."""
    _supervisor(actor)
    if k < K:
        raise ValidationError(f"k must be at least {K}.")
    now = utcnow()
    counts = raw_counts(until=now)
    tables = {}
    for table_id in TABLES:
        table = protect_table(counts.get(table_id, {}), k)
        tables[table_id] = {
            "rows": [asdict(row) for row in table.rows],
            "suppressed_years": list(table.suppressed_years),
        }
    with transaction.atomic():
        release = StatsRelease.objects.create(
            k=k, data_until=now, tables=tables, computed_at=now, computed_by=actor
        )
        audit_record(
            actor=actor,
            action="stats.release_computed",
            object_type="stats_release",
            object_id=release.pk,
            after={"k": k, "tables": sorted(tables)},
        )
    return release


def release_transition(*, release: StatsRelease, to_status: str, actor: User) -> StatsRelease:
    """Move a release along `ALLOWED_TRANSITIONS` (approve, withdraw), audited."""
    _supervisor(actor)
    with transaction.atomic():
        locked = StatsRelease.objects.select_for_update().get(pk=release.pk)
        if to_status not in ALLOWED_TRANSITIONS[locked.status]:
            raise ValidationError(f"A release cannot go from {locked.status} to {to_status}.")
        before = locked.status
        locked.status = to_status
        fields = ["status"]
        if to_status == ReleaseStatus.APPROVED:
            locked.approved_at, locked.approved_by = utcnow(), actor
            fields += ["approved_at", "approved_by"]
        locked.save(update_fields=fields)
        audit_record(
            actor=actor,
            action="stats.release_transition",
            object_type="stats_release",
            object_id=locked.pk,
            before={"status": before},
            after={"status": to_status},
        )
    return locked
