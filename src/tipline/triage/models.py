"""What analysts add to a report: notes, referrals to partners, and escalations."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tipline.common.fields import EncryptedTextField
from tipline.triage.choices import EscalationState, NotificationKind, ReferralState


class ReportNote(models.Model):
    """An analyst's note on a report. Append-only; encrypted, as notes often name people."""

    report = models.ForeignKey("reports.Report", on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = EncryptedTextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"note {self.pk} on report {self.report_id}"


class Referral(models.Model):
    """A decision to send a report to a partner queue (NCMEC, INTERPOL, ...).

    Recorded here when made; the exchange sends it and marks it sent. Until then it is pending.
    """

    report = models.ForeignKey("reports.Report", on_delete=models.CASCADE, related_name="referrals")
    partner = models.ForeignKey(
        "geo.RegionalCommand", on_delete=models.PROTECT, related_name="referrals"
    )
    reason = models.TextField()
    state = models.CharField(
        max_length=16, choices=ReferralState.choices, default=ReferralState.PENDING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "partner"],
                condition=models.Q(state="pending"),
                name="one_pending_referral_per_partner",
            )
        ]

    def __str__(self) -> str:
        return f"referral of report {self.report_id} to {self.partner_id}"


class Escalation(models.Model):
    """An analyst asks a supervisor to look at a report now; open until acknowledged."""

    report = models.ForeignKey(
        "reports.Report", on_delete=models.CASCADE, related_name="escalations"
    )
    reason = models.TextField()
    state = models.CharField(
        max_length=16, choices=EscalationState.choices, default=EscalationState.OPEN
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField()
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["raised_at", "pk"]
        indexes = [models.Index(fields=["state", "raised_at"])]

    def __str__(self) -> str:
        return f"escalation of report {self.report_id}"


class Notification(models.Model):
    """Something one staff member should look at: a report assigned or escalated to them, or a
    report in their command's queue updated or linked. One row per recipient, so each person
    reads their own; the text never names a victim or suspect (it shows in a badge)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    report = models.ForeignKey(
        "reports.Report", on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=16, choices=NotificationKind.choices)
    text = models.CharField(max_length=300)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} notification for user {self.recipient_id}"
