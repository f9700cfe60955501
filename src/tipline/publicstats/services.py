"""Writes of the public statistics: compute a release (protected), and move it through its states.

A release is computed by a supervisor (`tipline stats publish`), stored as a draft with only its
protected figures, and published when a supervisor approves it (`tipline stats approve`).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from tipline.accounts.choices import NATIONAL_ROLES
from tipline.accounts.models import User
from tipline.audit.services import audit_record
from tipline.common.time import utcnow
from tipline.publicstats.choices import ALLOWED_TRANSITIONS, TABLES, UNITS, ReleaseStatus
from tipline.publicstats.differencing import hold_leaky_years, unit_year_leaks
from tipline.publicstats.models import StatsRelease
from tipline.publicstats.selectors import raw_counts, releases_published_ever
from tipline.publicstats.suppression import K, protect_table


def _supervisor(actor: User) -> None:
    if not actor.is_active or actor.role not in NATIONAL_ROLES:
        raise PermissionDenied("Only a supervisor or an administrator computes or approves.")


def _protected_tables(until: datetime, k: int) -> dict[str, dict[str, Any]]:
    counts = raw_counts(until=until)
    tables = {}
    for table_id in TABLES:
        table = protect_table(counts.get(table_id, {}), k)
        tables[table_id] = {
            "rows": [asdict(row) for row in table.rows],
            "suppressed_years": list(table.suppressed_years),
        }
    return tables


def release_compute(*, actor: User, k: int = K) -> StatsRelease:
    """Count, protect every table (k of at least 11), keep every year that comparing with an
    earlier published release would reveal a change under k at its earlier figures (or hold it
    back), and store a draft release with what the check did, audited."""
    _supervisor(actor)
    if k < K:
        raise ValidationError(f"k must be at least {K}.")
    now = utcnow()
    tables = _protected_tables(now, k)
    with transaction.atomic():
        published = releases_published_ever()
        held = hold_leaky_years(tables, UNITS, published, k)
        differencing = {"compared_with": [r.pk for r in published], "held": held}
        release = StatsRelease.objects.create(
            k=k,
            data_until=now,
            tables=tables,
            differencing=differencing,
            computed_at=now,
            computed_by=actor,
        )
        audit_record(
            actor=actor,
            action="stats.release_computed",
            object_type="stats_release",
            object_id=release.pk,
            after={"k": k, "tables": sorted(tables), "held": [h["year"] for h in held]},
        )
    return release


def release_differencing_leaks(release: StatsRelease) -> list[str]:
    """What comparing `release` with every other release ever published would reveal under its
    k (empty when nothing): the check approval runs, since releases may be published since."""
    published = [r for r in releases_published_ever() if r.pk != release.pk]
    leaks = []
    for table_ids in UNITS.values():
        years = {row["year"] for t in table_ids for row in release.tables[t]["rows"]}
        for year in sorted(years):
            leaks += unit_year_leaks(release.tables, table_ids, year, published, release.k)
    return leaks


def release_transition(
    *, release: StatsRelease, to_status: str, actor: User, reason: str = ""
) -> StatsRelease:
    """Move a release along `ALLOWED_TRANSITIONS` (approve, withdraw or reject), audited with the
    supervisor's reason when one is given."""
    _supervisor(actor)
    with transaction.atomic():
        locked = StatsRelease.objects.select_for_update().get(pk=release.pk)
        if to_status not in ALLOWED_TRANSITIONS[locked.status]:
            raise ValidationError(f"A release cannot go from {locked.status} to {to_status}.")
        if to_status == ReleaseStatus.APPROVED and (leaks := release_differencing_leaks(locked)):
            raise ValidationError(
                "Publishing this release would reveal counts under "
                f"{locked.k} to anyone comparing it with an earlier one: " + "; ".join(leaks)
            )
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
            after={"status": to_status, "reason": reason} if reason else {"status": to_status},
        )
    return locked
