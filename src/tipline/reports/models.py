"""The report and its parts: people, internet details, files, addenda.

One model for every channel. Details that identify a person are encrypted at field level; what the
pipeline needs to search on is indexed separately, normalised, by the identifiers app.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from tipline.common.counters import YearlyCounter
from tipline.common.fields import EncryptedJSONField, EncryptedTextField
from tipline.reports.choices import (
    Annotation,
    Channel,
    CloseReason,
    FileClassification,
    IncidentType,
    InternetDetailKind,
    Language,
    PersonRole,
    Priority,
    ReportStatus,
    SharingLevel,
)

_ = Annotation  # annotations are stored as a JSON list of Annotation values


class ReferenceCounter(YearlyCounter):
    """Per-year counter behind public references (`TL-2026-000123`)."""


class Report(models.Model):
    """A report of suspected exploitation or trafficking, from any channel."""

    reference = models.CharField(max_length=20, unique=True)
    receipt_hash = models.CharField(max_length=64, db_index=True)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    api_client = models.ForeignKey(
        "accounts.ApiClient",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
    )
    external_id = models.CharField(max_length=200, blank=True, default="")
    language = models.CharField(max_length=8, choices=Language.choices, default=Language.EN)
    received_at = models.DateTimeField(db_index=True)
    status = models.CharField(
        max_length=20, choices=ReportStatus.choices, default=ReportStatus.RECEIVED, db_index=True
    )
    closed_reason = models.CharField(max_length=32, choices=CloseReason.choices, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_reports",
    )

    incident_type = models.CharField(max_length=40, choices=IncidentType.choices)
    annotations: models.JSONField[Any, Any] = models.JSONField(default=list, blank=True)
    incident_time = models.DateTimeField(null=True, blank=True)
    incident_time_zone_given = models.BooleanField(default=False)
    incident_time_text = models.CharField(max_length=500, blank=True)
    # The time the pipeline read from the reporter's words (the words stay as written), and how
    # it read them, for an analyst to check: used for recency when no exact time was given.
    incident_time_read = models.DateTimeField(null=True, blank=True)
    incident_time_reading = models.CharField(max_length=500, blank=True)
    description = models.TextField(blank=True)
    location_text = models.CharField(max_length=500, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    platform = models.CharField(max_length=256, blank=True)
    escalation_note = models.TextField(blank=True)
    reporter_anonymous = models.BooleanField(default=True)

    # Enrichment, set by the pipeline.
    priority = models.CharField(max_length=2, choices=Priority.choices, blank=True, db_index=True)
    priority_reasons: models.JSONField[Any, Any] = models.JSONField(default=list, blank=True)
    # What the rules last said, and who set the priority by hand if a person did: a rerun (an
    # addendum) keeps the person's priority unless the rules now find the report more urgent
    # than they did when the person decided (see prioritise_step).
    priority_by_rules = models.CharField(max_length=2, choices=Priority.choices, blank=True)
    priority_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.ForeignKey(
        "geo.State", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    country = models.CharField(max_length=2, blank=True)
    location_source = models.CharField(max_length=32, blank=True)
    location_confidence = models.FloatField(null=True, blank=True)
    location_lga = models.CharField(max_length=80, blank=True)
    location_detail = models.CharField(max_length=500, blank=True)
    routed_command = models.ForeignKey(
        "geo.RegionalCommand",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    cluster_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    sharing_level = models.CharField(
        max_length=20, choices=SharingLevel.choices, default=SharingLevel.AMBER
    )

    # The pipeline's queue is this table: a report before triage whose lease has lapsed is due.
    # The lease keeps other workers off while one runs it, and holds back a failed report until
    # its retry; the flag is raised when a step has used up its retries and a person must look.
    pipeline_lease_until = models.DateTimeField(null=True, blank=True)
    pipeline_lease_owner = models.CharField(max_length=64, blank=True)
    needs_attention = models.BooleanField(default=False, db_index=True)
    # Set by an addendum or added files: the pipeline runs the report's extract, media, link,
    # index and prioritise steps again, whatever its status (claimed from this table like the
    # rest of the pipeline's work).
    pipeline_rerun_at = models.DateTimeField(null=True, blank=True)
    # When a person first took a decision on it (assign, refer, close): time to triage, cheaply.
    triaged_at = models.DateTimeField(null=True, blank=True)

    raw_record = EncryptedTextField(blank=True, default="")
    raw_content_type = models.CharField(max_length=100, blank=True)
    extra = EncryptedJSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["routed_command", "status", "priority", "received_at"]),
            models.Index(fields=["api_client", "external_id"]),
            # "Newest first within my command": search and the report list.
            models.Index(fields=["routed_command", "-received_at"], name="report_command_newest"),
            # The pipeline's queue, oldest first: workers claim batches from its head (pipeline).
            models.Index(
                fields=["id"],
                condition=models.Q(status__in=["received", "processing"], needs_attention=False),
                name="report_pipeline_due",
            ),
            # Reports with an addendum the pipeline has not yet taken in: usually none.
            models.Index(
                fields=["id"],
                condition=models.Q(pipeline_rerun_at__isnull=False, needs_attention=False),
                name="report_pipeline_rerun",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="closed") | ~models.Q(closed_reason=""),
                name="closed_report_has_reason",
                violation_error_message="A closed report must carry a reason.",
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True)
                | models.Q(latitude__gte=-90, latitude__lte=90),
                name="report_latitude_in_range",
                violation_error_message="Latitude must be between -90 and 90.",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class Person(models.Model):
    """Someone in a report, by role. Everything that identifies them is encrypted."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="people")
    role = models.CharField(max_length=24, choices=PersonRole.choices)
    position = models.PositiveSmallIntegerField(default=0)
    first_name = EncryptedTextField(blank=True, default="")
    last_name = EncryptedTextField(blank=True, default="")
    date_of_birth = EncryptedTextField(blank=True, default="")
    age = models.PositiveSmallIntegerField(null=True, blank=True)
    # Contacts, accounts (screen names, profile URLs, platform ids), IP capture events, device ids
    # and any other detail, exactly as the draft's PersonDraft carries them.
    details = EncryptedJSONField(null=True, blank=True)

    class Meta:
        ordering = ["report_id", "position"]  # the column: "report" would join for its ordering

    def __str__(self) -> str:
        return f"{self.get_role_display()} #{self.position} of {self.report_id}"


