"""Writes of the dashboards app: only the audit row of an export."""

from __future__ import annotations

from django.db import transaction

from tipline.accounts.types import Viewer
from tipline.audit.models import AuditEvent
from tipline.audit.services import audit_record
from tipline.dashboards.selectors import DashboardFilters


def dashboard_export_record(
    *, user: Viewer, table: str, filters: DashboardFilters, ip: str | None = None
) -> AuditEvent:
    """Audit that `user` downloaded a dashboard table: figures leaving the console are recorded,
    like everything else someone takes away."""
    with transaction.atomic():
        return audit_record(
            actor=user,
            action="dashboard.exported",
            object_type="dashboard",
            object_id=table,
            after={
                "from": filters.start.isoformat(),
                "to": filters.end.isoformat(),
                "type": filters.incident_type,
            },
            ip=ip,
        )
