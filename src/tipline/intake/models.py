"""Idempotency records of the JSON API."""

from __future__ import annotations

from typing import Any

from django.db import models

from tipline.common.fields import EncryptedTextField


class IdempotencyRecord(models.Model):
    """The first response to a client's `Idempotency-Key`, replayed for identical retries."""

    api_client = models.ForeignKey("accounts.ApiClient", on_delete=models.CASCADE)
    key = models.CharField(max_length=200)
    request_sha256 = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response: models.JSONField[Any, Any] = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["api_client", "key"],
                name="one_response_per_idempotency_key",
                violation_error_message="This Idempotency-Key was already used.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.api_client_id}:{self.key}"


class IspwsReportState(models.TextChoices):
    OPEN = "open", "Open"
    FINISHED = "finished", "Finished"
    RETRACTED = "retracted", "Retracted"
    EXPIRED = "expired", "Expired"


class IspwsOpenReport(models.Model):
    """A CyberTipline-style report between /submit and /finish. Its pk is the wire `reportId`."""

    api_client = models.ForeignKey("accounts.ApiClient", on_delete=models.CASCADE)
    state = models.CharField(
        max_length=16, choices=IspwsReportState.choices, default=IspwsReportState.OPEN
    )
    report_xml = EncryptedTextField()
    opened_at = models.DateTimeField()
    last_change_at = models.DateTimeField()
    report = models.OneToOneField(
        "reports.Report", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["state", "last_change_at"])]

    def __str__(self) -> str:
        return f"ispws report {self.pk} ({self.state})"


class IspwsFile(models.Model):
    """A file uploaded into an open report, already encrypted in storage."""

    open_report = models.ForeignKey(IspwsOpenReport, on_delete=models.CASCADE, related_name="files")
    file_id = models.CharField(max_length=32, unique=True)
    original_name = EncryptedTextField(blank=True, default="")
    size = models.PositiveBigIntegerField()
    md5 = models.CharField(max_length=32)
    sha1 = models.CharField(max_length=40)
    sha256 = models.CharField(max_length=64)
    sniffed_type = models.CharField(max_length=100, blank=True)
    storage_key = models.CharField(max_length=200)
    details_xml = EncryptedTextField(blank=True, default="")
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["open_report", "id"]

    def __str__(self) -> str:
        return self.file_id


# The phone channels' models live beside their code; Django finds them through this module.
from tipline.intake.channels.models import (  # noqa: E402
    ChannelMedia,
    ChannelSender,
    Conversation,
    FollowUp,
    InboundMessage,
    MediaFetch,
    OutboundMessage,
)

__all__ = [
    "ChannelMedia",
    "ChannelSender",
    "Conversation",
    "FollowUp",
    "IdempotencyRecord",
    "InboundMessage",
    "IspwsFile",
    "IspwsOpenReport",
    "MediaFetch",
    "OutboundMessage",
]
