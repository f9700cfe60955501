"""The recorded outcome of each pipeline step for each report."""

from __future__ import annotations

from django.db import models

from tipline.pipeline.choices import Step, StepStatus


class StepRun(models.Model):
    """One step of one report: status, attempts, duration and the last error."""

    report = models.ForeignKey("reports.Report", on_delete=models.CASCADE, related_name="steps")
    step = models.CharField(max_length=20, choices=Step.choices)
    status = models.CharField(max_length=20, choices=StepStatus.choices, default=StepStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["report", "step"],
                name="one_step_run_per_report_and_step",
                violation_error_message="A report has one record per pipeline step.",
            )
        ]
        ordering = ["report_id", "id"]  # the column: "report" would join for its ordering

    def __str__(self) -> str:
        return f"{self.report_id}:{self.step}={self.status}"
