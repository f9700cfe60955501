"""Releases of the public statistics: computed by a supervisor's command, approved, published."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from tipline.publicstats.choices import ReleaseStatus


class StatsRelease(models.Model):
    """One computation of the published tables, every cell already protected (k = 11).

    `tables` holds, per table id, the published rows ({"year", "cells": {label: count},
    "merged": [labels in "Other"], "total"}) and the years left out. Only protected figures are
    stored: the raw counts are never kept. `differencing` records the check that comparing this
    release with any earlier published one reveals no count under k."""

    status = models.CharField(
        max_length=12, choices=ReleaseStatus.choices, default=ReleaseStatus.DRAFT, db_index=True
    )
    k = models.PositiveSmallIntegerField()
    data_until = models.DateTimeField(help_text="Records received before this time are counted.")
    tables: models.JSONField[Any, Any] = models.JSONField(default=dict)
    differencing: models.JSONField[Any, Any] = models.JSONField(
        default=dict,
        help_text="The check against every release published before: the releases compared and "
        "the years kept at earlier figures or held back, with the reasons (differencing.py).",
    )
    computed_at = models.DateTimeField()
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-computed_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(k__gte=11),
                name="stats_release_k_at_least_11",
                violation_error_message="A release protects every cell with k of at least 11.",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="approved") | models.Q(approved_at__isnull=False),
                name="stats_release_approved_has_time",
                violation_error_message="An approved release has its approval time.",
            ),
        ]

    def __str__(self) -> str:
        return f"release {self.pk} ({self.status})"
