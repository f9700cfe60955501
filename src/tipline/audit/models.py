"""Append-only, hash-chained audit events.

Each event's hash covers its own content and the previous event's hash, so editing, inserting
or deleting any row breaks the chain from that point on. Database triggers also refuse changes
(see the migration for what each database refuses).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from tipline.common.fields import EncryptedTextField


class AuditEvent(models.Model):
    """One audited action: who did what to which object, with before and after."""

    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=80, db_index=True)
    before: models.JSONField[Any, Any] = models.JSONField(null=True, blank=True)
    after: models.JSONField[Any, Any] = models.JSONField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id", "seq"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RuntimeError("Audit events are append-only.")


class AuditChainHead(models.Model):
    """A single row locked by every writer so events get gap-free sequence numbers in order."""

    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"audit head #{self.last_seq}"


class LookupKind(models.TextChoices):
    SEARCH = "search", "Search"
    REPORT_VIEW = "report_view", "Report viewed"
    GRAPH_EXPAND = "graph_expand", "Identifier expanded in the graph"
    MEDIA_REVEAL = "media_reveal", "Image revealed"
    MEDIA_VIEW = "media_view", "Image viewed in full"
    EXPORT = "export", "Export"
    AUDIT_SEARCH = "audit_search", "Look-ups searched by identifier"
    AUDIT_EXPORT = "audit_export", "Look-ups exported"


class LookupEvent(models.Model):
    """One look-up: who searched, opened, revealed or exported what, when, and how much came back.

    Look-ups live beside the hash chain, not in it. They are far more frequent than changes (every
    search, every report opened, every image loaded), and each chained event locks the chain's
    head until its transaction commits, so chaining them would queue every search in the console
    behind every other. Here rows are only appended: one INSERT per request for all its look-ups
    (see `LookupMiddleware`), with no lock shared between requests. The database refuses UPDATE
    and DELETE as it does for audit events (migration 0004); revoke TRUNCATE on this table too.

    What was asked is never kept in a searchable column: `query` is encrypted, and an identifier
    is kept as the identifiers app's keyed hash of its normalised form, so a supervisor finds every
    look-up of a phone by typing it in any format, and the table alone reveals no number.
    """

    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=LookupKind.choices)
    # A report reference, a file id or an export's name; empty when the look-up named no object.
    object_ref = models.CharField(max_length=80, blank=True, default="")
    identifier_hash = models.CharField(max_length=64, blank=True, default="")
    query = EncryptedTextField(blank=True, default="")
    result_count = models.PositiveIntegerField(null=True, blank=True)
    # True when there were more results than `result_count` (a capped or uncounted total).
    result_more = models.BooleanField(default=False)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["at", "id"], name="lookup_at"),
            models.Index(fields=["actor", "at"], name="lookup_actor_at"),
            models.Index(fields=["identifier_hash", "at"], name="lookup_identifier_at"),
            models.Index(fields=["object_ref", "at"], name="lookup_object_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.kind} {self.object_ref}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("Look-up events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RuntimeError("Look-up events are append-only.")
