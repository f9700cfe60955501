"""Hash lists, their entries, and the matches found for report files."""

from __future__ import annotations

from typing import Any

from django.db import models

from tipline.media.choices import MatchKind
from tipline.reports.choices import SharingLevel


class HashList(models.Model):
    """A named list of known hashes from a source (NCMEC, Project VIC, a partner, our own)."""

    name = models.CharField(max_length=200, unique=True)
    source = models.CharField(max_length=200)
    category_scheme = models.CharField(max_length=100, blank=True)
    sharing_level = models.CharField(
        max_length=20, choices=SharingLevel.choices, default=SharingLevel.AMBER
    )
    active = models.BooleanField(default=True)
    unidentified_victim = models.BooleanField(
        default=False, help_text="A match to this list means a victim not yet identified (P1)."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class HashListVersion(models.Model):
    """A counter bumped by every hash-list change, so workers know to refresh their index."""

    value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"hash lists v{self.value}"

    @classmethod
    def current(cls) -> int:
        """The counter's value (0 before any change)."""
        return cls.objects.filter(pk=1).values_list("value", flat=True).first() or 0

    @classmethod
    def bump(cls) -> None:
        """Record a change. Call inside the changing transaction."""
        cls.objects.get_or_create(pk=1)
        cls.objects.filter(pk=1).update(value=models.F("value") + 1)


class EntryQuerySet(models.QuerySet["HashListEntry"]):
    def filter_unmatchable(self) -> EntryQuerySet:
        """Entries that must not match: disabled, or in an inactive list."""
        return self.filter(models.Q(enabled=False) | models.Q(hash_list__active=False))


class HashListEntry(models.Model):
    """One known item: any of its hashes, a label and category, and whether it may match."""

    hash_list = models.ForeignKey(HashList, on_delete=models.CASCADE, related_name="entries")
    md5 = models.CharField(max_length=32, blank=True, db_index=True)
    sha1 = models.CharField(max_length=40, blank=True, db_index=True)
    pdq = models.CharField(max_length=64, blank=True)
    label = models.CharField(max_length=200, blank=True)
    category = models.CharField(max_length=50, blank=True)
    victim_identified = models.BooleanField(null=True, blank=True)
    enabled = models.BooleanField(default=True)
    extra: models.JSONField[Any, Any] = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(md5="", sha1="", pdq=""),
                name="entry_has_a_hash",
                violation_error_message="A hash list entry needs at least one hash.",
            ),
            models.UniqueConstraint(
                fields=["hash_list", "md5", "sha1", "pdq"],
                name="entry_once_per_list",
                violation_error_message="This entry is already in the list.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hash_list_id}:{self.md5 or self.sha1 or self.pdq[:16]}"


class FileMatch(models.Model):
    """A report file matched a list entry: how, and how close."""

    file = models.ForeignKey("reports.ReportFile", on_delete=models.CASCADE, related_name="matches")
    entry = models.ForeignKey(HashListEntry, on_delete=models.CASCADE, related_name="matches")
    hash_list = models.ForeignKey(HashList, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=MatchKind.choices)
    distance = models.PositiveSmallIntegerField(default=0)
    label = models.CharField(max_length=200, blank=True)
    matched_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["file", "entry", "kind"],
                name="match_once_per_file_entry_kind",
                violation_error_message="This match is already recorded.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.file_id}~{self.entry_id} ({self.kind} d={self.distance})"


class FileOpening(models.Model):
    """The legal basis an analyst recorded for opening a file the reporting company did not
    view (`ReportFile.viewed_by_platform` False): until one exists the file is held back, never
    shown even blurred (a search the company did not make needs its own legal basis)."""

    file = models.ForeignKey("reports.ReportFile", on_delete=models.CASCADE, related_name="+")
    legal_basis = models.TextField()
    opened_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.file_id} opened {self.opened_at:%Y-%m-%d %H:%M}"


class StoreSwitch(models.Model):
    """A cut-over of the media store recorded by `tipline storage migrate` once every blob of
    `source` was copied to `target` and verified: a process configured with `source` uses
    `target` from then on (`tipline.media.storage.active_store_url`). Append-only; store URLs
    name a bucket and prefix or a directory, never a credential."""

    source = models.CharField(max_length=500)
    target = models.CharField(max_length=500)
    blobs = models.PositiveBigIntegerField(help_text="Blobs copied and verified before it.")
    switched_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.source} -> {self.target}"
