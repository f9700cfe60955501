"""Normalised identifiers, where they occur, and the clusters of reports they link.

Identifier values identify people (a victim's phone, a reporter's email), so the table never holds
them in clear: `value_hash` is a keyed hash used for exact look-ups and linking, and `display`
is the normalised value encrypted for the console.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from tipline.common.fields import EncryptedTextField


class Identifier(models.Model):
    """One normalised identifier (a phone, email, account, wallet, bank account, URL or IP)."""

    kind = models.CharField(max_length=16)
    value_hash = models.CharField(max_length=64)
    display = EncryptedTextField()
    strong = models.BooleanField()
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "value_hash"],
                name="one_row_per_identifier",
                violation_error_message="This identifier is already recorded.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value_hash[:10]}"


class ReportIdentifier(models.Model):
    """An identifier found in a report: in which part, as written, with its details."""

    report = models.ForeignKey(
        "reports.Report", on_delete=models.CASCADE, related_name="identifier_links"
    )
    identifier = models.ForeignKey(
        Identifier, on_delete=models.CASCADE, related_name="report_links"
    )
    source = models.CharField(max_length=40, help_text="Where it was found, e.g. victim.phones.")
    as_written = EncryptedTextField(blank=True, default="")
    details: models.JSONField[Any, Any] = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["report", "identifier"],
                name="identifier_once_per_report",
                violation_error_message="This identifier is already linked to the report.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.report_id}:{self.identifier_id}"


class IpObservation(models.Model):
    """An IP address seen at a time and port. Only IP + port + time (±2 min) identifies someone."""

    report = models.ForeignKey(
        "reports.Report", on_delete=models.CASCADE, related_name="ip_observations"
    )
    ip = models.GenericIPAddressField()
    port = models.PositiveIntegerField(null=True, blank=True)
    observed_at = models.DateTimeField(null=True, blank=True)
    event = models.CharField(max_length=40, blank=True)
    private = models.BooleanField(default=False)

    class Meta:
        # Rows are replaced per report on every extraction, so no uniqueness is needed here.
        indexes = [models.Index(fields=["ip", "port", "observed_at"])]

    def __str__(self) -> str:
        return f"{self.ip}:{self.port}@{self.observed_at}"


class Cluster(models.Model):
    """Reports linked by shared strong identifiers. Reports point at it by `Report.cluster_id`."""

    created_at = models.DateTimeField()
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    size = models.PositiveIntegerField(default=1)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"cluster {self.pk} ({self.size})"


class ClusterMerge(models.Model):
    """One union: a report joined a cluster, or two clusters became one, and why."""

    into = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="merges")
    absorbed = models.ForeignKey(
        Cluster, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    report = models.ForeignKey("reports.Report", on_delete=models.CASCADE, related_name="+")
    via = models.CharField(max_length=200, help_text="The shared identifier kinds, in words.")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.absorbed_id}->{self.into_id} via {self.via}"
