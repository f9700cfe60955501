"""What the screening stores: each report's findings, and the licensed agencies administrators keep.

Texts screened by the API or the public page are not stored at all.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from tipline.screening.choices import Level


class ReportScreening(models.Model):
    """The trafficking indicators the pipeline found in one report, replaced on every run.

    `findings` is a list of {"indicator", "triggers", "linked_reports"}: the indicator's id (its
    name and explanation come from the data file), the words that triggered it as written, and
    for a linked identifier the ids of the other reports that hold it (shown only to those who
    may see them)."""

    report = models.OneToOneField(
        "reports.Report", on_delete=models.CASCADE, related_name="screening"
    )
    level = models.CharField(max_length=8, choices=Level.choices, db_index=True)
    score = models.PositiveSmallIntegerField(default=0)
    findings: models.JSONField[Any, Any] = models.JSONField(default=list, blank=True)
    screened_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.report_id}: {self.level}"


class LicensedAgency(models.Model):
    """A recruitment or travel agency holding a licence (the list administrators maintain).

    An agency named in an offer and missing here is a warning sign; `key` is the name as the
    screening compares it (lower case, no punctuation, no 'Ltd' or 'Nigeria')."""

    name = models.CharField(max_length=200)
    key = models.CharField(max_length=200, editable=False)
    licence_number = models.CharField(max_length=60, blank=True)
    licensed_by = models.CharField(max_length=200, blank=True, default="Federal Ministry of Labour")
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "licensed agencies"
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                name="one_licensed_agency_per_name",
                violation_error_message="An agency with this name is already on the list.",
            )
        ]

    def __str__(self) -> str:
        return self.name