class InternetDetail(models.Model):
    """Where online the incident happened (web page, chat, email, phone, P2P...)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="internet_details")
    kind = models.CharField(max_length=20, choices=InternetDetailKind.choices)
    position = models.PositiveSmallIntegerField(default=0)
    data = EncryptedJSONField(null=True, blank=True)

    class Meta:
        ordering = ["report_id", "position"]  # the column: "report" would join for its ordering

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.report_id}"


class ReportFile(models.Model):
    """A file of a report: its content (encrypted) or only its hashes."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="files")
    file_id = models.CharField(max_length=32, unique=True)
    position = models.PositiveSmallIntegerField(default=0)
    original_name = EncryptedTextField(blank=True, default="")
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sniffed_type = models.CharField(max_length=100, blank=True)
    md5 = models.CharField(max_length=32, blank=True, db_index=True)
    sha1 = models.CharField(max_length=40, blank=True, db_index=True)
    sha256 = models.CharField(max_length=64, blank=True)
    pdq = models.CharField(max_length=64, blank=True)
    pdq_quality = models.PositiveSmallIntegerField(null=True, blank=True)
    viewed_by_platform = models.BooleanField(null=True, blank=True)
    publicly_available = models.BooleanField(null=True, blank=True)
    classification = models.CharField(max_length=2, choices=FileClassification.choices, blank=True)
    annotations: models.JSONField[Any, Any] = models.JSONField(default=list, blank=True)
    details = EncryptedJSONField(null=True, blank=True)
    storage_key = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["report_id", "position"]  # the column: "report" would join for its ordering

    def __str__(self) -> str:
        return self.file_id

    @property
    def is_hash_only(self) -> bool:
        """True when the platform holds only hashes, no content."""
        return not self.storage_key


class Addendum(models.Model):
    """Information added after submission (by the reporter with the receipt code, or by staff)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="addenda")
    body = EncryptedTextField()
    channel = models.CharField(max_length=16, choices=Channel.choices)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["report_id", "created_at"]  # the column: "report" would join for its ordering

    def __str__(self) -> str:
        return f"addendum to {self.report_id} at {self.created_at:%Y-%m-%d %H:%M}"
