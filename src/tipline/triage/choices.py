"""Vocabularies of triage: referral and escalation states."""

from django.db import models


class ReferralState(models.TextChoices):
    PENDING = "pending", "Pending (recorded, not yet sent)"
    SENT = "sent", "Sent"
    WITHDRAWN = "withdrawn", "Withdrawn"


class EscalationState(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"


class NotificationKind(models.TextChoices):
    ASSIGNED = "assigned", "Assigned to you"
    ESCALATED = "escalated", "Escalated to you"
    UPDATED = "updated", "Report in your queue updated"
    LINKED = "linked", "Report in your queue linked"
